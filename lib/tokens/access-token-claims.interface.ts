/**
 * The verified claims of an access token, as `@CurrentUser()` returns them.
 * @publicApi
 */
export interface AccessTokenClaims {
  /** Subject: the user id. */
  sub: string;
  /** Session id: ties the token to a refresh session so revocation reaches it. */
  sid: string;
  /** Unique token id. */
  jti: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** When the session's user logged in, seconds since the epoch (OIDC `auth_time`): the same in every token of a session. */
  auth_time?: number;
  nbf?: number;
  iss?: string;
  aud?: string | string[];
  /** Custom claims given when the token was signed. */
  [claim: string]: unknown;
}

/** Claims the library owns: custom claims may not set them. */
export const RESERVED_CLAIMS = ['sub', 'sid', 'jti', 'iat', 'exp', 'nbf', 'iss', 'aud', 'auth_time'] as const;
