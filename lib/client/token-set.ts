/**
 * The tokens the client holds for one session, plus the times it needs to
 * schedule refreshes. Times are local epoch milliseconds measured when the
 * tokens arrived, so a client whose clock disagrees with the server's still
 * refreshes on time.
 * @publicApi
 */
export interface TokenSet {
  /** The bearer token sent on API calls. */
  accessToken: string;
  /** The refresh token in body mode; never present in cookie mode (the browser keeps it in an httpOnly cookie). */
  refreshToken?: string;
  /** Local time (ms) at which the access token stops being accepted. */
  expiresAt: number;
  /** Local time (ms) at which the refresh token or the session ends, when the server said so. */
  refreshExpiresAt?: number;
  /** Local time (ms) the tokens were received (or handed over by another tab). */
  receivedAt: number;
}

/** The body of a successful login or refresh (the sample's HTTP contract). @publicApi */
export interface TokenPairResponse {
  accessToken: string;
  refreshToken?: string;
  tokenType?: string;
  /** Seconds the access token lives. */
  expiresIn?: number;
  /** Seconds until the refresh token expires. */
  refreshExpiresIn?: number;
}

/** Whether a value has the shape of a token set (used on data read from storage). */
export function isTokenSet(value: unknown): value is TokenSet {
  const v = value as TokenSet | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.accessToken === 'string' &&
    v.accessToken.length > 0 &&
    typeof v.expiresAt === 'number' &&
    typeof v.receivedAt === 'number' &&
    (v.refreshToken === undefined || typeof v.refreshToken === 'string')
  );
}
