import { TypedEmitter, type AuthClientEvents, type ChangeSource } from './auth-client.events.js';
import type { AuthClientOptions, RefreshTokenMode } from './auth-client.options.js';
import { readAccessTokenTimes, readSessionId } from './jwt-payload.js';
import { proactiveRefreshDelay } from './refresh-timing.js';
import { ServerClock } from './server-clock.js';
import type { TabCoordinator } from './tab-coordinator.js';
import type { TokenStorage } from './token-storage.js';
import type { TokenPairResponse, TokenSet } from './token-set.js';

/** A NumericDate has one-second resolution, so a token may die up to this much before `issue time + lifetime`. */
const NUMERIC_DATE_GRANULARITY = 1000;
/** setTimeout's ceiling (about 24.8 days); longer delays fire at once. */
const MAX_TIMER_DELAY = 2_147_483_647;
export const NO_KNOWN_EXPIRY = Number.MAX_SAFE_INTEGER;

/**
 * The session one client is in: its tokens, the session id they belong to,
 * the proactive timer, and the events. The fetch wrapper, the refresh flight
 * and the tab sync all read and change the session through this one object.
 */
export class ClientSession {
  readonly events = new TypedEmitter<AuthClientEvents>();
  readonly serverClock: ServerClock;
  readonly now: () => number;
  /** Bumped whenever the session is replaced or ended, so a refresh that started before cannot resurrect it. */
  epoch = 0;
  /** Refreshes triggered by TOKEN_EXPIRED since the last successful authenticated response (loop guard). */
  reactiveStreak = 0;
  disposed = false;
  /** Called when the proactive timer fires (set by the refresh flight). */
  onTimer: (accessToken: string) => void = () => undefined;
  private active = false;
  /** The `sid` of the session this tab started or resumed; only tokens of it are taken from other tabs. */
  private sid: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The access token another tab handed over, whose expiry was derived from `exp` rather than witnessed. */
  private handedOver: string | undefined;

  constructor(
    readonly options: AuthClientOptions,
    readonly mode: RefreshTokenMode,
    readonly storage: TokenStorage,
    readonly coordinator: TabCoordinator,
  ) {
    this.now = options.clock ?? Date.now;
    this.serverClock = new ServerClock(this.now);
    if (options.onSessionExpired) this.events.on('sessionExpired', options.onSessionExpired);
    const stored = storage.get();
    if (stored) {
      this.active = true;
      this.sid = readSessionId(stored.accessToken);
      this.schedule(stored);
    }
  }

  get tokens(): TokenSet | null {
    return this.storage.get();
  }

  get sessionId(): string | undefined {
    return this.sid;
  }

  /** Whether `tokens` are still the ones held (a refresh may have replaced them meanwhile). */
  isCurrent(tokens: TokenSet): boolean {
    return this.storage.get()?.accessToken === tokens.accessToken;
  }

  /** Keeps new tokens (of this session, or of a new one when `newSession`) and re-arms the timer. */
  accept(tokens: TokenSet, newSession: boolean): void {
    if (newSession) {
      this.epoch++;
      this.reactiveStreak = 0;
    }
    this.storage.set(tokens);
    this.active = true;
    this.sid = readSessionId(tokens.accessToken);
    this.schedule(tokens);
  }

  /** Drops the tokens locally and invalidates any refresh in flight. */
  forget(): void {
    this.epoch++;
    this.clearTimer();
    this.storage.clear();
    this.active = false;
    this.sid = undefined;
    this.reactiveStreak = 0;
  }

  /** The session is over: forget it, tell the other tabs (when we found out), and tell the UI once. */
  end(reason: string, source: ChangeSource, status?: number, message?: string): void {
    const had = this.active || this.storage.get() !== null;
    const sid = this.sid;
    this.forget();
    if (!had) return;
    if (source === 'this-tab' && sid) this.coordinator.post({ type: 'session-ended', sid, reason });
    this.events.emit('sessionExpired', { reason, status, message, source });
  }

  /** The logout of this tab: tells the others, which report `LOGGED_OUT`. */
  loggedOut(everywhere: boolean): void {
    const sid = this.sid;
    this.forget();
    if (sid) this.coordinator.post({ type: 'logout', sid });
    this.events.emit('logout', { everywhere });
  }

