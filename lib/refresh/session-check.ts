import type { VerifiedTokenCache } from '../tokens/verified-token.cache.js';
import type { RefreshSession } from './refresh-session.interface.js';
import type { RefreshTokenStore } from './refresh-token.store.js';
import type { RevocationNotice } from './revocation-notice.interface.js';
import { SessionStatusCache } from './session-status.cache.js';

/** The session check's settings after validation. */
export interface SessionCheckSettings {
  enabled: boolean;
  cacheTtlMs: number;
  cacheSize: number;
}

/**
 * The guard's session check: is this access token's session still live? Answered from a per-instance
 * cache when it can (the fast path every guarded request takes), else from the store.
 *
 * With a store that announces revocations (`onRevocation`), every instance drops a revoked session
 * from its cache as soon as the notice arrives, and drops everything when notices may have been
 * missed; with any other store, a revocation made elsewhere is seen within the cache's TTL.
 */
export class SessionCheck {
  private readonly cache: SessionStatusCache;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly settings: SessionCheckSettings,
    private readonly store: RefreshTokenStore,
    private readonly read: (sid: string) => Promise<RefreshSession | null>,
    private readonly isLive: (session: RefreshSession) => boolean,
    clock: () => number,
    // The access-token verifier's cache of checked signatures: a revoked session's tokens leave it with the session.
    private readonly verifiedTokens: Pick<VerifiedTokenCache, 'dropSession' | 'dropSubject'>,
  ) {
    this.cache = new SessionStatusCache(settings.cacheTtlMs, Math.max(settings.cacheSize, 1), clock);
    if (settings.enabled && settings.cacheTtlMs > 0 && store.onRevocation) {
      this.unsubscribe = store.onRevocation((notice) => this.heard(notice));
    }
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** Cached answer when there is one, else the store's. */
  check(sid: string): Promise<boolean> | boolean {
    if (!this.settings.enabled) return true;
    const cached = this.cache.get(sid);
    return cached !== undefined ? cached : this.isActive(sid);
  }

  /** Asks the store, and caches the answer unless a revocation was learned meanwhile. */
  async isActive(sid: string): Promise<boolean> {
    if (typeof sid !== 'string' || !sid) return false;
    const mark = this.cache.mark();
    const session = await this.read(sid);
    const active = session !== null && this.isLive(session);
    this.cache.set(sid, active, session?.sub, mark);
    return active;
  }

  /** This instance ended a session: refused from now on, its verified tokens forgotten. */
  revoked(sid: string): void {
    this.cache.markRevoked(sid);
    this.verifiedTokens.dropSession(sid);
  }

  /** This instance ended sessions of a subject (all, or all but `exceptSid`). */
  subjectRevoked(sub: string, exceptSid?: string): void {
    this.cache.forgetSubject(sub, exceptSid);
    this.verifiedTokens.dropSubject(sub);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.cache.clear();
  }

  private heard(notice: RevocationNotice): void {
    this.cache.apply(notice);
  }
}
