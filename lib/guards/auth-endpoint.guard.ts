import { CanActivate, ExecutionContext, Inject, Injectable, UnsupportedMediaTypeException } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { CrossSiteRequestException } from '../errors/cross-site-request.exception.js';
import { requestFromContext } from '../http/request-from-context.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import type { ResolvedRefreshCookie } from '../options/resolve-refresh-options.js';

/** The request fields the checks read (Express and Fastify requests both have them). */
interface IncomingLike {
  method?: string;
  protocol?: string;
  headers?: Record<string, string | string[] | undefined>;
  socket?: { encrypted?: boolean };
}

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The cross-site defences of the auth endpoints (login, refresh, logout…),
 * applied with `@AuthEndpoint()`. A guard runs before any pipe or handler, so
 * a refused request changes nothing.
 *
 * - Always: a body must be `application/json` (else `415`). Forms and
 *   `text/plain` are what another site can post without CORS; and a form's
 *   fields would otherwise reach the handler as a parsed body (Nest parses
 *   urlencoded bodies on Express and Fastify).
 * - Cookie mode: `Sec-Fetch-Site: cross-site`, or an `Origin` that is neither
 *   the request's own (scheme, `Host`) nor in `trustedOrigins`, is
 *   `403 CROSS_SITE_REQUEST`. Requests with neither header (curl, servers,
 *   old browsers on same-origin GETs) pass: without a browser there is no
 *   ambient cookie to abuse.
 *
 * Subclass and override `checkContentType` or `checkOrigin` to change one rule.
 * @publicApi
 */
@Injectable()
export class AuthEndpointGuard implements CanActivate {
  protected readonly cookie: ResolvedRefreshCookie | null;

  constructor(@Inject(RESOLVED_AUTH_OPTIONS) options: ResolvedAuthOptions) {
    this.cookie = options.refresh.cookie;
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = requestFromContext(context) as IncomingLike;
    if (this.cookie) this.checkOrigin(request, this.cookie.trustedOrigins);
    this.checkContentType(request);
    return true;
  }

  /** Throws `415` unless a request that may carry a body carries JSON or nothing. */
  protected checkContentType(request: IncomingLike): void {
    if (BODYLESS_METHODS.has((request.method ?? 'GET').toUpperCase())) return;
    const type = header(request, 'content-type');
    if (type === undefined) {
      // No type and no body (a logout) is fine; a body without a type is not JSON.
      const length = header(request, 'content-length');
      if (header(request, 'transfer-encoding') === undefined && (length === undefined || Number(length) === 0)) return;
      throw new UnsupportedMediaTypeException('The auth endpoints accept only application/json bodies.');
    }
    if (type.split(';')[0].trim().toLowerCase() !== 'application/json') {
      throw new UnsupportedMediaTypeException('The auth endpoints accept only application/json bodies.');
    }
  }

  /** Throws `CrossSiteRequestException` for a request another site's page made. */
  protected checkOrigin(request: IncomingLike, trusted: ReadonlySet<string>): void {
    if (header(request, 'sec-fetch-site')?.toLowerCase() === 'cross-site') throw new CrossSiteRequestException('Sec-Fetch-Site: cross-site');
    const origin = header(request, 'origin');
    if (origin === undefined) return;
    if (origin === ownOrigin(request) || trusted.has(origin)) return;
    throw new CrossSiteRequestException(`foreign Origin ${origin.slice(0, 200)}`);
  }
}

function header(request: IncomingLike, name: string): string | undefined {
  const value = request.headers?.[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `scheme://host[:port]` of the request as the browser addressed it, normalised like `URL.origin`; `undefined` without a Host. */
function ownOrigin(request: IncomingLike): string | undefined {
  const host = header(request, 'host');
  if (!host) return undefined;
  // Express and Fastify set `protocol` (honouring their trust-proxy settings); a bare Node request only has the socket.
  const scheme = request.protocol ?? (request.socket?.encrypted ? 'https' : 'http');
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return undefined;
  }
}
