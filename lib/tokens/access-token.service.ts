import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_TYPE } from '../auth.constants.js';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { AuthException } from '../errors/auth.exception.js';
import {
  InvalidTokenException,
  TokenExpiredException,
  TokenNotActiveException,
} from '../errors/access-token.exceptions.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { AccessTokenClaims, RESERVED_CLAIMS } from './access-token-claims.interface.js';
import { decodeJwsPayload, splitCompactJws } from './compact-jws.js';
import { signJws, verifyJws } from './jws-algorithms.js';
import { JsonWebKeySet, jwksOf } from './jwks.js';
import type { ImportedKey } from './key-ring.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

/** What `sign()` returns. @publicApi */
export interface SignedAccessToken {
  token: string;
  /** Lifetime in seconds. */
  expiresIn: number;
  claims: AccessTokenClaims;
}

/** Input of `sign()`: `sub` and `sid` plus any custom claims (not the reserved ones). @publicApi */
export interface AccessTokenInput {
  sub: string;
  sid: string;
  /** The session's login time in seconds since the epoch. Default: the token's `iat` (a token of a login that just happened). */
  auth_time?: number;
  [claim: string]: unknown;
}

const RESERVED = new Set<string>(RESERVED_CLAIMS);
// Distinct headers of authentic tokens kept decoded: one per key and `typ` spelling, so a ring of keys fits easily.
const MAX_KNOWN_HEADERS = 32;
const ACCEPTED_TYP = new Set([ACCESS_TOKEN_TYPE, `application/${ACCESS_TOKEN_TYPE}`]);
// Headers that point at keys elsewhere or embed one: trusting them is how alg/key confusion starts (RFC 8725 §3.10).
const REFUSED_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'];

const b64json = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs and verifies access tokens. The guard verifies through this service, so
 * a token passes here exactly when it passes on a guarded route.
 * @publicApi
 */
@Injectable()
export class AccessTokenService {
  /**
   * Tokens that already passed `verify()`, so a repeated token skips the crypto.
   * Call `verifiedTokens.dropSession(sid)` when a session is revoked.
   */
  readonly verifiedTokens: VerifiedTokenCache;
  private readonly headers = new WeakMap<ImportedKey, string>();
  private readonly knownHeaders = new Map<string, Readonly<Record<string, unknown>>>();

  constructor(@Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions) {
    this.verifiedTokens = new VerifiedTokenCache(options.verifiedTokenCacheSize);
  }

  /** Signs a new access token with the signing key, `typ: at+jwt`, a fresh `jti`, `iat` and `exp`. */
  sign(input: AccessTokenInput, now: number = this.options.refresh.clock()): SignedAccessToken {
    if (typeof input?.sub !== 'string' || !input.sub) throw new TypeError('sign(): "sub" must be a non-empty string.');
    if (typeof input.sid !== 'string' || !input.sid) throw new TypeError('sign(): "sid" must be a non-empty string.');
    if (input.auth_time !== undefined && !isTime(input.auth_time)) throw new TypeError('sign(): "auth_time" must be a number of seconds.');
    // Built in JSON order (custom claims first) on one object, without intermediate copies.
    const claims = {} as AccessTokenClaims;
    for (const name of Object.keys(input)) {
      if (name === 'sub' || name === 'sid' || name === 'auth_time') continue;
      if (RESERVED.has(name)) throw new TypeError(`sign(): the claim "${name}" is set by the library and cannot be given.`);
      // Assigning it would set the object's prototype instead of a claim.
      if (name === '__proto__') throw new TypeError('sign(): a claim cannot be named "__proto__".');
      claims[name] = input[name];
    }
    const { keyRing, accessTokenTtl, issuer, audience } = this.options;
    const key = keyRing.signingAt(now);
    const iat = Math.floor(now / 1000);
    claims.sub = input.sub;
    claims.sid = input.sid;
    claims.jti = newJti();
    claims.iat = iat;
    claims.exp = iat + Math.round(accessTokenTtl);
    claims.auth_time = input.auth_time ?? iat;
    if (issuer !== undefined) claims.iss = issuer;
    if (audience !== undefined) claims.aud = audience.length === 1 ? audience[0] : audience;
    const signingInput = `${this.encodedHeader(key)}.${b64json(claims)}`;
    const signature = signJws(key.algorithm, key.signingKey!, signingInput);
    return { token: `${signingInput}.${signature}`, expiresIn: claims.exp - iat, claims };
  }

  /**
   * Verifies a token and returns its claims, or throws a coded `AuthException`.
   * The signature is checked before any claim, so a forged token never learns
   * whether its `exp` would have passed.
   */
  verify(token: string, now: number = this.options.refresh.clock()): AccessTokenClaims {
    const result = this.tryVerify(token, now);
    if (result instanceof AuthException) throw result;
    return result;
  }

