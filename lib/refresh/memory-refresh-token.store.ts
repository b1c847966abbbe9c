import type { RefreshSession, RevocationReason, RotationUpdate } from './refresh-session.interface.js';
import { sessionRetainUntil } from './refresh-session.interface.js';
import type { RefreshTokenStore } from './refresh-token.store.js';

/** Options of the in-memory store. @publicApi */
export interface MemoryRefreshTokenStoreOptions {
  /** Most sessions kept at once. When full, expired ones are swept, then the oldest session is dropped. Default `100000`. */
  maxSessions?: number;
  /** How often expired sessions are swept, in milliseconds. Default `60000`. */
  sweepIntervalMs?: number;
  /** Clock in milliseconds; replace only in tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * The default store: one process, no persistence. Every operation runs inside
 * one synchronous stretch of JavaScript, which is what makes `rotate` atomic.
 * Use the Redis store when more than one instance serves the same users.
 * @publicApi
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  private readonly sessions = new Map<string, RefreshSession>();
  // Most subjects have one session: a bare sid costs nothing extra, a Set (~150 bytes) only appears at the second.
  private readonly bySubject = new Map<string, string | Set<string>>();
  private readonly maxSessions: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryRefreshTokenStoreOptions = {}) {
    this.maxSessions = options.maxSessions ?? 100_000;
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) {
      throw new Error(`MemoryRefreshTokenStore: "maxSessions" must be a positive integer; got ${options.maxSessions}.`);
    }
    this.now = options.now ?? Date.now;
    const interval = options.sweepIntervalMs ?? 60_000;
    // Node clamps a zero, negative or NaN interval to 1 ms: a full sweep every millisecond.
    if (!Number.isFinite(interval) || interval < 1) {
      throw new Error(`MemoryRefreshTokenStore: "sweepIntervalMs" must be a positive number of milliseconds; got ${options.sweepIntervalMs}.`);
    }
    this.timer = setInterval(() => this.sweep(), interval);
    // The sweep must never keep a process (or a Jest worker) alive on its own.
    this.timer.unref();
  }

  /** Number of sessions kept, live or awaiting forgetting. */
  get size(): number {
    return this.sessions.size;
  }

  async create(session: RefreshSession): Promise<void> {
    // A replaced session may have had another subject; leaving it indexed there would list it under both.
    this.forget(session.sid);
    if (this.sessions.size >= this.maxSessions) this.sweep();
    if (this.sessions.size >= this.maxSessions) {
      // Full of live sessions: drop the oldest. Its owner is asked to log in again; refusing logins instead would lock everyone out.
      const oldest = this.sessions.keys().next().value as string;
      this.forget(oldest);
    }
    this.sessions.set(session.sid, stored(session));
    const sids = this.bySubject.get(session.sub);
    if (sids === undefined) this.bySubject.set(session.sub, session.sid);
    else if (typeof sids === 'string') this.bySubject.set(session.sub, new Set([sids, session.sid]));
    else sids.add(session.sid);
  }

  async get(sid: string): Promise<RefreshSession | null> {
    const session = this.live(sid);
    return session ? copy(session) : null;
  }

  async rotate(sid: string, expected: { generation: number; tokenHash: string }, update: RotationUpdate): Promise<boolean> {
    const session = this.live(sid);
    if (!session || session.revokedAt != null) return false;
    if (session.generation !== expected.generation || session.tokenHash !== expected.tokenHash) return false;
    // Field by field: an update object carrying extra properties must not smuggle them into the session,
    // and an absent lastIp/lastUserAgent means the rotating request had none, as in every other store.
    session.generation = update.generation;
    session.tokenHash = update.tokenHash;
    session.previousTokenHash = update.previousTokenHash;
    session.rotatedAt = update.rotatedAt;
    session.expiresAt = update.expiresAt;
    session.lastUsedAt = update.lastUsedAt;
    if (update.lastIp === undefined) delete session.lastIp;
    else session.lastIp = update.lastIp;
    if (update.lastUserAgent === undefined) delete session.lastUserAgent;
    else session.lastUserAgent = update.lastUserAgent;
    return true;
  }

  async revoke(sid: string, reason: RevocationReason, at: number): Promise<boolean> {
    const session = this.live(sid);
    if (!session || session.revokedAt != null) return false;
    session.revokedAt = at;
    session.revokedReason = reason;
    return true;
  }

  async listBySubject(sub: string): Promise<RefreshSession[]> {
    const out: RefreshSession[] = [];
    const sids = this.bySubject.get(sub);
    for (const sid of typeof sids === 'string' ? [sids] : (sids ?? [])) {
      const session = this.live(sid);
      if (session) out.push(copy(session));
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Forgets every session past its retention. Runs on a timer and when the store is full. */
  sweep(): void {
    const now = this.now();
    for (const [sid, session] of this.sessions) {
      if (sessionRetainUntil(session) <= now) this.forget(sid);
    }
  }

  private live(sid: string): RefreshSession | undefined {
    const session = this.sessions.get(sid);
    if (session && sessionRetainUntil(session) <= this.now()) {
      this.forget(sid);
      return undefined;
    }
    return session;
  }

  private forget(sid: string): void {
    const session = this.sessions.get(sid);
    if (!session) return;
    this.sessions.delete(sid);
    const sids = this.bySubject.get(session.sub);
    if (sids === sid) this.bySubject.delete(session.sub);
    else if (typeof sids === 'object') {
      sids.delete(sid);
      if (sids.size === 1) this.bySubject.set(session.sub, sids.values().next().value as string);
    }
  }
}

// Sessions without custom claims (the usual case) share this one frozen object instead of an empty one each.
const NO_CLAIMS: Record<string, unknown> = Object.freeze({});

/**
 * A fresh object for the caller, field by field (one shape, and no stray property of the stored object leaks out).
 * Claims are copied too: a caller mutating what it passed in or got back must not change the stored session.
 */
function copy(s: RefreshSession): RefreshSession {
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
function stored(session: RefreshSession): RefreshSession {
  const { previousTokenHash, rotatedAt, revokedAt, ...rest } = session;
  const out = rest as RefreshSession;
  if (Object.keys(session.claims ?? {}).length === 0) out.claims = NO_CLAIMS;
  else out.claims = structuredClone(session.claims);
  if (previousTokenHash !== null) out.previousTokenHash = previousTokenHash;
  if (rotatedAt !== null) out.rotatedAt = rotatedAt;
  if (revokedAt !== null) out.revokedAt = revokedAt;
  return out;
}
