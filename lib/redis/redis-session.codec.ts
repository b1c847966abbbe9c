import type { RefreshSession, RevocationReason } from '../refresh/refresh-session.interface.js';

// Field names are short because a deployment keeps one hash per session, possibly millions.
// Optional fields (p, r, ip, ua, x, xr) are absent rather than empty so null/undefined survive the round trip.
// 'ep' (the stamp a log-out-others gives the session it spares) is the store's own and never read back as a field.

/** The session as the flat field/value list HSET takes. */
export function encodeSession(s: RefreshSession): string[] {
  const fields = [
    'u', s.sub,
    'c', JSON.stringify(s.claims ?? {}),
    'g', String(s.generation),
    'h', s.tokenHash,
    'ca', String(s.createdAt),
    'e', String(s.expiresAt),
    'a', String(s.absoluteExpiresAt),
    'l', String(s.lastUsedAt),
  ];
  if (s.previousTokenHash !== null) fields.push('p', s.previousTokenHash);
  if (s.rotatedAt !== null) fields.push('r', String(s.rotatedAt));
  if (s.lastIp !== undefined) fields.push('ip', s.lastIp);
  if (s.lastUserAgent !== undefined) fields.push('ua', s.lastUserAgent);
  if (s.revokedAt !== null) fields.push('x', String(s.revokedAt));
  if (s.revokedReason !== undefined) fields.push('xr', s.revokedReason);
  return fields;
}

const REQUIRED_FIELDS = ['u', 'c', 'g', 'h', 'ca', 'e', 'a', 'l'] as const;

/** The subject's revocation epoch as a script read it: `[at, reason]`, each null when there is none. */
export type EpochReply = [string | null, string | null];

/**
 * A session from its hash (a field/value list as scripts return it, or an object as HGETALL gives it),
 * shown revoked when its subject's epoch covers it. `null` for an empty hash.
 */
export function decodeSession(sid: string, raw: unknown, key: string, epoch: EpochReply = [null, null]): RefreshSession | null {
  const h = asRecord(raw, key);
  if (Object.keys(h).length === 0) return null;
  const missing = REQUIRED_FIELDS.filter((f) => h[f] === undefined);
  let claims: unknown;
  try {
    claims = missing.length === 0 ? JSON.parse(h.c) : undefined;
  } catch {
    claims = undefined;
  }
  if (missing.length > 0 || typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    // A foreign key under our prefix, or a writer of another version: refusing beats guessing a session.
    throw new Error(
      `RedisRefreshTokenStore: "${key}" does not hold a session written by this store` +
        (missing.length > 0 ? ` (missing ${missing.join(', ')})` : ' (claims are not a JSON object)') +
        '. Check that no other application writes under the same "keyPrefix".',
    );
  }
  const session: RefreshSession = {
    sid,
    sub: h.u,
    claims: claims as Record<string, unknown>,
    generation: Number(h.g),
    tokenHash: h.h,
    previousTokenHash: h.p ?? null,
    rotatedAt: h.r === undefined ? null : Number(h.r),
    createdAt: Number(h.ca),
    expiresAt: Number(h.e),
    absoluteExpiresAt: Number(h.a),
    lastUsedAt: Number(h.l),
    revokedAt: h.x === undefined ? null : Number(h.x),
  };
  if (h.ip !== undefined) session.lastIp = h.ip;
  if (h.ua !== undefined) session.lastUserAgent = h.ua;
  if (h.xr !== undefined) session.revokedReason = h.xr as RevocationReason;
  const [epochAt, epochReason] = epoch;
  // Ended by a log-out-everywhere that its hash has not recorded (its index entry was lost, or it landed late).
  if (session.revokedAt === null && epochAt !== null && Number(h.ep ?? h.ca) < Number(epochAt)) {
    session.revokedAt = Number(epochAt);
    session.revokedReason = (epochReason ?? 'logout_all') as RevocationReason;
  }
  return session;
}

/** The GET script's reply: the session's fields and its subject's epoch, or null. */
export function getReply(reply: unknown): { fields: unknown; epoch: EpochReply } | null {
  if (reply === null) return null;
  if (!Array.isArray(reply) || reply.length !== 3) throw unexpected('get', reply);
  return { fields: reply[0], epoch: [nullable(reply[1]), nullable(reply[2])] };
}

/** The LIST script's reply: the subject's epoch, then sid and fields of each listed session. */
export function listReply(reply: unknown): { epoch: EpochReply; sessions: Array<{ sid: string; fields: unknown }> } {
  if (!Array.isArray(reply) || reply.length < 2 || reply.length % 2 !== 0) throw unexpected('list', reply);
  const sessions: Array<{ sid: string; fields: unknown }> = [];
  for (let i = 2; i < reply.length; i += 2) {
    if (typeof reply[i] !== 'string') throw unexpected('list', reply);
    sessions.push({ sid: reply[i] as string, fields: reply[i + 1] });
  }
  return { epoch: [nullable(reply[0]), nullable(reply[1])], sessions };
}

/** The CREATE script's reply: the sids it evicted. */
export function createReply(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((sid) => typeof sid === 'string')) throw unexpected('create', reply);
  return reply as string[];
}

function nullable(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function asRecord(raw: unknown, key: string): Record<string, string> {
  if (!Array.isArray(raw)) {
    if (raw !== null && typeof raw === 'object') return raw as Record<string, string>;
    throw new Error(`RedisRefreshTokenStore: "${key}" is not a hash.`);
  }
  // No prototype: a field named "__proto__" in a foreign hash stays a field.
  const out = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i])] = String(raw[i + 1]);
  return out;
}

function unexpected(script: string, reply: unknown): Error {
  return new Error(`RedisRefreshTokenStore: unexpected reply from the ${script} script: ${JSON.stringify(reply)}.`);
}
