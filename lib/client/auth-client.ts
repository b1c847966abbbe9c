import { AuthClientError } from './auth-client.error.js';
import type { AuthClientEvents, AuthClientListener } from './auth-client.events.js';
import type { AuthClientOptions, RefreshTokenMode } from './auth-client.options.js';
import { AuthEndpoints } from './auth-endpoints.js';
import { AuthFetch, type RejectedRequest } from './auth-fetch.js';
import { ClientSession, NO_KNOWN_EXPIRY } from './client-session.js';
import { createTabCoordinator } from './create-tab-coordinator.js';
import { describeError, errorFields, readJson } from './http-body.js';
import { RefreshFlight } from './refresh-flight.js';
import { DEFAULT_LOCK_LEASE, type TabCoordinator } from './tab-coordinator.js';
import { TabSync } from './tab-sync.js';
import { MemoryTokenStorage } from './token-storage.js';
import { watchWakeUps } from './wake-up.js';

/**
 * For HTTP libraries other than `fetch` (the axios adapter uses these): the
 * same single-flight refresh, retry-once rule and coded session end as the
 * client's own `fetch`.
 * @publicApi
 */
export interface AuthClientHooks {
  /** The bearer token to send to `url`, refreshed first when known to be expired; `null` when `url` is not under `baseUrl` or there is no session. */
  tokenFor(url: string | URL): Promise<string | null>;
  /**
   * Report an answer. Resolves the token to retry the request with (once) after
   * a `TOKEN_EXPIRED` answer and a successful refresh; otherwise `null`, having
   * ended the session (event `sessionExpired`) when the code says it is over.
   */
  settle(answer: RejectedRequest): Promise<string | null>;
}

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
   * Picks up an existing session after a page load: tokens in storage, the
   * refresh cookie (cookie mode), or an access token from another open tab
   * (body mode). Resolves `true` when authenticated; `false` without any event when there was no session.
   */
  resume(): Promise<boolean>;
  /** The current access token, or `null`. */
  getAccessToken(): string | null;
  /** Local time (ms) when the current access token expires, or `null`. */
  getExpiresAt(): number | null;
  isAuthenticated(): boolean;
  on<K extends keyof AuthClientEvents>(name: K, listener: AuthClientListener<K>): () => void;
  off<K extends keyof AuthClientEvents>(name: K, listener: AuthClientListener<K>): void;
  /** Hooks for other HTTP libraries (see `attachAuthClient` in `nestjs-jwt-refresh/client/axios`). */
  readonly hooks: AuthClientHooks;
  /** Where the refresh token travels. */
  readonly mode: RefreshTokenMode;
  /** How this client coordinates with other tabs: `web-locks`, `broadcast-channel` or `none`. */
  readonly coordination: TabCoordinator['kind'];
  /** Stops timers and closes the cross-tab channel; the client must not be used afterwards. */
  dispose(): void;
}

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
  const session = core.session;
  const client = ((input: RequestInfo | URL, init?: RequestInit) => core.fetch(input, init)) as AuthClient;
  const methods: Omit<AuthClient, 'mode' | 'coordination' | 'hooks'> = {
    fetch: client,
    login: (credentials) => core.login(credentials),
    logout: () => core.logout(false),
    logoutAll: () => core.logout(true),
    refresh: async () => (await core.flight.refreshFrom('manual', undefined)) !== null,
    resume: () => core.resume(),
    getAccessToken: () => session.tokens?.accessToken ?? null,
    getExpiresAt: () => {
      const tokens = session.tokens;
      return tokens && tokens.expiresAt !== NO_KNOWN_EXPIRY ? tokens.expiresAt : null;
    },
    isAuthenticated: () => session.tokens !== null,
    on: (name, listener) => session.events.on(name, listener),
    off: (name, listener) => session.events.off(name, listener),
    dispose: () => core.dispose(),
  };
  Object.assign(client, methods);
  const hooks: AuthClientHooks = { tokenFor: (url) => core.http.tokenFor(url), settle: (answer) => core.http.settle(answer) };
  Object.defineProperties(client, {
    mode: { value: session.mode, enumerable: true },
    coordination: { value: session.coordinator.kind, enumerable: true },
    hooks: { value: Object.freeze(hooks), enumerable: true },
  });
  return client;
}

