import { ArgumentsHost, Catch, ExceptionFilter, Inject, Optional } from '@nestjs/common';
import { AuthException } from '../errors/auth.exception.js';
import { setResponseHeader, sendJson } from '../http/response-headers.js';
import { bearerChallenge } from '../http/www-authenticate.js';

/** Options of `AuthExceptionFilter` when built by hand. @publicApi */
export interface AuthExceptionFilterOptions {
  /** Realm in the `WWW-Authenticate` challenge. Default `'api'`. */
  realm?: string;
  /** `'nest'` (default) or `'problem'` for RFC 9457 `application/problem+json`. */
  errorFormat?: 'nest' | 'problem';
}

export const AUTH_EXCEPTION_FILTER_OPTIONS = Symbol('nestjs-jwt-refresh:filter-options');

/** Name of the event Nest's own WebSocket exception filter emits; clients already listen for it. */
const WS_EXCEPTION_EVENT = 'exception';
/** `WebSocket.OPEN`: sending on a socket in any other state throws or is lost. */
const WS_OPEN = 1;

/**
 * Answers every `AuthException` in its transport's own form:
 * - HTTP: the contract's JSON body and headers (the RFC 6750 challenge on 401s,
 *   `Retry-After` on 503s, `no-store` so no cache keeps an auth answer);
 * - GraphQL: an error whose `extensions` carry `code` and the details
 *   (`expiredAt`, …), which GraphQL servers copy into the response's `errors`;
 * - WebSockets (`ws` or socket.io): an `exception` event whose data carries the code.
 *
 * Nest never applies global filters to WebSocket gateways: put
 * `@UseFilters(AuthExceptionFilter)` on the gateway.
 * @publicApi
 */
@Catch(AuthException)
export class AuthExceptionFilter implements ExceptionFilter<AuthException> {
  private readonly realm: string;
  private readonly problem: boolean;

  constructor(@Optional() @Inject(AUTH_EXCEPTION_FILTER_OPTIONS) options?: AuthExceptionFilterOptions) {
    this.realm = options?.realm ?? 'api';
    this.problem = options?.errorFormat === 'problem';
  }

  catch(exception: AuthException, host: ArgumentsHost): unknown {
    const type = host.getType<string>();
    if (type === 'graphql') return toGraphQLError(exception);
    if (type === 'ws') return this.emitWs(exception, host);
    if (type !== 'http') return exception;
    const response = host.switchToHttp().getResponse();
    const status = exception.getStatus();
    if (status === 401) setResponseHeader(response, 'WWW-Authenticate', bearerChallenge(this.realm, exception));
    const retryAfter = exception.details.retryAfter;
    if (status === 503 && retryAfter !== undefined) setResponseHeader(response, 'Retry-After', String(retryAfter));
    setResponseHeader(response, 'Cache-Control', 'no-store');
    if (this.problem) sendJson(response, status, exception.toProblem(), 'application/problem+json');
    else sendJson(response, status, exception.getResponse());
    return undefined;
  }

  /**
   * Nest's default WebSocket handler only formats `WsException`s and turns
   * anything else into "Internal server error", so the code is sent here, in
   * the shape of Nest's own `exception` event. The message data is not echoed
   * back (Nest's `cause` would include it): it may hold a token.
   */
  private emitWs(exception: AuthException, host: ArgumentsHost): undefined {
    const ws = host.switchToWs();
    const client = ws.getClient<{ readyState?: unknown; send?: unknown; emit?: unknown }>();
    const body = this.problem ? exception.toProblem() : (exception.getResponse() as object);
    const pattern = typeof ws.getPattern === 'function' ? ws.getPattern() : undefined;
    const data = { status: 'error', ...body, ...(pattern !== undefined && { cause: { pattern } }) };
    if (typeof client?.readyState === 'number' && typeof client.send === 'function') {
      // A native WebSocket (`ws`): its `emit` only dispatches locally, so the event is framed as Nest's WsAdapter frames replies.
      if (client.readyState === WS_OPEN) client.send(JSON.stringify({ event: WS_EXCEPTION_EVENT, data }));
    } else if (typeof client?.emit === 'function') {
      client.emit(WS_EXCEPTION_EVENT, data);
    }
    return undefined;
  }
}

/**
 * An error GraphQL servers format with our code. graphql-js copies the
 * `extensions` of the error a resolver throws into the response; a plain
 * `HttpException` would instead be rewritten by `@nestjs/apollo` to
 * `UNAUTHENTICATED` (401) or `INTERNAL_SERVER_ERROR` (503). Not an
 * `HttpException` on purpose; the original stays reachable as `cause`.
 */
function toGraphQLError(exception: AuthException): Error & { extensions: Record<string, unknown> } {
  const error = new Error(exception.message, { cause: exception }) as Error & { extensions: Record<string, unknown> };
  error.name = 'AuthException';
  const extensions: Record<string, unknown> = { code: exception.code, status: exception.getStatus() };
  for (const [key, value] of Object.entries(exception.details)) if (value !== undefined) extensions[key] = value;
  error.extensions = extensions;
  return error;
}