  /**
   * `verify()` that returns the coded exception instead of throwing it, for
   * callers that turn a refusal into a response anyway (the strategy does).
   */
  tryVerify(token: string, now: number = this.options.refresh.clock()): AccessTokenClaims | AuthException {
    // A hit skips parsing and the signature only: the time checks below run on every call, cached or not.
    const cached = this.verifiedTokens.get(token, now, this.options.clockTolerance);
    if (cached) return this.checkClaims(cached, now) ?? cached;
    const split = splitCompactJws(token, this.options.maxTokenLength, this.knownHeaders);
    if (typeof split === 'string') return new InvalidTokenException(split);
    const { header } = split;
    if (typeof header.typ !== 'string' || !ACCEPTED_TYP.has(header.typ.toLowerCase())) {
      return new InvalidTokenException('typ is not at+jwt');
    }
    // We implement no critical extensions, so any `crit` is one we don't understand (RFC 7515 §4.1.11).
    if (header.crit !== undefined) return new InvalidTokenException('unsupported crit header');
    for (const name of REFUSED_HEADERS) {
      if (header[name] !== undefined) return new InvalidTokenException(`${name} header is not accepted`);
    }
    const key = this.options.keyRing.select(header.kid, now);
    if (!key) return new InvalidTokenException('unknown kid');
    if (header.alg !== key.algorithm) return new InvalidTokenException('alg does not match the key');
    if (!verifyJws(key.algorithm, key.verificationKey, split.signingInput, split.signatureSegment)) {
      return new InvalidTokenException('bad signature');
    }
    const payload = decodeJwsPayload(split.payloadSegment);
    if (!payload) return new InvalidTokenException('payload is not a JSON object');
    const refused = this.checkClaims(payload, now);
    if (refused) return refused;
    const claims = payload as AccessTokenClaims;
    this.verifiedTokens.set(token, claims, now);
    this.rememberHeader(split.headerSegment, header);
    return claims;
  }

  /**
   * The public verification keys as an RFC 7517 JWK Set, for other services to verify our tokens:
   * the asymmetric keys accepted at `now` (a scheduled next key included, before it signs; a retired
   * one no more). HMAC secrets are never in it, so an HS-only deployment has an empty set.
   */
  jwks(now: number = this.options.refresh.clock()): JsonWebKeySet {
    return jwksOf(this.options.keyRing.liveAt(now));
  }

  /**
   * Keeps the decoded header of a token that passed, so later tokens with the same
   * header (nearly all of them, forged ones included) skip decoding it. Only
   * authentic headers get in, and a few at most: a flood of made-up headers can't grow it.
   */
  private rememberHeader(segment: string, header: Record<string, unknown>): void {
    if (this.knownHeaders.has(segment)) return;
    if (this.knownHeaders.size >= MAX_KNOWN_HEADERS) this.knownHeaders.clear();
    this.knownHeaders.set(segment, Object.freeze(header));
  }

  /** The header depends only on the key, so each key's is encoded once. */
  private encodedHeader(key: ImportedKey): string {
    let encoded = this.headers.get(key);
    if (encoded === undefined) {
      const header = { alg: key.algorithm, typ: ACCESS_TOKEN_TYPE, ...(key.kid !== undefined ? { kid: key.kid } : {}) };
      encoded = b64json(header);
      this.headers.set(key, encoded);
      // Our own header is authentic by definition: tokens we signed skip decoding it from the first one.
      this.rememberHeader(encoded, header);
    }
    return encoded;
  }

  /** Why the claims are refused, or `null` when they pass. */
  private checkClaims(payload: Record<string, unknown>, nowMs: number): AuthException | null {
    const { clockTolerance, issuer, audience } = this.options;
    const now = nowMs / 1000;
    const { exp, nbf, iat, sub, sid } = payload;
    if (!isTime(exp)) return new InvalidTokenException('exp missing or not a number');
    if (typeof sub !== 'string' || !sub) return new InvalidTokenException('sub missing');
    if (typeof sid !== 'string' || !sid) return new InvalidTokenException('sid missing');
    if (nbf !== undefined && !isTime(nbf)) return new InvalidTokenException('nbf not a number');
    if (iat !== undefined && !isTime(iat)) return new InvalidTokenException('iat not a number');
    if (issuer !== undefined && payload.iss !== issuer) return new InvalidTokenException('issuer mismatch');
    if (audience !== undefined && !audienceMatches(payload.aud, audience)) return new InvalidTokenException('audience mismatch');
    if (isTime(iat) && iat > now + clockTolerance) return new InvalidTokenException('iat in the future');
    if (now > exp + clockTolerance) return new TokenExpiredException(new Date(exp * 1000), new Date(nowMs));
    if (isTime(nbf) && nbf > now + clockTolerance) return new TokenNotActiveException(new Date(nbf * 1000), new Date(nowMs));
    return null;
  }
}

// 16 random bytes as 22 base64url characters (the jti format since 0.1). They come from randomUUID, which
// draws on Node's cached entropy batch: a jti is public, and a rotation then spends no syscall on it.
function newJti(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

// Finite and within Date's range: NaN, Infinity and 1e300 must never disable a check.
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 8.64e12;
}

function audienceMatches(aud: unknown, accepted: string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && accepted.includes(a));
}
