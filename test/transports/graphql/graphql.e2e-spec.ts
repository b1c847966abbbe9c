import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RefreshService } from '../../../lib/index.js';
import { createApp } from '../../support/create-app.js';
import { expiredToken } from '../support.js';
import { GraphqlWithFilterModule, GraphqlWithoutFilterModule, store } from './app.module.js';
import { expectTokenExpired, type GqlBody } from './support.js';

async function query(app: INestApplication, source: string, token?: string): Promise<GqlBody> {
  return (await answer(app, source, token)).body as GqlBody;
}

function answer(app: INestApplication, source: string, token?: string) {
  const req = request(app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
  if (token) req.set('authorization', `Bearer ${token}`);
  return req.send({ query: source });
}

describe('JwtGuard on a GraphQL resolver (Apollo, Express) with AuthExceptionFilter', () => {
  let app: INestApplication;
  let access: string;

  beforeAll(async () => {
    app = await createApp(GraphqlWithFilterModule, 'express');
    access = (await app.get(RefreshService).issue('alice', { role: 'admin' })).accessToken;
  });
  afterAll(() => app.close());

  it('finds the request in the GraphQL context: a valid token passes and @CurrentUser() sees the claims', async () => {
    const body = await query(app, '{ me { sub sid role } sub }', access);
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({ me: { sub: 'alice', role: 'admin' }, sub: 'alice' });
    expect(typeof body.data!.me.sid).toBe('string');
  });

  it('leaves @Public() queries open', async () => {
    expect((await query(app, '{ health }')).data).toEqual({ health: 'ok' });
  });

  it('answers an expired token with an error coded TOKEN_EXPIRED carrying expiredAt, not INTERNAL_SERVER_ERROR', async () => {
    const { token, exp } = expiredToken(120);
    expectTokenExpired(await query(app, '{ me { sub } }', token), exp);
  });

  it('answers a missing token with NO_TOKEN', async () => {
    const body = await query(app, '{ sub }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NO_TOKEN', status: 401 });
  });

  it("sends the RFC 6750 challenge with Apollo's default context, which holds only req", async () => {
    const { token } = expiredToken(120);
    const refused = await answer(app, '{ sub }', token);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="Token has expired"');
    expect((await answer(app, '{ sub }')).headers['www-authenticate']).toBe('Bearer realm="api"');
    expect((await answer(app, '{ sub }', access)).headers['www-authenticate']).toBeUndefined();
  });

  it('answers a store outage with AUTH_STORE_UNAVAILABLE and retryAfter, not INTERNAL_SERVER_ERROR', async () => {
    store.down = true;
    try {
      const body = await query(app, '{ sub }', access);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'AUTH_STORE_UNAVAILABLE', status: 503, retryAfter: 1 });
    } finally {
      store.down = false;
    }
    expect((await query(app, '{ sub }', access)).data).toEqual({ sub: 'alice' });
  });
});

describe('JwtGuard on a GraphQL resolver without AuthExceptionFilter', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createApp(GraphqlWithoutFilterModule, 'express');
  });
  afterAll(() => app.close());

  it("still finds the request and still reports the code, inside Apollo's UNAUTHENTICATED error", async () => {
    const access = (await app.get(RefreshService).issue('bob')).accessToken;
    expect((await query(app, '{ sub }', access)).data).toEqual({ sub: 'bob' });
    const { token, exp } = expiredToken(120);
    const error = (await query(app, '{ sub }', token)).errors?.[0];
    expect(error?.extensions.code).toBe('UNAUTHENTICATED');
    expect(error?.extensions.originalError).toMatchObject({ code: 'TOKEN_EXPIRED', expiredAt: new Date(exp * 1000).toISOString() });
  });
});
