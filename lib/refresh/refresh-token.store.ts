import type { RefreshSession, RevocationReason, RotationUpdate } from './refresh-session.interface.js';
import type { RevocationListener } from './revocation-notice.interface.js';

/** What `create` is told about the subject's other sessions. @publicApi */
export interface CreateSessionOptions {
  /**
   * Live sessions the subject may hold, the new one included. When the subject already holds this many,
   * the store ends its least recently used ones (`revokedReason: 'session_limit'`) in the same atomic
   * step, and never touches another subject's session. Default: no limit.
   */
  maxSessionsPerSubject?: number;
}

/** What `create` did besides saving the session. @publicApi */
export interface CreateSessionResult {
  /** Sessions of the same subject ended to keep it within `maxSessionsPerSubject`. */
  evicted: string[];
}

/** A log-out-everywhere as a store records it. @publicApi */
export interface SubjectRevocation {
  /**
   * The revocation epoch, ms since the epoch: every session of the subject created before it is ended,
   * whether or not the store's indexes know about it, and whenever its `create` arrives.
   */
  at: number;
  reason: RevocationReason;
  /** Until when the store must remember the epoch: the latest retention of any session created before `at`. */
  keepUntil: number;
  /** One session that survives (log out *other* sessions): the caller's own, when it is still live. */
  exceptSid?: string;
}

/**
 * Where sessions live. Implement it to keep sessions in Postgres, Mongo, etc.
 * The hard rules:
 * - `rotate` is a compare-and-swap, atomic across every instance sharing the store, so two requests can
 *   never both rotate one token, and it refuses a session ended by its subject's revocation epoch;
 * - `revokeSubject` ends every session of the subject created before the epoch, including sessions
 *   the store's indexes lost and logins whose `create` lands after it; `get` and `listBySubject` show
 *   such a session as revoked (`revokedAt` = the epoch, `revokedReason` = the epoch's reason).
 * A store should keep each session until `sessionRetainUntil(session)` and may forget it after.
 * Throw any error when the backend is unreachable: the service answers 503 `AUTH_STORE_UNAVAILABLE`.
 * @publicApi
 */
export interface RefreshTokenStore {
  /**
   * Optional: the id of a new session of `sub`, for a store that places a session beside its subject's
   * keys (one Redis Cluster slot, so the session, the subject's index and its epoch change in one atomic
   * step). It must be 16 bytes in base64url (22 characters) with at least 96 random bits.
   * Default: 128 random bits.
   */
  newSessionId?(sub: string): string;
  /**
   * Saves a new session (replacing any under the same sid) and, given `maxSessionsPerSubject`,
   * ends the subject's least recently used live sessions beyond it, atomically with the save.
   */
  create(session: RefreshSession, options?: CreateSessionOptions): Promise<CreateSessionResult | void>;
  /** The session, or `null` when unknown or forgotten. A session ended by its subject's epoch reads as revoked. */
  get(sid: string): Promise<RefreshSession | null>;
  /**
   * Applies `update` only if the session exists, is not revoked (by itself or by its subject's epoch),
   * and still has `expected.generation` and `expected.tokenHash`. Returns whether it did.
   * `current` is the session as the caller read it just before (the refresh
   * service always passes it): a store may use its `sub` and
   * `absoluteExpiresAt` to send follow-up writes with the rotation instead of
   * after it, but must not trust it for the compare-and-swap itself.
   */
  rotate(
    sid: string,
    expected: { generation: number; tokenHash: string },
    update: RotationUpdate,
    current?: Pick<RefreshSession, 'sub' | 'absoluteExpiresAt'>,
  ): Promise<boolean>;
  /**
   * Marks the session revoked (keeping it, so its tokens answer REVOKED). Returns whether it was live.
   * Given `sub`, revokes only a session of that subject and answers `false` for anyone else's,
   * exactly as for an unknown sid.
   */
  revoke(sid: string, reason: RevocationReason, at: number, sub?: string): Promise<boolean>;
  /**
   * Raises the subject's revocation epoch to `revocation.at` (never lowers it) and marks revoked every
   * live session it lists for the subject, except `exceptSid`, in one atomic step.
   * Returns how many listed sessions it ended; sessions it could not list are ended by the epoch all the same.
   */
  revokeSubject(sub: string, revocation: SubjectRevocation): Promise<number>;
  /**
   * Sessions of a subject still kept: every live one; revoked or expired ones a store still keeps may be
   * listed too (revoked ones then show as revoked). Cost follows this subject's sessions, not the store's.
   */
  listBySubject(sub: string): Promise<RefreshSession[]>;
  /**
   * Optional: tells `listener` about every revocation made through this store by *any* instance, so each
   * instance's session check can stop trusting its cache at once instead of after `sessionCheck.cacheTtl`.
   * Announce `{ kind: 'reset' }` whenever notices may have been missed (a dropped subscription, on reconnect).
   * Returns a function that stops listening. Stores without it keep the cache's TTL as the bound.
   */
  onRevocation?(listener: RevocationListener): () => void;
  /**
   * Optional: replaces the custom claims of a live session (not revoked, still kept), so the
   * session's next rotation, on any instance, signs them. Returns whether it did; `false` for an
   * unknown or revoked session. Without it, `SessionClaimsService.updateSessionClaims` throws.
   */
  updateClaims?(sid: string, claims: Record<string, unknown>): Promise<boolean>;
  /**
   * Optional, for stores that acknowledge writes only once they are durable (e.g. replicated): makes
   * the session as the caller read it (`expected`) durable before the caller answers from it. The
   * grace path calls it: it answers a retried refresh from a rotation that an earlier, failed request
   * applied, and that rotation must not be acknowledged before it would survive a failover.
   * Returns whether the session is still live and as read. Default: the read is trusted as it is.
   */
  confirm?(sid: string, expected: { generation: number; tokenHash: string }): Promise<boolean>;
  /**
   * Receives the module's `clock` (milliseconds), so the store and the service agree on the time:
   * a store that reads the time itself must use it, unless it was constructed with a clock of its own.
   * The module calls it once, when it builds its providers, before any other method.
   */
  useClock?(clock: () => number): void;
  /** Releases what the store owns (timers, connections it opened). Called on application shutdown. */
  close?(): Promise<void>;
}

/** Injection token of the store: `@Inject(RefreshTokenStore)`. Same name as the interface on purpose. @publicApi */
export const RefreshTokenStore = Symbol('RefreshTokenStore');
