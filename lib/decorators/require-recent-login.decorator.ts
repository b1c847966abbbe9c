import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { RECENT_LOGIN_KEY } from '../auth.constants.js';
import { RecentLoginGuard } from '../guards/recent-login.guard.js';
import { Duration, parseDuration } from '../options/duration.js';

/**
 * Lets a route through only when the session's login (the access token's
 * `auth_time`, unchanged by rotations) happened at most `maxAge` ago; otherwise
 * `401 LOGIN_REQUIRED` with `authTime` and `maxAge`, and the RFC 9470 challenge
 * `error="insufficient_user_authentication", max_age="…"`. On a handler or a
 * controller (the handler's wins). It verifies the token itself when `JwtGuard`
 * has not run before it, so it also works without a global guard.
 *
 * @param maxAge seconds (`300`) or a duration (`'5m'`), checked when the decorator is applied.
 *   Default: the module's `recentLoginMaxAge` (itself `'5m'` by default), for a limit read from configuration.
 * @example @RequireRecentLogin('5m') @Delete('account') closeAccount() {}
 * @publicApi
 */
export function RequireRecentLogin(maxAge?: Duration): MethodDecorator & ClassDecorator {
  // `null` stands for "the module's default", resolved by the guard.
  const seconds = maxAge === undefined ? null : parseDuration(maxAge, 'RequireRecentLogin(maxAge)');
  return applyDecorators(SetMetadata(RECENT_LOGIN_KEY, seconds), UseGuards(RecentLoginGuard));
}
