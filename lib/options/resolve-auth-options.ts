import { AuthConfigError } from '../errors/auth-config.error.js';
import { importKey, KeyRing } from '../tokens/key-ring.js';
import type { AuthModuleOptions, TokenExtractor } from './auth-options.interface.js';
import { optionSeconds as seconds } from './option-seconds.js';
import { bearerTokenExtractor } from './bearer-token.extractor.js';
import { resolveRefreshOptions, ResolvedRefreshOptions } from './resolve-refresh-options.js';

/** The options after validation: numbers in seconds, keys imported. Built once per module. */
export interface ResolvedAuthOptions {
  keyRing: KeyRing;
  accessTokenTtl: number;
  clockTolerance: number;
  issuer: string | undefined;
  audience: string[] | undefined;
  maxTokenLength: number;
  realm: string;
  tokenExtractor: TokenExtractor;
  refresh: ResolvedRefreshOptions;
  errorFormat: 'nest' | 'problem';
  /** Entries of the verified-token cache; 0 when it is off. */
  verifiedTokenCacheSize: number;
}

const MAX_CLOCK_TOLERANCE = 300;

/** Validates the user's options once, at start-up, with messages that name the option and the fix. */
export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  if (!options || typeof options !== 'object') throw new AuthConfigError('AuthModule.forRoot() needs an options object.');
  if (options.keys !== undefined && options.secret !== undefined) {
    throw new AuthConfigError('Give either "secret" or "keys", not both (put the secret in a key to rotate it).');
  }
  const defs = options.keys ?? (options.secret !== undefined ? [{ secret: options.secret, algorithm: options.algorithm }] : []);
  const keyRing = new KeyRing(
    defs.map((def, i) => importKey(def, options.keys ? `keys[${i}]` : 'secret')),
    options.signingKeyId,
  );
  const accessTokenTtl = seconds(options.accessTokenTtl, '15m', 'accessTokenTtl');
  if (accessTokenTtl < 1) throw new AuthConfigError('"accessTokenTtl" must be at least 1 second.');
  const clockTolerance = seconds(options.clockTolerance, 30, 'clockTolerance');
  if (clockTolerance > MAX_CLOCK_TOLERANCE) {
    throw new AuthConfigError(`"clockTolerance" must be between 0 and ${MAX_CLOCK_TOLERANCE} seconds; got ${clockTolerance}. Fix the clocks instead.`);
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
