import { describe, expect, it } from '@jest/globals';
import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { JwtAlgorithm, signJws, verifyJws } from './jws-algorithms.js';

const pairs: Record<string, ReturnType<typeof generateKeyPairSync>> = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  PS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  EdDSA: generateKeyPairSync('ed25519'),
};

describe('signJws / verifyJws', () => {
  it.each(['HS256', 'HS384', 'HS512'] as JwtAlgorithm[])('%s round-trips and rejects tampering', (alg) => {
    const key = createSecretKey(randomBytes(64));
    const sig = signJws(alg, key, 'a.b');
    expect(verifyJws(alg, key, 'a.b', sig)).toBe(true);
    expect(verifyJws(alg, key, 'a.c', sig)).toBe(false);
    expect(verifyJws(alg, createSecretKey(randomBytes(64)), 'a.b', sig)).toBe(false);
  });

  it.each(Object.keys(pairs) as JwtAlgorithm[])('%s round-trips and rejects tampering', (alg) => {
    const { privateKey, publicKey } = pairs[alg];
    const sig = signJws(alg, privateKey, 'a.b');
    expect(verifyJws(alg, publicKey, 'a.b', sig)).toBe(true);
    expect(verifyJws(alg, publicKey, 'a.c', sig)).toBe(false);
  });

  it('ES256 signatures are raw R||S of 64 bytes, as RFC 7518 requires', () => {
    expect(signJws('ES256', pairs.ES256.privateKey, 'x')).toHaveLength(64);
  });

  it('a wrong key type answers false instead of throwing (algorithm confusion)', () => {
    const sig = signJws('HS256', createSecretKey(randomBytes(32)), 'a.b');
    expect(verifyJws('RS256', pairs.ES256.publicKey, 'a.b', sig)).toBe(false);
  });
});
