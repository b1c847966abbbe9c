import { HttpException, HttpStatus } from '@nestjs/common';
import { AuthErrorCode } from './auth-error-codes.js';

/** Extra machine-readable fields some codes carry (`expiredAt`, `notBefore`, `serverTime`). */
export type AuthErrorDetails = Record<string, string | number | undefined>;

/**
 * The one base class of every error this library throws at a client. It is an
 * `HttpException`, so Nest's default handler already answers with the right
 * status and the coded body even when `AuthExceptionFilter` is not registered.
 * @publicApi
 */
export class AuthException extends HttpException {
  readonly code: AuthErrorCode;
  readonly details: AuthErrorDetails;
  /** Whether a token was presented and rejected: decides the RFC 6750 `error` attribute. */
  readonly tokenRejected: boolean;

  constructor(code: AuthErrorCode, message: string, status: number = HttpStatus.UNAUTHORIZED, details: AuthErrorDetails = {}, tokenRejected = true) {
    // Answers to clients, not bugs: a stack trace would point at nothing worth reading (cost: docs/performance.md).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(
        {
          statusCode: status,
          code,
          message,
          error: REASON_PHRASES[status] ?? 'Error',
          ...stripUndefined(details),
        },
        status,
      );
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.code = code;
    this.details = details;
    this.tokenRejected = tokenRejected;
    this.name = 'AuthException';
  }

  /**
   * The same error as an RFC 9457 problem document (`application/problem+json`):
   * `type`, `title`, `status`, `detail`, plus the extension members `code` and the details.
   */
  toProblem(): AuthProblemDetails {
    const body = this.getResponse() as { error: string };
    return {
      type: `${AUTH_PROBLEM_TYPE_PREFIX}${this.code.toLowerCase().replace(/_/g, '-')}`,
      title: body.error,
      status: this.getStatus(),
      detail: this.message,
      code: this.code,
      ...stripUndefined(this.details),
    };
  }
}

// Nest's usual `error` for the statuses auth errors use.
const REASON_PHRASES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

/** Prefix of the `type` URI of problem documents; the code follows in kebab case (`…:token-expired`). @publicApi */
export const AUTH_PROBLEM_TYPE_PREFIX = 'urn:nestjs-jwt-refresh:problem:';

/** An RFC 9457 problem document for an auth error. @publicApi */
export interface AuthProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: AuthErrorCode;
  [extension: string]: string | number | undefined;
}

function stripUndefined(details: AuthErrorDetails): AuthErrorDetails {
  const out: AuthErrorDetails = {};
  for (const [key, value] of Object.entries(details)) if (value !== undefined) out[key] = value;
  return out;
}
