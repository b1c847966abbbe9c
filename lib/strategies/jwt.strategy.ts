import { Inject, Injectable, Optional } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { JWT_STRATEGY_NAME } from '../auth.constants.js';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { NoTokenException, TokenRevokedException } from '../errors/access-token.exceptions.js';
import { AuthException } from '../errors/auth.exception.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { RefreshService } from '../refresh/refresh.service.js';
import type { AccessTokenClaims } from '../tokens/access-token-claims.interface.js';
import { AccessTokenService } from '../tokens/access-token.service.js';

/** One app's access-token rules: what `authenticate()` checks a request against. */
export interface AccessTokenContext {
  tokens: AccessTokenService;
  options: ResolvedAuthOptions;
  /** The session check (`sessionCheck` option); absent when there is no RefreshService. */
  sessions?: Pick<RefreshService, 'checkSession'>;
}

/**
 * Key under which `JwtGuard` passes its own app's context in passport's
 * authenticate options. passport keeps one registry per process, so with two
 * Nest apps in one process the strategy passport runs may be the other app's.
 */
export const ACCESS_TOKEN_CONTEXT = Symbol('nestjs-jwt-refresh:access-token-context');

/**
 * The passport strategy behind `JwtGuard`, registered under `JWT_STRATEGY_NAME`:
 * usable through `AuthGuard(JWT_STRATEGY_NAME)` and in a chain with other
 * passport strategies. It keeps passport-jwt's shape (extractor, `validate()`,
 * passport's success/fail/error) but verifies with `AccessTokenService`:
 * jsonwebtoken has no EdDSA and re-imports string keys on every call, and one
 * verifier for guard and service keeps their rules equal.
 * @publicApi
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY_NAME) {
  private readonly context: AccessTokenContext;

  constructor(
    @Inject(AccessTokenService) tokens: AccessTokenService,
    @Inject(RESOLVED_AUTH_OPTIONS) options: ResolvedAuthOptions,
    @Optional() @Inject(RefreshService) sessions?: RefreshService,
  ) {
    super({
      jwtFromRequest: (req: unknown) => options.tokenExtractor(req) ?? null,
      // Never reached: authenticate() below verifies; passport-jwt insists on a key source.
      secretOrKeyProvider: (_req: unknown, _token: string, done: (err: Error) => void) =>
        done(new Error('nestjs-jwt-refresh verifies tokens itself')),
    });
    this.context = { tokens, options, ...(sessions && { sessions }) };
  }

  /** Turns verified claims into `request.user`; a falsy answer refuses the token. Override to load a user entity. */
  validate(claims: AccessTokenClaims): unknown {
    return claims;
  }

  /**
   * One request, top to bottom. Calls passport's `success`, `fail` or `error`
   * before returning whenever no step is asynchronous (the usual case), so
   * `JwtGuard` can answer without a promise.
   */
  override authenticate(request: unknown, options?: Record<string | symbol, unknown>): void {
    const app = (options?.[ACCESS_TOKEN_CONTEXT] as AccessTokenContext | undefined) ?? this.context;

    // 1. Extract: the Authorization header only, unless `tokenExtractor` says otherwise.
    let token: string | null | undefined;
    try {
      token = app.options.tokenExtractor(request);
    } catch (err) {
      return this.error(err as Error);
    }
    if (!token) return this.refuse(new NoTokenException());

    // A resource server may first have to fetch the key the token names (an issuer's JWKS).
    const loading = app.options.keyRing.prepare?.(token, app.options.refresh.clock());
    if (loading) {
      loading.then(() => this.verifyToken(token, app), (err: Error) => this.refuseOrError(err));
      return;
    }
    this.verifyToken(token, app);
  }

  /** Steps 2 and 3, then 4: the token itself, then its session, then `validate()`. */
  private verifyToken(token: string, app: AccessTokenContext): void {
    // 2. Parse, header rules, key, signature, claims: AccessTokenService.tryVerify, in that order.
    const claims = app.tokens.tryVerify(token);
    if (claims instanceof AuthException) return this.refuse(claims);

    // 3. Session check: a signed token of an ended session is refused.
    const active = app.sessions ? app.sessions.checkSession(claims.sid) : true;
    if (active === true) return this.load(claims);
    if (active === false) return this.refuse(new TokenRevokedException());
    active.then(
      (ok) => (ok ? this.load(claims) : this.refuse(new TokenRevokedException())),
      (err: Error) => this.refuseOrError(err),
    );
  }

  /** 4. `validate()` turns the claims into the user passport hands to the guard. */
  private load(claims: AccessTokenClaims): void {
    let user: unknown;
    try {
      user = this.validate(claims);
    } catch (err) {
      return this.refuseOrError(err as Error);
    }
    if (user instanceof Promise) {
      user.then((loaded: unknown) => this.accept(loaded), (err: Error) => this.refuseOrError(err));
    } else {
      this.accept(user);
    }
  }

  private accept(user: unknown): void {
    // No user is a refusal without a reason of its own: JwtGuard answers INVALID_TOKEN.
    if (user) this.success(user as Express.User);
    else this.fail(401);
  }

  /** A coded refusal travels as passport's challenge, so the guard's `handleRequest` gets it as `info`. */
  private refuse(exception: AuthException): void {
    this.fail(exception, exception.getStatus());
  }

  private refuseOrError(err: Error): void {
    if (err instanceof AuthException) this.refuse(err);
    else this.error(err);
  }
}
