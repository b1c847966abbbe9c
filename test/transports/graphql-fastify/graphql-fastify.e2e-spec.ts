import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { RefreshService } from '../../../lib/index.js';
import { expectTokenExpired, type GqlBody } from '../graphql/support.js';
import { expiredToken } from '../support.js';
import { FastifyGraphqlDefaultContextModule, FastifyGraphqlWithFilterModule, FastifyGraphqlWithoutFilterModule, store } from './app.module.js';

type Answer = { status: number; challenge: string | null; body: GqlBody };

const ANSWER_TIMEOUT_MS = 5000;
const NO_TOKEN_CHALLENGE = 'Bearer realm="api"';
const challengeFor = (description: string) => `Bearer realm="api", error="invalid_token", error_description="${description}"`;

/** A Nest app on Fastify, listening on a random loopback port; returns it with its GraphQL endpoint. */
async function listen(module: unknown): Promise<{ app: NestFastifyApplication; url: string }> {
  const ref = await Test.createTestingModule({ imports: [module as never] }).compile();
  const app = ref.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}/graphql` };
}

/** A GraphQL POST over real HTTP; a silent server or a non-JSON answer fails with a message, not Jest's timeout. */
async function query(url: string, source: string, token?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: source }), signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
    text = await res.text();
  } catch (cause) {
    throw new Error(`POST ${url} (${source}) failed, answer timeout ${ANSWER_TIMEOUT_MS} ms: ${String(cause)}`, { cause });
  }
  let body: GqlBody;
  try {
    body = JSON.parse(text) as GqlBody;
  } catch {
    throw new Error(`POST ${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body };
}

/** The same token with its payload's `sub` changed and the original signature kept. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  return `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url')}.${signature}`;
}

describe('JwtGuard on a GraphQL resolver (Apollo, Fastify) with AuthExceptionFilter, context { req, reply }', () => {
  let app: NestFastifyApplication | undefined;
  let url: string;
  let access: string;

  beforeAll(async () => {
    ({ app, url } = await listen(FastifyGraphqlWithFilterModule));
    access = (await app.get(RefreshService).issue('alice', { role: 'admin' })).accessToken;
  });
  afterAll(() => app?.close());

  it('finds the request in the GraphQL context: a valid token passes and @CurrentUser() sees the claims', async () => {
    const { status, challenge, body } = await query(url, '{ me { sub sid role } sub }', access);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ me: { sub: 'alice', role: 'admin' }, sub: 'alice' });
    expect(typeof body.data!.me.sid).toBe('string');
    expect(challenge).toBeNull();
  });

  it('leaves @Public() queries open', async () => {
    expect((await query(url, '{ health }')).body).toEqual({ data: { health: 'ok' } });
  });

  it('answers an expired token with TOKEN_EXPIRED carrying expiredAt, and the challenge header on the HTTP response', async () => {
    const { token, exp } = expiredToken(120);
    const { status, challenge, body } = await query(url, '{ me { sub } }', token);
    expectTokenExpired(body, exp);
    // A partial result: GraphQL over HTTP keeps 200, the code travels in the body.
    expect(status).toBe(200);
    expect(challenge).toBe(challengeFor('Token has expired'));
  });

  it('answers a missing token with NO_TOKEN and a challenge without an error attribute', async () => {
    const { challenge, body } = await query(url, '{ sub }');
    expect(body.data).toEqual({ sub: null });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NO_TOKEN', status: 401 });
    expect(challenge).toBe(NO_TOKEN_CHALLENGE);
  });

  it('answers a tampered token with INVALID_TOKEN, not the claims it carries', async () => {
    const { challenge, body } = await query(url, '{ sub }', tampered(access));
    expect(body.data).toEqual({ sub: null });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TOKEN', status: 401 });
    expect(challenge).toMatch(/^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/);
  });

  it('answers a token whose session was revoked with TOKEN_REVOKED', async () => {
    const carol = (await app!.get(RefreshService).issue('carol')).accessToken;
    const { body } = await query(url, '{ me { sid } }', carol);
    expect(body.errors).toBeUndefined();
    expect(await app!.get(RefreshService).revokeSession(body.data!.me.sid)).toBe(true);
    expect((await query(url, '{ sub }', carol)).body.errors?.[0]?.extensions).toMatchObject({ code: 'TOKEN_REVOKED', status: 401 });
  });

  it('answers a store outage with AUTH_STORE_UNAVAILABLE and retryAfter, without a 401 challenge', async () => {
    store.down = true;
    try {
      const { challenge, body } = await query(url, '{ sub }', access);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'AUTH_STORE_UNAVAILABLE', status: 503, retryAfter: 1 });
      expect(challenge).toBeNull();
    } finally {
      store.down = false;
    }
    expect((await query(url, '{ sub }', access)).body.data).toEqual({ sub: 'alice' });
  });
});

describe('JwtGuard on a GraphQL resolver (Apollo, Fastify) without AuthExceptionFilter', () => {
  let app: NestFastifyApplication | undefined;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await listen(FastifyGraphqlWithoutFilterModule));
  });
  afterAll(() => app?.close());

  it("still finds the request, reports the code inside Apollo's UNAUTHENTICATED error, and sets the challenge itself", async () => {
    const access = (await app!.get(RefreshService).issue('bob')).accessToken;
    expect((await query(url, '{ sub }', access)).body.data).toEqual({ sub: 'bob' });
    const { token, exp } = expiredToken(120);
    const { challenge, body } = await query(url, '{ sub }', token);
    const error = body.errors?.[0];
    expect(error?.extensions.code).toBe('UNAUTHENTICATED');
    expect(error?.extensions.originalError).toMatchObject({ code: 'TOKEN_EXPIRED', expiredAt: new Date(exp * 1000).toISOString() });
    expect(challenge).toBe(challengeFor('Token has expired'));
  });
});

describe("JwtGuard on a GraphQL resolver (Apollo, Fastify) with @nestjs/apollo's default context { req }", () => {
  let app: NestFastifyApplication | undefined;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await listen(FastifyGraphqlDefaultContextModule));
  });
  afterAll(() => app?.close());

  it('authenticates and codes errors from the request alone', async () => {
    const access = (await app!.get(RefreshService).issue('dave')).accessToken;
    expect((await query(url, '{ sub }', access)).body).toEqual({ data: { sub: 'dave' } });
    expect((await query(url, '{ sub }')).body.errors?.[0]?.extensions).toMatchObject({ code: 'NO_TOKEN', status: 401 });
  });

  // Pins what a user must add: with no reply in the context the guard has nowhere to write the challenge.
  // If this fails, the library found the reply another way; the Fastify context advice can then go.
  it('sends no WWW-Authenticate header: the context has no reply to set it on', async () => {
    const { token } = expiredToken(120);
    const { challenge, body } = await query(url, '{ sub }', token);
    expect(body.errors?.[0]?.extensions.code).toBe('TOKEN_EXPIRED');
    expect(challenge).toBeNull();
  });
});
