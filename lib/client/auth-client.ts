import {
  AUTH_STORE_UNAVAILABLE,
  ClientSessionEndReason,
  REFRESH_TOKEN_MISSING,
  SESSION_ENDING_ACCESS_CODES,
  TOKEN_EXPIRED,
} from './auth-client.codes.js';
import { AuthClientError } from './auth-client.error.js';
import { TypedEmitter, type AuthClientEvents, type AuthClientListener, type ChangeSource, type RefreshTrigger } from './auth-client.events.js';
import type { AuthClientOptions, RefreshTokenMode } from './auth-client.options.js';
import { createTabCoordinator } from './create-tab-coordinator.js';
import { readAccessTokenTimes } from './jwt-payload.js';
import { proactiveRefreshDelay, retryDelay } from './refresh-timing.js';
import type { TabMessage } from './tab-channel.js';
import type { TabCoordinator } from './tab-coordinator.js';
import { MemoryTokenStorage, type TokenStorage } from './token-storage.js';
import { isTokenSet, type TokenPairResponse, type TokenSet } from './token-set.js';

/**
 * A `fetch` that authenticates, plus the session's controls. Call it like
 * `fetch`: `await api('/me')`.
 * @publicApi
 */
export interface AuthClient {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The same function, for code that wants a named `fetch`. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Posts the credentials to the login endpoint; throws `AuthClientError` (`code` `INVALID_CREDENTIALS`, …) on failure. */
  login(credentials: Record<string, unknown>): Promise<{ expiresAt: number }>;
  /** Revokes the session on the server (best effort) and forgets the tokens, in every tab. */
  logout(): Promise<void>;
  /** Revokes every session of the user, then forgets the tokens. */
  logoutAll(): Promise<void>;
  /** Refreshes now (joining a refresh already under way). Resolves `true` when a usable access token is held afterwards. */
  refresh(): Promise<boolean>;
  /**
   * Picks up an existing session after a page load: tokens in storage, tokens
   * held by another tab, or (cookie mode) the refresh cookie. Resolves `true`
   * when authenticated; `false` without any event when there was no session.
   */
  resume(): Promise<boolean>;
  /** The current access token, or `null`. */
  getAccessToken(): string | null;
  /** Local time (ms) when the current access token expires, or `null`. */
  getExpiresAt(): number | null;
  isAuthenticated(): boolean;
  on<K extends keyof AuthClientEvents>(name: K, listener: AuthClientListener<K>): () => void;
  off<K extends keyof AuthClientEvents>(name: K, listener: AuthClientListener<K>): void;
  /** Where the refresh token travels. */
  readonly mode: RefreshTokenMode;
  /** How this client coordinates with other tabs: `web-locks`, `broadcast-channel` or `none`. */
  readonly coordination: TabCoordinator['kind'];
  /** Stops timers and closes the cross-tab channel; the client must not be used afterwards. */
  dispose(): void;
}

/** A NumericDate has one-second resolution, so a token may die up to this much before `issue time + lifetime`. */
const NUMERIC_DATE_GRANULARITY = 1000;
/** Inside the lock, how long to wait for the result of a refresh another tab announced. */
const PEER_REFRESH_WAIT = 1500;
/** How long a new tab waits for other tabs to share their tokens in `resume()`. */
const SYNC_WAIT = 200;
/** setTimeout's ceiling (about 24.8 days); longer delays fire at once. */
const MAX_TIMER_DELAY = 2_147_483_647;
const NO_KNOWN_EXPIRY = Number.MAX_SAFE_INTEGER;

/**
 * Creates a client for an API protected by nestjs-jwt-refresh.
 *
 * ```ts
 * const api = createAuthClient({ mode: 'cookie', onSessionExpired: () => showLogin('Your session has expired') });
 * await api.login({ username, password });
 * const me = await (await api('/me')).json();
 * ```
 * @publicApi
 */
