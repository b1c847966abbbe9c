import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { RefreshCookieService } from '../refresh/refresh-cookie.service.js';

/**
 * Turns the request `@RefreshToken()` hands it into the token it presents (see the decorator).
 * The body's value is passed on unjudged: `rotate()` refuses a non-string with a coded 401, and a
 * body DTO's 400 (which runs alongside this pipe) still comes first.
 */
@Injectable()
export class RefreshTokenPipe implements PipeTransform<unknown, unknown> {
  constructor(@Inject(RefreshCookieService) private readonly cookies: RefreshCookieService) {}

  transform(request: unknown): unknown {
    const body = (request as { body?: unknown } | undefined)?.body;
    const fromBody = body !== null && typeof body === 'object' ? (body as { refreshToken?: unknown }).refreshToken : undefined;
    return fromBody ?? this.cookies.read(request);
  }
}
