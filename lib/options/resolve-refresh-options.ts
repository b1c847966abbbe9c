import { AuthConfigError } from '../errors/auth-config.error.js';
import type { RefreshTokenStore } from '../refresh/refresh-token.store.js';
import type { SessionEventListener, SessionEventSink } from '../refresh/session-events.js';
import type { ClaimsResolver } from '../refresh/session-claims.js';
import type { KeyRing } from '../tokens/key-ring.js';
import type { AuthModuleOptions } from './auth-options.interface.js';
import { optionSeconds as seconds } from './option-seconds.js';

/** The refresh cookie's attributes after validation. */
export interface ResolvedRefreshCookie {
  name: string;
  path: string;
  sameSite: 'Strict' | 'Lax';
  secure: boolean;
  domain: string | undefined;
  bodyToken: boolean;
  /** Origins (`URL.origin` form) allowed besides the app's own. */
  trustedOrigins: ReadonlySet<string>;
}

/** Refresh-side options after validation; durations in milliseconds. */
export interface ResolvedRefreshOptions {
  refreshTokenTtlMs: number;
  sessionMaxAgeMs: number;
  reuseGraceMs: number;
  secret: Buffer;
  /** True when `refreshTokenSecret` is unset and the refresh key comes from an HS (shared) access-token secret. */
  secretFromAccessKey: boolean;
  maxSessionsPerSubject: number;
  store: RefreshTokenStore | undefined;
  sessionCheck: { enabled: boolean; cacheTtlMs: number; cacheSize: number };
  cookie: ResolvedRefreshCookie | null;
  onSessionEvent: SessionEventListener | undefined;
  eventEmitter: SessionEventSink | undefined;
  claimsResolver: ClaimsResolver | undefined;
  clock: () => number;
}

const MIN_SECRET_BYTES = 32;
const STORE_METHODS = ['create', 'get', 'rotate', 'revoke', 'revokeSubject', 'listBySubject'] as const;
// RFC 6265 cookie-name is an RFC 7230 token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE_SAFE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** Validates the refresh options once, at start-up. */
export function resolveRefreshOptions(options: AuthModuleOptions, keyRing: KeyRing): ResolvedRefreshOptions {
  const refreshTokenTtl = seconds(options.refreshTokenTtl, '7d', 'refreshTokenTtl');
  if (refreshTokenTtl < 1) throw new AuthConfigError('"refreshTokenTtl" must be at least 1 second.');
  const sessionMaxAge = seconds(options.sessionMaxAge, '30d', 'sessionMaxAge');
  if (sessionMaxAge < 1) throw new AuthConfigError('"sessionMaxAge" must be at least 1 second.');
  const reuseGrace = seconds(options.reuseGrace, 10, 'reuseGrace');
  if (reuseGrace > 300) {
    throw new AuthConfigError(`"reuseGrace" must be between 0 and 300 seconds; got ${reuseGrace}. A long grace lets a thief ride along.`);
  }
  return {
    refreshTokenTtlMs: refreshTokenTtl * 1000,
    sessionMaxAgeMs: sessionMaxAge * 1000,
    reuseGraceMs: reuseGrace * 1000,
    secret: refreshSecret(options.refreshTokenSecret, keyRing),
    secretFromAccessKey: options.refreshTokenSecret === undefined && keyRing.signing.signingKey?.type === 'secret',
    maxSessionsPerSubject: maxSessions(options.maxSessionsPerSubject),
    store: checkStore(options.store),
    sessionCheck: sessionCheck(options.sessionCheck),
    cookie: cookie(options.refreshCookie, trustedOrigins(options.trustedOrigins)),
    onSessionEvent: checkFunction(options.onSessionEvent, 'onSessionEvent') as SessionEventListener | undefined,
    eventEmitter: checkEventSink(options.eventEmitter),
    claimsResolver: checkFunction(options.claimsResolver, 'claimsResolver') as ClaimsResolver | undefined,
    clock: (checkFunction(options.clock, 'clock') as (() => number) | undefined) ?? Date.now,
  };
}

function refreshSecret(secret: string | Buffer | undefined, keyRing: KeyRing): Buffer {
  if (secret !== undefined) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    if (!Buffer.isBuffer(bytes) || bytes.length < MIN_SECRET_BYTES) {
      throw new AuthConfigError(
        `"refreshTokenSecret" is too weak: at least ${MIN_SECRET_BYTES} bytes are needed. Generate one with "npx nestjs-jwt-refresh secret".`,
      );
    }
    return bytes;
  }
  // Every instance holds the same signing key, so all of them derive the same refresh key without more configuration.
  const key = keyRing.signing.signingKey!;
  return key.type === 'secret' ? key.export() : key.export({ format: 'der', type: 'pkcs8' });
}

function maxSessions(value: number | undefined): number {
  if (value === undefined) return 100;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new AuthConfigError(`"maxSessionsPerSubject" must be a positive integer; got ${String(value)}.`);
  }
  return value;
}

