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
import { JwtStrategy, STRATEGY_CONTEXT, StrategyContext, StrategyOutcome } from '../strategies/jwt.strategy.js';
import { AccessTokenService } from '../tokens/access-token.service.js';

/**
 * Guards routes with a bearer access token and answers every failure with a
 * coded 401 and an RFC 6750 challenge. It is passport's `AuthGuard` for the
 * `JwtStrategy` registered under our name (a subclass of it included, with its
 * own `validate()`). Subclass it and override the small hooks (`isPublic`,
 * `handleRequest`, `toAuthException`, `reject`) rather than `canActivate`.
 * @publicApi
 */
@Injectable()
export class JwtGuard extends AuthGuard(JWT_STRATEGY_NAME) {
  private readonly strategyContext: StrategyContext;
  // Keyed by controller, then handler: an inherited handler can sit on two controllers with different metadata.
  private readonly publicRoutes = new WeakMap<Function, WeakMap<Function, boolean>>();

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

  /**
   * Resolves (or returns) `true` with `request.user` set, or throws the coded exception.
   * Synchronous when the strategy's check is (the usual case): Nest awaits either, and a
   * refusal thrown at once skips a rejected promise per forged token.
   */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const strategy = registeredStrategy();
    // Someone registered a strategy of their own under our name: let passport run it as it always would.
    if (!strategy) return super.canActivate(context) as Promise<boolean>;
    // Same strategy, same checks and the same handleRequest hook as through passport, minus what
    // passport.authenticate builds per request (option spreads, closures, a strategy clone, a promise):
    // about a third of a guarded Fastify request's CPU in the benchmark.
    const request = this.getRequest(context);
    const pending = strategy.check(request, this.strategyContext);
    if (pending instanceof Promise) return pending.then((outcome) => this.conclude(outcome, request, context));
    return this.conclude(pending, request, context);
  }

  private conclude(outcome: StrategyOutcome, request: Record<string, unknown>, context: ExecutionContext): true {
    const user = this.handleRequest(outcome.error ?? null, outcome.user ?? false, outcome.info, context);
    request[(this as { options?: { property?: string } }).options?.property ?? 'user'] = user;
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

/** The strategy passport holds under our name, when it is ours (or a subclass, with its own `validate()`). */
function registeredStrategy(): JwtStrategy | undefined {
  // `_strategy` is how passport itself looks strategies up; asking it keeps "last registered wins" as passport has it.
  const strategy = (passport as unknown as { _strategy(name: string): unknown })._strategy(JWT_STRATEGY_NAME);
  return strategy instanceof JwtStrategy ? strategy : undefined;
}
