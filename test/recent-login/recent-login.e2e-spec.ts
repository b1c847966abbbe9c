import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp, PLATFORMS } from '../support/create-app.js';
import { RecentLoginAppModule, TestClock } from './app.module.js';

const T0 = Date.UTC(2026, 2, 5, 12, 0, 0);
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe.each(PLATFORMS)('@RequireRecentLogin on %s', (platform) => {
  let app: INestApplication;
  let clock: TestClock;

  async function start(globalGuard = true) {
    clock = new TestClock(T0);
    app = await createApp(RecentLoginAppModule.register(clock, globalGuard), platform);
    return request(app.getHttpServer());
  }
  afterEach(() => app?.close());

  const login = async (http: ReturnType<typeof request>, user = 'alice') => (await http.post('/login').send({ user }).expect(200)).body;

  it('answers 200 within the max age, LOGIN_REQUIRED after it (through rotations), and 200 again after a new login', async () => {
    const http = await start();
    const first = await login(http);
    expect(payloadOf(first.accessToken).auth_time).toBe(T0 / 1000);
    await http.get('/fresh').auth(first.accessToken, { type: 'bearer' }).expect(200);

    clock.advance(4 * 60);
    const rotated = (await http.post('/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    // Rotation signs a new token but keeps the login time.
    expect(payloadOf(rotated.accessToken)).toMatchObject({ auth_time: T0 / 1000, iat: T0 / 1000 + 240 });
    await http.get('/fresh').auth(rotated.accessToken, { type: 'bearer' }).expect(200);

    clock.advance(61); // 5 min 1 s after the login
    const again = (await http.post('/refresh').send({ refreshToken: rotated.refreshToken }).expect(200)).body;
    const refused = await http.get('/fresh').auth(again.accessToken, { type: 'bearer' });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ statusCode: 401, code: 'LOGIN_REQUIRED', authTime: new Date(T0).toISOString(), maxAge: 300 });
    expect(refused.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_user_authentication", error_description="A more recent login is required", max_age="300"',
    );
    expect(refused.headers['cache-control']).toBe('no-store');
    // Step-up, not logout: the session's other routes keep working.
    await http.get('/me').auth(again.accessToken, { type: 'bearer' }).expect(200);

    const fresh = await login(http);
    expect(payloadOf(fresh.accessToken).auth_time).toBe(clock.now / 1000);
    await http.get('/fresh').auth(fresh.accessToken, { type: 'bearer' }).expect(200);
  });

  it('lets the handler name its own limit, and counts the limit to the second', async () => {
    const http = await start();
    const { accessToken } = await login(http);
    clock.advance(60);
    await http.get('/very-fresh').auth(accessToken, { type: 'bearer' }).expect(200);
    clock.advance(1);
    const refused = await http.get('/very-fresh').auth(accessToken, { type: 'bearer' }).expect(401);
    expect(refused.body).toMatchObject({ code: 'LOGIN_REQUIRED', maxAge: 60 });
    expect(refused.headers['www-authenticate']).toContain('max_age="60"');
  });

  it('refuses a token without auth_time as too old, with no authTime in the body', async () => {
    const http = await start();
    const tokens = app.get((await import('../../lib/index.js')).AccessTokenService);
    const sessions = app.get((await import('../../lib/index.js')).RefreshService);
    const pair = await sessions.issue('carol');
    const sid = payloadOf(pair.accessToken).sid;
    // What a token signed before auth_time existed looks like: re-signed here without it.
    const signed = tokens.sign({ sub: 'carol', sid });
    const header = signed.token.split('.')[0];
    const { auth_time: _dropped, ...claims } = signed.claims;
    void _dropped;
    const { createHmac } = await import('node:crypto');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const sig = createHmac('sha256', 'recent-login-e2e-secret-at-least-32-bytes!').update(`${header}.${body}`).digest('base64url');
    const legacy = `${header}.${body}.${sig}`;
    await http.get('/me').auth(legacy, { type: 'bearer' }).expect(200);
    const refused = await http.get('/fresh').auth(legacy, { type: 'bearer' }).expect(401);
    expect(refused.body.code).toBe('LOGIN_REQUIRED');
    expect(refused.body).not.toHaveProperty('authTime');
  });

  describe('without a global JwtGuard', () => {
    it('checks the token itself: no token, a forged one and a revoked session get their own codes', async () => {
      const http = await start(false);
      const noToken = await http.get('/alone').expect(401);
      expect(noToken.body.code).toBe('NO_TOKEN');
      expect(noToken.headers['www-authenticate']).toBe('Bearer realm="api"');
      const pair = await login(http);
      const forged = pair.accessToken.slice(0, -4) + (pair.accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      expect((await http.get('/alone').auth(forged, { type: 'bearer' }).expect(401)).body.code).toBe('INVALID_TOKEN');
      expect((await http.get('/alone').auth(pair.accessToken, { type: 'bearer' }).expect(200)).body).toEqual({ sub: 'alice' });
      clock.advance(121);
      expect((await http.get('/alone').auth(pair.accessToken, { type: 'bearer' }).expect(401)).body.code).toBe('LOGIN_REQUIRED');
      await http.get('/alone/longer').auth(pair.accessToken, { type: 'bearer' }).expect(200);
      const other = await login(http, 'bob');
      await http.get('/guarded').auth(other.accessToken, { type: 'bearer' }).expect(200);
      await http.post('/logout').auth(other.accessToken, { type: 'bearer' }).expect(204);
      expect((await http.get('/alone').auth(other.accessToken, { type: 'bearer' }).expect(401)).body.code).toBe('TOKEN_REVOKED');
      expect((await http.get('/guarded').auth(other.accessToken, { type: 'bearer' }).expect(401)).body.code).toBe('TOKEN_REVOKED');
    });
  });
});
