import { Module } from '@nestjs/common';
import { AUTH_MODULE_OPTIONS, ConfigurableAuthModule } from './auth.module-definition.js';
import { RESOLVED_AUTH_OPTIONS } from './auth.internal-constants.js';
import { AuthExceptionFilter } from './filters/auth-exception.filter.js';
import { JwtGuard } from './guards/jwt.guard.js';
import type { AuthModuleOptions } from './options/auth-options.interface.js';
import { resolveAuthOptions, ResolvedAuthOptions } from './options/resolve-auth-options.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { MemoryRefreshTokenStore } from './refresh/memory-refresh-token.store.js';
import { RefreshCookieService } from './refresh/refresh-cookie.service.js';
import { RefreshTokenStore } from './refresh/refresh-token.store.js';
import { RefreshService } from './refresh/refresh.service.js';

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
      useFactory: (options: AuthModuleOptions) => resolveAuthOptions(options),
    },
    {
      provide: RefreshTokenStore,
      inject: [RESOLVED_AUTH_OPTIONS],
      useFactory: (options: ResolvedAuthOptions) =>
        options.refresh.store ?? new MemoryRefreshTokenStore({ now: options.refresh.clock }),
    },
    AccessTokenService,
    RefreshService,
    RefreshCookieService,
    JwtStrategy,
    JwtGuard,
    {
      provide: AuthExceptionFilter,
      inject: [RESOLVED_AUTH_OPTIONS],
      useFactory: (options: ResolvedAuthOptions) => new AuthExceptionFilter({ realm: options.realm, errorFormat: options.errorFormat }),
    },
  ],
  exports: [RESOLVED_AUTH_OPTIONS, AccessTokenService, RefreshService, RefreshCookieService, RefreshTokenStore, JwtGuard, AuthExceptionFilter],
})
export class AuthModule extends ConfigurableAuthModule {}
