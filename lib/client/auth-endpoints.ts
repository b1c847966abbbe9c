import type { AuthClientOptions, RefreshTokenMode } from './auth-client.options.js';

/**
 * Where the API and its auth endpoints are, and how to call them: the
 * injected `fetch`, the credentials mode, and which URLs get the bearer token.
 */
export class AuthEndpoints {
  readonly base: URL;
  readonly fetch: typeof fetch;
  readonly isApiUrl: (url: URL) => boolean;
  // Cookie mode must send the cookie even to another origin; body mode must never send cookies it doesn't need.
  readonly credentials: RequestCredentials;
  private readonly basePath: string;

  constructor(
    private readonly options: AuthClientOptions,
    mode: RefreshTokenMode,
  ) {
    const location = (globalThis as { location?: { origin?: string } }).location;
    const baseUrl = options.baseUrl ?? (location?.origin && location.origin !== 'null' ? location.origin : undefined);
    if (!baseUrl) {
      throw new TypeError('createAuthClient: "baseUrl" is required outside a browser page, e.g. createAuthClient({ baseUrl: "http://127.0.0.1:3000" })');
    }
    this.base = new URL(baseUrl);
    this.basePath = this.base.pathname.endsWith('/') ? this.base.pathname : `${this.base.pathname}/`;
    const globalFetch = (globalThis as { fetch?: typeof fetch }).fetch;
    if (!options.fetch && typeof globalFetch !== 'function') throw new TypeError('createAuthClient: no global fetch here; pass the "fetch" option');
    // Browsers throw "Illegal invocation" when fetch is called detached from its global.
    this.fetch = options.fetch ?? globalFetch!.bind(globalThis);
    this.isApiUrl = options.isApiUrl ?? ((url) => url.origin === this.base.origin && (url.pathname + '/').startsWith(this.basePath));
    this.credentials = mode === 'cookie' ? 'include' : 'same-origin';
  }

  /** The default lock and channel name: one per API, so two clients of different APIs don't mix. */
  get channelName(): string {
    return `nestjs-jwt-refresh:${this.base.origin}${this.basePath}`;
  }

  /** Paths are relative to baseUrl's path, so a baseUrl of https://host/api serves /api/auth/login. */
  url(path: string): URL {
    return new URL(path.replace(/^\//, ''), new URL(this.basePath, this.base));
  }

  resolve(input: string | URL): URL {
    return new URL(input instanceof URL ? input.href : String(input), this.base);
  }

  path(name: 'login' | 'refresh' | 'logout' | 'logoutAll'): URL {
    const o = this.options;
    const paths = { login: o.loginPath ?? '/auth/login', refresh: o.refreshPath ?? '/auth/refresh', logout: o.logoutPath ?? '/auth/logout', logoutAll: o.logoutAllPath ?? '/auth/logout-all' };
    return this.url(paths[name]);
  }

  /** A JSON POST to an auth endpoint (the server accepts nothing else there). */
  postJson(name: 'login' | 'refresh', body: unknown): Promise<Response> {
    return this.fetch(this.path(name), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: this.credentials,
      cache: 'no-store',
    });
  }
}
