import type { AuthModuleOptions } from '../options/auth-options.interface.js';
import type { Duration } from '../options/duration.js';
import type { JwtAlgorithm } from '../tokens/jws-algorithms.js';

/** The verification options a resource server shares with `AuthModule`; each means the same there. @publicApi */
export type ResourceServerSharedOptions = Pick<
  AuthModuleOptions,
  | 'issuer'
  | 'audience'
  | 'clockTolerance'
  | 'maxTokenLength'
  | 'realm'
  | 'tokenExtractor'
  | 'verifiedTokenCache'
  | 'errorFormat'
  | 'recentLoginMaxAge'
  | 'clock'
>;

/**
 * Options of `ResourceServerModule.forRoot()`: a service that only verifies the
 * access tokens of an issuer (a Nest app running `AuthModule` with asymmetric
 * keys and `jwksRoute: true`) through its JWKS. No sessions, no refresh.
 * @publicApi
 */
export interface ResourceServerModuleOptions extends ResourceServerSharedOptions {
  /**
   * The issuer's JWK Set URL. `https:` is required, except on a loopback host (`127.0.0.1`, `::1`,
   * `localhost`) where `http:` is allowed for development and tests.
   * Example: `'https://auth.example.com/.well-known/jwks.json'`.
   */
  jwksUrl: string;
  /**
   * The algorithms accepted; a JWK whose `alg` is not listed is ignored. Asymmetric only (an HMAC
   * secret cannot be published). Default `['ES256', 'EdDSA', 'RS256']`.
   */
  algorithms?: JwtAlgorithm[];
  /**
   * Least time between two JWKS fetches, whatever asks for them: a token naming an unknown `kid`
   * triggers one at most this often. Between 1 and 300 seconds. Default `5`.
   */
  jwksCooldown?: Duration;
  /**
   * Age after which the cached set is refetched in the background (cached keys keep serving meanwhile),
   * so a key the issuer publishes ahead of a rotation is known before tokens name it. Keep it at or
   * below the issuer's `jwksMaxAge`. Default `'5m'`.
   */
  jwksMaxAge?: Duration;
  /** Longest a JWKS fetch may take, in seconds. Default `5`. */
  jwksTimeout?: Duration;
}
