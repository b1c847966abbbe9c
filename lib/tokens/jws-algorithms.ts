import { constants, KeyObject, sign, verify } from 'node:crypto';
import { decodeJwsSignature } from './compact-jws.js';
import { constantTimeEqual } from './constant-time-equal.js';
import { HmacDigest, HmacKey } from './hmac-key.js';

/** Every JWS `alg` this library signs and verifies. `none` is deliberately absent. @publicApi */
export const JWT_ALGORITHMS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA',
] as const;

/** @publicApi */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(value);
}

const DIGEST: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function digestOf(alg: JwtAlgorithm): string | null {
  return alg === 'EdDSA' ? null : DIGEST[alg.slice(2)];
}

// Raw R||S (IEEE P1363) is what RFC 7518 §3.4 puts on the wire, not DER.
function signOptions(alg: JwtAlgorithm, key: KeyObject) {
  if (alg.startsWith('PS')) {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  }
  if (alg.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' as const };
  return key;
}

// HS* keys prepared once per KeyObject: the padded key blocks are the expensive part to set up.
const hmacKeys = new WeakMap<KeyObject, HmacKey>();

function hmacKey(alg: JwtAlgorithm, key: KeyObject): HmacKey {
  let prepared = hmacKeys.get(key);
  if (!prepared || prepared.digest !== digestOf(alg)) {
    // A public or private key here would be algorithm confusion (RFC 8725 §2.1): never use one as an HMAC secret.
    if (key.type !== 'secret') throw new TypeError(`${alg} needs a secret key, got a ${key.type} key.`);
    prepared = new HmacKey(digestOf(alg) as HmacDigest, key.export());
    hmacKeys.set(key, prepared);
  }
  return prepared;
}

/** Signs `signingInput` with the algorithm the key is pinned to; the signature comes back base64url-encoded, as it goes on the wire. */
export function signJws(alg: JwtAlgorithm, key: KeyObject, signingInput: string): string {
  if (alg.startsWith('HS')) return hmacKey(alg, key).sign(signingInput, 'base64url');
  return sign(digestOf(alg), Buffer.from(signingInput), signOptions(alg, key)).toString('base64url');
}

/**
 * Checks a signature, given as its base64url segment, in constant time (HMAC) or
 * with the public key. A non-canonical spelling never verifies: an HMAC is compared
 * with our own canonical encoding, other signatures must decode canonically.
 * Never throws on bad input.
 */
export function verifyJws(alg: JwtAlgorithm, key: KeyObject, signingInput: string, signatureSegment: string): boolean {
  try {
    if (alg.startsWith('HS')) {
      // Compared as text with our own canonical encoding, so a non-canonical spelling of the right bytes fails.
      return constantTimeEqual(hmacKey(alg, key).sign(signingInput, 'base64url'), signatureSegment);
    }
    const signature = decodeJwsSignature(signatureSegment);
    return signature !== null && verify(digestOf(alg), Buffer.from(signingInput), signOptions(alg, key), signature);
  } catch {
    return false;
  }
}
