import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, HttpCode, Inject, INestApplication, Module, Post, Req, Res } from '@nestjs/common';
import request from 'supertest';
import { AuthModule, RefreshCookieService, RefreshService } from '../../lib/index.js';
import { createApp, PLATFORMS } from '../support/create-app.js';

/** Cookie mode with `bodyToken: false`: the refresh token travels only in the httpOnly cookie. */
@Controller('auth')
class CookieOnlyController {
  constructor(
    @Inject(RefreshService) private readonly refresh: RefreshService,
    @Inject(RefreshCookieService) private readonly cookies: RefreshCookieService,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(@Res({ passthrough: true }) res: unknown) {
    return this.cookies.write(res, await this.refresh.issue('alice'));
  }

  @Post('refresh')
  @HttpCode(200)
  async rotate(@Req() req: unknown, @Res({ passthrough: true }) res: unknown) {
    return this.cookies.write(res, await this.refresh.rotate(this.cookies.read(req)));
  }
}

@Module({
  imports: [AuthModule.forRoot({ secret: 'cookie-only-secret-of-at-least-32-bytes', refreshCookie: { bodyToken: false }, globalFilter: true })],
  controllers: [CookieOnlyController],
})
class CookieOnlyModule {}

describe.each(PLATFORMS)('refreshCookie.bodyToken: false on %s', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(CookieOnlyModule, platform);
  });
  afterAll(() => app.close());

  const cookieOf = (res: request.Response) => /refresh_token=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];

  it('keeps the refresh token out of the body and rotates through the cookie alone', async () => {
    const login = await request(app.getHttpServer()).post('/auth/login').expect(200);
    expect(login.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 604800 });
    const first = cookieOf(login);
    expect(first).toMatch(/^[\w-]{86,}$/);
    const refreshed = await request(app.getHttpServer()).post('/auth/refresh').set('Cookie', `refresh_token=${first}`).expect(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    const second = cookieOf(refreshed);
    expect(second).toMatch(/^[\w-]{86,}$/);
    expect(second).not.toBe(first);
  });

  it('answers a refresh without the cookie with REFRESH_TOKEN_MISSING', async () => {
    const res = await request(app.getHttpServer()).post('/auth/refresh').expect(401);
    expect(res.body.code).toBe('REFRESH_TOKEN_MISSING');
  });
});
