/**
 * What one instance last learned about sessions, for the guard's session check.
 *
 * The trade-off it embodies: asking the store on every request makes a logout
 * effective at once everywhere but costs a store round trip per request (a
 * network hop with Redis). Caching for `ttlMs` makes a revocation done on
 * *another* instance take effect up to `ttlMs` late; revocations done on this
 * instance are written here immediately. Revoked is final, so it is cached too.
 */
export class SessionStatusCache {
  private readonly entries = new Map<string, { active: boolean; until: number }>();

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
      this.entries.delete(sid);
      return undefined;
    }
    return entry.active;
  }

  set(sid: string, active: boolean): void {
    if (this.ttlMs <= 0) return;
    // Re-inserting moves the key to the end, so the first key is always the oldest: cheap FIFO eviction.
    this.entries.delete(sid);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(sid, { active, until: this.now() + this.ttlMs });
  }

  /** A revocation made by this instance: its own guard stops accepting the session at once. */
  markRevoked(sid: string): void {
    this.set(sid, false);
  }

  clear(): void {
    this.entries.clear();
  }
}
