import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RefreshService } from '../../../lib/index.js';
import { createApp } from '../../support/create-app.js';
import { expiredToken } from '../support.js';
import { GraphqlWithFilterModule, GraphqlWithoutFilterModule, store } from './app.module.js';

type GqlError = { message: string; path?: string[]; extensions: Record<string, any> };
type GqlBody = { data: Record<string, any> | null; errors?: GqlError[] };

async function query(app: INestApplication, source: string, token?: string): Promise<GqlBody> {
  const req = request(app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
  if (token) req.set('authorization', `Bearer ${token}`);
  const res = await req.send({ query: source });
  return res.body as GqlBody;
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
    const body = await query(app, '{ me { sub } }', token);
    expect(body.data).toEqual({ me: null });
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error!.message).toBe('Token has expired');
    expect(error!.path).toEqual(['me']);
    expect(error!.extensions).toMatchObject({ code: 'TOKEN_EXPIRED', status: 401, expiredAt: new Date(exp * 1000).toISOString() });
    expect(typeof error!.extensions.serverTime).toBe('string');
  });

  it('answers a missing token with NO_TOKEN', async () => {
    const body = await query(app, '{ sub }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NO_TOKEN', status: 401 });
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
