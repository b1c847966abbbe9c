import { constants, createHmac, KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import { decodeJwsSignature } from './compact-jws.js';

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

/** The group order n of each ECDSA curve (SEC 2 §2.4), to tell low-S signatures from their malleable twins. */
const CURVE_ORDER: Record<string, bigint> = {
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ES384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  ES512: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};

// Raw R||S (IEEE P1363) is what RFC 7518 §3.4 puts on the wire, not DER.
function signOptions(alg: JwtAlgorithm, key: KeyObject) {
  if (alg.startsWith('PS')) {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  }
  if (alg.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' as const };
  return key;
}

// A public or private key used as an HMAC secret would be algorithm confusion (RFC 8725 §2.1).
function hmac(alg: JwtAlgorithm, key: KeyObject, signingInput: string): Buffer {
  if (key.type !== 'secret') throw new TypeError(`${alg} needs a secret key, got a ${key.type} key.`);
  return createHmac(digestOf(alg)!, key).update(signingInput).digest();
}

/** The `s` half of a raw R||S signature. */
function ecdsaS(signature: Buffer): bigint {
  return BigInt(`0x${signature.toString('hex', Math.floor(signature.length / 2)) || '0'}`);
}

/**
 * ECDSA signatures are malleable: `(r, n − s)` verifies wherever `(r, s)` does, so one
 * token would have two strings (and two cache or block-list entries). We sign and accept
 * only the low half, `s ≤ n/2` (as Bitcoin's BIP 62 and Ethereum's EIP-2 do).
 */
function isLowS(alg: JwtAlgorithm, signature: Buffer): boolean {
  return ecdsaS(signature) <= CURVE_ORDER[alg] >> 1n;
}

function toLowS(alg: JwtAlgorithm, signature: Buffer): Buffer {
  if (isLowS(alg, signature)) return signature;
  const half = signature.length / 2;
  const low = (CURVE_ORDER[alg] - ecdsaS(signature)).toString(16).padStart(half * 2, '0');
  return Buffer.concat([signature.subarray(0, half), Buffer.from(low, 'hex')]);
}

/** Signs `signingInput` with the algorithm the key is pinned to; the signature comes back base64url-encoded, as it goes on the wire. */
export function signJws(alg: JwtAlgorithm, key: KeyObject, signingInput: string): string {
  if (alg.startsWith('HS')) return hmac(alg, key, signingInput).toString('base64url');
  const signature = sign(digestOf(alg), Buffer.from(signingInput), signOptions(alg, key));
  return (alg.startsWith('ES') ? toLowS(alg, signature) : signature).toString('base64url');
}

/**
 * Checks a signature, given as its base64url segment: HMACs with `timingSafeEqual`,
 * others with the public key (ECDSA low-S only). A non-canonical base64url spelling
 * never verifies, so a valid token is a unique string. Never throws on bad input.
 */
export function verifyJws(alg: JwtAlgorithm, key: KeyObject, signingInput: string, signatureSegment: string): boolean {
  try {
    const signature = decodeJwsSignature(signatureSegment);
    if (signature === null) return false;
    if (alg.startsWith('HS')) {
      const expected = hmac(alg, key, signingInput);
      return signature.length === expected.length && timingSafeEqual(signature, expected);
    }
    if (alg.startsWith('ES') && !isLowS(alg, signature)) return false;
    return verify(digestOf(alg), Buffer.from(signingInput), signOptions(alg, key), signature);
  } catch {
    return false;
  }
}
