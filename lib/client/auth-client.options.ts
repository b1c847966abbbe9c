import type { AuthClientEvents } from './auth-client.events.js';
import type { TokenStorage } from './token-storage.js';

/**
 * Where the refresh token travels.
 * - `'body'`: the client keeps it (in `storage`) and posts it to the refresh endpoint.
 * - `'cookie'`: the server keeps it in an httpOnly cookie; the client never stores it and
 *   sends auth calls with `credentials: 'include'`. Needs a `fetch` with a cookie jar
 *   (every browser; in Node, pass one).
 * @publicApi
 */
export type RefreshTokenMode = 'body' | 'cookie';

/**
 * Options of `createAuthClient()`. Times are in milliseconds.
 * @publicApi
 */
export interface AuthClientOptions {
  /**
   * Origin (and optional path prefix) of the API, e.g. `'https://api.example.com'`.
   * Relative URLs are resolved against it, and only URLs under it get the bearer token.
   * Default: `location.origin` in a browser; required in Node.
   */
  baseUrl?: string;
  /** Login endpoint, relative to `baseUrl`. Default `'/auth/login'`. */
  loginPath?: string;
  /** Refresh endpoint, relative to `baseUrl`. Default `'/auth/refresh'`. */
  refreshPath?: string;
  /** Logout endpoint. Default `'/auth/logout'`. */
  logoutPath?: string;
  /** Logout-everywhere endpoint. Default `'/auth/logout-all'`. */
  logoutAllPath?: string;
  /** Where the refresh token travels. Default `'body'`. */
  mode?: RefreshTokenMode;
  /** Where tokens are kept. Default: a `MemoryTokenStorage` (gone on reload; see the docs on localStorage). */
  storage?: TokenStorage;
  /** The `fetch` to call. Default: the global `fetch`. Inject one to add a cookie jar in Node, logging, or test faults. */
  fetch?: typeof fetch;
  /** Called when the session ends for good (same payload as the `sessionExpired` event). */
  onSessionExpired?: (event: AuthClientEvents['sessionExpired']) => void;
  /** Refresh shortly before the access token expires, so requests seldom meet a 401. Default `true`. */
  proactiveRefresh?: boolean;
  /** How long before expiry the proactive refresh runs. Default: a quarter of the token's lifetime, at most 60 000. */
  refreshLeadTime?: number;
  /** Random spread added before the lead time, so tabs and clients don't refresh in lockstep. Default: a tenth of the lifetime, at most 10 000. */
  refreshJitter?: number;
  /** Shortest delay the proactive timer ever waits. Default `1000`. */
  minRefreshDelay?: number;
  /** Attempts per refresh when it fails transiently (503 `AUTH_STORE_UNAVAILABLE`, 5xx, network error). Default `4`. */
  maxRefreshAttempts?: number;
  /** First backoff delay between those attempts; doubles each time. Default `500`. */
  retryBaseDelay?: number;
  /** Longest backoff delay, also the cap on a server's `Retry-After`. Default `10000`. */
  retryMaxDelay?: number;
  /**
   * Loop guard: refreshes triggered by `TOKEN_EXPIRED` in a row with no successful
   * authenticated response in between. One more ends the session with `REFRESH_LOOP`
   * instead of refreshing forever against a server whose clock disagrees. Default `3`.
   */
  maxConsecutiveRefreshes?: number;
  /**
   * Coordinate with other tabs of the same origin (one refresh at a time, access tokens
   * shared, logout everywhere; refresh tokens are never shared). `true` uses Web Locks when
   * available, else a BroadcastChannel; an object names the lock/channel and sets the lock's
   * lease. Default: on when a `document` exists (a browser page), off in Node.
   */
  crossTab?: boolean | CrossTabOptions;
  /** Which URLs receive the bearer token. Default: those under `baseUrl` (same origin, path prefix). Never widen this to third parties. */
  isApiUrl?: (url: URL) => boolean;
  /** The local clock, epoch milliseconds. Default `Date.now`. Replace only in tests. */
  clock?: () => number;
}

/**
 * Cross-tab options of `createAuthClient()`.
 * @publicApi
 */
export interface CrossTabOptions {
  /** Lock and channel name. Default `'nestjs-jwt-refresh:' + the API's origin and path`. */
  name?: string;
  /**
   * Longest a tab waits for the cross-tab lock, in ms, before taking it anyway (Web Locks:
   * `steal`). Any script of the origin can request the lock and never release it; the lease
   * keeps that from stopping refreshes. Default `10000`; at least `100`.
   */
  lockLease?: number;
  /**
   * Pin the mechanism instead of taking the strongest available: `'broadcast-channel'` uses
   * the BroadcastChannel mutex even where Web Locks exist (Node 24 has them, Node 20 does not).
   * Default: Web Locks when available, else the BroadcastChannel mutex.
   */
  mechanism?: 'web-locks' | 'broadcast-channel';
}