export function createAuthClient(options: AuthClientOptions = {}): AuthClient {
  const core = new AuthClientCore(options);
  const client = ((input: RequestInfo | URL, init?: RequestInit) => core.fetch(input, init)) as AuthClient;
  const methods: Omit<AuthClient, 'mode' | 'coordination'> = {
    fetch: client,
    login: (credentials) => core.login(credentials),
    logout: () => core.logout(false),
    logoutAll: () => core.logout(true),
    refresh: () => core.refresh(),
    resume: () => core.resume(),
    getAccessToken: () => core.storage.get()?.accessToken ?? null,
    getExpiresAt: () => {
      const tokens = core.storage.get();
      return tokens && tokens.expiresAt !== NO_KNOWN_EXPIRY ? tokens.expiresAt : null;
    },
    isAuthenticated: () => core.storage.get() !== null,
    on: (name, listener) => core.events.on(name, listener),
    off: (name, listener) => core.events.off(name, listener),
    dispose: () => core.dispose(),
  };
  Object.assign(client, methods);
  Object.defineProperties(client, {
    mode: { value: core.mode, enumerable: true },
    coordination: { value: core.coordinator.kind, enumerable: true },
  });
  return client;
}

/** Internal: the state machine behind `createAuthClient`. */
class AuthClientCore {
  readonly mode: RefreshTokenMode;
  readonly storage: TokenStorage;
  readonly events = new TypedEmitter<AuthClientEvents>();
  readonly coordinator: TabCoordinator;

  private readonly base: URL;
  private readonly basePath: string;
  private readonly fetchImpl: typeof fetch;
  private readonly isApiUrl: (url: URL) => boolean;
  // Cookie mode must send the cookie even to another origin; body mode must never send cookies it doesn't need.
  private readonly authCredentials: RequestCredentials;

