import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Injectable, Module, UseGuards } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-strategy';
import request from 'supertest';
import { AuthModule, CurrentUser, JWT_STRATEGY_NAME, RefreshService } from '../../lib/index.js';
import { createApp, PLATFORMS } from '../support/create-app.js';

/** Another passport strategy an app might have: a static API key in a header. */
class ApiKeyPassportStrategy extends Strategy {
  override authenticate(req: { headers: Record<string, unknown> }): void {
    if (req.headers['x-api-key'] === 'key-of-the-batch-job') this.success({ service: 'batch' });
    else this.fail(401);
  }
}

@Injectable()
class ApiKeyStrategy extends PassportStrategy(ApiKeyPassportStrategy, 'api-key') {
  validate(): unknown {
    return null; // never called: the strategy above answers by itself
  }
}

/** The stock @nestjs/passport guards, not JwtGuard: our strategy must work there too. */
@Controller()
class StockGuardController {
  @Get('stock')
  @UseGuards(AuthGuard(JWT_STRATEGY_NAME))
  stock(@CurrentUser() user: unknown) {
    return { user };
  }

  @Get('either')
  @UseGuards(AuthGuard([JWT_STRATEGY_NAME, 'api-key']))
  either(@CurrentUser() user: unknown) {
    return { user };
  }
}

@Module({
  imports: [AuthModule.forRoot({ secret: 'passport-composition-secret-of-32-bytes', isGlobal: true, sessionCheck: true })],
  controllers: [StockGuardController],
  providers: [ApiKeyStrategy],
})
class CompositionModule {}

describe.each(PLATFORMS)('JwtStrategy through AuthGuard(name) and in a chain of strategies on %s', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(CompositionModule, platform);
  });
  afterAll(() => app.close());

  it('lets AuthGuard(JWT_STRATEGY_NAME) accept our access token and put the claims on the request', async () => {
    const { accessToken } = await app.get(RefreshService).issue('alice');
    const res = await request(app.getHttpServer()).get('/stock').set('Authorization', `Bearer ${accessToken}`).expect(200);
    expect(res.body.user).toMatchObject({ sub: 'alice', sid: expect.any(String) });
  });

  it('refuses a missing or tampered token, and a token of an ended session, through the stock guard', async () => {
    const server = app.getHttpServer();
    await request(server).get('/stock').expect(401);
    const pair = await app.get(RefreshService).issue('alice');
    await request(server).get('/stock').set('Authorization', `Bearer ${pair.accessToken.slice(0, -2)}xx`).expect(401);
    await request(server).get('/stock').set('Authorization', `Bearer ${pair.accessToken}`).expect(200);
    const [session] = await app.get(RefreshService).listSessions('alice');
    await app.get(RefreshService).revokeSession(session.sid);
    await request(server).get('/stock').set('Authorization', `Bearer ${pair.accessToken}`).expect(401);
  });

  it('composes with another passport strategy: either a bearer token or the API key gets in, neither is 401', async () => {
    const server = app.getHttpServer();
    const { accessToken } = await app.get(RefreshService).issue('bob');
    expect((await request(server).get('/either').set('Authorization', `Bearer ${accessToken}`).expect(200)).body.user).toMatchObject({ sub: 'bob' });
    expect((await request(server).get('/either').set('x-api-key', 'key-of-the-batch-job').expect(200)).body.user).toEqual({ service: 'batch' });
    await request(server).get('/either').set('x-api-key', 'wrong').expect(401);
    await request(server).get('/either').set('Authorization', 'Bearer not-a-jwt').expect(401);
  });
});
