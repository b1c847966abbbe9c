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

/**
 * Answers every `AuthException` with the contract's JSON body and headers:
 * the RFC 6750 challenge on 401s, `Retry-After` on 503s, and `no-store` so no
 * cache keeps an auth answer. Outside HTTP it hands the exception back to the
 * transport (GraphQL formats it; it never becomes a 500).
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
    if (host.getType() !== 'http') return exception;
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
}
