import { Inject, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { parseCookie, stringifySetCookie } from 'cookie';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { RefreshTokenInvalidException } from '../errors/refresh-token.exceptions.js';
import { appendHeaderVia } from '../http/response-headers.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import type { ResolvedRefreshCookie } from '../options/resolve-refresh-options.js';
import type { TokenPair, TokenPairBody } from './token-pair.interface.js';

// Longer than any cookie we set: a bigger header is not ours and not worth parsing.
const MAX_COOKIE_HEADER = 8192;
// Our tokens are base64url; the cookie package would otherwise percent-decode whatever arrives.
const verbatim = (value: string) => value;

/**
 * The refresh cookie of cookie mode (`refreshCookie` option): `HttpOnly` so
 * scripts (and XSS) never read it, `Secure`, `SameSite=Strict` so no other
 * site can make the browser send it, and scoped to the refresh path so it
 * does not ride along on every API call. The token is left out of the JSON
 * body unless `refreshCookie.bodyToken` is `true`. Works without cookie-parser.
 * Every method is a no-op when cookie mode is off, so controllers need no `if`.
 * @publicApi
 */
@Injectable()
export class RefreshCookieService {
  private readonly cookie: ResolvedRefreshCookie | null;
  // Pairs sent with the token left in the body (bodyToken): the interceptor must not set their cookie twice.
  private readonly written = new WeakSet<object>();

  constructor(
    @Inject(RESOLVED_AUTH_OPTIONS) options: ResolvedAuthOptions,
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {
    this.cookie = options.refresh.cookie;
  }

  /** Whether cookie mode is on. */
  get enabled(): boolean {
    return this.cookie !== null;
  }

  /**
   * The refresh token from the request's cookie, or `undefined` (always when
   * cookie mode is off). Two cookies of that name in one request (a sibling
   * subdomain planting its own with another `Path` or `Domain`: cookie tossing)
   * throw `RefreshTokenInvalidException`: which one is ours can't be told, so neither is used.
   */
  read(request: unknown): string | undefined {
    if (!this.cookie) return undefined;
    const header = (request as { headers?: Record<string, unknown> })?.headers?.cookie;
    if (typeof header !== 'string' || header.length > MAX_COOKIE_HEADER) return undefined;
    // parseCookie keeps the first of several same-named cookies; parsing pair by pair sees them all.
    const values = header
      .split(';')
      .map((pair) => parseCookie(pair, { decode: verbatim })[this.cookie!.name])
      .filter((value): value is string => value !== undefined);
    if (values.length > 1) throw new RefreshTokenInvalidException('several refresh cookies in one request');
    return values[0] || undefined;
  }

  /**
   * Sets the cookie to the pair's refresh token, expiring with it, and returns
   * the body to send: the pair without `refreshToken` (or the pair itself when
   * `refreshCookie.bodyToken` is `true`).
   */
  write(response: unknown, pair: TokenPair): TokenPairBody {
    if (!this.cookie) return pair;
    appendHeaderVia(this.adapterHost, response, 'Set-Cookie', this.serialize(pair.refreshToken, pair.refreshExpiresIn));
    if (this.cookie.bodyToken) {
      this.written.add(pair);
      return pair;
    }
    const { refreshToken: _kept, ...body } = pair;
    return body;
  }

  /** Expires the cookie (logout). */
  clear(response: unknown): void {
    if (!this.cookie) return;
    appendHeaderVia(this.adapterHost, response, 'Set-Cookie', this.serialize('', 0, new Date(0)));
  }

  /** Whether `write()` already sent this pair (with its token left in the body). */
  wasWritten(pair: object): boolean {
    return this.written.has(pair);
  }


  private serialize(value: string, maxAge: number, expires?: Date): string {
    const c = this.cookie!;
    return stringifySetCookie(
      {
        name: c.name,
        value,
        path: c.path,
        maxAge,
        expires,
        httpOnly: true,
        sameSite: c.sameSite === 'Strict' ? 'strict' : 'lax',
        secure: c.secure,
        domain: c.domain,
      },
      { encode: verbatim },
    );
  }
}
