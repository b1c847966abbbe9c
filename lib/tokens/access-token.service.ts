import { Inject, Injectable } from '@nestjs/common';
import { ACCESS_TOKEN_TYPE } from '../auth.constants.js';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import {
  InvalidTokenException,
  TokenExpiredException,
  TokenNotActiveException,
} from '../errors/access-token.exceptions.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { AccessTokenClaims, RESERVED_CLAIMS } from './access-token-claims.interface.js';
import { parseCompactJws } from './compact-jws.js';
import { signJws, verifyJws } from './jws-algorithms.js';
import { randomId } from './random-pool.js';
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
  [claim: string]: unknown;
}

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

  constructor(@Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions) {
    this.verifiedTokens = new VerifiedTokenCache(options.verifiedTokenCacheSize);
  }

  /** Signs a new access token with the signing key, `typ: at+jwt`, a fresh `jti`, `iat` and `exp`. */
  sign(input: AccessTokenInput, now: number = Date.now()): SignedAccessToken {
    if (typeof input?.sub !== 'string' || !input.sub) throw new TypeError('sign(): "sub" must be a non-empty string.');
    if (typeof input.sid !== 'string' || !input.sid) throw new TypeError('sign(): "sid" must be a non-empty string.');
    const custom: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input)) {
      if (name === 'sub' || name === 'sid') continue;
      if ((RESERVED_CLAIMS as readonly string[]).includes(name)) {
        throw new TypeError(`sign(): the claim "${name}" is set by the library and cannot be given.`);
      }
      custom[name] = value;
    }
    const { keyRing, accessTokenTtl, issuer, audience } = this.options;
    const key = keyRing.signing;
    const iat = Math.floor(now / 1000);
    const claims: AccessTokenClaims = {
      ...custom,
      sub: input.sub,
      sid: input.sid,
      jti: randomId(16),
      iat,
      exp: iat + Math.round(accessTokenTtl),
      ...(issuer !== undefined ? { iss: issuer } : {}),
      ...(audience !== undefined ? { aud: audience.length === 1 ? audience[0] : audience } : {}),
    };
    const header = { alg: key.algorithm, typ: ACCESS_TOKEN_TYPE, ...(key.kid !== undefined ? { kid: key.kid } : {}) };
    const signingInput = `${b64json(header)}.${b64json(claims)}`;
    const signature = signJws(key.algorithm, key.signingKey!, signingInput).toString('base64url');
    return { token: `${signingInput}.${signature}`, expiresIn: claims.exp - iat, claims };
  }

  /**
   * Verifies a token and returns its claims, or throws a coded `AuthException`.
   * The signature is checked before any claim, so a forged token never learns
   * whether its `exp` would have passed.
   */
  verify(token: string, now: number = Date.now()): AccessTokenClaims {
    // A hit skips parsing and the signature only: the time checks below run on every call, cached or not.
    const cached = this.verifiedTokens.get(token, now, this.options.clockTolerance);
    if (cached) return this.checkClaims(cached, now);
    const parsed = parseCompactJws(token, this.options.maxTokenLength);
    if (typeof parsed === 'string') throw new InvalidTokenException(parsed);
    const { header, payload } = parsed;
    if (typeof header.typ !== 'string' || !ACCEPTED_TYP.has(header.typ.toLowerCase())) {
      throw new InvalidTokenException('typ is not at+jwt');
    }
    // We implement no critical extensions, so any `crit` is one we don't understand (RFC 7515 §4.1.11).
    if (header.crit !== undefined) throw new InvalidTokenException('unsupported crit header');
    for (const name of REFUSED_HEADERS) {
      if (header[name] !== undefined) throw new InvalidTokenException(`${name} header is not accepted`);
    }
    const key = this.options.keyRing.select(header.kid);
    if (!key) throw new InvalidTokenException('unknown kid');
    if (header.alg !== key.algorithm) throw new InvalidTokenException('alg does not match the key');
    if (!verifyJws(key.algorithm, key.verificationKey, parsed.signingInput, parsed.signature)) {
      throw new InvalidTokenException('bad signature');
    }
    const claims = this.checkClaims(payload, now);
    this.verifiedTokens.set(token, claims, now);
    return claims;
  }

  private checkClaims(payload: Record<string, unknown>, nowMs: number): AccessTokenClaims {
    const { clockTolerance, issuer, audience } = this.options;
    const now = nowMs / 1000;
    const { exp, nbf, iat, sub, sid } = payload;
    if (!isTime(exp)) throw new InvalidTokenException('exp missing or not a number');
    if (typeof sub !== 'string' || !sub) throw new InvalidTokenException('sub missing');
    if (typeof sid !== 'string' || !sid) throw new InvalidTokenException('sid missing');
    if (nbf !== undefined && !isTime(nbf)) throw new InvalidTokenException('nbf not a number');
    if (iat !== undefined && !isTime(iat)) throw new InvalidTokenException('iat not a number');
    if (issuer !== undefined && payload.iss !== issuer) throw new InvalidTokenException('issuer mismatch');
    if (audience !== undefined && !audienceMatches(payload.aud, audience)) throw new InvalidTokenException('audience mismatch');
    if (isTime(iat) && iat > now + clockTolerance) throw new InvalidTokenException('iat in the future');
    if (now > exp + clockTolerance) throw new TokenExpiredException(new Date(exp * 1000), new Date(nowMs));
    if (isTime(nbf) && nbf > now + clockTolerance) throw new TokenNotActiveException(new Date(nbf * 1000), new Date(nowMs));
    return payload as AccessTokenClaims;
  }
}

// Finite and within Date's range: NaN, Infinity and 1e300 must never disable a check.
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 8.64e12;
}

function audienceMatches(aud: unknown, accepted: string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && accepted.includes(a));
}
