import { Body, Controller, Get, Inject, Patch } from '@nestjs/common';
import { CurrentUser, RequireRecentLogin, SessionClaimsService } from '../lib/index.js';
import type { AccessTokenClaims } from '../lib/index.js';
import { ProfileDto } from './profile.dto.js';
import { UsersService } from './users.service.js';

/** Protected by the global JwtGuard: no decorator needed. */
@Controller('me')
export class MeController {
  constructor(
    @Inject(SessionClaimsService) private readonly sessionClaims: SessionClaimsService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  @Get()
  me(@CurrentUser() user: AccessTokenClaims): { user: AccessTokenClaims } {
    return { user };
  }

  /**
   * Renames the caller. The sessions' claims change in the store, so the next refresh of every one
   * of the user's sessions, on any instance, carries the new `name`; the current token keeps the old one.
   */
  @Patch()
  async rename(@CurrentUser() user: AccessTokenClaims, @Body() { name }: ProfileDto): Promise<{ user: AccessTokenClaims }> {
    this.users.rename(user.sub, name);
    await this.sessionClaims.updateSessionClaims({ sub: user.sub }, (claims) => ({ ...claims, name }));
    return { user: { ...user, name } };
  }

  /** Only for a login at most `FRESH_LOGIN_MAX_AGE` old (the module's `recentLoginMaxAge`); else 401 LOGIN_REQUIRED. */
  @Get('fresh')
  @RequireRecentLogin()
  fresh(@CurrentUser() user: AccessTokenClaims): { user: AccessTokenClaims } {
    return { user };
  }
}