function checkStore(store: RefreshTokenStore | undefined): RefreshTokenStore | undefined {
  if (store === undefined) return undefined;
  const missing = STORE_METHODS.filter((m) => typeof (store as unknown as Record<string, unknown>)?.[m] !== 'function');
  if (missing.length) throw new AuthConfigError(`"store" must implement RefreshTokenStore; missing: ${missing.join(', ')}.`);
  return store;
}

function sessionCheck(value: AuthModuleOptions['sessionCheck']): ResolvedRefreshOptions['sessionCheck'] {
  if (value === false) return { enabled: false, cacheTtlMs: 0, cacheSize: 0 };
  const config = value === undefined || value === true ? {} : value;
  if (typeof config !== 'object' || config === null) throw new AuthConfigError('"sessionCheck" must be a boolean or { cacheTtl, cacheSize }.');
  const cacheTtl = seconds(config.cacheTtl, 5, 'sessionCheck.cacheTtl');
  if (cacheTtl > 60) throw new AuthConfigError(`"sessionCheck.cacheTtl" must be between 0 and 60 seconds; got ${cacheTtl}.`);
  const cacheSize = config.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new AuthConfigError('"sessionCheck.cacheSize" must be a positive integer.');
  return { enabled: true, cacheTtlMs: cacheTtl * 1000, cacheSize };
}

function trustedOrigins(value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) throw new AuthConfigError('"trustedOrigins" must be an array of origins such as "https://app.example.com".');
  const origins = new Set<string>();
  for (const entry of value) {
    let url: URL | undefined;
    try {
      url = typeof entry === 'string' ? new URL(entry) : undefined;
    } catch {
      url = undefined;
    }
    // Only a bare origin: a path or a wildcard here would be a sign the option is misunderstood.
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/$/, '')) {
      throw new AuthConfigError(`"trustedOrigins" entries must be origins (scheme://host[:port], no path); got ${JSON.stringify(entry)}.`);
    }
    origins.add(url.origin);
  }
  return origins;
}

function cookie(value: AuthModuleOptions['refreshCookie'], trusted: ReadonlySet<string>): ResolvedRefreshCookie | null {
  if (value === undefined || value === false) return null;
  const config = value === true ? {} : value;
  if (typeof config !== 'object' || config === null) throw new AuthConfigError('"refreshCookie" must be a boolean or cookie options.');
  const resolved: ResolvedRefreshCookie = {
    name: config.name ?? 'refresh_token',
    path: config.path ?? '/auth',
    sameSite: config.sameSite ?? 'Strict',
    secure: config.secure ?? true,
    domain: config.domain,
    bodyToken: config.bodyToken ?? false,
    trustedOrigins: trusted,
  };
  if (!COOKIE_NAME.test(resolved.name)) throw new AuthConfigError(`"refreshCookie.name" is not a valid cookie name: "${resolved.name}".`);
  if (!resolved.path.startsWith('/') || !COOKIE_VALUE_SAFE.test(resolved.path)) {
    throw new AuthConfigError(`"refreshCookie.path" must start with "/" and hold no ";" or spaces; got "${resolved.path}".`);
  }
  if (resolved.sameSite !== 'Strict' && resolved.sameSite !== 'Lax') {
    throw new AuthConfigError('"refreshCookie.sameSite" must be "Strict" or "Lax" (None would send the cookie cross-site).');
  }
  if (resolved.domain !== undefined && !/^[A-Za-z0-9.-]+$/.test(resolved.domain)) {
    throw new AuthConfigError(`"refreshCookie.domain" is not a host name: "${resolved.domain}".`);
  }
  if (typeof resolved.bodyToken !== 'boolean') throw new AuthConfigError('"refreshCookie.bodyToken" must be a boolean.');
  // Browsers silently drop prefixed cookies that break these rules: say so at start-up instead.
  if (resolved.name.startsWith('__Host-') && (resolved.path !== '/' || !resolved.secure || resolved.domain !== undefined)) {
    throw new AuthConfigError('"refreshCookie.name" starts with "__Host-", which browsers accept only with path "/", secure true and no domain.');
  }
  if (resolved.name.startsWith('__Secure-') && !resolved.secure) {
    throw new AuthConfigError('"refreshCookie.name" starts with "__Secure-", which browsers accept only with secure true.');
  }
  return resolved;
}

function checkEventSink(value: unknown): SessionEventSink | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof (value as { emit?: unknown }).emit !== 'function') {
    throw new AuthConfigError('"eventEmitter" must have an emit(name, payload) method, such as EventEmitter2 from @nestjs/event-emitter.');
  }
  return value as SessionEventSink;
}

function checkFunction(value: unknown, name: string): unknown {
  if (value !== undefined && typeof value !== 'function') throw new AuthConfigError(`"${name}" must be a function.`);
  return value;
}
