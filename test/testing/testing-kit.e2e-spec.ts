import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import request from 'supertest';
import { AccessTokenService, AuthModule, CurrentUser, MemoryRefreshTokenStore, RefreshService } from '../../lib/index.js';
import type { AccessTokenClaims } from '../../lib/index.js';
import { createTestSession, FixedClock } from '../../lib/testing/index.js';
import { createApp, PLATFORMS } from '../support/create-app.js';

const SECRET = 'testing-kit-secret-of-at-least-32-bytes!';

@Controller('me')
class MeController {
  @Get()
  me(@CurrentUser() user: AccessTokenClaims) {
    return { user };
  }
}

function appModule(clock?: FixedClock) {
  @Module({
    imports: [
      AuthModule.forRoot({
        secret: SECRET,
        accessTokenTtl: '15m',
        clockTolerance: 30,
        sessionCheck: true,
        store: new MemoryRefreshTokenStore(clock ? { now: clock.now } : {}),
        clock: clock?.now,
        isGlobal: true,
        globalGuard: true,
        globalFilter: true,
      }),
    ],
    controllers: [MeController],
  })
  class TestingKitModule {}
  return TestingKitModule;
}

describe.each(PLATFORMS)('testing kit on %s', (platform) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('createTestSession gives a pair that passes the guard and the session check, with the claims asked for', async () => {
    app = await createApp(appModule(), platform);
    const pair = await createTestSession(app, 'alice', { role: 'admin' });
    const res = await request(app.getHttpServer()).get('/me').auth(pair.accessToken, { type: 'bearer' }).expect(200);
    expect(res.body.user).toMatchObject({ sub: 'alice', role: 'admin' });
    expect(typeof res.body.user.sid).toBe('string');
    // The refresh token is a live one of the same session.
    const rotated = await app.get(RefreshService).rotate(pair.refreshToken);
    const again = await request(app.getHttpServer()).get('/me').auth(rotated.accessToken, { type: 'bearer' }).expect(200);
    expect(again.body.user.sid).toBe(res.body.user.sid);
  });

  it('a JWT signed by hand, with no session behind it, is what the session check refuses (TOKEN_REVOKED)', async () => {
    app = await createApp(appModule(), platform);
    const { token } = app.get(AccessTokenService).sign({ sub: 'alice', sid: 'no-such-session' });
    const res = await request(app.getHttpServer()).get('/me').auth(token, { type: 'bearer' }).expect(401);
    expect(res.body.code).toBe('TOKEN_REVOKED');
  });

  it('FixedClock ages tokens and sessions together: nothing expires until the clock says so', async () => {
    const clock = new FixedClock('2026-03-05T12:00:00Z');
    app = await createApp(appModule(clock), platform);
    const pair = await createTestSession(app, 'bob');
    const claims = (await request(app.getHttpServer()).get('/me').auth(pair.accessToken, { type: 'bearer' }).expect(200)).body.user;
    expect(claims.iat).toBe(Date.parse('2026-03-05T12:00:00Z') / 1000);
    expect(claims.exp).toBe(claims.iat + 900);

    clock.advance('15m');
    await request(app.getHttpServer()).get('/me').auth(pair.accessToken, { type: 'bearer' }).expect(200);
    clock.advance(31); // beyond the 30 s clockTolerance
    const expired = await request(app.getHttpServer()).get('/me').auth(pair.accessToken, { type: 'bearer' }).expect(401);
    expect(expired.body).toMatchObject({ code: 'TOKEN_EXPIRED', expiredAt: '2026-03-05T12:15:00.000Z' });

    // The refresh token still works and the new pair is dated by the same clock.
    const renewed = await app.get(RefreshService).rotate(pair.refreshToken);
    const fresh = (await request(app.getHttpServer()).get('/me').auth(renewed.accessToken, { type: 'bearer' }).expect(200)).body.user;
    expect(fresh.iat).toBe(Date.parse('2026-03-05T12:15:31Z') / 1000);
  });
});

describe('testing kit, plain', () => {
  it('FixedClock refuses a start or advance it cannot read, naming it', () => {
    expect(() => new FixedClock('not a date')).toThrow(/"start"/);
    const clock = new FixedClock(0);
    expect(() => clock.advance('soon')).toThrow(/FixedClock.advance/);
    expect(() => clock.set(Number.NaN)).toThrow(/"set"/);
    expect(clock.set(new Date('2026-01-02T00:00:00Z'))).toBe(Date.UTC(2026, 0, 2));
    expect(clock.advance('1h')).toBe(Date.UTC(2026, 0, 2, 1));
    expect(new FixedClock().now()).toBe(Date.UTC(2026, 0, 1));
  });

  it('createTestSession on an app without AuthModule says what is missing', async () => {
    @Module({})
    class Empty {}
    const app = await createApp(Empty, 'express');
    try {
      await expect(createTestSession(app, 'alice')).rejects.toThrow(/import AuthModule/);
    } finally {
      await app.close();
    }
  });
});
