import { AUTH_STORE_UNAVAILABLE, ClientSessionEndReason, REFRESH_TOKEN_MISSING } from './auth-client.codes.js';
import type { RefreshTrigger } from './auth-client.events.js';
import type { AuthEndpoints } from './auth-endpoints.js';
import type { ClientSession } from './client-session.js';
import { errorFields, readJson, retryAfterMs } from './http-body.js';
import { readSessionId } from './jwt-payload.js';
import { retryDelay } from './refresh-timing.js';
import type { TokenSet } from './token-set.js';

/** Inside the lock, how long to wait for the result of a refresh another tab announced. */
const PEER_REFRESH_WAIT = 1500;
/** Body mode: how long a tab without the refresh token waits for the tab holding it to answer. */
const HOLDER_WAIT = 3000;

/**
 * Refreshing, one call at a time: every caller of this tab joins the refresh
 * under way (single-flight), tabs take turns through the coordinator's lock,
 * and transient failures are retried with backoff. In body mode a tab that
 * does not hold the refresh token asks the one that does instead.
 */
export class RefreshFlight {
  /** The refresh this tab is running or waiting for. */
  private inflight: Promise<TokenSet | null> | null = null;
  private readonly peerRefreshes = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  /** Answers heard from the holding tab (body mode), so a waiting tab knows it is alive. */
  private holderAnswers = 0;

  constructor(
    private readonly session: ClientSession,
    private readonly endpoints: AuthEndpoints,
  ) {}

  /**
   * Single-flight entry point. `stale`: the access token the caller found
   * wanting (refresh only if it is still current); `null`: refresh only if no
   * usable token is held; `undefined`: refresh regardless.
   */
  refreshFrom(trigger: RefreshTrigger, stale: string | null | undefined): Promise<TokenSet | null> {
    const current = this.session.tokens;
    if (current && this.isFreshEnough(current, stale)) return Promise.resolve(current);
    if (!this.inflight) {
      // Body mode, with an access token another tab handed over: the refresh token is in that tab.
      const handedOver = this.session.mode === 'body' && current !== null && !current.refreshToken && this.session.wasHandedOver(current.accessToken);
      const run = handedOver
        ? () => this.askHolder(current)
        : () => this.session.coordinator.exclusive(() => this.refreshExclusive(trigger, stale));
      const flight = run()
        .catch((): TokenSet | null => null)
        .finally(() => {
          if (this.inflight === flight) this.inflight = null;
        });
      this.inflight = flight;
    }
    return this.inflight;
  }

  /** Body mode, in the holding tab: another tab asked for a fresh access token of our session. */
  async serveRequest(theirs: unknown): Promise<void> {
    const current = this.session.tokens;
    if (!current?.refreshToken) return;
    // Anyone can post requests; rotating for each would let a script make us hammer the server.
    const recent = this.session.now() - current.receivedAt < (this.session.options.minRefreshDelay ?? 1000);
    const tokens = recent ? current : await this.refreshFrom('peer', typeof theirs === 'string' ? theirs : undefined);
    if (tokens) this.share(tokens, 'refresh', 'peer');
  }

  /** Hands an access token (never the refresh token) to the other tabs. */
  share(tokens: TokenSet, reason: 'refresh' | 'sync', trigger?: RefreshTrigger, to?: string): void {
    if (!readSessionId(tokens.accessToken)) return;
    this.session.coordinator.post({ type: 'tokens', accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, reason, trigger, to });
  }

  peerStarted(from: string): void {
    this.peerRefreshes.set(from, this.session.now());
  }

  peerEnded(from: string): void {
    this.peerRefreshes.delete(from);
    this.wake();
  }

  /** The holding tab answered (new tokens or the same ones). */
  holderAnswered(): void {
    this.holderAnswers++;
    this.wake();
  }

  dispose(): void {
    this.wake();
  }

  private isFreshEnough(current: TokenSet, stale: string | null | undefined): boolean {
    if (stale === undefined) return false;
    if (current.expiresAt <= this.session.now()) return false;
    return stale === null || current.accessToken !== stale;
  }

  /** Body mode without the refresh token: the tab holding it refreshes, and hands over the access token. */
  private async askHolder(current: TokenSet): Promise<TokenSet | null> {
    const sid = this.session.sessionId;
    if (!sid) return null;
    const epoch = this.session.epoch;
    const answers = this.holderAnswers;
    this.session.coordinator.post({ type: 'refresh-request', sid, accessToken: current.accessToken });
    await this.waitUntil(() => this.holderAnswers !== answers || this.session.epoch !== epoch, HOLDER_WAIT);
    if (this.session.epoch !== epoch || this.session.disposed) return this.session.tokens;
    if (this.holderAnswers !== answers) return this.session.tokens;
    // Nobody holds the refresh token any more: it never leaves the tab that received it.
    this.session.end(ClientSessionEndReason.REFRESH_TAB_CLOSED, 'this-tab');
    return null;
  }

