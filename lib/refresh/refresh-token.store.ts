import type { RefreshSession, RevocationReason, RotationUpdate } from './refresh-session.interface.js';

/**
 * Where sessions live. Implement it to keep sessions in Postgres, Mongo, etc.
 * The one hard rule: `rotate` is a compare-and-swap, atomic across every
 * instance sharing the store, so two requests can never both rotate one token.
 * A store should keep each session until `sessionRetainUntil(session)` and may forget it after.
 * Throw any error when the backend is unreachable: the service answers 503 `AUTH_STORE_UNAVAILABLE`.
 * @publicApi
 */
export interface RefreshTokenStore {
  /** Saves a new session. */
  create(session: RefreshSession): Promise<void>;
  /** The session, or `null` when unknown or forgotten. */
  get(sid: string): Promise<RefreshSession | null>;
  /**
   * Applies `update` only if the session exists, is not revoked, and still has
   * `expected.generation` and `expected.tokenHash`. Returns whether it did.
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
  /** Marks the session revoked (keeping it, so its tokens answer REVOKED). Returns whether it was live. */
  revoke(sid: string, reason: RevocationReason, at: number): Promise<boolean>;
  /** Every session of a subject still kept, revoked or not. */
  listBySubject(sub: string): Promise<RefreshSession[]>;
  /** Releases what the store owns (timers, connections it opened). Called on application shutdown. */
  close?(): Promise<void>;
}

/** Injection token of the store: `@Inject(RefreshTokenStore)`. Same name as the interface on purpose. @publicApi */
export const RefreshTokenStore = Symbol('RefreshTokenStore');
