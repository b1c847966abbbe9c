import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningSample } from '../../sample/start-sample.js';
import { sampleWith, SampleClient, type Reply } from '../sample/sample-http.js';

/**
 * The auth endpoints' cross-site defences (`@AuthEndpoint()`), over real HTTP
 * on both platforms: JSON bodies only; in cookie mode no cross-site callers and
 * no duplicated refresh cookie. Every refusal must change nothing: with a reuse
 * grace of 0, a refresh token that had been rotated by a refused request would
 * answer REFRESH_TOKEN_REUSED afterwards instead of 200.
 */
const TRUSTED = 'https://app.example.test';
const cookieOf = (reply: Reply) => /refresh_token=([^;]*)/.exec(reply.headers.get('set-cookie') ?? '')?.[1];

describe.each(['express', 'fastify'] as const)('cross-site defences in cookie mode on %s', (platform) => {
  let sample: RunningSample;
  let http: SampleClient;

  beforeAll(async () => {
    ({ sample, http } = await sampleWith({ REFRESH_COOKIE: '1', REFRESH_REUSE_GRACE: '0', TRUSTED_ORIGINS: `${TRUSTED},http://localhost:1` }, { platform }));
  });
  afterAll(() => sample.close());

  async function session(): Promise<string> {
    const login = await http.login();
    expect(login.status).toBe(200);
    return cookieOf(login)!;
  }

  /** The token is still the live one: it rotates now (and would be REUSED had anything rotated it before). */
  async function expectStillLive(token: string): Promise<void> {
    const reply = await http.request('POST', '/auth/refresh', { json: {}, headers: { cookie: `refresh_token=${token}` } });
    expect(reply.status).toBe(200);
  }

  function post(path: string, raw: string, headers: Record<string, string>): Promise<Reply> {
    return http.request('POST', path, { raw, headers });
  }

  it.each([
    ['application/x-www-form-urlencoded', 'refreshToken=TOKEN'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="refreshToken"\r\n\r\nTOKEN\r\n--x--\r\n'],
    ['text/plain', '{"refreshToken":"TOKEN"}'],
  ])('refuses a %s body at /auth/refresh with 415, rotating nothing', async (type, template) => {
    const token = await session();
    const reply = await post('/auth/refresh', template.replace('TOKEN', token), { 'content-type': type, cookie: `refresh_token=${token}` });
    expect(reply.status).toBe(415);
    expect(reply.headers.get('set-cookie')).toBeNull();
    await expectStillLive(token);
  });

  it('refuses a form at /auth/login with 415 and sets no cookie', async () => {
    const reply = await post('/auth/login', 'username=alice&password=wonderland', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(reply.status).toBe(415);
    expect(reply.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a body without a Content-Type with 415', async () => {
    const token = await session();
    const res = await fetch(`${http.url}/auth/refresh`, { method: 'POST', body: new Blob([`{"refreshToken":"${token}"}`]), headers: { cookie: `refresh_token=${token}` } });
    expect(res.status).toBe(415);
    await expectStillLive(token);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin null (sandboxed frame)', { origin: 'null' }],
    ['a sibling port', { origin: 'http://127.0.0.1:1' }],
    ['a trusted Origin marked cross-site', { origin: TRUSTED, 'sec-fetch-site': 'cross-site' }],
  ])('answers %s at /auth/refresh with 403 CROSS_SITE_REQUEST, rotating nothing', async (_what, headers) => {
    const token = await session();
    const reply = await http.request('POST', '/auth/refresh', { json: {}, headers: { ...headers, cookie: `refresh_token=${token}` } });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ statusCode: 403, code: 'CROSS_SITE_REQUEST', error: 'Forbidden' });
    expect(reply.headers.get('set-cookie')).toBeNull();
    await expectStillLive(token);
  });

  it('answers a cross-site login with 403 and sets no cookie, even with good credentials', async () => {
    const reply = await http.login('alice', 'wonderland', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(reply.status).toBe(403);
    expect(reply.body.code).toBe('CROSS_SITE_REQUEST');
    expect(reply.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a cross-site logout too, and the session survives it', async () => {
    const login = await http.login();
    const out = await http.request('POST', '/auth/logout', { token: login.body.accessToken, headers: { origin: 'https://evil.example' } });
    expect(out.status).toBe(403);
    expect((await http.me(login.body.accessToken)).status).toBe(200);
  });

  it.each([
    ['its own Origin', (url: string) => ({ origin: url, 'sec-fetch-site': 'same-origin' })],
    ['a trusted Origin (same site)', () => ({ origin: TRUSTED, 'sec-fetch-site': 'same-site' })],
    ['no Origin and no Sec-Fetch-Site (curl, a server)', () => ({})],
  ])('serves %s', async (_what, headers) => {
    const token = await session();
    const reply = await http.request('POST', '/auth/refresh', { json: {}, headers: { ...headers(http.url), cookie: `refresh_token=${token}` } });
    expect(reply.status).toBe(200);
    expect(cookieOf(reply)).not.toBe(token);
  });

  it('answers two refresh cookies with 401 REFRESH_TOKEN_INVALID and uses neither', async () => {
    const victim = await session();
    const planted = await session();
    for (const cookie of [`refresh_token=${planted}; refresh_token=${victim}`, `refresh_token=${victim}; other=1; refresh_token=${planted}`]) {
      const reply = await http.request('POST', '/auth/refresh', { json: {}, headers: { cookie } });
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('REFRESH_TOKEN_INVALID');
      expect(reply.headers.get('set-cookie')).toBeNull();
    }
    await expectStillLive(victim);
    await expectStillLive(planted);
  });

  it('logs out with no body and no Content-Type', async () => {
    const login = await http.login();
    const res = await fetch(`${http.url}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${login.body.accessToken}` } });
    expect(res.status).toBe(204);
  });
});

describe('cross-site defences in body mode', () => {
  let sample: RunningSample;
  let http: SampleClient;

  beforeAll(async () => {
    ({ sample, http } = await sampleWith({}));
  });
  afterAll(() => sample.close());

  it('serves other origins (no ambient cookie to abuse: the token is in the body)', async () => {
    const login = await http.login('alice', 'wonderland', { origin: 'https://spa.example', 'sec-fetch-site': 'cross-site' });
    expect(login.status).toBe(200);
    const reply = await http.refresh(login.body.refreshToken, { origin: 'https://spa.example', 'sec-fetch-site': 'cross-site' });
    expect(reply.status).toBe(200);
  });

  it('still refuses form bodies with 415', async () => {
    const login = (await http.login()).body;
    const reply = await http.request('POST', '/auth/refresh', { raw: `refreshToken=${login.refreshToken}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(reply.status).toBe(415);
    expect((await http.refresh(login.refreshToken)).status).toBe(200);
  });
});
