/**
 * Why a session ended early. `logout_others`: ended by a "log out my other sessions";
 * `session_limit`: its subject's login beyond `maxSessionsPerSubject` ended it (least recently used first).
 * @publicApi
 */
export type RevocationReason = 'logout' | 'logout_all' | 'logout_others' | 'reuse_detected' | 'revoked' | 'session_limit';

/**
 * One session (a rotation chain) as a store keeps it. Only digests of refresh
 * tokens are stored. Times are milliseconds since the epoch.
 * @publicApi
 */
export interface RefreshSession {
  sid: string;
  sub: string;
  /** Custom claims copied into every access token of the session. */
  claims: Record<string, unknown>;
  /** How many rotations the session has had; the live token carries this number. */
  generation: number;
  /**
   * Digest of the live refresh token, never the token: its 128-bit HMAC-SHA-256 tag, base64url
   * (sessions written by 0.1.0 hold a SHA-256 of the token instead, and still work). Stores only compare it.
   */
  tokenHash: string;
  /** Digest of the token retired by the last rotation: the only one with a grace window. */
  previousTokenHash: string | null;
  /** When the last rotation happened. */
  rotatedAt: number | null;
  createdAt: number;
  /** Sliding end: the live refresh token's expiry, restarted by each rotation. */
  expiresAt: number;
  /** Absolute end of the session, never extended. */
  absoluteExpiresAt: number;
  lastUsedAt: number;
  lastIp?: string;
  lastUserAgent?: string;
  revokedAt: number | null;
  revokedReason?: RevocationReason;
}

/**
 * What a rotation writes, applied only if the session still is as the caller read it.
 * `lastIp`/`lastUserAgent` describe the rotating request: when absent, the stored ones are cleared, not kept.
 * @publicApi
 */
export interface RotationUpdate {
  generation: number;
  tokenHash: string;
  previousTokenHash: string;
  rotatedAt: number;
  expiresAt: number;
  lastUsedAt: number;
  lastIp?: string;
  lastUserAgent?: string;
}

/** How long a store keeps a session after it ended, so late requests still get a precise code. @publicApi */
export const SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

/** The moment a store may forget a session: its end plus one day. @publicApi */
export function sessionRetainUntil(session: Pick<RefreshSession, 'expiresAt' | 'absoluteExpiresAt'>): number {
  return Math.min(session.expiresAt, session.absoluteExpiresAt) + SESSION_RETENTION_MS;
}

/** Not revoked and before both its sliding and its absolute end. Internal: kept out of the barrels. */
export function isLiveSession(session: RefreshSession, now: number): boolean {
  return session.revokedAt === null && now < Math.min(session.expiresAt, session.absoluteExpiresAt);
}
