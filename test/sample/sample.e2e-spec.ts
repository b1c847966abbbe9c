import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningSample } from '../../sample/start-sample.js';
import { readSampleConfig, SampleConfigError } from '../../sample/sample-config.js';
import { sampleWith, SampleClient, sleep } from './sample-http.js';

const PLATFORMS = ['express', 'fastify'] as const;
const CHALLENGE_REJECTED = /^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/;

function expectPair(body: any, expiresIn: number) {
  expect(body).toEqual({
    accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    refreshToken: expect.stringMatching(/^[\w-]{86,}$/),
    tokenType: 'Bearer',
    expiresIn,
    refreshExpiresIn: expect.any(Number),
  });
}

function expectCoded401(reply: { status: number; headers: Headers; body: any }, code: string) {
  expect(reply.status).toBe(401);
  expect(reply.body).toMatchObject({ statusCode: 401, code, error: 'Unauthorized', message: expect.any(String) });
  expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer realm="api"/);
}

describe.each(PLATFORMS)('sample over HTTP on %s', (platform) => {
  let sample: RunningSample;
  let http: SampleClient;

  beforeAll(async () => {
    ({ sample, http } = await sampleWith({ REFRESH_REUSE_GRACE: '1' }, { platform }));
  });
  afterAll(() => sample.close());

  it('GET /health is public', async () => {
    const reply = await http.request('GET', '/health');
    expect(reply).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('GET / is the public demo page', async () => {
    const reply = await http.request('GET', '/');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
    expect(String(reply.body)).toMatch(/<html/i);
  });

  it('logs in with a demo user and returns the token pair with no-store', async () => {
    const reply = await http.login('bob', 'builder');
    expect(reply.status).toBe(200);
    expectPair(reply.body, 900);
    expect(reply.body.refreshExpiresIn).toBe(604800);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const me = await http.me(reply.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ sub: 'bob', sid: expect.any(String), jti: expect.any(String), iat: expect.any(Number), exp: expect.any(Number) });
    const header = JSON.parse(Buffer.from(reply.body.accessToken.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
  });

  it('answers wrong credentials with INVALID_CREDENTIALS', async () => {
    for (const [u, p] of [['alice', 'wrong'], ['mallory', 'wonderland']]) {
      const reply = await http.login(u, p);
      expectCoded401(reply, 'INVALID_CREDENTIALS');
    }
  });

  it.each([
    ['not JSON', '{"username": "alice",'],
    ['an array', '["alice","wonderland"]'],
    ['a string', '"alice"'],
    ['missing password', '{"username":"alice"}'],
    ['a number as password', '{"username":"alice","password":12345}'],
    ['an object as username', '{"username":{"$ne":null},"password":"x"}'],
    ['a 10 KB password', JSON.stringify({ username: 'alice', password: 'x'.repeat(10_240) })],
    ['a __proto__ key', '{"__proto__":{"admin":true},"username":"alice","password":"wonderland"}'],
  ])('answers a login body that is %s with 400, never 401 or 5xx', async (_name, raw) => {
    const reply = await http.request('POST', '/auth/login', { raw });
    expect(reply.status).toBe(400);
  });

  it('rejects a missing token with NO_TOKEN and a challenge without an error attribute', async () => {
    const reply = await http.me();
    expectCoded401(reply, 'NO_TOKEN');
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('rejects a garbage token with INVALID_TOKEN and an invalid_token challenge', async () => {
    const reply = await http.me('not-a-jwt');
    expectCoded401(reply, 'INVALID_TOKEN');
    expect(reply.headers.get('www-authenticate')).toMatch(CHALLENGE_REJECTED);
  });

  it('answers an oversized Authorization header with a 4xx, never a 5xx', async () => {
    const reply = await http.request('GET', '/me', { headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
  });

  it('rotates: a refresh returns a new pair and the new refresh token works', async () => {
    const login = (await http.login()).body;
    const first = await http.refresh(login.refreshToken);
    expect(first.status).toBe(200);
    expectPair(first.body, 900);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body.refreshToken).not.toBe(login.refreshToken);
    const second = await http.refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expect((await http.me(second.body.accessToken)).body.user.sid).toBe((await http.me(login.accessToken)).body.user.sid);
  });

  it('answers parallel refreshes of one token with one successor (grace window)', async () => {
    const login = (await http.login()).body;
    const replies = await Promise.all(Array.from({ length: 10 }, () => http.refresh(login.refreshToken)));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((r) => r.body.refreshToken)).size).toBe(1);
    expect(new Set(replies.map((r) => r.body.accessToken)).size).toBe(10);
  });

  it('detects reuse after the grace window and revokes that session only', async () => {
    const victim = (await http.login()).body;
    const other = (await http.login()).body;
    const rotated = (await http.refresh(victim.refreshToken)).body;
    await sleep(1300);
    expectCoded401(await http.refresh(victim.refreshToken), 'REFRESH_TOKEN_REUSED');
    expectCoded401(await http.refresh(rotated.refreshToken), 'REFRESH_TOKEN_REVOKED');
    const me = await http.me(rotated.accessToken);
    expectCoded401(me, 'TOKEN_REVOKED');
    expect(me.headers.get('www-authenticate')).toMatch(CHALLENGE_REJECTED);
    expect((await http.refresh(other.refreshToken)).status).toBe(200);
  });

  it.each([
    ['no body at all', undefined, 'REFRESH_TOKEN_MISSING'],
    ['an empty object', {}, 'REFRESH_TOKEN_MISSING'],
    ['a random string', { refreshToken: 'garbage' }, 'REFRESH_TOKEN_INVALID'],
    ['a 10 KB string', { refreshToken: 'x'.repeat(10_240) }, 'REFRESH_TOKEN_INVALID'],
    ['unicode', { refreshToken: '🔑'.repeat(46) }, 'REFRESH_TOKEN_INVALID'],
  ])('answers a refresh with %s with its code', async (_name, json, code) => {
    const reply = await http.request('POST', '/auth/refresh', { json });
    expectCoded401(reply, code);
  });

  it('refuses an access token presented as a refresh token', async () => {
    const login = (await http.login()).body;
    expectCoded401(await http.refresh(login.accessToken), 'REFRESH_TOKEN_INVALID');
  });

  it('refuses a refresh token presented as an access token', async () => {
    const login = (await http.login()).body;
    expectCoded401(await http.me(login.refreshToken), 'INVALID_TOKEN');
  });

  it.each([
    ['a number', '{"refreshToken":42}'],
    ['an object', '{"refreshToken":{"$gt":""}}'],
    ['an array body', '[1,2]'],
    ['broken JSON', '{"refreshToken":'],
  ])('answers a refresh body holding %s with 400', async (_name, raw) => {
    expect((await http.request('POST', '/auth/refresh', { raw })).status).toBe(400);
  });

  it('logout revokes the session: refresh answers REVOKED and the access token TOKEN_REVOKED', async () => {
    const login = (await http.login()).body;
    const out = await http.request('POST', '/auth/logout', { token: login.accessToken });
    expect(out.status).toBe(204);
    expectCoded401(await http.refresh(login.refreshToken), 'REFRESH_TOKEN_REVOKED');
    expectCoded401(await http.me(login.accessToken), 'TOKEN_REVOKED');
  });

  it('logout needs a bearer token', async () => {
    expectCoded401(await http.request('POST', '/auth/logout'), 'NO_TOKEN');
  });

  it('logout-all revokes every session of the caller and no one else', async () => {
    const a1 = (await http.login()).body;
    const a2 = (await http.login()).body;
    const b = (await http.login('bob', 'builder')).body;
    expect((await http.request('POST', '/auth/logout-all', { token: a1.accessToken })).status).toBe(204);
    expectCoded401(await http.refresh(a2.refreshToken), 'REFRESH_TOKEN_REVOKED');
    expectCoded401(await http.me(a2.accessToken), 'TOKEN_REVOKED');
    expect((await http.me(b.accessToken)).status).toBe(200);
    expect((await http.refresh(b.refreshToken)).status).toBe(200);
  });

  it('ignores a refresh cookie when cookie mode is off', async () => {
    const login = (await http.login()).body;
    const reply = await http.request('POST', '/auth/refresh', { headers: { cookie: `refresh_token=${login.refreshToken}` } });
    expectCoded401(reply, 'REFRESH_TOKEN_MISSING');
    expect(reply.headers.get('set-cookie')).toBeNull();
  });
});

describe('sample lifetimes (real clock)', () => {
  let sample: RunningSample;
  let http: SampleClient;

  beforeAll(async () => {
    ({ sample, http } = await sampleWith({ ACCESS_TOKEN_TTL: '1', CLOCK_TOLERANCE: '0', SESSION_MAX_AGE: '3s', REFRESH_TOKEN_TTL: '1h' }));
  });
  afterAll(() => sample.close());

  it('expires access tokens with TOKEN_EXPIRED, expiredAt and the server time, and sessions at SESSION_MAX_AGE', async () => {
    const login = (await http.login()).body;
    expect(login.expiresIn).toBe(1);
    expect(login.refreshExpiresIn).toBe(3);
    await sleep(2100);
    const me = await http.me(login.accessToken);
    expectCoded401(me, 'TOKEN_EXPIRED');
    const { exp } = JSON.parse(Buffer.from(login.accessToken.split('.')[1], 'base64url').toString());
    expect(me.body.expiredAt).toBe(new Date(exp * 1000).toISOString());
    expect(Date.parse(me.body.serverTime)).toBeGreaterThan(exp * 1000);
    // The session is still alive: the client's silent refresh works.
    const renewed = await http.refresh(login.refreshToken);
    expect(renewed.status).toBe(200);
    expect(renewed.body.refreshExpiresIn).toBeLessThanOrEqual(1);
    await sleep(1200);
    const late = await http.refresh(renewed.body.refreshToken);
    expectCoded401(late, 'REFRESH_TOKEN_EXPIRED');
    expect(Date.parse(late.body.expiredAt)).toBeLessThanOrEqual(Date.now());
  });
});

describe('sample cookie mode (REFRESH_COOKIE=1)', () => {
  let sample: RunningSample;
  let http: SampleClient;

  beforeAll(async () => {
    ({ sample, http } = await sampleWith({ REFRESH_COOKIE: '1' }));
  });
  afterAll(() => sample.close());

  const cookieValue = (setCookie: string | null) => /refresh_token=([^;]*)/.exec(setCookie ?? '')?.[1];

  it('sets an httpOnly, Secure, SameSite=Strict cookie scoped to /auth, and accepts it on refresh', async () => {
    const login = await http.login();
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^refresh_token=[\w-]{86,}; /);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/auth', 'Max-Age=604800']) {
      expect(setCookie.split('; ')).toContain(attribute);
    }
    // The contract: in cookie mode the token travels only in the cookie, never in a body a script could read.
    expect(login.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 604800 });
    const refreshed = await http.request('POST', '/auth/refresh', { headers: { cookie: `other=1; refresh_token=${cookieValue(setCookie)}` } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    expect(cookieValue(refreshed.headers.get('set-cookie'))).toMatch(/^[\w-]{86,}$/);
    expect(cookieValue(refreshed.headers.get('set-cookie'))).not.toBe(cookieValue(setCookie));
  });

  it('lets a token in the body win over the cookie', async () => {
    const loginA = await http.login();
    const loginB = await http.login();
    const a = { ...loginA.body, refreshToken: cookieValue(loginA.headers.get('set-cookie')) };
    const b = { ...loginB.body, refreshToken: cookieValue(loginB.headers.get('set-cookie')) };
    const reply = await http.refresh(b.refreshToken, { cookie: `refresh_token=${a.refreshToken}` });
    expect(reply.status).toBe(200);
    const sidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid;
    expect(sidOf(reply.body.accessToken)).toBe(sidOf(b.accessToken));
  });

  it('clears the cookie on logout and logout-all', async () => {
    for (const path of ['/auth/logout', '/auth/logout-all']) {
      const login = (await http.login()).body;
      const out = await http.request('POST', path, { token: login.accessToken });
      expect(out.status).toBe(204);
      const cleared = out.headers.get('set-cookie')!;
      expect(cleared).toMatch(/^refresh_token=; /);
      expect(cleared).toContain('Path=/auth');
      expect(cleared).toContain('Max-Age=0');
    }
  });
});

describe('sample configuration', () => {
  it('refuses a JWT_SECRET shorter than 32 bytes, naming it', () => {
    expect(() => readSampleConfig({ JWT_SECRET: 'short' })).toThrow(SampleConfigError);
    expect(() => readSampleConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    // 31 bytes in UTF-8 even though it is fewer characters.
    expect(() => readSampleConfig({ JWT_SECRET: 'é'.repeat(15) + 'a' })).toThrow(/JWT_SECRET/);
  });

  it('generates a random secret when none is given', () => {
    const a = readSampleConfig({});
    const b = readSampleConfig({});
    expect(a.generatedSecret).toBe(true);
    expect(a.jwtSecret).not.toBe(b.jwtSecret);
    expect(Buffer.byteLength(a.jwtSecret)).toBeGreaterThanOrEqual(32);
  });

  it.each([
    ['ACCESS_TOKEN_TTL', 'soon'],
    ['REFRESH_TOKEN_TTL', '-5'],
    ['SESSION_MAX_AGE', 'Infinity'],
    ['CLOCK_TOLERANCE', 'NaN'],
    ['REFRESH_REUSE_GRACE', '1y'],
    ['AUTH_STORE', 'mongo'],
    ['PORT', '70000'],
    ['REFRESH_COOKIE', 'yes'],
    ['TRUSTED_ORIGINS', 'https://app.example.com/login'],
    ['TRUSTED_ORIGINS', '*'],
  ])('refuses a bad %s with a message naming it', (name, value) => {
    expect(() => readSampleConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('reads durations in seconds or with a unit', () => {
    const config = readSampleConfig({ ACCESS_TOKEN_TTL: '90', REFRESH_TOKEN_TTL: '1h', SESSION_MAX_AGE: '7d', CLOCK_TOLERANCE: '5s', REFRESH_REUSE_GRACE: '0' });
    expect(config).toMatchObject({ accessTokenTtl: 90, refreshTokenTtl: 3600, sessionMaxAge: 604800, clockTolerance: 5, reuseGrace: 0 });
  });

  it('stops start-up on a clock tolerance the library refuses', async () => {
    await expect(sampleWith({ CLOCK_TOLERANCE: '301' })).rejects.toThrow(/clockTolerance/);
  });
});
