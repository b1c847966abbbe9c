import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { AuthEndpoint, ClearRefreshCookie, ClientInfo, CurrentUser, InvalidCredentialsException, Public, RefreshService, RefreshToken } from '../lib/index.js';
import type { ClientContext, TokenPair } from '../lib/index.js';
import { LoginDto } from './login.dto.js';
import { RefreshDto } from './refresh.dto.js';
import { UsersService } from './users.service.js';

/**
 * Login, silent refresh and logout, wired the way the README recommends. `@AuthEndpoint()` refuses
 * non-JSON bodies and, in cookie mode, cross-site callers; its interceptor sets the refresh cookie from
 * the pair a handler returns (taking the token out of the body) and marks the answer `no-store`.
 */
@AuthEndpoint()
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(RefreshService) private readonly refresh: RefreshService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() { username, password }: LoginDto, @ClientInfo() client: ClientContext): Promise<TokenPair> {
    const user = this.users.verify(username, password);
    if (!user) throw new InvalidCredentialsException();
    return this.refresh.issue(user.username, { name: user.displayName }, client);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  // The DTO only validates the body (a non-string refreshToken is a 400); the token comes from @RefreshToken().
  rotate(@Body() _body: RefreshDto, @RefreshToken() token: unknown, @ClientInfo() client: ClientContext): Promise<TokenPair> {
    return this.refresh.rotate(token, client);
  }

  @Post('logout')
  @HttpCode(204)
  @ClearRefreshCookie()
  async logout(@CurrentUser('sid') sid: string): Promise<void> {
    await this.refresh.revokeSession(sid, 'logout');
  }

  @Post('logout-all')
  @HttpCode(204)
  @ClearRefreshCookie()
  async logoutAll(@CurrentUser('sub') sub: string): Promise<void> {
    await this.refresh.revokeAllForSubject(sub);
  }
}
