import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { AuthStoreUnavailableException } from '../errors/auth-store-unavailable.exception.js';
import {
  RefreshTokenExpiredException,
  RefreshTokenInvalidException,
  RefreshTokenMissingException,
  RefreshTokenReusedException,
  RefreshTokenRevokedException,
} from '../errors/refresh-token.exceptions.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import type { ResolvedRefreshOptions } from '../options/resolve-refresh-options.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import type { RefreshSession, RevocationReason } from './refresh-session.interface.js';
import { DecodedRefreshToken, RefreshTokenCodec } from './refresh-token.codec.js';
import { RefreshTokenStore } from './refresh-token.store.js';
import type { SessionInfo } from './session-info.interface.js';
import type { ClientContext, SessionEvent, SessionEventListener, SessionEventType } from './session-events.js';
import { SessionStatusCache } from './session-status.cache.js';
import type { TokenPair } from './token-pair.interface.js';

// A lost compare-and-swap means another request rotated first; the re-read then takes the grace path. Two retries cover any honest race.
const MAX_ROTATION_ATTEMPTS = 3;

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
  private readonly listeners = new Map<SessionEventType | '*', Set<SessionEventListener>>();
  private readonly statusCache: SessionStatusCache;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    @Inject(RESOLVED_AUTH_OPTIONS) options: ResolvedAuthOptions,
    @Inject(RefreshTokenStore) private readonly store: RefreshTokenStore,
    @Inject(AccessTokenService) private readonly tokens: AccessTokenService,
  ) {
    this.settings = options.refresh;
    this.codec = new RefreshTokenCodec(this.settings.secret);
    const check = this.settings.sessionCheck;
    this.statusCache = new SessionStatusCache(check.cacheTtlMs, Math.max(check.cacheSize, 1), this.settings.clock);
    if (this.settings.onSessionEvent) this.on('*', this.settings.onSessionEvent);
  }

  /** Starts a session for `subject` and returns its first token pair. `claims` are copied into every access token of the session. */
  issue(subject: string, claims: Record<string, unknown> = {}, context: ClientContext = {}): Promise<TokenPair> {
    return this.track(this.doIssue(subject, claims, context));
  }

  /**
   * Retires `refreshToken` and returns a new pair in the same session.
   * Throws the coded `RefreshToken*Exception`s, or `AuthStoreUnavailableException` (503) when the store is down.
   */
  rotate(refreshToken: unknown, context: ClientContext = {}): Promise<TokenPair> {
    return this.track(this.doRotate(refreshToken, context));
  }

  /** Ends one session (logout). Returns whether it was live. */
  revokeSession(sid: string, reason: RevocationReason = 'logout'): Promise<boolean> {
    return this.track(this.doRevoke(sid, reason));
  }

  /** Ends every session of a subject (log out everywhere; also what a password change should call). Returns how many were live. */
  revokeAllForSubject(sub: string): Promise<number> {
    return this.track(
      (async () => {
        const sessions = await this.fromStore(() => this.store.listBySubject(sub));
        let count = 0;
        for (const session of sessions) {
          if (await this.doRevoke(session.sid, 'logout_all', session)) count++;
        }
        return count;
      })(),
    );
  }

  /** The live sessions of a subject, newest first, for a "your devices" page. */
  async listSessions(sub: string): Promise<SessionInfo[]> {
    const now = this.settings.clock();
    const sessions = await this.fromStore(() => this.store.listBySubject(sub));
    return sessions
      .filter((s) => this.isLive(s, now))
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
  async isSessionActive(sid: string): Promise<boolean> {
    if (typeof sid !== 'string' || !sid) return false;
    const session = await this.fromStore(() => this.store.get(sid));
    const active = session !== null && this.isLive(session, this.settings.clock());
    this.statusCache.set(sid, active);
    return active;
  }

  /**
   * The guard's session check: `isSessionActive` behind the per-instance cache
   * configured by `sessionCheck.cacheTtl`. Resolves `true` when the check is off.
   */
  checkSession(sid: string): Promise<boolean> | boolean {
    if (!this.settings.sessionCheck.enabled) return true;
    const cached = this.statusCache.get(sid);
    return cached !== undefined ? cached : this.isSessionActive(sid);
  }

  /** Whether `JwtGuard` refuses access tokens of ended sessions. */
  get sessionCheckEnabled(): boolean {
    return this.settings.sessionCheck.enabled;
  }

  /**
   * Listens to session events (`'*'` for all). Returns a function that stops
   * listening. Listeners run after the operation and can't slow or fail it.
   */
  on(type: SessionEventType | '*', listener: SessionEventListener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  /** Lets rotations already under way finish before the store goes away. */
  async beforeApplicationShutdown(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.statusCache.clear();
    await this.store.close?.();
  }

  private async doIssue(subject: string, claims: Record<string, unknown>, context: ClientContext): Promise<TokenPair> {
    if (typeof subject !== 'string' || !subject) throw new TypeError('issue(): "subject" must be a non-empty string.');
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new TypeError('issue(): "claims" must be a plain object.');
    }
    const now = this.settings.clock();
    const sid = this.codec.newSessionId();
    // Sign first: reserved or unserialisable claims fail here, before a session is stored.
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
    await this.fromStore(() => this.store.create(session));
    this.emit({ type: 'session.created', sid, sub: subject, at: now, ...clientOf(context) });
    return this.pair(access.token, access.expiresIn, refresh.token, session.expiresAt, now);
  }

  private async doRotate(refreshToken: unknown, context: ClientContext): Promise<TokenPair> {
    if (refreshToken === undefined || refreshToken === null || refreshToken === '') throw new RefreshTokenMissingException();
    const decoded = this.codec.decode(refreshToken);
    if (!decoded) throw new RefreshTokenInvalidException('malformed or not issued here');
    const token = refreshToken as string;
    for (let attempt = 1; ; attempt++) {
      const now = this.settings.clock();
      const session = await this.fromStore(() => this.store.get(decoded.sid));
      if (!session) throw new RefreshTokenInvalidException('unknown session');
      if (session.revokedAt !== null) throw new RefreshTokenRevokedException();
      const end = Math.min(session.expiresAt, session.absoluteExpiresAt);
      if (now >= end) throw new RefreshTokenExpiredException(new Date(end), new Date(now));

      if (decoded.generation === session.generation) {
        if (!this.codec.matches(session.tokenHash, token, decoded.digest)) throw new RefreshTokenInvalidException('hash mismatch');
        const result = await this.advance(session, token, decoded, context, now);
        if (result) return result;
        if (attempt >= MAX_ROTATION_ATTEMPTS) throw new AuthStoreUnavailableException();
        continue;
      }
      if (decoded.generation === session.generation - 1 && this.withinGrace(session, token, decoded, now)) {
        return this.replayGrace(session, token, decoded, now);
      }
      if (decoded.generation < session.generation) return this.reuseDetected(session, decoded, context, now);
      // An authentic token from the future means the store lost writes (a Redis without persistence restarted): refuse, don't guess.
      throw new RefreshTokenInvalidException('generation ahead of the store');
    }
  }

  /** The compare-and-swap step; `null` when another request rotated first. */
  private async advance(
    session: RefreshSession,
    token: string,
    decoded: DecodedRefreshToken,
    context: ClientContext,
    now: number,
  ): Promise<TokenPair | null> {
    const successor = this.codec.successor(token, decoded);
    const expiresAt = Math.min(now + this.settings.refreshTokenTtlMs, session.absoluteExpiresAt);
    const generation = session.generation + 1;
    const swapped = await this.fromStore(() =>
      this.store.rotate(
        session.sid,
        { generation: session.generation, tokenHash: session.tokenHash },
        {
          generation,
          tokenHash: successor.digest,
          previousTokenHash: decoded.digest,
          rotatedAt: now,
          expiresAt,
          lastUsedAt: now,
          ...storeFields(context),
        },
        session,
      ),
    );
    if (!swapped) return null;
    this.emit({ type: 'session.rotated', sid: session.sid, sub: session.sub, at: now, generation, ...clientOf(context) });
    const access = this.tokens.sign({ ...session.claims, sub: session.sub, sid: session.sid }, now);
    return this.pair(access.token, access.expiresIn, successor.token, expiresAt, now);
  }

  private withinGrace(session: RefreshSession, token: string, decoded: DecodedRefreshToken, now: number): boolean {
    return (
      session.rotatedAt !== null &&
      now - session.rotatedAt <= this.settings.reuseGraceMs &&
      this.codec.matches(session.previousTokenHash, token, decoded.digest)
    );
  }

  /** Same successor as the rotation that just happened, fresh access token: a retry never forks the session. */
  private replayGrace(session: RefreshSession, token: string, decoded: DecodedRefreshToken, now: number): TokenPair {
    const successor = this.codec.successor(token, decoded);
    if (!this.codec.matches(session.tokenHash, successor.token, successor.digest)) {
      throw new RefreshTokenInvalidException('successor mismatch');
    }
    const access = this.tokens.sign({ ...session.claims, sub: session.sub, sid: session.sid }, now);
    return this.pair(access.token, access.expiresIn, successor.token, session.expiresAt, now);
  }

  private async reuseDetected(session: RefreshSession, decoded: DecodedRefreshToken, context: ClientContext, now: number): Promise<never> {
    await this.doRevoke(session.sid, 'reuse_detected', session);
    this.logger.warn(`Refresh token reuse detected: session ${session.sid} of subject ${session.sub} revoked.`);
    this.emit({
      type: 'session.reuse_detected',
      sid: session.sid,
      sub: session.sub,
      at: now,
      presentedGeneration: decoded.generation,
      currentGeneration: session.generation,
      holder: { ...clientOf({ ip: session.lastIp, userAgent: session.lastUserAgent }), lastUsedAt: session.lastUsedAt },
      reuser: clientOf(context),
    });
    throw new RefreshTokenReusedException();
  }

  private async doRevoke(sid: string, reason: RevocationReason, known?: RefreshSession): Promise<boolean> {
    if (typeof sid !== 'string' || !sid) return false;
    const now = this.settings.clock();
    const revoked = await this.fromStore(() => this.store.revoke(sid, reason, now));
    this.statusCache.markRevoked(sid);
    // Without the session check this changes nothing a client sees; it just stops the cache holding tokens of a dead session.
    this.tokens.verifiedTokens.dropSession(sid);
    if (revoked) {
      const sub = known?.sub ?? (await this.fromStore(() => this.store.get(sid)))?.sub ?? '';
      this.emit({ type: 'session.revoked', sid, sub, at: now, reason });
    }
    return revoked;
  }

  private isLive(session: RefreshSession, now: number): boolean {
    return session.revokedAt === null && now < Math.min(session.expiresAt, session.absoluteExpiresAt);
  }

  private pair(accessToken: string, expiresIn: number, refreshToken: string, refreshEnd: number, now: number): TokenPair {
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn,
      refreshExpiresIn: Math.max(0, Math.floor((refreshEnd - now) / 1000)),
    };
  }

  /** Any store failure is an outage to the caller: 503 and retry, never a 500 or a logout. */
  private async fromStore<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      this.logger.error(`Session store failed: ${(err as Error)?.message ?? String(err)}`);
      throw new AuthStoreUnavailableException();
    }
  }

  private emit(event: SessionEvent): void {
    for (const key of [event.type, '*'] as const) {
      for (const listener of this.listeners.get(key) ?? []) {
        try {
          Promise.resolve(listener(event)).catch((err) => this.listenerFailed(event, err));
        } catch (err) {
          this.listenerFailed(event, err);
        }
      }
    }
  }

  private listenerFailed(event: SessionEvent, err: unknown): void {
    this.logger.error(`A ${event.type} listener failed: ${(err as Error)?.message ?? String(err)}`);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const done = () => this.inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }
}

// Bounded so a client can't make every session record (and every event) as big as its headers.
const MAX_IP = 64;
const MAX_USER_AGENT = 512;

/** The request's client details, bounded, with absent ones left out. */
function clientOf(context: ClientContext): ClientContext {
  const out: ClientContext = {};
  if (typeof context.ip === 'string') out.ip = context.ip.slice(0, MAX_IP);
  if (typeof context.userAgent === 'string') out.userAgent = context.userAgent.slice(0, MAX_USER_AGENT);
  return out;
}

/** The same details under the store's field names. */
function storeFields(context: ClientContext): Pick<RefreshSession, 'lastIp' | 'lastUserAgent'> {
  const { ip, userAgent } = clientOf(context);
  return { ...(ip !== undefined && { lastIp: ip }), ...(userAgent !== undefined && { lastUserAgent: userAgent }) };
}
