import { ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC_KEY, JWT_STRATEGY_NAME } from '../auth.constants.js';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { InvalidTokenException, NoTokenException } from '../errors/access-token.exceptions.js';
import { AuthException } from '../errors/auth.exception.js';
import { requestFromContext, responseFromContext } from '../http/request-from-context.js';
import { setResponseHeader } from '../http/response-headers.js';
import { bearerChallenge } from '../http/www-authenticate.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { STRATEGY_CONTEXT, StrategyContext } from '../strategies/jwt.strategy.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { RefreshService } from '../refresh/refresh.service.js';

/**
 * Guards routes with a bearer access token and answers every failure with a
 * coded 401 and an RFC 6750 challenge. Subclass it and override the small
 * protected hooks (`isPublic`, `toAuthException`, `reject`) rather than `canActivate`.
 * @publicApi
 */
@Injectable()
export class JwtGuard extends AuthGuard(JWT_STRATEGY_NAME) {
  constructor(
    @Inject(Reflector) protected readonly reflector: Reflector,
    @Inject(AccessTokenService) protected readonly tokens: AccessTokenService,
    @Inject(RESOLVED_AUTH_OPTIONS) protected readonly authOptions: ResolvedAuthOptions,
    @Optional() @Inject(RefreshService) protected readonly sessions?: RefreshService,
  ) {
    super();
    this.strategyContext = {
      tokens,
      options: authOptions,
      ...(sessions?.sessionCheckEnabled && { sessions }),
    };
  }

  private readonly strategyContext: StrategyContext;

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic(context)) return true;
    return (await super.canActivate(context)) as boolean;
  }

  /** True when `@Public()` is on the handler or its class. */
  protected isPublic(context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true;
  }

  override getAuthenticateOptions(): Record<string | symbol, unknown> {
    return { session: false, [STRATEGY_CONTEXT]: this.strategyContext };
  }

  override getRequest(context: ExecutionContext): any {
    return requestFromContext(context) ?? {};
  }

  getResponse(context: ExecutionContext): any {
    return responseFromContext(context) ?? {};
  }

  /** passport's `info` is where the reason arrives; the stock guard drops it and throws a bare 401. */
  override handleRequest<TUser = unknown>(err: unknown, user: unknown, info: unknown, context: ExecutionContext): TUser {
    if (err && !(err instanceof AuthException)) throw err;
    if (err || !user) this.reject(context, this.toAuthException(err ?? info));
    return user as TUser;
  }

  /** Maps whatever passport reported to one of the coded exceptions. */
  protected toAuthException(info: unknown): AuthException {
    if (info instanceof AuthException) return info;
    if (info instanceof Error && info.message === 'No auth token') return new NoTokenException();
    return new InvalidTokenException(info instanceof Error ? info.message : 'rejected');
  }

  /**
   * Throws the exception with its challenge already on the response, so the
   * header is there even when `AuthExceptionFilter` is not registered.
   */
  protected reject(context: ExecutionContext, exception: AuthException): never {
    if (exception.getStatus() === 401) {
      setResponseHeader(responseFromContext(context), 'WWW-Authenticate', bearerChallenge(this.authOptions.realm, exception));
    }
    throw exception;
  }
}
