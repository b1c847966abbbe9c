import type { RevocationNotice } from './revocation-notice.interface.js';

interface Entry {
  active: boolean;
  until: number;
  sub: string | undefined;
}

/**
 * What one instance last learned about sessions, for the guard's session check.
 *
 * The trade-off it embodies: asking the store on every request makes a logout
 * effective at once everywhere but costs a store round trip per request (a
 * network hop with Redis). Caching for `ttlMs` alone makes a revocation done on
 * *another* instance take effect up to `ttlMs` late. With a store that announces
 * revocations (`onRevocation`), `apply()` drops what a notice names as soon as it
 * arrives, and a `reset` (notices possibly missed) drops everything; the TTL is
 * then only the bound for a store without announcements. Revocations done on this
 * instance are written here immediately. Revoked is final, so it is cached too.
 */
export class SessionStatusCache {
  private readonly entries = new Map<string, Entry>();
  // Sids cached per subject, so a log-out-everywhere notice drops that subject's entries without a scan.
  private readonly bySub = new Map<string, Set<string>>();
  // Bumped by every revocation learned: a store read that began before one must not cache what it read.
  private revision = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** The cached state, or `undefined` when unknown or stale. */
  get(sid: string): boolean | undefined {
    if (this.ttlMs <= 0) return undefined;
    const entry = this.entries.get(sid);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.delete(sid);
      return undefined;
    }
    return entry.active;
  }

  /** Pass to `set` what this returned before the store read, so a read overtaken by a revocation is not cached. */
  mark(): number {
    return this.revision;
  }

  set(sid: string, active: boolean, sub?: string, markedAt?: number): void {
    if (this.ttlMs <= 0) return;
    if (markedAt !== undefined && markedAt !== this.revision) return;
    // Re-inserting moves the key to the end, so the first key is always the oldest: cheap FIFO eviction.
    this.delete(sid);
    if (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value as string);
    this.entries.set(sid, { active, until: this.now() + this.ttlMs, sub });
    if (sub === undefined) return;
    const sids = this.bySub.get(sub);
    if (sids) sids.add(sid);
    else this.bySub.set(sub, new Set([sid]));
  }

  /** A revocation made by this instance: its own guard stops accepting the session at once. */
  markRevoked(sid: string): void {
    this.revision++;
    const entry = this.entries.get(sid);
    if (entry) entry.active = false;
  }

  /**
   * Sessions of `sub` were ended (except `exceptSid`): forget what is cached about them, so the next
   * check asks the store (which knows which of them the epoch covers).
   */
  forgetSubject(sub: string, exceptSid?: string): void {
    this.revision++;
    for (const sid of [...(this.bySub.get(sub) ?? [])]) if (sid !== exceptSid) this.delete(sid);
  }

  /** What a store announced, from any instance. */
  apply(notice: RevocationNotice): void {
    if (notice.kind === 'session') this.markRevoked(notice.sid);
    else if (notice.kind === 'subject') this.forgetSubject(notice.sub, notice.exceptSid);
    else this.clear();
  }

  clear(): void {
    this.revision++;
    this.entries.clear();
    this.bySub.clear();
  }

  private delete(sid: string): void {
    const entry = this.entries.get(sid);
    if (!entry) return;
    this.entries.delete(sid);
    if (entry.sub === undefined) return;
    const sids = this.bySub.get(entry.sub);
    if (sids?.delete(sid) && sids.size === 0) this.bySub.delete(entry.sub);
  }
}