  /**
   * Builds the token set from a login/refresh answer. Expiry is measured on the
   * local clock from when the request was sent (never later than the server's
   * issue time), so skew between the machines doesn't matter.
   */
  tokensFromPair(body: unknown, sentAt: number): TokenSet | null {
    const pair = body as TokenPairResponse | undefined;
    if (!pair || typeof pair.accessToken !== 'string' || pair.accessToken.length === 0) return null;
    const times = readAccessTokenTimes(pair.accessToken);
    let lifetime: number | undefined;
    if (typeof pair.expiresIn === 'number' && Number.isFinite(pair.expiresIn)) lifetime = pair.expiresIn * 1000;
    if (times.exp !== undefined && times.iat !== undefined) {
      const fromClaims = (times.exp - times.iat) * 1000;
      lifetime = lifetime === undefined ? fromClaims : Math.min(lifetime, fromClaims);
    }
    let expiresAt: number;
    if (lifetime !== undefined) expiresAt = sentAt + Math.max(0, lifetime - NUMERIC_DATE_GRANULARITY);
    else if (times.exp !== undefined) expiresAt = this.serverClock.toLocal(times.exp * 1000); // the server's clock, corrected
    else expiresAt = NO_KNOWN_EXPIRY; // unknown: rely on TOKEN_EXPIRED answers alone
    const tokens: TokenSet = { accessToken: pair.accessToken, expiresAt, receivedAt: sentAt };
    if (typeof pair.refreshExpiresIn === 'number') tokens.refreshExpiresAt = sentAt + pair.refreshExpiresIn * 1000;
    // Cookie mode: the browser holds the refresh token; keeping a copy would defeat the httpOnly cookie.
    if (this.mode === 'body' && typeof pair.refreshToken === 'string') tokens.refreshToken = pair.refreshToken;
    return tokens;
  }

  /**
   * A token set for an access token another tab handed over. Its issue time was
   * not witnessed here, so its expiry comes from `exp` on the server's clock
   * (corrected by what this client learned of the offset), never later than a
   * full lifetime from now nor than what the sender claimed.
   */
  tokensFromPeer(accessToken: string, claimedExpiresAt: number): TokenSet {
    const now = this.now();
    const { exp, iat } = readAccessTokenTimes(accessToken);
    let expiresAt = Number.isFinite(claimedExpiresAt) ? claimedExpiresAt : NO_KNOWN_EXPIRY;
    if (exp !== undefined) expiresAt = Math.min(expiresAt, this.serverClock.toLocal(exp * 1000) - NUMERIC_DATE_GRANULARITY);
    if (exp !== undefined && iat !== undefined) expiresAt = Math.min(expiresAt, now + (exp - iat) * 1000);
    this.handedOver = accessToken;
    return { accessToken, expiresAt, receivedAt: now };
  }

  /** Whether `accessToken` came from another tab rather than from the server. */
  wasHandedOver(accessToken: string): boolean {
    return accessToken === this.handedOver;
  }

  /** Re-derives the held token's expiry from `exp` once the server's clock is known (a handed-over token). */
  correctExpiry(): void {
    const tokens = this.storage.get();
    if (!tokens || tokens.accessToken !== this.handedOver || tokens.expiresAt === NO_KNOWN_EXPIRY || !this.serverClock.known) return;
    const { exp } = readAccessTokenTimes(tokens.accessToken);
    if (exp === undefined) return;
    const corrected = this.serverClock.toLocal(exp * 1000) - NUMERIC_DATE_GRANULARITY;
    if (Math.abs(corrected - tokens.expiresAt) < 1500) return;
    this.storage.set({ ...tokens, expiresAt: Math.min(corrected, tokens.receivedAt + lifetimeOf(tokens.accessToken)) });
    this.schedule(this.storage.get()!);
  }

  /** Milliseconds before expiry at which the proactive refresh is due (without jitter). */
  leadTime(tokens: TokenSet): number {
    const lifetime = Math.max(0, tokens.expiresAt - tokens.receivedAt);
    return this.options.refreshLeadTime ?? Math.min(60_000, lifetime * 0.25);
  }

  schedule(tokens: TokenSet): void {
    this.clearTimer();
    if (this.options.proactiveRefresh === false || this.disposed || tokens.expiresAt === NO_KNOWN_EXPIRY) return;
    const delay = proactiveRefreshDelay(tokens, this.now(), {
      leadTime: this.options.refreshLeadTime,
      jitter: this.options.refreshJitter,
      minDelay: this.options.minRefreshDelay ?? 1000,
    });
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.onTimer(tokens.accessToken);
      },
      Math.min(delay, MAX_TIMER_DELAY),
    );
    // A pending proactive refresh must not keep a Node process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.events.clear();
  }
}

function lifetimeOf(accessToken: string): number {
  const { exp, iat } = readAccessTokenTimes(accessToken);
  return exp !== undefined && iat !== undefined ? (exp - iat) * 1000 : NO_KNOWN_EXPIRY;
}
