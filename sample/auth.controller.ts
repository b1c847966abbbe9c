import { Body, Controller, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  clientContextFrom,
  CurrentUser,
  InvalidCredentialsException,
  Public,
  RefreshCookieService,
  RefreshService,
} from '../lib/index.js';
import type { TokenPairBody } from '../lib/index.js';
import { parseLoginBody, parseRefreshBody } from './request-bodies.js';
import { UsersService } from './users.service.js';

/** Login, silent refresh and logout, wired the way the README recommends. */
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(RefreshService) private readonly refresh: RefreshService,
    @Inject(RefreshCookieService) private readonly cookies: RefreshCookieService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async login(@Body() body: unknown, @Req() req: unknown, @Res({ passthrough: true }) res: unknown): Promise<TokenPairBody> {
    const { username, password } = parseLoginBody(body);
    const user = this.users.verify(username, password);
    if (!user) throw new InvalidCredentialsException();
    const pair = await this.refresh.issue(user.username, { name: user.displayName }, clientContextFrom(req));
    return this.cookies.write(res, pair);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async rotate(@Body() body: unknown, @Req() req: unknown, @Res({ passthrough: true }) res: unknown): Promise<TokenPairBody> {
    // A token in the body wins over the cookie (the contract), so a client can always say exactly which token it means.
    const token = parseRefreshBody(body) ?? this.cookies.read(req);
    const pair = await this.refresh.rotate(token, clientContextFrom(req));
    return this.cookies.write(res, pair);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser('sid') sid: string, @Res({ passthrough: true }) res: unknown): Promise<void> {
    await this.refresh.revokeSession(sid, 'logout');
    this.cookies.clear(res);
  }

  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentUser('sub') sub: string, @Res({ passthrough: true }) res: unknown): Promise<void> {
    await this.refresh.revokeAllForSubject(sub);
    this.cookies.clear(res);
  }
}
