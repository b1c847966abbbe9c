import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, HttpCode, Inject, INestApplication, Module, Post, Res } from '@nestjs/common';
import request from 'supertest';
import {
  AuthEndpoint,
  AuthModule,
  ClearRefreshCookie,
  ClientInfo,
  CurrentUser,
  Public,
  RefreshCookieService,
  RefreshService,
  RefreshToken,
} from '../../lib/index.js';
import type { AuthModuleOptions, ClientContext } from '../../lib/index.js';
import { createApp, PLATFORMS } from '../support/create-app.js';

const SECRET = 'auth-endpoint-edge-secret-of-32-bytes!!';

/** The controller the README shows: nothing touches the request or the response. */
@AuthEndpoint()
@Controller('auth')
class EdgeController {
  constructor(@Inject(RefreshService) private readonly refresh: RefreshService) {}

  @Public() @Post('login') @HttpCode(200)
  login(@ClientInfo() client: ClientContext) {
    return this.refresh.issue('alice', {}, client);
  }

  @Public() @Post('refresh') @HttpCode(200)
  rotate(@RefreshToken() token: unknown, @ClientInfo() client: ClientContext) {
    return this.refresh.rotate(token, client);
  }

  @Post('logout') @HttpCode(204) @ClearRefreshCookie()
  async logout(@CurrentUser('sid') sid: string) {
    await this.refresh.revokeSession(sid);
  }

  @Get('sessions')
  sessions(@CurrentUser('sub') sub: string) {
    return this.refresh.listSessions(sub);
  }
}

/** A controller of the older style, which writes the cookie itself, under the same interceptor. */
@AuthEndpoint()
@Controller('manual')
class ManualController {
  constructor(
    @Inject(RefreshService) private readonly refresh: RefreshService,
    @Inject(RefreshCookieService) private readonly cookies: RefreshCookieService,
  ) {}

  @Public() @Post('login') @HttpCode(200)
  async login(@Res({ passthrough: true }) res: unknown) {
    return this.cookies.write(res, await this.refresh.issue('bob'));
  }
}

function moduleWith(options: Partial<AuthModuleOptions>) {
  @Module({
    imports: [AuthModule.forRoot({ secret: SECRET, globalGuard: true, globalFilter: true, ...options })],
    controllers: [EdgeController, ManualController],
  })
  class EdgeModule {}
  return EdgeModule;
}

const setCookies = (res: request.Response): string[] => [res.headers['set-cookie'] ?? []].flat();
const cookieOf = (res: request.Response) => /refresh_token=([^;]*)/.exec(setCookies(res).join('\n'))?.[1];

