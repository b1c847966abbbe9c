import type { AccessTokenClaims } from './access-token-claims.interface.js';

/** Entries kept when no size is given. */
export const VERIFIED_TOKEN_CACHE_DEFAULT_SIZE = 10_000;

/**
 * Tokens longer than this are verified every time and never cached, so a few
 * very large tokens cannot make the cache's memory use grow past
 * `maxEntries` small ones.
 */
export const VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH = 4096;

// When the cache is full, expired entries are swept first, at most this often (not a scan per insert).
const SWEEP_INTERVAL_MS = 1000;

interface CachedToken {
  /** The whole token: an entry is found by its signature segment, and only this exact string may use it. */
  token: string;
  /**
   * Every hit gets its own copy, so no caller can change what the next one
   * gets: a spread of `flat` when every claim is a primitive (the usual case,
   * and far cheaper), else a parse of `json`.
   */
  flat: AccessTokenClaims | null;
  json: string;
  exp: number;
  sid: string;
  sub: string;
}

/**
 * Access tokens whose signature and header already passed, keyed by the exact
 * token string, so a token presented again skips the crypto and the decoding.
 *
 * What makes it safe:
 * - only tokens that passed every check are stored, and only a byte-identical
 *   token string can hit an entry;
 * - an entry is never served once `now > exp + clockTolerance`: the same
 *   comparison as the uncached path, evaluated at read time against the
 *   caller's clock (never a TTL fixed at insert time, which is how fast-jwt
 *   once served expired tokens that lacked `iat`, GHSA-x937-hj6v-793p);
 * - the caller still runs its time checks (`exp`, `nbf`, `iat`) on every hit,
 *   so a clock that moves backwards is handled exactly as without the cache;
 * - revocation drops entries (`dropSession`, `dropSubject`, `delete`, `clear`), found through an index
 *   by session and by subject, so a revocation costs that session's entries, not the cache's size.
 *
 * Bounded to `maxEntries`; when full, expired entries go first, then the
 * oldest. One instance belongs to one key ring and one set of options.
 */
export class VerifiedTokenCache {
  // Keyed by the signature segment (shorter, as distinctive); an entry serves only the exact token it holds.
  private readonly entries = new Map<string, CachedToken>();
  // Keys of each session's and each subject's entries: a revocation drops its tokens without scanning the cache.
  private readonly bySid = new Map<string, Set<string>>();
  private readonly bySub = new Map<string, Set<string>>();
  private nextSweepAt = 0;

  constructor(readonly maxEntries: number = VERIFIED_TOKEN_CACHE_DEFAULT_SIZE) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new TypeError(`VerifiedTokenCache: "maxEntries" must be a non-negative integer (0 turns the cache off); got ${maxEntries}.`);
    }
  }

  /** Number of entries held, expired or not. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * A fresh copy of the claims of a cached token, or `undefined` when the
   * token is not cached or is expired at `nowMs` given `clockTolerance`
   * (seconds); an expired entry is dropped on the spot.
   */
  get(token: string, nowMs: number, clockTolerance: number): AccessTokenClaims | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    // Same signature, other header or payload: a forgery reusing a real token's signature, verified in full.
    if (entry === undefined || entry.token !== token) return undefined;
    // Same inequality as the uncached check, so the cache can never stretch a token's life by a millisecond.
    if (!(nowMs / 1000 <= entry.exp + clockTolerance)) {
      this.remove(key, entry);
      return undefined;
    }
    // A spread defines own properties (no __proto__ setter), exactly as JSON.parse does.
    return entry.flat ? { ...entry.flat } : (JSON.parse(entry.json) as AccessTokenClaims);
  }

  /**
   * Remembers a token that passed every check. Call only after verification
   * succeeded; `claims` is copied, so the caller may hand the object out.
   */
  set(token: string, claims: AccessTokenClaims, nowMs: number): void {
    if (this.maxEntries === 0 || token.length > VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH) return;
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return;
    const key = keyOf(token);
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    if (this.entries.size >= this.maxEntries) this.makeRoom(nowMs);
    const json = JSON.stringify(claims);
    const copy = JSON.parse(json) as AccessTokenClaims;
    const flat = Object.values(copy).every((value) => value === null || typeof value !== 'object') ? Object.freeze(copy) : null;
    const entry = { token, flat, json, exp: claims.exp, sid: String(claims.sid), sub: String(claims.sub) };
    this.entries.set(key, entry);
    addTo(this.bySid, entry.sid, key);
    addTo(this.bySub, entry.sub, key);
  }

  /** Forgets one token. Returns whether it was cached. */
  delete(token: string): boolean {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (entry?.token !== token) return false;
    this.remove(key, entry);
    return true;
  }

  /** Forgets every token of a session: call it when the session is revoked. Returns how many were dropped. */
  dropSession(sid: string): number {
    return this.dropKeys(this.bySid.get(sid));
  }

  /** Forgets every token of a subject (logout everywhere, password change). Returns how many were dropped. */
  dropSubject(sub: string): number {
    return this.dropKeys(this.bySub.get(sub));
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.bySid.clear();
    this.bySub.clear();
  }

  private makeRoom(nowMs: number): void {
    if (nowMs >= this.nextSweepAt) {
      this.nextSweepAt = nowMs + SWEEP_INTERVAL_MS;
      // Without tolerance: an entry this close to its end is cheap to verify again.
      this.dropWhere((entry) => nowMs / 1000 > entry.exp);
    }
    // A Map iterates in insertion order, so its first key is the oldest entry.
    while (this.entries.size >= this.maxEntries) {
      const [key, entry] = this.entries.entries().next().value as [string, CachedToken];
      this.remove(key, entry);
    }
  }

  private dropKeys(keys: Set<string> | undefined): number {
    if (!keys) return 0;
    let dropped = 0;
    for (const key of [...keys]) {
      const entry = this.entries.get(key);
      if (entry) {
        this.remove(key, entry);
        dropped++;
      }
    }
    return dropped;
  }

  // Only the (rare) sweep of a full cache scans; it runs at most once a second.
  private dropWhere(predicate: (entry: CachedToken) => boolean): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (predicate(entry)) {
        this.remove(key, entry);
        dropped++;
      }
    }
    return dropped;
  }

  private remove(key: string, entry: CachedToken): void {
    this.entries.delete(key);
    removeFrom(this.bySid, entry.sid, key);
    removeFrom(this.bySub, entry.sub, key);
  }
}

function addTo(index: Map<string, Set<string>>, name: string, key: string): void {
  const keys = index.get(name);
  if (keys) keys.add(key);
  else index.set(name, new Set([key]));
}

function removeFrom(index: Map<string, Set<string>>, name: string, key: string): void {
  const keys = index.get(name);
  if (keys?.delete(key) && keys.size === 0) index.delete(name);
}

/** The signature segment (everything after the last dot), or the whole string when there is no dot. */
function keyOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}
