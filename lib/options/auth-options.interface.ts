import type { AuthKeyOptions } from '../tokens/key-ring.js';
import type { JwtAlgorithm } from '../tokens/jws-algorithms.js';
import type { Duration } from './duration.js';

/** Reads the raw access token from a request; return `null` when there is none. @publicApi */
export type TokenExtractor = (request: any) => string | null | undefined;

/**
 * Options of `AuthModule.forRoot()` / `forRootAsync()`. Durations take seconds
 * (`90`) or a string (`'30s'`, `'15m'`, `'1h'`, `'7d'`).
 * @publicApi
 */
export interface AuthModuleOptions {
  /** HMAC secret for a single-key HS deployment. At least 32 bytes (UTF-8) for HS256. Use `keys` instead for asymmetric keys or key rotation. */
  secret?: string | Buffer;
  /** Algorithm of `secret`. Default `'HS256'`. Ignored when `keys` is given (each key names its own). */
  algorithm?: JwtAlgorithm;
  /** Several keys for rotation or asymmetric algorithms; one signs (`signingKeyId`), all verify, selected by `kid`. */
  keys?: AuthKeyOptions[];
  /** `kid` of the key that signs new tokens. Default: the first key that can sign. */
  signingKeyId?: string;
  /** Access-token lifetime. Default `'15m'`. */
  accessTokenTtl?: Duration;
  /** Seconds of leeway on `exp`, `nbf` and `iat`, between 0 and 300. Default `30`. */
  clockTolerance?: Duration;
  /** Written to `iss` when signing and required when verifying. Default: not set, not checked. */
  issuer?: string;
  /** Written to `aud` when signing; a token must name one of these when verifying. Default: not set, not checked. */
  audience?: string | string[];
  /** Longest access token accepted, in characters; longer ones are refused before any parsing. Default `8192`. */
  maxTokenLength?: number;
  /** Realm in the `WWW-Authenticate` challenge. Default `'api'`. */
  realm?: string;
  /** Where to read the access token. Default: the `Authorization: Bearer` header only (scheme case-insensitive). */
  tokenExtractor?: TokenExtractor;
}
