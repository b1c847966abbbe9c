import { Module } from '@nestjs/common';
import { AUTH_MODULE_OPTIONS, ConfigurableAuthModule } from './auth.module-definition.js';
import { RESOLVED_AUTH_OPTIONS } from './auth.internal-constants.js';
import { AuthExceptionFilter } from './filters/auth-exception.filter.js';
import { AuthEndpointGuard } from './guards/auth-endpoint.guard.js';
import { JwtGuard } from './guards/jwt.guard.js';
import { PassportRequestHelpers } from './http/passport-request-helpers.js';
import { RecentLoginGuard } from './guards/recent-login.guard.js';
import type { AuthModuleOptions } from './options/auth-options.interface.js';
import { warnAboutOptions } from './options/option-warnings.js';
import { resolveAuthOptions, ResolvedAuthOptions } from './options/resolve-auth-options.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { MemoryRefreshTokenStore } from './refresh/memory-refresh-token.store.js';
import { RefreshCookieService } from './refresh/refresh-cookie.service.js';
import { RefreshTokenStore } from './refresh/refresh-token.store.js';
import { RefreshService } from './refresh/refresh.service.js';
import { SessionClaimsService } from './refresh/session-claims.service.js';

/**
 * The module: `AuthModule.forRoot(options)` or `AuthModule.forRootAsync({ imports, inject, useFactory | useClass | useExisting })`.
 * Options are validated once, when the app starts; bad ones stop start-up with a message naming the option.
 * @publicApi
 */
@Module({
  providers: [
    {
      provide: RESOLVED_AUTH_OPTIONS,
      inject: [AUTH_MODULE_OPTIONS],
      useFactory: (options: AuthModuleOptions) => {
        const resolved = resolveAuthOptions(options);
        warnAboutOptions(resolved);
        return resolved;
      },
    },
    {
      provide: RefreshTokenStore,
      inject: [RESOLVED_AUTH_OPTIONS],
      useFactory: (options: ResolvedAuthOptions) => {
        const store = options.refresh.store ?? new MemoryRefreshTokenStore();
        // One clock for the service and the store: a store built on the real clock forgets sessions a frozen test clock still sees.
        store.useClock?.(options.refresh.clock);
        return store;
      },
    },
    AccessTokenService,
    RefreshService,
    RefreshCookieService,
    SessionClaimsService,
    JwtStrategy,
    JwtGuard,
    AuthEndpointGuard,
    RecentLoginGuard,
    PassportRequestHelpers,
    {
      provide: AuthExceptionFilter,
      inject: [RESOLVED_AUTH_OPTIONS],
      useFactory: (options: ResolvedAuthOptions) => new AuthExceptionFilter({ realm: options.realm, errorFormat: options.errorFormat }),
    },
  ],
  exports: [RESOLVED_AUTH_OPTIONS, AccessTokenService, RefreshService, RefreshCookieService, SessionClaimsService, RefreshTokenStore, JwtGuard, AuthEndpointGuard, RecentLoginGuard, AuthExceptionFilter],
})
export class AuthModule extends ConfigurableAuthModule {}