  /** Runs while this tab holds the cross-tab lock. */
  private async refreshExclusive(trigger: RefreshTrigger, stale: string | null | undefined): Promise<TokenSet | null> {
    // Another tab may have refreshed while we waited for the lock.
    let current = this.session.tokens;
    if (current && this.isFreshEnough(current, stale)) return current;
    if (this.peerRefreshes.size > 0) {
      await this.waitUntil(() => this.peerRefreshes.size === 0, PEER_REFRESH_WAIT);
      // A tab that announced a refresh and then went silent (closed) must not block us for good.
      this.peerRefreshes.clear();
      current = this.session.tokens;
      if (current && this.isFreshEnough(current, stale)) return current;
    }
    if (this.session.disposed || !current && this.session.mode === 'body') return null;
    if (this.session.mode === 'body' && !current?.refreshToken) {
      // The server's answers carried no refresh token (is it in cookie mode? then so must the client be).
      this.session.end(REFRESH_TOKEN_MISSING, 'this-tab');
      return null;
    }
    if (trigger === 'expired') {
      if (this.session.reactiveStreak >= (this.session.options.maxConsecutiveRefreshes ?? 3)) {
        this.session.end(ClientSessionEndReason.REFRESH_LOOP, 'this-tab');
        return null;
      }
      this.session.reactiveStreak++;
    }
    this.session.coordinator.post({ type: 'refresh-start' });
    try {
      return await this.callRefreshEndpoint(trigger, current);
    } finally {
      this.session.coordinator.post({ type: 'refresh-end' });
    }
  }

  private async callRefreshEndpoint(trigger: RefreshTrigger, current: TokenSet | null): Promise<TokenSet | null> {
    const session = this.session;
    const epoch = session.epoch;
    const maxAttempts = Math.max(1, session.options.maxRefreshAttempts ?? 4);
    const backoff = { baseDelay: session.options.retryBaseDelay ?? 500, maxDelay: session.options.retryMaxDelay ?? 10_000 };
    const stillOurs = () => session.epoch === epoch && !session.disposed;
    for (let attempt = 1; ; attempt++) {
      const sentAt = session.now();
      let response: Response | undefined;
      try {
        response = await this.endpoints.postJson('refresh', session.mode === 'body' ? { refreshToken: current?.refreshToken } : {});
      } catch {
        response = undefined; // network failure: transient
      }
      // A logout or another session started while we waited: this answer belongs to a dead session.
      if (!stillOurs()) return session.tokens;
      const body = response ? await readJson(response) : undefined;
      if (!stillOurs()) return session.tokens;
      const status = response?.status ?? 0;
      const { code, message, serverTime } = errorFields(body);
      if (response) session.serverClock.observe(response, sentAt, serverTime);

      if (response?.ok) return this.accepted(body, sentAt, status, attempt, trigger);

      if (status === 401 || status === 403) {
        // "No cookie" on a page load is not an expired session, just no session.
        if ((trigger === 'resume' || trigger === 'peer') && code === REFRESH_TOKEN_MISSING && !session.tokens) return null;
        session.end(code ?? ClientSessionEndReason.REFRESH_REJECTED, 'this-tab', status, message);
        return null;
      }
      const transient = status === 0 || status === 429 || status >= 500 || code === AUTH_STORE_UNAVAILABLE;
      if (!transient || attempt >= maxAttempts) {
        session.events.emit('refreshError', { code, status, attempt, final: true });
        return null;
      }
      const delay = retryDelay(attempt, backoff, retryAfterMs(response, body, session.now()));
      session.events.emit('refreshError', { code, status, attempt, retryInMs: delay, final: false });
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (!stillOurs()) return session.tokens;
    }
  }

  private accepted(body: unknown, sentAt: number, status: number, attempt: number, trigger: RefreshTrigger): TokenSet | null {
    const session = this.session;
    const tokens = session.tokensFromPair(body, sentAt);
    if (!tokens) {
      session.events.emit('refreshError', { code: 'BAD_RESPONSE', status, attempt, final: true });
      return null;
    }
    const before = session.sessionId;
    // Cookie mode: the cookie decides the session; another tab may have logged in (as someone else, even).
    const switched = before !== undefined && readSessionId(tokens.accessToken) !== before;
    const pickedUp = trigger === 'peer' && before === undefined;
    session.accept(tokens, trigger === 'resume' || switched || pickedUp);
    this.share(tokens, 'refresh', trigger);
    if (switched || pickedUp) session.events.emit('login', { expiresAt: tokens.expiresAt, source: 'other-tab' });
    else session.events.emit('refresh', { expiresAt: tokens.expiresAt, trigger, source: 'this-tab' });
    return tokens;
  }

  private waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (done() || this.session.disposed) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}
