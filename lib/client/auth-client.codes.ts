// The client is dependency-free and must not import the server side of the
// library (it would drag Nest into a browser bundle), so it names the codes it
// reacts to here. A unit spec checks them against the server's AuthErrorCode.

/** An access token that only needs a refresh. */
export const TOKEN_EXPIRED = 'TOKEN_EXPIRED';

/** The store behind refresh was unreachable: retry later, never log the user out for it. */
export const AUTH_STORE_UNAVAILABLE = 'AUTH_STORE_UNAVAILABLE';

/** No refresh token reached the server; on `resume()` this just means "never logged in". */
export const REFRESH_TOKEN_MISSING = 'REFRESH_TOKEN_MISSING';

/** Access-token codes after which no refresh can help: the session is gone or the token was never ours. */
export const SESSION_ENDING_ACCESS_CODES: readonly string[] = ['INVALID_TOKEN', 'TOKEN_REVOKED'];

/** Refresh codes that end the session (every refresh failure that is not transient). */
export const SESSION_ENDING_REFRESH_CODES: readonly string[] = [
  'REFRESH_TOKEN_MISSING',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_EXPIRED',
  'REFRESH_TOKEN_REUSED',
  'REFRESH_TOKEN_REVOKED',
  'INVALID_TOKEN',
  'TOKEN_REVOKED',
];

/**
 * Reasons the client itself gives in `sessionExpired` (the others are server codes).
 * @publicApi
 */
export const ClientSessionEndReason = {
  /** The user logged out in another tab of the same origin (show "You logged out in another tab", not "expired"). */
  LOGGED_OUT: 'LOGGED_OUT',
  /**
   * Body mode: the tab holding the refresh token was closed or reloaded. The refresh token
   * never leaves the tab that received it, so the others cannot refresh (cookie mode has no such limit).
   */
  REFRESH_TAB_CLOSED: 'REFRESH_TAB_CLOSED',
  /** Refreshed tokens kept coming back `TOKEN_EXPIRED` (clock or server misconfiguration); refreshing again would loop. */
  REFRESH_LOOP: 'REFRESH_LOOP',
  /** The refresh endpoint answered 401 or 403 without a code the client knows. */
  REFRESH_REJECTED: 'REFRESH_REJECTED',
} as const;
