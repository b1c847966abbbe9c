import type { ImportedKey } from './key-ring.js';
import type { JwtAlgorithm } from './jws-algorithms.js';

/** One public verification key as RFC 7517 JSON: never a private member. @publicApi */
export interface PublicJwk {
  kty: 'RSA' | 'EC' | 'OKP';
  /** Present when the key has a `kid`; tokens name their key by it. */
  kid?: string;
  alg: JwtAlgorithm;
  use: 'sig';
  /** EC and OKP: the curve. */
  crv?: string;
  /** EC and OKP: public coordinates. */
  x?: string;
  y?: string;
  /** RSA: modulus and exponent. */
  n?: string;
  e?: string;
}

/** A JWK Set (RFC 7517 §5). @publicApi */
export interface JsonWebKeySet {
  keys: PublicJwk[];
}

// Only these members are ever copied from Node's export: a private one (d, p, q, dp, dq, qi, k) can't slip through.
const PUBLIC_MEMBERS = ['crv', 'x', 'y', 'n', 'e'] as const;

/** The public JWK of a key, or `null` for an HMAC secret (which has no public half and is never published). */
export function publicJwk(key: ImportedKey): PublicJwk | null {
  if (key.algorithm.startsWith('HS') || key.verificationKey.type !== 'public') return null;
  const exported = key.verificationKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const jwk: PublicJwk = { kty: exported.kty as PublicJwk['kty'], ...(key.kid !== undefined && { kid: key.kid }), alg: key.algorithm, use: 'sig' };
  for (const member of PUBLIC_MEMBERS) {
    if (typeof exported[member] === 'string') jwk[member] = exported[member] as string;
  }
  return jwk;
}

/** The JWK Set of the asymmetric keys among `keys`. */
export function jwksOf(keys: readonly ImportedKey[]): JsonWebKeySet {
  const out: PublicJwk[] = [];
  for (const key of keys) {
    const jwk = publicJwk(key);
    if (jwk) out.push(jwk);
  }
  return { keys: out };
}
