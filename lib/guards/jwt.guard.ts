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
import passport from 'passport';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { RefreshService } from '../refresh/refresh.service.js';
import { ACCESS_TOKEN_CONTEXT, AccessTokenContext } from '../strategies/jwt.strategy.js';
import { AccessTokenService } from '../tokens/access-token.service.js';

/**
 * Guards routes with a bearer access token and answers every failure with a
 * coded 401 and an RFC 6750 challenge. It is passport's `AuthGuard` for the
 * strategy registered under `JWT_STRATEGY_NAME`: `JwtStrategy`, a subclass of
 * it with its own `validate()`, or whatever strategy an app registered there.
 * Subclass it and override the small hooks (`isPublic`, `handleRequest`,
 * `toAuthException`, `reject`) rather than `canActivate`.
 * @publicApi
 */
@Injectable()
export class JwtGuard extends AuthGuard(JWT_STRATEGY_NAME) {
  private readonly context: AccessTokenContext;
  // passport only reads its options: one object for every request rather than one per request.
  private readonly authenticateOptions: Record<string | symbol, unknown>;
  // Keyed by controller, then handler: an inherited handler can sit on two controllers with different metadata.
  private readonly publicRoutes = new WeakMap<Function, WeakMap<Function, boolean>>();

  constructor(
    @Inject(Reflector) protected readonly reflector: Reflector,
    @Inject(AccessTokenService) protected readonly tokens: AccessTokenService,
    @Inject(RESOLVED_AUTH_OPTIONS) protected readonly authOptions: ResolvedAuthOptions,
    @Optional() @Inject(RefreshService) protected readonly sessions?: RefreshService,
  ) {
    super();
    this.context = { tokens, options: authOptions, ...(sessions && { sessions }) };
    this.authenticateOptions = { session: false, [ACCESS_TOKEN_CONTEXT]: this.context };
  }

  /**
   * `true` with `request.user` set, or the coded exception thrown. passport runs
   * the strategy (see `JwtStrategy.authenticate` for the steps); when it answers
   * before returning, so does this, without a promise: Nest takes either.
   */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const request = this.getRequest(context);
    const outcome = new PassportOutcome();
    passport.authenticate(JWT_STRATEGY_NAME, this.getAuthenticateOptions(), outcome.report)(request, this.getResponse(context), outcome.report);
    if (outcome.reported) return this.conclude(outcome, request, context);
    return this.concludeLater(outcome, request, context);
  }

  // Its own method, so the closure below is not in canActivate's scope, which passport's callback shares.
  private concludeLater(outcome: PassportOutcome, request: Record<string, unknown>, context: ExecutionContext): Promise<boolean> {
    return outcome.settled().then(() => this.conclude(outcome, request, context));
  }

  /** `handleRequest` decides; the user it returns goes on the request, where `@CurrentUser()` reads it. */
  private conclude(outcome: PassportOutcome, request: Record<string, unknown>, context: ExecutionContext): true {
    const accepted = this.handleRequest(outcome.err, outcome.user, outcome.info, context);
    request[(this as { options?: { property?: string } }).options?.property ?? 'user'] = accepted;
    return true;
  }

  /** True when `@Public()` is on the handler or its class. */
  protected isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const controller = context.getClass();
    if (typeof handler !== 'function' || typeof controller !== 'function') return this.readPublic(handler, controller);
    // Decorator metadata is fixed once the app is built, so each route's answer is looked up once, not per request.
    let routes = this.publicRoutes.get(controller);
    if (!routes) this.publicRoutes.set(controller, (routes = new WeakMap()));
    let isPublic = routes.get(handler);
    if (isPublic === undefined) routes.set(handler, (isPublic = this.readPublic(handler, controller)));
    return isPublic;
  }

  private readPublic(handler: unknown, controller: unknown): boolean {
    return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler as Function, controller as Function]) === true;
  }

  /** No sessions (tokens are bearer); this app's verifier, whichever app's strategy passport holds. */
  override getAuthenticateOptions(): Record<string | symbol, unknown> {
    return this.authenticateOptions;
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

/**
 * What passport reported for one request: the callback `JwtGuard` hands passport.
 * It holds only the outcome, never the execution context, on purpose: a callback
 * whose closure reached the context kept every request alive past minor GCs
 * (docs/performance.md, "What passport's callback may hold").
 */
class PassportOutcome {
  err: unknown = null;
  user: unknown = false;
  info: unknown = undefined;
  reported = false;
  private wake: (() => void) | undefined;

  /** passport's callback, and its `next` for strategy errors. */
  readonly report = (err?: unknown, user?: unknown, info?: unknown): void => {
    if (this.reported) return;
    this.err = err ?? null;
    this.user = user ?? false;
    this.info = info;
    this.reported = true;
    this.wake?.();
  };

  /** Resolves once passport has reported (at once when it already has). */
  settled(): Promise<void> {
    if (this.reported) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wake = resolve));
  }
}
