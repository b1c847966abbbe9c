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

  /**
   * The whole check of one request, as an outcome rather than passport's
   * success/fail/error callbacks, so `JwtGuard` can run it without passport's
   * per-request machinery while `AuthGuard('jwt')` keeps going through passport.
   * Synchronous whenever it can be: no promise on the common path.
   */
  check(request: unknown, ctx: StrategyContext = { tokens: this.tokens, options: this.resolved }): StrategyOutcome | Promise<StrategyOutcome> {
    let token: string | null | undefined;
    try {
      token = ctx.options.tokenExtractor(request);
    } catch (err) {
      return { error: err as Error };
    }
    if (!token) return { info: new NoTokenException() };
    let verified: AccessTokenClaims | AuthException;
    try {
      verified = ctx.tokens.tryVerify(token);
    } catch (err) {
      return { error: err as Error };
    }
    if (verified instanceof AuthException) return { info: verified };
    const claims = verified;
    const active = ctx.sessions ? ctx.sessions.checkSession(claims.sid) : true;
    if (active === true) return this.accept(claims);
    if (active === false) return { info: new TokenRevokedException() };
    return active.then(
      (ok) => (ok ? this.accept(claims) : { info: new TokenRevokedException() }),
      (err: Error) => (err instanceof AuthException ? { info: err } : { error: err }),
    );
  }

  override authenticate(request: any, options?: Record<string | symbol, unknown>): void {
    const ctx = options?.[STRATEGY_CONTEXT] as StrategyContext | undefined;
    const outcome = this.check(request, ctx);
    if (outcome instanceof Promise) outcome.then((o) => this.report(o));
    else this.report(outcome);
  }

  /** Hands an outcome to passport. */
  private report(outcome: StrategyOutcome): void {
    if (outcome.error) return this.error(outcome.error);
    if (outcome.user) return this.success(outcome.user as Express.User);
    return this.fail(outcome.info ?? 401, outcome.info?.getStatus() ?? 401);
  }

  private accept(claims: AccessTokenClaims): StrategyOutcome | Promise<StrategyOutcome> {
    let user: unknown;
    try {
      user = this.validate(claims);
    } catch (err) {
      return err instanceof AuthException ? { info: err } : { error: err as Error };
    }
    if (user instanceof Promise) {
      return user.then(
        (u: unknown) => (u ? { user: u } : {}),
        (err: Error) => (err instanceof AuthException ? { info: err } : { error: err }),
      );
    }
    return user ? { user } : {};
  }
}

/** What checking one request came to: a user, a coded refusal (`info`), or an unexpected error. */
export interface StrategyOutcome {
  user?: unknown;
  info?: AuthException;
  error?: Error;
}
