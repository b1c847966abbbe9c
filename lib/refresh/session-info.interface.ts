/** One entry of a "your devices" page: a live session, without any token material. @publicApi */
export interface SessionInfo {
  sid: string;
  createdAt: Date;
  lastUsedAt: Date;
  /** When the current refresh token expires unless rotated (never after the session's absolute end). */
  expiresAt: Date;
  /** The session's absolute end. */
  absoluteExpiresAt: Date;
  ip?: string;
  userAgent?: string;
}
