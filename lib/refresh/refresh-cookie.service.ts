import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { appendResponseHeader } from '../http/response-headers.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import type { ResolvedRefreshCookie } from '../options/resolve-refresh-options.js';
import type { TokenPair, TokenPairBody } from './token-pair.interface.js';

// Longer than any cookie we set: a bigger header is not ours and not worth parsing.
const MAX_COOKIE_HEADER = 8192;

/**
 * The refresh cookie of cookie mode (`refreshCookie` option): `HttpOnly` so
 * scripts (and XSS) never read it, `Secure`, `SameSite=Strict` so no other
 * site can make the browser send it, and scoped to the refresh path so it
 * does not ride along on every API call. Works without cookie-parser.
 * Every method is a no-op when cookie mode is off, so controllers need no `if`.
 * @publicApi
 */
@Injectable()
export class RefreshCookieService {
  private readonly cookie: ResolvedRefreshCookie | null;

  constructor(@Inject(RESOLVED_AUTH_OPTIONS) options: ResolvedAuthOptions) {
    this.cookie = options.refresh.cookie;
  }

  /** Whether cookie mode is on. */
  get enabled(): boolean {
    return this.cookie !== null;
  }

  /** The refresh token from the request's cookie, or `undefined` (always when cookie mode is off). */
  read(request: unknown): string | undefined {
    if (!this.cookie) return undefined;
    const header = (request as { headers?: Record<string, unknown> })?.headers?.cookie;
    if (typeof header !== 'string' || header.length > MAX_COOKIE_HEADER) return undefined;
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== this.cookie.name) continue;
      const value = part.slice(eq + 1).trim();
      return value || undefined;
    }
    return undefined;
  }

  /**
   * Sets the cookie to the pair's refresh token, expiring with it, and returns
   * the body to send: the pair itself, or the pair without `refreshToken` when
   * `refreshCookie.bodyToken` is `false`.
   */
  write(response: unknown, pair: TokenPair): TokenPairBody {
    if (!this.cookie) return pair;
    appendResponseHeader(response, 'Set-Cookie', this.serialize(pair.refreshToken, pair.refreshExpiresIn));
    if (this.cookie.bodyToken) return pair;
    const { refreshToken: _kept, ...body } = pair;
    return body;
  }

  /** Expires the cookie (logout). */
  clear(response: unknown): void {
    if (!this.cookie) return;
    appendResponseHeader(response, 'Set-Cookie', `${this.serialize('', 0)}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
  }

  private serialize(value: string, maxAge: number): string {
    const c = this.cookie!;
    const parts = [`${c.name}=${value}`, `Path=${c.path}`, `Max-Age=${maxAge}`, 'HttpOnly', `SameSite=${c.sameSite}`];
    if (c.secure) parts.push('Secure');
    if (c.domain) parts.push(`Domain=${c.domain}`);
    return parts.join('; ');
  }
}
