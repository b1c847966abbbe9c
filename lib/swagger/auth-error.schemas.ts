import type { SchemaObject } from '@nestjs/swagger';
import { AuthErrorCode } from '../errors/auth-error-codes.js';
import { AuthException } from '../errors/auth.exception.js';
import {
  InvalidTokenException, NoTokenException, TokenExpiredException, TokenNotActiveException, TokenRevokedException,
} from '../errors/access-token.exceptions.js';
import { InvalidCredentialsException } from '../errors/invalid-credentials.exception.js';
import { AuthStoreUnavailableException } from '../errors/auth-store-unavailable.exception.js';
import { CrossSiteRequestException } from '../errors/cross-site-request.exception.js';
import { JwksUnavailableException } from '../errors/jwks-unavailable.exception.js';
import { LoginRequiredException } from '../errors/login-required.exception.js';
import { SessionNotFoundException } from '../errors/session-not-found.exception.js';
import {
  RefreshTokenExpiredException, RefreshTokenInvalidException, RefreshTokenMissingException, RefreshTokenReusedException, RefreshTokenRevokedException,
} from '../errors/refresh-token.exceptions.js';

/** What `JwtGuard` can answer on a guarded route (the 503 only with the session check on). @publicApi */
export const GUARD_ERROR_CODES: readonly AuthErrorCode[] = [
  AuthErrorCode.NO_TOKEN,
  AuthErrorCode.TOKEN_EXPIRED,
  AuthErrorCode.TOKEN_NOT_ACTIVE,
  AuthErrorCode.INVALID_TOKEN,
  AuthErrorCode.TOKEN_REVOKED,
  AuthErrorCode.AUTH_STORE_UNAVAILABLE,
];

/** What `RefreshService.rotate()` can answer on a refresh endpoint. @publicApi */
export const REFRESH_ERROR_CODES: readonly AuthErrorCode[] = [
  AuthErrorCode.REFRESH_TOKEN_MISSING,
  AuthErrorCode.REFRESH_TOKEN_INVALID,
  AuthErrorCode.REFRESH_TOKEN_EXPIRED,
  AuthErrorCode.REFRESH_TOKEN_REUSED,
  AuthErrorCode.REFRESH_TOKEN_REVOKED,
  AuthErrorCode.AUTH_STORE_UNAVAILABLE,
];

// Fixed instants keep generated documents stable from one build to the next.
const EXAMPLE_NOW = new Date('2030-01-01T12:00:00.000Z');
const EXAMPLE_PAST = new Date('2030-01-01T11:59:00.000Z');
const EXAMPLE_FUTURE = new Date('2030-01-01T12:05:00.000Z');

/**
 * Examples are made by the real exception classes, so the documented bodies
 * cannot drift from what the server sends.
 */
const EXAMPLES: Record<AuthErrorCode, () => AuthException> = {
  NO_TOKEN: () => new NoTokenException(),
  TOKEN_EXPIRED: () => new TokenExpiredException(EXAMPLE_PAST, EXAMPLE_NOW),
  TOKEN_NOT_ACTIVE: () => new TokenNotActiveException(EXAMPLE_FUTURE, EXAMPLE_NOW),
  INVALID_TOKEN: () => new InvalidTokenException(),
  TOKEN_REVOKED: () => new TokenRevokedException(),
  INVALID_CREDENTIALS: () => new InvalidCredentialsException(),
  REFRESH_TOKEN_MISSING: () => new RefreshTokenMissingException(),
  REFRESH_TOKEN_INVALID: () => new RefreshTokenInvalidException(),
  REFRESH_TOKEN_EXPIRED: () => new RefreshTokenExpiredException(EXAMPLE_PAST, EXAMPLE_NOW),
  REFRESH_TOKEN_REUSED: () => new RefreshTokenReusedException(),
  REFRESH_TOKEN_REVOKED: () => new RefreshTokenRevokedException(),
  AUTH_STORE_UNAVAILABLE: () => new AuthStoreUnavailableException(),
  CROSS_SITE_REQUEST: () => new CrossSiteRequestException('cross-site'),
  LOGIN_REQUIRED: () => new LoginRequiredException(EXAMPLE_PAST, 300),
  JWKS_UNAVAILABLE: () => new JwksUnavailableException(),
  SESSION_NOT_FOUND: () => new SessionNotFoundException(),
};

