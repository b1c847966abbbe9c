import { AuthConfigError } from '../errors/auth-config.error.js';
import { importKey, KeyRing } from '../tokens/key-ring.js';
import type { KeySource } from '../tokens/key-ring.js';
import type { AuthModuleOptions, TokenExtractor } from './auth-options.interface.js';
import { optionSeconds as seconds } from './option-seconds.js';
import { bearerTokenExtractor } from './bearer-token.extractor.js';
import { resolveRefreshOptions, ResolvedRefreshOptions } from './resolve-refresh-options.js';

/**
 * The options after validation, built once per module: what `JwtGuard`'s
 * protected `authOptions` holds for a subclass to read.
 * @publicApi
 */
export interface ResolvedAuthOptions {
  /** The keys: `signingAt(now)` signs, `select(kid, now)` picks the verification key (a resource server's come from a JWKS). */
  keyRing: KeySource;
  /** Access-token lifetime, seconds. */
  accessTokenTtl: number;
  /** Leeway on `exp`, `nbf` and `iat`, seconds. */
  clockTolerance: number;
  /** Required `iss`, or `undefined` when not checked. */
  issuer: string | undefined;
  /** Accepted `aud` values, or `undefined` when not checked. */
  audience: string[] | undefined;
  /** Longest access token accepted, characters. */
  maxTokenLength: number;
  /** Realm of the `WWW-Authenticate` challenge. */
  realm: string;
  /** Reads the raw access token from a request. */
  tokenExtractor: TokenExtractor;
  /** Refresh-token, session-check and cookie settings, resolved the same way. */
  refresh: ResolvedRefreshOptions;
  /** Error body shape: Nest's usual one or RFC 9457 problem details. */
  errorFormat: 'nest' | 'problem';
  /** Entries of the verified-token cache; 0 when it is off. */
  verifiedTokenCacheSize: number;
  /** Seconds: `@RequireRecentLogin()`'s default limit. */
  recentLoginMaxAge: number;
  /** Seconds: the JWKS route's `Cache-Control: max-age`. */
  jwksMaxAge: number;
}

const MAX_CLOCK_TOLERANCE = 300;

/** Validates the user's options once, at start-up, with messages that name the option and the fix. */
export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  if (!options || typeof options !== 'object') throw new AuthConfigError('AuthModule.forRoot() needs an options object.');
  if (options.keys !== undefined && options.secret !== undefined) {
    throw new AuthConfigError('Give either "secret" or "keys", not both (put the secret in a key to rotate it).');
  }
  const defs = options.keys ?? (options.secret !== undefined ? [{ secret: options.secret, algorithm: options.algorithm }] : []);
  const accessTokenTtl = seconds(options.accessTokenTtl, '15m', 'accessTokenTtl');
  if (accessTokenTtl < 1) throw new AuthConfigError('"accessTokenTtl" must be at least 1 second.');
  const clockTolerance = seconds(options.clockTolerance, 30, 'clockTolerance');
  if (clockTolerance > MAX_CLOCK_TOLERANCE) {
    throw new AuthConfigError(`"clockTolerance" must be between 0 and ${MAX_CLOCK_TOLERANCE} seconds; got ${clockTolerance}. Fix the clocks instead.`);
  }
  const keyRing = new KeyRing(
    defs.map((def, i) => importKey(def, options.keys ? `keys[${i}]` : 'secret')),
    options.signingKeyId,
    // A replaced key's last token expires this long after the takeover.
    (accessTokenTtl + clockTolerance) * 1000,
  );
  if (keyRing.scheduled && options.refreshTokenSecret === undefined) {
    throw new AuthConfigError('Keys with "activeFrom" need "refreshTokenSecret": otherwise sessions would be keyed by a key that is rotated away.');
  }
  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 64) {
    throw new AuthConfigError(`"maxTokenLength" must be an integer of at least 64 characters; got ${maxTokenLength}.`);
  }
  const audience = options.audience === undefined ? undefined : [options.audience].flat();
  if (audience && (audience.length === 0 || audience.some((a) => typeof a !== 'string' || !a))) {
    throw new AuthConfigError('"audience" must be a non-empty string or a non-empty array of them.');
  }
  if (options.issuer !== undefined && (typeof options.issuer !== 'string' || !options.issuer)) {
    throw new AuthConfigError('"issuer" must be a non-empty string.');
  }
  const realm = options.realm ?? 'api';
  if (!/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(realm)) {
    throw new AuthConfigError('"realm" may hold only printable ASCII without quotes or backslashes.');
  }
  if (options.tokenExtractor !== undefined && typeof options.tokenExtractor !== 'function') {
    throw new AuthConfigError('"tokenExtractor" must be a function (request) => string | null.');
  }
  const errorFormat = options.errorFormat ?? 'nest';
  if (errorFormat !== 'nest' && errorFormat !== 'problem') {
    throw new AuthConfigError(`"errorFormat" must be "nest" or "problem"; got "${String(errorFormat)}".`);
  }
  const cache = options.verifiedTokenCache ?? true;
  const verifiedTokenCacheSize = cache === false ? 0 : cache === true ? 10_000 : cache?.maxEntries ?? 10_000;
  if (!Number.isInteger(verifiedTokenCacheSize) || verifiedTokenCacheSize < 0) {
    throw new AuthConfigError('"verifiedTokenCache" must be a boolean or { maxEntries } with a non-negative integer.');
  }
  return {
    recentLoginMaxAge: seconds(options.recentLoginMaxAge, '5m', 'recentLoginMaxAge'),
    jwksMaxAge: Math.floor(seconds(options.jwksMaxAge, '5m', 'jwksMaxAge')),
    errorFormat,
    verifiedTokenCacheSize,
    keyRing,
    accessTokenTtl,
    clockTolerance,
    issuer: options.issuer,
    audience,
    maxTokenLength,
    realm,
    tokenExtractor: options.tokenExtractor ?? bearerTokenExtractor,
    refresh: resolveRefreshOptions(options, keyRing),
  };
}
