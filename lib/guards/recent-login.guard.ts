import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RECENT_LOGIN_KEY } from '../auth.constants.js';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { NoTokenException } from '../errors/access-token.exceptions.js';
import { AuthException } from '../errors/auth.exception.js';
import { LoginRequiredException } from '../errors/login-required.exception.js';
import { requestFromContext, responseFromContext } from '../http/request-from-context.js';
import { setResponseHeader } from '../http/response-headers.js';
import { bearerChallenge } from '../http/www-authenticate.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { JwtGuard } from './jwt.guard.js';

/**
 * The guard behind `@RequireRecentLogin()`. It reads `auth_time` from the
 * verified token rather than from `request.user`, which a strategy's
 * `validate()` may have replaced with a user entity.
 * @publicApi
 */
@Injectable()
export class RecentLoginGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AccessTokenService) private readonly tokens: AccessTokenService,
    @Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(JwtGuard) private readonly jwtGuard: JwtGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.reflector.getAllAndOverride<number | null | undefined>(RECENT_LOGIN_KEY, [context.getHandler(), context.getClass()]);
    if (limit === undefined) return true;
    const maxAge = limit ?? this.options.recentLoginMaxAge;
    const request = requestFromContext(context) ?? {};
    // Without a global JwtGuard nothing has checked the token (signature, session) yet: do all of that first.
    if (request.user === undefined) await this.jwtGuard.canActivate(context);
    const token = this.options.tokenExtractor(request);
    if (!token) this.reject(context, new NoTokenException());
    // A cache hit: the JwtGuard just verified this exact token.
    const claims = this.tokens.tryVerify(token);
    if (claims instanceof AuthException) this.reject(context, claims);
    const authTime = claims.auth_time;
    const known = typeof authTime === 'number' && Number.isFinite(authTime);
    // A token without auth_time (signed before it existed) proves no login time: treat it as too old.
    if (!known || this.options.refresh.clock() / 1000 - authTime > maxAge) {
      this.reject(context, new LoginRequiredException(known ? new Date(authTime * 1000) : null, maxAge));
    }
    return true;
  }

  /** As `JwtGuard.reject`: the challenge is on the response even without `AuthExceptionFilter`. */
  private reject(context: ExecutionContext, exception: AuthException): never {
    if (exception.getStatus() === 401) {
      setResponseHeader(responseFromContext(context), 'WWW-Authenticate', bearerChallenge(this.options.realm, exception));
    }
    throw exception;
  }
}
