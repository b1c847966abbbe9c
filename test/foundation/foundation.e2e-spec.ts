import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { AccessTokenService, RefreshService } from '../../lib/index.js';
import { createApp, PLATFORMS } from '../support/create-app.js';
import { expectRefusedBeforeAnyHandler } from '../support/oversized-request.js';
import { FoundationModule, GlobalGuardModule, SECRET } from './app.module.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const hs256 = (payload: object, header: object = { alg: 'HS256', typ: 'at+jwt' }) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
};
const nowS = () => Math.floor(Date.now() / 1000);

describe.each(PLATFORMS)('foundation on %s', (platform) => {
  let app: INestApplication;
  let tokens: AccessTokenService;
  let server: any;

  beforeAll(async () => {
    app = await createApp(FoundationModule, platform);
    tokens = app.get(AccessTokenService);
    server = app.getHttpServer();
  });
  afterAll(() => app.close());

  it('lets a valid token through and exposes its claims with @CurrentUser()', async () => {
    const { token } = tokens.sign({ sub: 'alice', sid: 's1' });
    const res = await request(server).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body.user).toMatchObject({ sub: 'alice', sid: 's1' });
    const sub = await request(server).get('/me/sub').set('Authorization', `bearer ${token}`).expect(200);
    expect(sub.body).toEqual({ sub: 'alice' });
  });

  it('answers NO_TOKEN with a challenge that has no error attribute', async () => {
    const res = await request(server).get('/me').expect(401);
    expect(res.body).toEqual({ statusCode: 401, code: 'NO_TOKEN', message: 'No access token was sent', error: 'Unauthorized' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('does not read tokens from the query string or a cookie', async () => {
    const { token } = tokens.sign({ sub: 'alice', sid: 's1' });
    const res = await request(server).get(`/me?access_token=${token}`).set('Cookie', `access_token=${token}`).expect(401);
    expect(res.body.code).toBe('NO_TOKEN');
  });

  it('answers TOKEN_EXPIRED with expiredAt, serverTime and an invalid_token challenge', async () => {
    const exp = nowS() - 31;
    const res = await request(server).get('/me').set('Authorization', `Bearer ${hs256({ sub: 'a', sid: 'b', exp })}`).expect(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_EXPIRED', message: 'Token has expired', expiredAt: new Date(exp * 1000).toISOString() });
    expect(Math.abs(Date.parse(res.body.serverTime) - Date.now())).toBeLessThan(5000);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="Token has expired"');
  });

  it('accepts a token expired by less than the clock tolerance', async () => {
    await request(server).get('/me').set('Authorization', `Bearer ${hs256({ sub: 'a', sid: 'b', exp: nowS() - 25 })}`).expect(200);
  });

  it('answers TOKEN_NOT_ACTIVE with notBefore', async () => {
    const nbf = nowS() + 120;
    const res = await request(server).get('/me').set('Authorization', `Bearer ${hs256({ sub: 'a', sid: 'b', exp: nbf + 900, nbf })}`).expect(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_NOT_ACTIVE', notBefore: new Date(nbf * 1000).toISOString() });
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['tampered payload', 'TAMPER'],
    ['alg none', `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ sub: 'a', sid: 'b', exp: 9e9 })}.`],
    ['longer than maxTokenLength', 'a'.repeat(8200)],
  ])('answers INVALID_TOKEN for %s, never a 500', async (_name, raw) => {
    const token = raw === 'TAMPER' ? tokens.sign({ sub: 'alice', sid: 's1' }).token.replace(/\.(.)/, '.X') : raw;
    const res = await request(server).get('/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('refuses a huge Authorization header with a 4xx or a reset, never a 5xx, and keeps serving', async () => {
    await expectRefusedBeforeAnyHandler(() => request(server).get('/me').set('Authorization', `Bearer ${'a'.repeat(70_000)}`));
    expect((await request(server).get('/me')).body.code).toBe('NO_TOKEN');
  });
});

describe.each(PLATFORMS)('global guard and filter on %s', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(GlobalGuardModule, platform);
  });
  afterAll(() => app.close());

  it('leaves @Public() routes open and protects the rest', async () => {
    await request(app.getHttpServer()).get('/health').expect(200, { status: 'ok' });
    const res = await request(app.getHttpServer()).get('/closed').expect(401);
    expect(res.body.code).toBe('NO_TOKEN');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="demo"');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('lets the access token of a live session through', async () => {
    const { accessToken } = await app.get(RefreshService).issue('bob');
    await request(app.getHttpServer()).get('/closed').set('Authorization', `Bearer ${accessToken}`).expect(200);
  });

  it('refuses a validly signed token whose session is unknown with TOKEN_REVOKED (session check on by default)', async () => {
    const { token } = app.get(AccessTokenService).sign({ sub: 'bob', sid: 'no-such-session' });
    const res = await request(app.getHttpServer()).get('/closed').set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.body.code).toBe('TOKEN_REVOKED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="demo", error="invalid_token"/);
  });
});
