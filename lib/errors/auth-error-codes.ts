/**
 * Stable, machine-readable codes carried in the `code` field of every auth
 * error body. Clients switch on these, never on messages.
 * @publicApi
 */
export const AuthErrorCode = {
  NO_TOKEN: 'NO_TOKEN',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_NOT_ACTIVE: 'TOKEN_NOT_ACTIVE',
  INVALID_TOKEN: 'INVALID_TOKEN',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  REFRESH_TOKEN_MISSING: 'REFRESH_TOKEN_MISSING',
  REFRESH_TOKEN_INVALID: 'REFRESH_TOKEN_INVALID',
  REFRESH_TOKEN_EXPIRED: 'REFRESH_TOKEN_EXPIRED',
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  REFRESH_TOKEN_REVOKED: 'REFRESH_TOKEN_REVOKED',
  AUTH_STORE_UNAVAILABLE: 'AUTH_STORE_UNAVAILABLE',
} as const;

/** @publicApi */
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];
