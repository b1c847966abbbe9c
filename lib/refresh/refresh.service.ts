import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import type { ResolvedRefreshOptions } from '../options/resolve-refresh-options.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import type { RefreshSession, RevocationReason } from './refresh-session.interface.js';
import { isLiveSession } from './refresh-session.interface.js';
import { RefreshTokenCodec } from './refresh-token.codec.js';
import { RefreshTokenStore } from './refresh-token.store.js';
import type { SessionInfo } from './session-info.interface.js';
import type { ClientContext } from './client-context.interface.js';
import type { SessionEventListener, SessionEventType } from './session-events.js';
import { clientOf, storeFields } from './client-context.fields.js';
import { SessionCheck } from './session-check.js';
import { SessionEventEmitter } from './session-event.emitter.js';
import { forwardSessionEventsTo } from './session-event.bridge.js';
import { SessionRevocation } from './session-revocation.js';
import { SessionRotation } from './session-rotation.js';
import { SessionStoreAccess } from './session-store.access.js';
import type { TokenPair } from './token-pair.interface.js';
import { tokenPair } from './token-pair.interface.js';

/**
 * Sessions and their refresh tokens: login (`issue`), silent renewal
 * (`rotate`), logout (`revokeSession`), log out everywhere
 * (`revokeAllForSubject`) and the "your devices" list (`listSessions`).
 *
 * Every refresh rotates. The token retired by the last rotation may come back
 * within `reuseGrace` and gets the *same* successor (recomputed, never stored);
 * any older token, or that one after the window, is reuse and revokes the session.
 * @publicApi
 */