/** The exception a code stands for, with example values; its status, body and problem document are the real ones. */
export function authErrorExample(code: AuthErrorCode): AuthException {
  const make = EXAMPLES[code];
  if (!make) throw new TypeError(`Unknown auth error code "${String(code)}"; use one of AuthErrorCode's values.`);
  return make();
}

/** HTTP status of each code: every code is a 401 except the outages (store, JWKS). */
export function authErrorStatus(code: AuthErrorCode): number {
  return authErrorExample(code).getStatus();
}

const ALL_CODES = Object.values(AuthErrorCode);

const DETAIL_PROPERTIES: Record<string, SchemaObject> = {
  expiredAt: { type: 'string', format: 'date-time', description: 'When the token expired (`TOKEN_EXPIRED`, `REFRESH_TOKEN_EXPIRED`).' },
  notBefore: { type: 'string', format: 'date-time', description: 'When the token becomes valid (`TOKEN_NOT_ACTIVE`).' },
  serverTime: { type: 'string', format: 'date-time', description: "The server's clock, to spot client clock skew." },
  retryAfter: { type: 'integer', minimum: 0, description: 'Seconds to wait before retrying (`AUTH_STORE_UNAVAILABLE`, `JWKS_UNAVAILABLE`); also sent as `Retry-After`.' },
  authTime: { type: 'string', format: 'date-time', description: "When the session's user logged in (`LOGIN_REQUIRED`)." },
  maxAge: { type: 'integer', minimum: 0, description: 'Seconds a login may be old for this route (`LOGIN_REQUIRED`).' },
};

function codeProperty(codes: readonly AuthErrorCode[]): SchemaObject {
  return { type: 'string', enum: [...codes], description: 'Stable machine-readable code; switch on it, never on the message.' };
}

/**
 * JSON schema of the default error body (`errorFormat: 'nest'`): Nest's
 * `{ statusCode, message, error }` plus `code` and, for some codes, details.
 * Pass `codes` to narrow the `code` enum. @publicApi
 */
export function authErrorSchema(codes: readonly AuthErrorCode[] = ALL_CODES): SchemaObject {
  return {
    type: 'object',
    required: ['statusCode', 'code', 'message', 'error'],
    properties: {
      statusCode: { type: 'integer', enum: [...new Set(codes.map(authErrorStatus))] },
      code: codeProperty(codes),
      message: { type: 'string', description: 'A sentence for people; may change between versions.' },
      error: { type: 'string', description: 'The status text.' },
      ...DETAIL_PROPERTIES,
    },
  };
}

/**
 * JSON schema of the RFC 9457 problem document (`errorFormat: 'problem'`,
 * served as `application/problem+json`). @publicApi
 */
export function authProblemSchema(codes: readonly AuthErrorCode[] = ALL_CODES): SchemaObject {
  return {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string', format: 'uri', description: 'Identifies the problem: `urn:nestjs-jwt-refresh:problem:` and the code in kebab case.' },
      title: { type: 'string' },
      status: { type: 'integer', enum: [...new Set(codes.map(authErrorStatus))] },
      detail: { type: 'string' },
      code: codeProperty(codes),
      ...DETAIL_PROPERTIES,
    },
  };
}

/** The default error body's schema with every code. @publicApi */
export const AUTH_ERROR_SCHEMA: SchemaObject = authErrorSchema();

/** The problem document's schema with every code. @publicApi */
export const AUTH_PROBLEM_SCHEMA: SchemaObject = authProblemSchema();
