import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import { CLEAR_REFRESH_COOKIE_KEY } from '../auth.internal-constants.js';
import { RefreshCookieService } from '../refresh/refresh-cookie.service.js';
import type { TokenPair } from '../refresh/token-pair.interface.js';
import { setHeaderVia } from './response-headers.js';

/** A token pair as `issue()`/`rotate()` return it, whatever object carries it. */
function isTokenPair(value: unknown): value is TokenPair {
  const v = value as Partial<TokenPair> | null;
  return v !== null && typeof v === 'object' && typeof v.accessToken === 'string' && typeof v.refreshToken === 'string' && typeof v.refreshExpiresIn === 'number';
}

/**
 * The response side of `@AuthEndpoint()`: a handler that returns a token pair
 * gets the refresh cookie set (cookie mode), the token taken out of the body
 * (unless `refreshCookie.bodyToken`), and `Cache-Control: no-store` (RFC 6749
 * §5.1); a `@ClearRefreshCookie()` route gets the cookie expired once it has
 * succeeded. So controllers return what the service returns and never touch
 * the response. A pair already passed through `RefreshCookieService.write()`
 * is left as it is.
 * @publicApi
 */
@Injectable()
export class RefreshCookieInterceptor implements NestInterceptor {
  constructor(
    @Inject(RefreshCookieService) private readonly cookies: RefreshCookieService,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const response = context.switchToHttp().getResponse<unknown>();
    const clears = this.reflector.getAllAndOverride<boolean>(CLEAR_REFRESH_COOKIE_KEY, [context.getHandler(), context.getClass()]) === true;
    return next.handle().pipe(
      map((result: unknown) => {
        if (clears) this.cookies.clear(response);
        if (!isTokenPair(result) || this.cookies.wasWritten(result)) return result;
        // Tokens in an answer: never cached (RFC 6749 §5.1).
        setHeaderVia(this.adapterHost, response, 'Cache-Control', 'no-store');
        return this.cookies.write(response, result);
      }),
    );
  }
}
