import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { JWT_STRATEGY_NAME } from '../auth.constants.js';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { NoTokenException, TokenRevokedException } from '../errors/access-token.exceptions.js';
import { AuthException } from '../errors/auth.exception.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import type { AccessTokenClaims } from '../tokens/access-token-claims.interface.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import type { RefreshService } from '../refresh/refresh.service.js';

/** What the guard hands the strategy for one request (see `JwtGuard.getAuthenticateOptions`). */
export interface StrategyContext {
  tokens: AccessTokenService;
  options: ResolvedAuthOptions;
  /** Present when the session check is on: tokens of ended sessions are refused. */
  sessions?: Pick<RefreshService, 'checkSession'>;
}

/** Key of the per-request context inside passport's authenticate options. */
export const STRATEGY_CONTEXT = Symbol('nestjs-jwt-refresh:strategy-context');

/**
 * The passport strategy behind `JwtGuard`. It keeps passport-jwt's shape
 * (extractor, `validate()`, passport's fail/success contract) but verifies with
 * `AccessTokenService`: jsonwebtoken cannot do EdDSA and re-imports string keys
 * on every call, and one verifier for guard and service keeps their rules equal.
 *
 * passport keeps strategies in a process-wide registry, so with several Nest
 * apps in one process (e2e tests) the last one registered would win; the guard
 * therefore passes its own app's verifier with every call.
 * @publicApi
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY_NAME) {
  constructor(
    @Inject(AccessTokenService) private readonly tokens: AccessTokenService,
    @Inject(RESOLVED_AUTH_OPTIONS) private readonly resolved: ResolvedAuthOptions,
  ) {
    super({
      jwtFromRequest: (req: unknown) => resolved.tokenExtractor(req) ?? null,
      // Never reached: authenticate() below verifies; passport-jwt insists on a key source.
      secretOrKeyProvider: (_req: unknown, _token: string, done: (err: Error) => void) =>
        done(new Error('nestjs-jwt-refresh verifies tokens itself')),
    });
  }

  /** Turns verified claims into `request.user`. Override to load a user entity. */
  validate(claims: AccessTokenClaims): unknown {
    return claims;
  }

  override authenticate(request: any, options?: Record<string | symbol, unknown>): void {
    const ctx = (options?.[STRATEGY_CONTEXT] as StrategyContext | undefined) ?? { tokens: this.tokens, options: this.resolved };
    let token: string | null | undefined;
    try {
      token = ctx.options.tokenExtractor(request);
    } catch (err) {
      return this.error(err as Error);
    }
    if (!token) return this.fail(new NoTokenException(), 401);
    let claims: AccessTokenClaims;
    try {
      claims = ctx.tokens.verify(token);
    } catch (err) {
      if (err instanceof AuthException) return this.fail(err, 401);
      return this.error(err as Error);
    }
    const active = ctx.sessions ? ctx.sessions.checkSession(claims.sid) : true;
    // The common case (check off, or a cached answer) stays synchronous: no promise per request.
    if (active === true) return this.accept(claims);
    if (active === false) return this.fail(new TokenRevokedException(), 401);
    active.then(
      (ok) => (ok ? this.accept(claims) : this.fail(new TokenRevokedException(), 401)),
      (err: Error) => (err instanceof AuthException ? this.fail(err, err.getStatus()) : this.error(err)),
    );
  }

  private accept(claims: AccessTokenClaims): void {
    let user: unknown;
    try {
      user = this.validate(claims);
    } catch (err) {
      return err instanceof AuthException ? this.fail(err, 401) : this.error(err as Error);
    }
    if (user instanceof Promise) {
      user.then(
        (u) => (u ? this.success(u as Express.User) : this.fail(401)),
        (err: Error) => (err instanceof AuthException ? this.fail(err, 401) : this.error(err)),
      );
      return;
    }
    return user ? this.success(user as Express.User) : this.fail(401);
  }
}