  /** The refresh this tab is running or waiting for; every caller joins it (single-flight). */
  private inflight: Promise<TokenSet | null> | null = null;
  /** Bumped whenever the session is replaced or ended, so a refresh that started before cannot resurrect it. */
  private epoch = 0;
  /** Refreshes triggered by TOKEN_EXPIRED since the last successful authenticated response (loop guard). */
  private reactiveStreak = 0;
  /** `receivedAt` of the newest tokens this client handled: orders tokens arriving from other tabs. */
  private lastReceivedAt = 0;
  private active = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly peerRefreshes = new Map<string, number>();
  private readonly peerWaiters = new Set<() => void>();
  private syncUntil = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: AuthClientOptions) {
    const location = (globalThis as { location?: { origin?: string } }).location;
    const baseUrl = options.baseUrl ?? (location?.origin && location.origin !== 'null' ? location.origin : undefined);
    if (!baseUrl) {
      throw new TypeError('createAuthClient: "baseUrl" is required outside a browser page, e.g. createAuthClient({ baseUrl: "http://127.0.0.1:3000" })');
    }
    this.base = new URL(baseUrl);
    this.basePath = this.base.pathname.endsWith('/') ? this.base.pathname : `${this.base.pathname}/`;
    this.mode = options.mode ?? 'body';
    if (this.mode !== 'body' && this.mode !== 'cookie') throw new TypeError(`createAuthClient: "mode" must be 'body' or 'cookie', got ${String(this.mode)}`);
    this.storage = options.storage ?? new MemoryTokenStorage();
    const globalFetch = (globalThis as { fetch?: typeof fetch }).fetch;
    if (!options.fetch && typeof globalFetch !== 'function') throw new TypeError('createAuthClient: no global fetch here; pass the "fetch" option');
    // Browsers throw "Illegal invocation" when fetch is called detached from its global.
    this.fetchImpl = options.fetch ?? globalFetch!.bind(globalThis);
    this.isApiUrl = options.isApiUrl ?? ((url) => url.origin === this.base.origin && (url.pathname + '/').startsWith(this.basePath));
    this.authCredentials = this.mode === 'cookie' ? 'include' : 'same-origin';
    if (options.onSessionExpired) this.events.on('sessionExpired', options.onSessionExpired);

    const crossTab = options.crossTab ?? typeof (globalThis as { document?: unknown }).document !== 'undefined';
    const name = (typeof crossTab === 'object' && crossTab.name) || `nestjs-jwt-refresh:${this.base.origin}${this.basePath}`;
    this.coordinator = createTabCoordinator(crossTab !== false, name);
    this.unsubscribe = this.coordinator.subscribe((message, from) => this.onTabMessage(message, from));

    const stored = this.storage.get();
    if (stored) {
      this.active = true;
      this.lastReceivedAt = stored.receivedAt;
      this.schedule(stored);
    } else if (this.coordinator.kind !== 'none') {
      this.requestSync();
    }
  }

  // ---------------------------------------------------------------- fetch

  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    return this.execute(this.toRequest(input, init), false);
  }

  /** `quiet`: used by logout, which ends the session itself and must not report it as expired. */
  private async execute(request: Request, quiet: boolean): Promise<Response> {
    if (this.disposed) throw new TypeError('This auth client was disposed');
    if (!this.isApiUrl(new URL(request.url))) return this.fetchImpl(request);

    let tokens = this.storage.get();
    if (tokens && tokens.expiresAt <= Date.now()) {
      // Known to be expired: refresh first rather than spend a round trip on a certain 401.
      await this.refreshFrom('expired', tokens.accessToken);
      tokens = this.storage.get();
    }
    const first = await this.send(request, tokens);
    if (!tokens) return first;
    if (first.status !== 401) {
      this.reactiveStreak = 0;
      return first;
    }
    const error = await peekError(first);
    if (error.code === TOKEN_EXPIRED) {
      const fresh = await this.refreshFrom('expired', tokens.accessToken);
      if (!fresh) return first;
      // One retry, whatever it answers: a second refresh for the same request is how loops start.
      const second = await this.send(request, fresh);
      if (second.status !== 401) {
        this.reactiveStreak = 0;
        return second;
      }
      const again = await peekError(second);
      if (!quiet && again.code && SESSION_ENDING_ACCESS_CODES.includes(again.code) && this.isCurrent(fresh)) {
        this.endSession(again.code, 'this-tab', 401, again.message);
      }
      return second;
    }
    // Only end the session if the rejected token is still ours: a refresh may have replaced it meanwhile.
    if (!quiet && error.code && SESSION_ENDING_ACCESS_CODES.includes(error.code) && this.isCurrent(tokens)) {
      this.endSession(error.code, 'this-tab', 401, error.message);
    }
    return first;
  }

  private send(request: Request, tokens: TokenSet | null): Promise<Response> {
    // Each attempt sends a clone: the original's body stays unread for the retry.
    const headers = new Headers(request.headers);
    if (tokens) headers.set('Authorization', `Bearer ${tokens.accessToken}`);
    return this.fetchImpl(new Request(request.clone(), { headers }));
  }

  private toRequest(input: RequestInfo | URL, init?: RequestInit): Request {
    if (typeof input === 'object' && !(input instanceof URL) && typeof (input as Request).clone === 'function') {
      return init ? new Request(input as Request, init) : (input as Request);
    }
    const href = input instanceof URL ? input.href : String(input);
    return new Request(new URL(href, this.base), init);
  }

  private url(path: string): URL {
    // Paths are relative to baseUrl's path, so a baseUrl of https://host/api serves /api/auth/login.
    return new URL(path.replace(/^\//, ''), new URL(this.basePath, this.base));
  }

  private isCurrent(tokens: TokenSet): boolean {
    return this.storage.get()?.accessToken === tokens.accessToken;
  }

  // ---------------------------------------------------------------- session

  async login(credentials: Record<string, unknown>): Promise<{ expiresAt: number }> {
    const sentAt = Date.now();
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(this.options.loginPath ?? '/auth/login'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(credentials),
        credentials: this.authCredentials,
        cache: 'no-store',
      });
    } catch (error) {
      throw new AuthClientError(`Could not reach the login endpoint: ${describeError(error)}`, 'NETWORK_ERROR', 0);
    }
    const body = await readJson(response);
    if (!response.ok) {
      const { code, message } = errorFields(body);
      throw new AuthClientError(message ?? `Login failed with HTTP ${response.status}`, code ?? 'LOGIN_FAILED', response.status);
    }
    const tokens = this.tokensFromPair(body, sentAt);
    if (!tokens) throw new AuthClientError('The login response has no access token', 'BAD_RESPONSE', response.status);
    this.epoch++;
    this.reactiveStreak = 0;
    this.accept(tokens);
    this.coordinator.post({ type: 'tokens', tokens, reason: 'login' });
    this.events.emit('login', { expiresAt: tokens.expiresAt, source: 'this-tab' });
    return { expiresAt: tokens.expiresAt };
  }

  async logout(everywhere: boolean): Promise<void> {
    const tokens = this.storage.get();
    this.clearTimer();
    if (tokens) {
      const path = everywhere ? (this.options.logoutAllPath ?? '/auth/logout-all') : (this.options.logoutPath ?? '/auth/logout');
      try {
        // Through execute: an expired access token is refreshed first, since the server needs a valid one to find the session.
        await this.execute(new Request(this.url(path), { method: 'POST', credentials: this.authCredentials, cache: 'no-store' }), true);
      } catch {
        // Unreachable server: the user still asked to be logged out here; the session dies at its expiry.
      }
    }
    this.forget();
    this.coordinator.post({ type: 'logout' });
    this.events.emit('logout', { everywhere });
  }

  async refresh(): Promise<boolean> {
    return (await this.refreshFrom('manual', undefined)) !== null;
  }

  async resume(): Promise<boolean> {
    if (this.storage.get()) return true;
    if (this.coordinator.kind !== 'none') {
      await this.waitForSync();
      if (this.storage.get()) return true;
    }
    if (this.mode !== 'cookie') return false;
    return (await this.refreshFrom('resume', null)) !== null;
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.unsubscribe();
    this.coordinator.close();
    this.events.clear();
    for (const wake of [...this.peerWaiters]) wake();
  }

  /** Drops the tokens locally and invalidates any refresh in flight. */
  private forget(): void {
    this.epoch++;
    this.clearTimer();
    this.storage.clear();
    this.active = false;
    this.reactiveStreak = 0;
  }

  private endSession(reason: string, source: ChangeSource, status?: number, message?: string): void {
    const had = this.active || this.storage.get() !== null;
    this.forget();
    if (!had) return;
    if (source === 'this-tab') this.coordinator.post({ type: 'session-ended', reason });
    this.events.emit('sessionExpired', { reason, status, message, source });
  }

  private accept(tokens: TokenSet): void {
    this.storage.set(tokens);
    this.active = true;
    this.lastReceivedAt = Math.max(this.lastReceivedAt, tokens.receivedAt);
    this.schedule(tokens);
  }

  /**
   * Builds the token set from a login/refresh answer. Expiry is measured on the
   * local clock from when the request was sent (never later than the server's
   * issue time), so skew between the machines doesn't matter.
   */
  private tokensFromPair(body: unknown, sentAt: number): TokenSet | null {
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
    else if (times.exp !== undefined) expiresAt = times.exp * 1000; // the server's clock: the best there is
    else expiresAt = NO_KNOWN_EXPIRY; // unknown: rely on TOKEN_EXPIRED answers alone
    const tokens: TokenSet = { accessToken: pair.accessToken, expiresAt, receivedAt: sentAt };
    if (typeof pair.refreshExpiresIn === 'number') tokens.refreshExpiresAt = sentAt + pair.refreshExpiresIn * 1000;
    // Cookie mode: the browser holds the refresh token; keeping a copy would defeat the httpOnly cookie.
    if (this.mode === 'body' && typeof pair.refreshToken === 'string') tokens.refreshToken = pair.refreshToken;
    return tokens;
  }

  // ---------------------------------------------------------------- refresh

  /**
   * Single-flight entry point. `stale`: the access token the caller found
   * wanting (refresh only if it is still current); `null`: refresh only if no
   * usable token is held; `undefined`: refresh regardless.
   */
  private refreshFrom(trigger: RefreshTrigger, stale: string | null | undefined): Promise<TokenSet | null> {
    const current = this.storage.get();
    if (current && this.isFreshEnough(current, stale)) return Promise.resolve(current);
    if (!this.inflight) {
      const flight = this.coordinator
        .exclusive(() => this.refreshExclusive(trigger, stale))
        .catch((): TokenSet | null => null)
        .finally(() => {
          if (this.inflight === flight) this.inflight = null;
        });
      this.inflight = flight;
    }
    return this.inflight;
  }

  private isFreshEnough(current: TokenSet | null, stale: string | null | undefined): boolean {
    if (!current || stale === undefined) return false;
    if (current.expiresAt <= Date.now()) return false;
    return stale === null || current.accessToken !== stale;
  }

  /** Runs while this tab holds the cross-tab lock. */
  private async refreshExclusive(trigger: RefreshTrigger, stale: string | null | undefined): Promise<TokenSet | null> {
    // Another tab may have refreshed while we waited for the lock.
    let current = this.storage.get();
    if (current && this.isFreshEnough(current, stale)) return current;
    if (this.peerRefreshes.size > 0) {
      await this.waitForPeers();
      current = this.storage.get();
      if (current && this.isFreshEnough(current, stale)) return current;
    }
    if (this.disposed) return null;
    if (this.mode === 'body' && !current?.refreshToken) return null;
    if (trigger === 'expired') {
      if (this.reactiveStreak >= (this.options.maxConsecutiveRefreshes ?? 3)) {
        this.endSession(ClientSessionEndReason.REFRESH_LOOP, 'this-tab');
        return null;
      }
      this.reactiveStreak++;
    }
    this.coordinator.post({ type: 'refresh-start' });
    try {
      return await this.callRefreshEndpoint(trigger, current);
    } finally {
      this.coordinator.post({ type: 'refresh-end' });
    }
  }

  private async callRefreshEndpoint(trigger: RefreshTrigger, current: TokenSet | null): Promise<TokenSet | null> {
    const epoch = this.epoch;
    const maxAttempts = Math.max(1, this.options.maxRefreshAttempts ?? 4);
    const backoff = { baseDelay: this.options.retryBaseDelay ?? 500, maxDelay: this.options.retryMaxDelay ?? 10_000 };
    for (let attempt = 1; ; attempt++) {
      const sentAt = Date.now();
      let response: Response | undefined;
      try {
        response = await this.fetchImpl(this.url(this.options.refreshPath ?? '/auth/refresh'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(this.mode === 'body' ? { refreshToken: current?.refreshToken } : {}),
          credentials: this.authCredentials,
          cache: 'no-store',
        });
      } catch {
        response = undefined; // network failure: transient
      }
      // A logout or another session started while we waited: this answer belongs to a dead session.
      if (this.epoch !== epoch || this.disposed) return this.storage.get();
      const body = response ? await readJson(response) : undefined;
      if (this.epoch !== epoch || this.disposed) return this.storage.get();
      const status = response?.status ?? 0;

      if (response?.ok) {
        const tokens = this.tokensFromPair(body, sentAt);
        if (!tokens) {
          this.events.emit('refreshError', { code: 'BAD_RESPONSE', status, attempt, final: true });
          return null;
        }
        this.accept(tokens);
        this.coordinator.post({ type: 'tokens', tokens, reason: 'refresh', trigger });
        this.events.emit('refresh', { expiresAt: tokens.expiresAt, trigger, source: 'this-tab' });
        return tokens;
      }

      const { code, message } = errorFields(body);
      if (status === 401 || status === 403) {
        // "No cookie" on a page load is not an expired session, just no session.
        if (trigger === 'resume' && code === REFRESH_TOKEN_MISSING && !this.storage.get()) return null;
        this.endSession(code ?? ClientSessionEndReason.REFRESH_REJECTED, 'this-tab', status, message);
        return null;
      }
      const transient = status === 0 || status === 429 || status >= 500 || code === AUTH_STORE_UNAVAILABLE;
      if (!transient || attempt >= maxAttempts) {
        this.events.emit('refreshError', { code, status, attempt, final: true });
        return null;
      }
      const delay = retryDelay(attempt, backoff, retryAfterMs(response, body));
      this.events.emit('refreshError', { code, status, attempt, retryInMs: delay, final: false });
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.epoch !== epoch || this.disposed) return this.storage.get();
    }
  }

  // ---------------------------------------------------------------- timers

  private schedule(tokens: TokenSet): void {
    this.clearTimer();
    if (this.options.proactiveRefresh === false || this.disposed || tokens.expiresAt === NO_KNOWN_EXPIRY) return;
    const delay = proactiveRefreshDelay(tokens, Date.now(), {
      leadTime: this.options.refreshLeadTime,
      jitter: this.options.refreshJitter,
      minDelay: this.options.minRefreshDelay ?? 1000,
    });
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.refreshFrom('proactive', tokens.accessToken);
      },
      Math.min(delay, MAX_TIMER_DELAY),
    );
    // A pending proactive refresh must not keep a Node process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  // ---------------------------------------------------------------- other tabs

  private onTabMessage(message: TabMessage, from: string): void {
    if (this.disposed) return;
    switch (message.type) {
      case 'tokens': {
        if (!isTokenSet(message.tokens)) return;
        if (message.reason === 'sync' && (this.active || Date.now() > this.syncUntil)) return;
        if (message.tokens.receivedAt <= this.lastReceivedAt && this.active) return;
        const tokens: TokenSet = { ...message.tokens };
        if (this.mode === 'cookie') delete tokens.refreshToken;
        if (message.reason !== 'refresh') this.epoch++;
        this.accept(tokens);
        if (message.reason === 'refresh') {
          this.events.emit('refresh', { expiresAt: tokens.expiresAt, trigger: message.trigger ?? 'proactive', source: 'other-tab' });
        } else {
          this.events.emit('login', { expiresAt: tokens.expiresAt, source: 'other-tab' });
        }
        return;
      }
      case 'refresh-start':
        this.peerRefreshes.set(from, Date.now());
        return;
      case 'refresh-end':
        this.peerRefreshes.delete(from);
        for (const wake of [...this.peerWaiters]) wake();
        return;
      case 'session-ended':
        this.endSession(message.reason, 'other-tab');
        return;
      case 'logout':
        this.endSession(ClientSessionEndReason.LOGGED_OUT, 'other-tab');
        return;
      case 'sync-request': {
        const tokens = this.storage.get();
        if (tokens && tokens.expiresAt > Date.now()) this.coordinator.post({ type: 'tokens', tokens, reason: 'sync' });
        return;
      }
    }
  }

  private requestSync(): void {
    this.syncUntil = Date.now() + 2000;
    this.coordinator.post({ type: 'sync-request' });
  }

  private async waitForSync(): Promise<void> {
    if (Date.now() > this.syncUntil) this.requestSync();
    const deadline = Date.now() + SYNC_WAIT;
    while (!this.storage.get() && Date.now() < deadline && !this.disposed) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits until the refreshes other tabs announced are over (their tokens arrive just before the end message). */
  private waitForPeers(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.peerWaiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.peerRefreshes.size === 0 || this.disposed) done();
      };
      const timer = setTimeout(() => {
        // A tab that announced a refresh and then went silent (closed) must not block us for good.
        this.peerRefreshes.clear();
        done();
      }, PEER_REFRESH_WAIT);
      this.peerWaiters.add(check);
      check();
    });
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Reads the error body without consuming the response the caller will get. */
async function peekError(response: Response): Promise<{ code?: string; message?: string }> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return {};
  return errorFields(await readJson(response.clone()));
}

function errorFields(body: unknown): { code?: string; message?: string } {
  const b = body as { code?: unknown; message?: unknown } | undefined;
  return {
    code: typeof b?.code === 'string' ? b.code : undefined,
    message: typeof b?.message === 'string' ? b.message : undefined,
  };
}

/** `Retry-After` (seconds or an HTTP date) or the body's `retryAfter` seconds, in milliseconds. */
function retryAfterMs(response: Response | undefined, body: unknown): number | undefined {
  const header = response?.headers.get('retry-after');
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return seconds * 1000;
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  const fromBody = (body as { retryAfter?: unknown } | undefined)?.retryAfter;
  return typeof fromBody === 'number' && Number.isFinite(fromBody) ? fromBody * 1000 : undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
