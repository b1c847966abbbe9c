import type { AuthKeyOptions } from '../tokens/key-ring.js';
import type { JwtAlgorithm } from '../tokens/jws-algorithms.js';
import type { Duration } from './duration.js';
import type { RefreshTokenStore } from '../refresh/refresh-token.store.js';
import type { SessionEventListener, SessionEventSink } from '../refresh/session-events.js';
import type { ClaimsResolver } from '../refresh/session-claims.js';

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

  /**
   * Remember access tokens that passed verification, keyed by the exact token
   * string, so a token presented again skips parsing and the signature check
   * (time checks still run on every request; an entry never outlives `exp` plus
   * the tolerance). `{ maxEntries }` bounds it (about 700 bytes each);
   * `false` turns it off. Default `true` (10,000 entries).
   */
  verifiedTokenCache?: boolean | { maxEntries?: number };
  /** Sliding lifetime of a refresh token: each rotation starts a new one. Default `'7d'`. */
  refreshTokenTtl?: Duration;
  /** Absolute lifetime of a session (a rotation chain); rotations never extend it. Default `'30d'`. */
  sessionMaxAge?: Duration;
  /**
   * Seconds during which the refresh token retired by the last rotation may be
   * presented again and get the same successor back (parallel tabs, a retried
   * request), between 0 and 300. Default `10`.
   */
  reuseGrace?: Duration;
  /**
   * Key behind refresh tokens' integrity tags and successor derivation, at least
   * 32 bytes, shared by every instance. Default: derived from the signing key,
   * which means replacing the signing key also ends every session; set it to rotate keys freely.
   */
  refreshTokenSecret?: string | Buffer;
  /**
   * Live sessions one subject may hold. A login beyond it ends that subject's least recently used
   * session (its tokens then answer as revoked, reason `session_limit`); other subjects' sessions are
   * never touched, however many logins one subject makes. Also bounds what per-subject operations
   * (listing, log out everywhere) cost. Default `100`. Example: `5`.
   */
  maxSessionsPerSubject?: number;
  /** Where sessions live. Default: a `MemoryRefreshTokenStore` (one process). Use `RedisRefreshTokenStore` from `nestjs-jwt-refresh/redis` for several instances. */
  store?: RefreshTokenStore;
  /**
   * Makes `JwtGuard` refuse access tokens of revoked or unknown sessions with
   * `TOKEN_REVOKED`, so logout takes effect before the access token expires.
   * `true` uses a per-instance cache of session states for 5 seconds; pass
   * `{ cacheTtl: 0 }` to ask the store on every request. Default `true`.
   */
  sessionCheck?: boolean | SessionCheckOptions;
  /**
   * Cookie mode: the refresh token travels only in an httpOnly cookie (see `RefreshCookieService`),
   * and the auth endpoints marked `@AuthEndpoint()` refuse cross-site requests. Default `false`.
   */
  refreshCookie?: boolean | RefreshCookieOptions;
  /**
   * Cookie mode: origins besides the app's own (scheme, host and port, e.g. `'https://app.example.com'`)
   * whose pages may call the auth endpoints. Any other `Origin` is answered `403 CROSS_SITE_REQUEST`.
   * A request a browser marks `Sec-Fetch-Site: cross-site` is refused whatever its origin (a
   * `SameSite` cookie would not travel with it anyway), so list same-site siblings here, such as a
   * front end on `app.example.com` calling `api.example.com`. Default `[]`.
   */
  trustedOrigins?: string[];
  /**
   * Computes the custom claims of every access token a rotation (or a grace-window replay) signs,
   * instead of re-signing the session's stored claims unchanged: a role change then reaches the
   * session's next token without a new login. May be async (load the user's current roles). It gets
   * the session's `sub`, `sid`, stored `claims` and `authTime`; what it returns is signed, not stored.
   * If it throws (or returns something that is not a plain object of custom claims) the rotation does
   * not happen and the caller gets `503 AUTH_STORE_UNAVAILABLE`, which clients retry.
   * Default: none (the stored claims are signed).
   * Example: `async ({ sub }) => ({ roles: await users.rolesOf(sub) })`.
   */
  claimsResolver?: ClaimsResolver;
  /** Called for `session.created`, `session.rotated`, `session.revoked` and `session.reuse_detected`. Errors it throws are logged, never fatal. */
  onSessionEvent?: SessionEventListener;
  /**
   * Also emits every session event on this emitter, as `auth.session.created`,
   * `auth.session.rotated`, `auth.session.revoked` and `auth.session.reuse_detected`
   * with the event as its payload: pass `EventEmitter2` from `@nestjs/event-emitter`
   * (through `forRootAsync`'s `inject`) and handle them with `@OnEvent()`. Any
   * object with an `emit(name, payload)` method works. Errors are logged, never fatal.
   * Default: not set.
   */
  eventEmitter?: SessionEventSink;
  /**
   * Shape of error bodies written by `AuthExceptionFilter`: `'nest'` (Nest's usual
   * `{ statusCode, message, error }` plus `code`) or `'problem'` (RFC 9457
   * `application/problem+json` with `type`, `title`, `status`, `detail`, `code`).
   * The problem format needs the filter registered (`globalFilter: true`). Default `'nest'`.
   */
  errorFormat?: 'nest' | 'problem';
  /**
   * How recent a login `@RequireRecentLogin()` without an argument demands, checked against the
   * access token's `auth_time`. Default `'5m'`. Example: `process.env.FRESH_LOGIN_MAX_AGE`.
   */
  recentLoginMaxAge?: Duration;
  /**
   * `Cache-Control: public, max-age` of the JWKS route (`jwksRoute: true`): how long verifiers may
   * keep the key set. A scheduled key (`activeFrom`) should be in the configuration at least this long
   * before it signs. Default `'5m'`.
   */
  jwksMaxAge?: Duration;
  /** Clock in milliseconds for sessions, signing and verifying; replace only in tests (see `FixedClock` in `nestjs-jwt-refresh/testing`). Default `Date.now`. */
  clock?: () => number;
}

/** Tuning of the guard's session check. @publicApi */
export interface SessionCheckOptions {
  /** How long an instance trusts a session state it read, in seconds (0 to 60). Revocations on the same instance apply at once. Default `5`. */
  cacheTtl?: Duration;
  /** Most session states cached per instance. Default `10000`. */
  cacheSize?: number;
}

/** The refresh cookie (`HttpOnly` always). @publicApi */
export interface RefreshCookieOptions {
  /**
   * Cookie name. Default `'refresh_token'`. A name starting with `__Host-` (e.g.
   * `'__Host-refresh_token'`) makes browsers refuse the cookie from any other host,
   * sibling subdomains included (no cookie tossing), but requires `path: '/'`,
   * `secure: true` and no `domain`: the cookie then rides along on every request to the host.
   */
  name?: string;
  /** Path the browser sends it to: only the refresh endpoints. Default `'/auth'`. */
  path?: string;
  /** Default `'Strict'`. */
  sameSite?: 'Strict' | 'Lax';
  /** `Secure` attribute. Default `true` (browsers accept Secure cookies on http://localhost). */
  secure?: boolean;
  /** `Domain` attribute. Default: none (host-only). */
  domain?: string;
  /**
   * Also send the refresh token in the JSON body of login and refresh answers.
   * Default `false`: only the httpOnly cookie carries it, so no page script
   * (an XSS, a compromised dependency) can read it. `true` is for a transition
   * period with clients that still read it from the body.
   */
  bodyToken?: boolean;
}