describe.each(PLATFORMS)('@AuthEndpoint() controllers in cookie mode on %s', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(moduleWith({ refreshCookie: { secure: false } }), platform);
  });
  afterAll(() => app.close());
  const http = () => request(app.getHttpServer());

  it('sets the cookie from the returned pair, keeps the token out of the body, and answers no-store', async () => {
    const login = await http().post('/auth/login').expect(200);
    expect(login.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 604800 });
    expect(login.headers['cache-control']).toBe('no-store');
    expect(setCookies(login)).toHaveLength(1);
    expect(setCookies(login)[0]).toMatch(/^refresh_token=[\w-]{86,}; Max-Age=604800; Path=\/auth; HttpOnly; SameSite=Strict$/);
  });

  it('rotates with the cookie alone through @RefreshToken(), and a body token wins over the cookie', async () => {
    const a = cookieOf(await http().post('/auth/login').expect(200))!;
    const b = cookieOf(await http().post('/auth/login').expect(200))!;
    const viaCookie = await http().post('/auth/refresh').set('Cookie', `refresh_token=${a}`).expect(200);
    expect(viaCookie.body.refreshToken).toBeUndefined();
    expect(cookieOf(viaCookie)).toMatch(/^[\w-]{86,}$/);
    expect(cookieOf(viaCookie)).not.toBe(a);
    // b in the body, a's successor in the cookie: b is the one rotated (a's successor stays current).
    const viaBody = await http().post('/auth/refresh').set('Cookie', `refresh_token=${cookieOf(viaCookie)}`).send({ refreshToken: b }).expect(200);
    await http().post('/auth/refresh').send({ refreshToken: b }).expect(200); // inside the grace window: same successor
    expect(cookieOf(viaBody)).not.toBe(b);
    await http().post('/auth/refresh').set('Cookie', `refresh_token=${cookieOf(viaCookie)}`).expect(200);
  });

  it('refuses two refresh cookies in one request (cookie tossing) with REFRESH_TOKEN_INVALID', async () => {
    const a = cookieOf(await http().post('/auth/login').expect(200))!;
    const res = await http().post('/auth/refresh').set('Cookie', `refresh_token=${a}; refresh_token=${a}`).expect(401);
    expect(res.body.code).toBe('REFRESH_TOKEN_INVALID');
    expect(setCookies(res)).toHaveLength(0);
  });

  it.each([[123], [{ token: 'x' }], [['a']], [true]])('answers a refreshToken of %j with REFRESH_TOKEN_INVALID, never a 500', async (value) => {
    const res = await http().post('/auth/refresh').send({ refreshToken: value }).expect(401);
    expect(res.body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('answers no token at all with REFRESH_TOKEN_MISSING, and sets no cookie on a refusal', async () => {
    const res = await http().post('/auth/refresh').expect(401);
    expect(res.body.code).toBe('REFRESH_TOKEN_MISSING');
    expect(setCookies(res)).toHaveLength(0);
  });

  it('expires the cookie on a @ClearRefreshCookie() route once it succeeds, and not when it fails', async () => {
    const login = await http().post('/auth/login').expect(200);
    const refused = await http().post('/auth/logout').expect(401);
    expect(setCookies(refused)).toHaveLength(0);
    const out = await http().post('/auth/logout').set('Authorization', `Bearer ${login.body.accessToken}`).expect(204);
    expect(setCookies(out)).toHaveLength(1);
    expect(setCookies(out)[0]).toMatch(/^refresh_token=; Max-Age=0; Path=\/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
    const after = await http().post('/auth/refresh').set('Cookie', `refresh_token=${cookieOf(login)}`).expect(401);
    expect(after.body.code).toBe('REFRESH_TOKEN_REVOKED');
  });

  it('records the caller from @ClientInfo() on the session', async () => {
    const login = await http().post('/auth/login').set('User-Agent', 'edge-test-agent/1.0').expect(200);
    const sessions = await http().get('/auth/sessions').set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
    const mine = sessions.body.find((s: { current?: boolean; userAgent?: string }) => s.userAgent === 'edge-test-agent/1.0');
    expect(mine).toBeDefined();
    expect(mine.ip).toMatch(/127\.0\.0\.1/);
  });

  it('leaves a pair the controller already wrote alone: one Set-Cookie, token out of the body', async () => {
    const res = await http().post('/manual/login').expect(200);
    expect(res.body.refreshToken).toBeUndefined();
    expect(setCookies(res)).toHaveLength(1);
  });
});

describe.each(PLATFORMS)('@AuthEndpoint() with refreshCookie.bodyToken: true on %s', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(moduleWith({ refreshCookie: { secure: false, bodyToken: true } }), platform);
  });
  afterAll(() => app.close());

  it.each(['/auth/login', '/manual/login'])('%s sets the cookie exactly once and keeps the token in the body', async (path) => {
    const res = await request(app.getHttpServer()).post(path).expect(200);
    expect(setCookies(res)).toHaveLength(1);
    expect(res.body.refreshToken).toBe(cookieOf(res));
  });
});

describe.each(PLATFORMS)('@AuthEndpoint() in body mode on %s', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(moduleWith({}), platform);
  });
  afterAll(() => app.close());

  it('returns the whole pair, sets no cookie, answers no-store, and ignores a refresh cookie', async () => {
    const login = await request(app.getHttpServer()).post('/auth/login').expect(200);
    expect(login.body.refreshToken).toMatch(/^[\w-]{86,}$/);
    expect(login.headers['cache-control']).toBe('no-store');
    expect(setCookies(login)).toHaveLength(0);
    const viaCookie = await request(app.getHttpServer()).post('/auth/refresh').set('Cookie', `refresh_token=${login.body.refreshToken}`).expect(401);
    expect(viaCookie.body.code).toBe('REFRESH_TOKEN_MISSING');
    const rotated = await request(app.getHttpServer()).post('/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200);
    expect(rotated.body.refreshToken).not.toBe(login.body.refreshToken);
    const out = await request(app.getHttpServer()).post('/auth/logout').set('Authorization', `Bearer ${rotated.body.accessToken}`).expect(204);
    expect(setCookies(out)).toHaveLength(0);
  });
});