/** Internal: wires the session, the refresh flight, the tab sync and the fetch wrapper; login, logout and resume. */
class AuthClientCore {
  readonly session: ClientSession;
  readonly flight: RefreshFlight;
  readonly http: AuthFetch;
  private readonly endpoints: AuthEndpoints;
  private readonly tabs: TabSync;
  private readonly stopWatching: () => void;

  constructor(options: AuthClientOptions) {
    const mode = options.mode ?? 'body';
    if (mode !== 'body' && mode !== 'cookie') throw new TypeError(`createAuthClient: "mode" must be 'body' or 'cookie', got ${String(mode)}`);
    this.endpoints = new AuthEndpoints(options, mode);
    const crossTab = options.crossTab ?? typeof (globalThis as { document?: unknown }).document !== 'undefined';
    const tabOptions = typeof crossTab === 'object' ? crossTab : {};
    const lease = tabOptions.lockLease ?? DEFAULT_LOCK_LEASE;
    if (!Number.isFinite(lease) || lease < 100) throw new TypeError('createAuthClient: "crossTab.lockLease" must be at least 100 (ms)');
    const coordinator = createTabCoordinator(crossTab !== false, tabOptions.name || this.endpoints.channelName, lease, tabOptions.mechanism);
    this.session = new ClientSession(options, mode, options.storage ?? new MemoryTokenStorage(), coordinator);
    this.flight = new RefreshFlight(this.session, this.endpoints);
    this.session.onTimer = (accessToken) => void this.flight.refreshFrom('proactive', accessToken);
    this.tabs = new TabSync(this.session, this.flight);
    this.http = new AuthFetch(this.session, this.flight, this.endpoints);
    this.stopWatching = options.proactiveRefresh === false ? () => undefined : watchWakeUps(() => this.catchUp());
  }

  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    return this.http.execute(this.http.toRequest(input, init));
  }

  async login(credentials: Record<string, unknown>): Promise<{ expiresAt: number }> {
    const session = this.session;
    const sentAt = session.now();
    let response: Response;
    try {
      response = await this.endpoints.postJson('login', credentials);
    } catch (error) {
      throw new AuthClientError(`Could not reach the login endpoint: ${describeError(error)}`, 'NETWORK_ERROR', 0);
    }
    const body = await readJson(response);
    const { code, message, serverTime } = errorFields(body);
    session.serverClock.observe(response, sentAt, serverTime);
    if (!response.ok) {
      throw new AuthClientError(message ?? `Login failed with HTTP ${response.status}`, code ?? 'LOGIN_FAILED', response.status);
    }
    const tokens = session.tokensFromPair(body, sentAt);
    if (!tokens) throw new AuthClientError('The login response has no access token', 'BAD_RESPONSE', response.status);
    session.accept(tokens, true);
    this.tabs.announceLogin();
    session.events.emit('login', { expiresAt: tokens.expiresAt, source: 'this-tab' });
    return { expiresAt: tokens.expiresAt };
  }

  async logout(everywhere: boolean): Promise<void> {
    const tokens = this.session.tokens;
    this.session.clearTimer();
    if (tokens) {
      const url = this.endpoints.path(everywhere ? 'logoutAll' : 'logout');
      try {
        // Through execute: an expired access token is refreshed first, since the server needs a valid one to find the session.
        await this.http.execute(new Request(url, { method: 'POST', credentials: this.endpoints.credentials, cache: 'no-store' }), true);
      } catch {
        // Unreachable server: the user still asked to be logged out here; the session dies at its expiry.
      }
    }
    this.session.loggedOut(everywhere);
  }

  async resume(): Promise<boolean> {
    if (this.session.tokens) return true;
    // Cookie mode: the server, through the cookie, says which session this is; never another tab's message.
    if (this.session.mode === 'cookie') return (await this.flight.refreshFrom('resume', null)) !== null;
    if (this.session.coordinator.kind === 'none') return false;
    await this.tabs.sync();
    return this.session.tokens !== null;
  }

  dispose(): void {
    this.stopWatching();
    this.tabs.dispose();
    this.session.dispose();
    this.session.coordinator.close();
    this.flight.dispose();
  }

  /** After sleep or a hidden spell: refresh now if the token is (nearly) due, else re-arm the timer from now. */
  private catchUp(): void {
    const tokens = this.session.tokens;
    if (!tokens || tokens.expiresAt === NO_KNOWN_EXPIRY || this.session.disposed) return;
    if (tokens.expiresAt - this.session.now() <= this.session.leadTime(tokens)) void this.flight.refreshFrom('wake', tokens.accessToken);
    else this.session.schedule(tokens);
  }
}
