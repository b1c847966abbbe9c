import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { ExampleObject, HeadersObject } from '@nestjs/swagger';
import type { AuthErrorCode } from '../errors/auth-error-codes.js';
import { authErrorExample, authErrorSchema, authErrorStatus, authProblemSchema, GUARD_ERROR_CODES } from './auth-error.schemas.js';

/** Options of `ApiAuthErrors()`. @publicApi */
export interface ApiAuthErrorsOptions {
  /**
   * Codes the operation can answer. Default `GUARD_ERROR_CODES` (a route behind
   * `JwtGuard`); use `REFRESH_ERROR_CODES` on a refresh endpoint. A 503 is
   * documented only when `AUTH_STORE_UNAVAILABLE` is among them.
   */
  codes?: readonly AuthErrorCode[];
  /** Body format, as `errorFormat` in the module options: `'nest'` (default) or `'problem'` (`application/problem+json`). */
  format?: 'nest' | 'problem';
}

const HEADERS: Record<number, HeadersObject> = {
  401: {
    'WWW-Authenticate': {
      description: 'RFC 6750 challenge, e.g. `Bearer realm="api", error="invalid_token", error_description="Token has expired"`.',
      schema: { type: 'string' },
    },
  },
  503: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } },
};

const DESCRIPTIONS: Record<number, string> = {
  401: 'Authentication failed; `code` says why. On `TOKEN_EXPIRED`, refresh and retry.',
  503: 'The session store is unavailable; retry after `Retry-After` seconds. Not a reason to log the user out.',
};

/**
 * Documents the coded auth errors of an operation (or of every operation of a
 * controller) for `@nestjs/swagger`: one response per status (401, and 503
 * when the store can fail), with the body's JSON schema, one example per code
 * and the `WWW-Authenticate` / `Retry-After` headers. Pair it with
 * `@ApiBearerAuth()` to declare the security scheme.
 * @publicApi
 */
export function ApiAuthErrors(options: ApiAuthErrorsOptions = {}): MethodDecorator & ClassDecorator {
  const codes = options.codes ?? GUARD_ERROR_CODES;
  if (!Array.isArray(codes) || codes.length === 0) {
    throw new TypeError('ApiAuthErrors(): "codes" must list at least one AuthErrorCode, e.g. GUARD_ERROR_CODES.');
  }
  const problem = options.format === 'problem';
  const byStatus = new Map<number, AuthErrorCode[]>();
  for (const code of codes) {
    const status = authErrorStatus(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses = [...byStatus].map(([status, group]) => {
    const examples: Record<string, ExampleObject> = {};
    for (const code of group) {
      const exception = authErrorExample(code);
      examples[code] = { summary: exception.message, value: problem ? exception.toProblem() : exception.getResponse() };
    }
    const mediaType = problem ? 'application/problem+json' : 'application/json';
    return ApiResponse({
      status,
      description: DESCRIPTIONS[status] ?? 'Authentication error.',
      headers: HEADERS[status],
      content: { [mediaType]: { schema: problem ? authProblemSchema(group) : authErrorSchema(group), examples } },
    });
  });
  return applyDecorators(...responses);
}
