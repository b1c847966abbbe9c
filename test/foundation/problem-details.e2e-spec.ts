import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Module, Post } from '@nestjs/common';
import request from 'supertest';
import { AccessTokenService, AuthModule, Public, RefreshService } from '../../lib/index.js';
import { createApp, PLATFORMS } from '../support/create-app.js';

const SECRET = 'problem-details-test-secret-at-least-32-bytes';

@Controller()
class ProblemController {
  constructor(private readonly refresh: RefreshService) {}

  @Get('closed')
  closed() {
    return { ok: true };
  }

  @Public()
  @Post('refresh')
  rotate() {
    return this.refresh.rotate('not-a-refresh-token');
  }
}

@Module({
  imports: [AuthModule.forRoot({ secret: SECRET, globalGuard: true, globalFilter: true, errorFormat: 'problem', sessionCheck: false })],
  controllers: [ProblemController],
})
class ProblemModule {}

describe.each(PLATFORMS)('RFC 9457 problem details on %s (errorFormat: "problem")', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(ProblemModule, platform);
  });
  afterAll(() => app.close());

  it('answers an expired token with application/problem+json, its code and expiredAt', async () => {
    const past = Date.now() - 3600_000;
    const { token, claims } = app.get(AccessTokenService).sign({ sub: 'alice', sid: 's1' }, past);
    const res = await request(app.getHttpServer()).get('/closed').set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toEqual({
      type: 'urn:nestjs-jwt-refresh:problem:token-expired',
      title: 'Unauthorized',
      status: 401,
      detail: 'Token has expired',
      code: 'TOKEN_EXPIRED',
      expiredAt: new Date(claims.exp * 1000).toISOString(),
      serverTime: expect.any(String),
    });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/);
  });

  it('formats refresh errors the same way', async () => {
    const res = await request(app.getHttpServer()).post('/refresh').expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ status: 401, code: 'REFRESH_TOKEN_INVALID', type: 'urn:nestjs-jwt-refresh:problem:refresh-token-invalid' });
  });

  it('keeps NO_TOKEN without an error attribute in the challenge', async () => {
    const res = await request(app.getHttpServer()).get('/closed').expect(401);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'NO_TOKEN', status: 401 });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });
});
