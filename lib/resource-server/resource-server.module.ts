import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { AuthExceptionFilter } from '../filters/auth-exception.filter.js';
import { JwtGuard } from '../guards/jwt.guard.js';
import { PassportRequestHelpers } from '../http/passport-request-helpers.js';
import { RecentLoginGuard } from '../guards/recent-login.guard.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { JwtStrategy } from '../strategies/jwt.strategy.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { RemoteKeyRing } from './remote-key-ring.js';
import { ConfigurableResourceServerModule, RESOURCE_SERVER_MODULE_OPTIONS } from './resource-server.module-definition.js';
import type { ResourceServerModuleOptions } from './resource-server-options.interface.js';
import { resolveResourceServerOptions } from './resolve-resource-server-options.js';

/**
 * Verify-only mode for another Nest service: `ResourceServerModule.forRoot({ jwksUrl, issuer, audience })`
 * (or `forRootAsync`). The same `JwtGuard`, coded errors, `@Public()`, `@CurrentUser()` and
 * `@RequireRecentLogin()` as `AuthModule`, verifying the issuer's tokens with the keys at `jwksUrl`.
 * There are no sessions here: a token is accepted until its `exp`, whatever happened to its session
 * at the issuer (see the README on revocation).
 * @publicApi
 */
@Module({
  providers: [
    {
      provide: RESOLVED_AUTH_OPTIONS,
      inject: [RESOURCE_SERVER_MODULE_OPTIONS],
      useFactory: (options: ResourceServerModuleOptions) => resolveResourceServerOptions(options),
    },
    AccessTokenService,
    JwtStrategy,
    JwtGuard,
    RecentLoginGuard,
    PassportRequestHelpers,
    {
      provide: AuthExceptionFilter,
      inject: [RESOLVED_AUTH_OPTIONS],
      useFactory: (options: ResolvedAuthOptions) => new AuthExceptionFilter({ realm: options.realm, errorFormat: options.errorFormat }),
    },
  ],
  exports: [RESOLVED_AUTH_OPTIONS, AccessTokenService, JwtGuard, RecentLoginGuard, AuthExceptionFilter],
})
export class ResourceServerModule extends ConfigurableResourceServerModule implements OnModuleInit {
  constructor(@Inject(RESOLVED_AUTH_OPTIONS) private readonly resolved: ResolvedAuthOptions) {
    super();
  }

  /** Fetches the JWKS once at start-up. An issuer that is down does not stop start-up: requests fail closed until it answers. */
  async onModuleInit(): Promise<void> {
    const ring = this.resolved.keyRing;
    if (ring instanceof RemoteKeyRing) await ring.warmUp(this.resolved.refresh.clock());
  }
}