@Injectable()
export class RefreshService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('RefreshService');
  private readonly codec: RefreshTokenCodec;
  private readonly settings: ResolvedRefreshOptions;
  private readonly events = new SessionEventEmitter(this.logger);
  private readonly sessionCheck: SessionCheck;
  // Plain objects composed here, not providers: they share this service's store, caches and logger, and nothing else injects them.
  private readonly access = new SessionStoreAccess(this.logger);
  private readonly revocation: SessionRevocation;
  private readonly rotation: SessionRotation;

  constructor(
    @Inject(RESOLVED_AUTH_OPTIONS) options: ResolvedAuthOptions,
    @Inject(RefreshTokenStore) private readonly store: RefreshTokenStore,
    @Inject(AccessTokenService) private readonly tokens: AccessTokenService,
  ) {
    this.settings = options.refresh;
    this.codec = new RefreshTokenCodec(this.settings.secret);
    this.sessionCheck = new SessionCheck(
      this.settings.sessionCheck,
      store,
      (sid) => this.access.fromStore(() => this.store.get(sid)),
      (session) => isLiveSession(session, this.settings.clock()),
      this.settings.clock,
      tokens.verifiedTokens,
    );
    this.revocation = new SessionRevocation(this.settings, store, this.access, this.sessionCheck, this.events);
    this.rotation = new SessionRotation(this.settings, this.codec, tokens, store, this.access, this.revocation, this.events, this.logger);
    if (this.settings.onSessionEvent) this.on('*', this.settings.onSessionEvent);
    if (this.settings.eventEmitter) this.on('*', forwardSessionEventsTo(this.settings.eventEmitter));
    if (this.settings.secretFromAccessKey) {
      this.logger.warn(
        '"refreshTokenSecret" is not set: the refresh-token key is derived from the access-token secret, so any service ' +
          'given that secret to verify access tokens can also forge refresh-token digests (end any session by id, compute ' +
          'successors). Set "refreshTokenSecret" to a separate secret ("npx nestjs-jwt-refresh secret") known only to the issuer.',
      );
    }
  }

  /** Starts a session for `subject` and returns its first token pair. `claims` are copied into every access token of the session. */
  issue(subject: string, claims: Record<string, unknown> = {}, context: ClientContext = {}): Promise<TokenPair> {
    return this.access.track(this.doIssue(subject, claims, context));
  }

  /**
   * Retires `refreshToken` and returns a new pair in the same session.
   * Throws the coded `RefreshToken*Exception`s, or `AuthStoreUnavailableException` (503) when the store is down.
   */
  rotate(refreshToken: unknown, context: ClientContext = {}): Promise<TokenPair> {
    return this.access.track(this.rotation.rotate(refreshToken, context));
  }

  /**
   * Ends one session (logout). Returns whether it was live. Given `subject`, ends it only if it is one of
   * that subject's sessions and answers `false` otherwise, as for a sid that never existed: session ids are
   * public (every access token carries its `sid`), so an "end this device" endpoint must pass the caller.
   */
  revokeSession(sid: string, reason: RevocationReason = 'logout', subject?: string): Promise<boolean> {
    return this.access.track(this.revocation.revoke(sid, reason, undefined, subject));
  }

  /**
   * Ends every session of a subject (log out everywhere; also what a password change should call): every
   * session created before now, including ones the store's index lost and logins still landing.
   * Returns how many live sessions the store listed and ended.
   */
  revokeAllForSubject(sub: string): Promise<number> {
    return this.access.track(this.revocation.revokeSubject(sub, 'logout_all'));
  }

  /** Ends every session of a subject except `currentSid` (log out my other devices). Returns how many were ended. */
  revokeOtherSessions(sub: string, currentSid: string): Promise<number> {
    if (typeof currentSid !== 'string' || !currentSid) throw new TypeError('revokeOtherSessions(): "currentSid" must be a non-empty string.');
    return this.access.track(this.revocation.revokeSubject(sub, 'logout_others', currentSid));
  }

  /** The live sessions of a subject, newest first, for a "your devices" page. */
  async listSessions(sub: string): Promise<SessionInfo[]> {
    const now = this.settings.clock();
    const sessions = await this.access.fromStore(() => this.store.listBySubject(sub));
    return sessions
      .filter((s) => isLiveSession(s, now))
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((s) => ({
        sid: s.sid,
        createdAt: new Date(s.createdAt),
        lastUsedAt: new Date(s.lastUsedAt),
        expiresAt: new Date(Math.min(s.expiresAt, s.absoluteExpiresAt)),
        absoluteExpiresAt: new Date(s.absoluteExpiresAt),
        ...(s.lastIp !== undefined && { ip: s.lastIp }),
        ...(s.lastUserAgent !== undefined && { userAgent: s.lastUserAgent }),
      }));
  }

  /** Whether the session exists, is not revoked and has not expired. Asks the store every time. */
  isSessionActive(sid: string): Promise<boolean> {
    return this.sessionCheck.isActive(sid);
  }

  /**
   * The guard's session check: `isSessionActive` behind the per-instance cache configured by
   * `sessionCheck.cacheTtl`, which a store's revocation notices (`onRevocation`) keep current across
   * instances. Resolves `true` when the check is off.
   */
  checkSession(sid: string): Promise<boolean> | boolean {
    return this.sessionCheck.check(sid);
  }

  /** Whether `JwtGuard` refuses access tokens of ended sessions. */
  get sessionCheckEnabled(): boolean {
    return this.sessionCheck.enabled;
  }

  /**
   * Listens to session events (`'*'` for all). Returns a function that stops
   * listening. Listeners run after the operation and can't slow or fail it.
   */
  on(type: SessionEventType | '*', listener: SessionEventListener): () => void {
    return this.events.on(type, listener);
  }

  /** Lets rotations already under way finish before the store goes away. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.access.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    this.sessionCheck.stop();
    await this.store.close?.();
  }

  private async doIssue(subject: string, claims: Record<string, unknown>, context: ClientContext): Promise<TokenPair> {
    if (typeof subject !== 'string' || !subject) throw new TypeError('issue(): "subject" must be a non-empty string.');
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new TypeError('issue(): "claims" must be a plain object.');
    }
    const now = this.settings.clock();
    const sid = this.newSessionId(subject);
    // Sign first: reserved or unserialisable claims fail here, before a session is stored.
    // sign() takes auth_time as an input; from the app's claims it would forge the login time.
    if (Object.prototype.hasOwnProperty.call(claims, 'auth_time')) {
      throw new TypeError('issue(): the claim "auth_time" is set by the library and cannot be given.');
    }
    const access = this.tokens.sign({ ...claims, sub: subject, sid }, now);
    const refresh = this.codec.first(sid);
    const absoluteExpiresAt = now + this.settings.sessionMaxAgeMs;
    const session: RefreshSession = {
      sid,
      sub: subject,
      claims: JSON.parse(JSON.stringify(claims)),
      generation: 0,
      tokenHash: refresh.digest,
      previousTokenHash: null,
      rotatedAt: null,
      createdAt: now,
      expiresAt: Math.min(now + this.settings.refreshTokenTtlMs, absoluteExpiresAt),
      absoluteExpiresAt,
      lastUsedAt: now,
      ...storeFields(context),
      revokedAt: null,
    };
    const limit = { maxSessionsPerSubject: this.settings.maxSessionsPerSubject };
    const created = await this.access.fromStore(() => this.store.create(session, limit));
    for (const evicted of created?.evicted ?? []) this.revocation.forget(evicted, subject, 'session_limit', now);
    this.events.emit({ type: 'session.created', sid, sub: subject, at: now, ...clientOf(context) });
    return tokenPair(access.token, access.expiresIn, refresh.token, session.expiresAt, now);
  }

  /** The store's choice of id when it makes one (to place the session beside its subject's keys), else 128 random bits. */
  private newSessionId(subject: string): string {
    return this.store.newSessionId ? checkedSessionId(this.store.newSessionId(subject)) : this.codec.newSessionId();
  }
}

// 16 bytes in base64url: what the refresh token's codec packs.
const SESSION_ID = /^[A-Za-z0-9_-]{21}[AQgw]$/;

function checkedSessionId(sid: unknown): string {
  if (typeof sid !== 'string' || !SESSION_ID.test(sid)) {
    throw new TypeError(`The store's newSessionId() must return 16 bytes in base64url (22 characters); got ${JSON.stringify(sid)}.`);
  }
  return sid;
}
