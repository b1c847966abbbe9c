import type { RefreshSession } from './refresh-session.interface.js';
// How the memory store keeps a session and hands out copies of it.

// Sessions without custom claims (the usual case) share this one frozen object instead of an empty one each.
export const NO_CLAIMS: Record<string, unknown> = Object.freeze({});

/**
 * A fresh object for the caller, field by field (one shape, and no stray property of the stored object leaks out).
 * Claims are copied too: a caller mutating what it passed in or got back must not change the stored session.
 */
export function copySession(s: RefreshSession): RefreshSession {
  const out: RefreshSession = {
    sid: s.sid,
    sub: s.sub,
    // The shared empty claims are frozen, so handing them out is safe and saves a clone per read.
    claims: s.claims === NO_CLAIMS ? NO_CLAIMS : structuredClone(s.claims),
    generation: s.generation,
    tokenHash: s.tokenHash,
    // Stored sessions leave these out while they are null (see `stored`); callers always see them.
    previousTokenHash: s.previousTokenHash ?? null,
    rotatedAt: s.rotatedAt ?? null,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    absoluteExpiresAt: s.absoluteExpiresAt,
    lastUsedAt: s.lastUsedAt,
    revokedAt: s.revokedAt ?? null,
  };
  if (s.lastIp !== undefined) out.lastIp = s.lastIp;
  if (s.lastUserAgent !== undefined) out.lastUserAgent = s.lastUserAgent;
  if (s.revokedReason !== undefined) out.revokedReason = s.revokedReason;
  return out;
}

/**
 * The copy kept in the map. A new session's null fields are left out until a
 * rotation or revocation sets them: 24 bytes less for each of the (many) sessions
 * that never rotate. Readers compare them with `!= null`.
 */
export function storedSession(session: RefreshSession): RefreshSession {
  const { previousTokenHash, rotatedAt, revokedAt, ...rest } = session;
  const out = rest as RefreshSession;
  if (Object.keys(session.claims ?? {}).length === 0) out.claims = NO_CLAIMS;
  else out.claims = structuredClone(session.claims);
  if (previousTokenHash !== null) out.previousTokenHash = previousTokenHash;
  if (rotatedAt !== null) out.rotatedAt = rotatedAt;
  if (revokedAt !== null) out.revokedAt = revokedAt;
  return out;
}
