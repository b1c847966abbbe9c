import type { RefreshSession, RevocationReason, RotationUpdate } from './refresh-session.interface.js';
import { sessionRetainUntil } from './refresh-session.interface.js';
import type { CreateSessionOptions, CreateSessionResult, RefreshTokenStore, SubjectRevocation } from './refresh-token.store.js';
import type { RevocationListener, RevocationNotice } from './revocation-notice.interface.js';
import { MemorySubjectIndex } from './memory-subject.index.js';
import { copySession, NO_CLAIMS, storedSession } from './memory-session.copy.js';

/** Options of the in-memory store. @publicApi */
export interface MemoryRefreshTokenStoreOptions {
  /**
   * Most sessions kept at once. When full, revoked sessions go first (oldest revocation first; their
   * tokens then answer as unknown), then expired ones are swept, then the oldest session is dropped.
   * Default `100000`.
   */
  maxSessions?: number;
  /** How often expired sessions are swept, in milliseconds. Default `60000`. */
  sweepIntervalMs?: number;
  /** Clock in milliseconds; replace only in tests. Default: the module's `clock` option, else `Date.now`. */
  now?: () => number;
}

/**
 * The default store: one process, no persistence. Every operation runs inside
 * one synchronous stretch of JavaScript, which is what makes `rotate`, the per-subject cap and
 * `revokeSubject` atomic. Use the Redis store when more than one instance serves the same users.
 * @publicApi
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  private readonly sessions = new Map<string, RefreshSession>();
  // A subject's sessions that are not revoked, least recently used first. Revoked sessions leave it for `retired`.
  private readonly bySubject = new MemorySubjectIndex();
  // Revoked sessions still kept (their tokens answer REVOKED), oldest revocation first: what a full store drops first.
  private readonly retired = new Set<string>();
  // The latest log-out-everywhere per subject; a login whose create lands after it but began before it is ended on arrival.
  private readonly epochs = new Map<string, SubjectRevocation>();
  private readonly listeners = new Set<RevocationListener>();
  private readonly maxSessions: number;
  private now: () => number;
  private readonly ownClock: boolean;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryRefreshTokenStoreOptions = {}) {
    this.maxSessions = options.maxSessions ?? 100_000;
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) {
      throw new Error(`MemoryRefreshTokenStore: "maxSessions" must be a positive integer; got ${options.maxSessions}.`);
    }
    this.now = options.now ?? Date.now;
    this.ownClock = options.now !== undefined;
    const interval = options.sweepIntervalMs ?? 60_000;
    // Node clamps a zero, negative or NaN interval to 1 ms: a full sweep every millisecond.
    if (!Number.isFinite(interval) || interval < 1) {
      throw new Error(`MemoryRefreshTokenStore: "sweepIntervalMs" must be a positive number of milliseconds; got ${options.sweepIntervalMs}.`);
    }
    this.timer = setInterval(() => this.sweep(), interval);
    // The sweep must never keep a process (or a Jest worker) alive on its own.
    this.timer.unref();
  }

  useClock(clock: () => number): void {
    if (!this.ownClock) this.now = clock;
  }

  /** Number of sessions kept, live or awaiting forgetting. */
  get size(): number {
    return this.sessions.size;
  }

  async create(session: RefreshSession, options: CreateSessionOptions = {}): Promise<CreateSessionResult> {
    // A replaced session may have had another subject; leaving it indexed there would list it under both.
    this.forget(session.sid);
    const evicted = this.makeRoomFor(session.sub, options.maxSessionsPerSubject);
    if (this.sessions.size >= this.maxSessions) this.makeRoom();
    const kept = storedSession(session);
    const epoch = this.epochs.get(session.sub);
    if (kept.revokedAt == null && epoch && session.createdAt < epoch.at) {
      // Began before a log-out-everywhere that has already answered: it is ended on arrival.
      kept.revokedAt = epoch.at;
      kept.revokedReason = epoch.reason;
    }
    this.sessions.set(session.sid, kept);
    if (kept.revokedAt != null) this.retired.add(session.sid);
    else this.bySubject.add(session.sub, session.sid);
    return { evicted };
  }

  async get(sid: string): Promise<RefreshSession | null> {
    const session = this.live(sid);
    return session ? copySession(session) : null;
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
    // Most recently used now: the last the per-subject cap would end.
    this.bySubject.add(session.sub, sid);
    return true;
  }

  async revoke(sid: string, reason: RevocationReason, at: number, sub?: string): Promise<boolean> {
    const session = this.live(sid);
    if (!session || session.revokedAt != null || (sub !== undefined && session.sub !== sub)) return false;
    this.markRevoked(session, reason, at);
    this.announce({ kind: 'session', sid });
    return true;
  }

  async updateClaims(sid: string, claims: Record<string, unknown>): Promise<boolean> {
    const session = this.live(sid);
    if (!session || session.revokedAt != null) return false;
    session.claims = Object.keys(claims).length === 0 ? NO_CLAIMS : structuredClone(claims);
    return true;
  }

  async revokeSubject(sub: string, revocation: SubjectRevocation): Promise<number> {
    const { at, reason, keepUntil, exceptSid } = revocation;
    const previous = this.epochs.get(sub);
    // An epoch only ever rises, and is kept as long as the latest of the revocations asked.
    this.epochs.set(sub, {
      at: Math.max(at, previous?.at ?? -Infinity),
      reason: previous && previous.at > at ? previous.reason : reason,
      keepUntil: Math.max(keepUntil, previous?.keepUntil ?? -Infinity),
    });
    let ended = 0;
    for (const sid of this.bySubject.list(sub)) {
      const session = this.live(sid);
      if (!session || sid === exceptSid) continue;
      this.markRevoked(session, reason, at);
      ended++;
    }
    this.announce({ kind: 'subject', sub, at, ...(exceptSid !== undefined && { exceptSid }) });
    return ended;
  }

  async listBySubject(sub: string): Promise<RefreshSession[]> {
    const out: RefreshSession[] = [];
    for (const sid of this.bySubject.list(sub)) {
      const session = this.live(sid);
      if (session) out.push(copySession(session));
    }
    return out;
  }

  onRevocation(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  /** Forgets every session past its retention, and epochs no session needs any more. Runs on a timer and when the store is full. */
  sweep(): void {
    const now = this.now();
    for (const [sid, session] of this.sessions) {
      if (sessionRetainUntil(session) <= now) this.forget(sid);
    }
    for (const [sub, epoch] of this.epochs) if (epoch.keepUntil <= now) this.epochs.delete(sub);
  }

  /** Ends the subject's least recently used live sessions until the new one fits under `max`. */
  private makeRoomFor(sub: string, max: number | undefined): string[] {
    if (max === undefined || this.bySubject.count(sub) < max) return [];
    const evicted: string[] = [];
    const now = this.now();
    // Only a login at the cap gets here, and walks a copy while it revokes.
    for (const sid of this.bySubject.list(sub)) {
      if (this.bySubject.count(sub) < max) break;
      const session = this.live(sid);
      if (!session) continue;
      this.markRevoked(session, 'session_limit', now);
      evicted.push(sid);
      this.announce({ kind: 'session', sid });
    }
    return evicted;
  }

  /** Full: revoked sessions go first, then expired ones; only a store full of live sessions drops the oldest. */
  private makeRoom(): void {
    const oldestRetired = this.retired.values().next();
    if (!oldestRetired.done) return this.forget(oldestRetired.value);
    this.sweep();
    // Full of live sessions: drop the oldest. Its owner is asked to log in again; refusing logins instead would lock everyone out.
    if (this.sessions.size >= this.maxSessions) this.forget(this.sessions.keys().next().value as string);
  }

  private markRevoked(session: RefreshSession, reason: RevocationReason, at: number): void {
    session.revokedAt = at;
    session.revokedReason = reason;
    this.bySubject.delete(session.sub, session.sid);
    this.retired.add(session.sid);
  }

  private announce(notice: RevocationNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch {
        // A listener's failure is its own: the revocation stands and the other listeners still hear of it.
      }
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
    this.retired.delete(sid);
    this.bySubject.delete(session.sub, sid);
  }
}
