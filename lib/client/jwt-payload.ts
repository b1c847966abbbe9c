/** The claims the client reads from an access token. */
export interface AccessTokenTimes {
  /** `exp`, seconds since the epoch. */
  exp?: number;
  /** `iat`, seconds since the epoch. */
  iat?: number;
}

/**
 * Reads `exp` and `iat` from a compact JWT without verifying it. The client
 * only needs to know *when* to refresh; whether the token is genuine is the
 * server's business, and the client holds no key to check it anyway.
 * Returns `{}` for anything that is not a readable JWT.
 * @publicApi
 */
export function readAccessTokenTimes(token: string): AccessTokenTimes {
  const claims = readClaims(token);
  const times: AccessTokenTimes = {};
  if (typeof claims.exp === 'number' && Number.isFinite(claims.exp)) times.exp = claims.exp;
  if (typeof claims.iat === 'number' && Number.isFinite(claims.iat)) times.iat = claims.iat;
  return times;
}

/**
 * The session id (`sid`) of an access token, unverified, or `undefined`. Tabs
 * use it to accept tokens only for the session they are in: it is a filter
 * against mix-ups and hostile messages, not proof that a token is genuine.
 */
export function readSessionId(token: string): string | undefined {
  const sid = readClaims(token).sid;
  return typeof sid === 'string' && sid.length > 0 ? sid : undefined;
}

function readClaims(token: string): Record<string, unknown> {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return {};
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(parts[1]));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// atob and TextDecoder exist in every browser and in Node >= 16, so no Buffer:
// the same code runs in both.
function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}
