import { describe, expect, it } from '@jest/globals';
import { createHmac, createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
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
    expect(Buffer.from(signJws('ES256', pairs.ES256.privateKey, 'x'), 'base64url')).toHaveLength(64);
  });

  it('a wrong key type answers false instead of throwing (algorithm confusion)', () => {
    const sig = signJws('HS256', createSecretKey(randomBytes(32)), 'a.b');
    expect(verifyJws('RS256', pairs.ES256.publicKey, 'a.b', sig)).toBe(false);
    // ...and the other way round: a public key never serves as an HMAC secret.
    expect(verifyJws('HS256', pairs.RS256.publicKey as never, 'a.b', sig)).toBe(false);
  });

  it.each(['HS256', 'ES256'] as JwtAlgorithm[])('%s refuses a signature spelled non-canonically (unused low bits set)', (alg) => {
    const key = alg === 'HS256' ? createSecretKey(randomBytes(32)) : pairs.ES256.privateKey;
    const verifier = alg === 'HS256' ? key : pairs.ES256.publicKey;
    const sig = signJws(alg, key, 'a.b');
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last character carries unused low bits (32 and 64 bytes are not multiples of 3): flipping one names the same bytes.
    const twin = sig.slice(0, -1) + ALPHABET[ALPHABET.indexOf(sig.at(-1)!) ^ 1];
    expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyJws(alg, verifier, 'a.b', sig)).toBe(true);
    expect(verifyJws(alg, verifier, 'a.b', twin)).toBe(false);
    expect(verifyJws(alg, verifier, 'a.b', `${sig}A`)).toBe(false);
  });

  it('HS* signatures equal createHmac over the signing input, for each hash size', () => {
    for (const [alg, digest] of [['HS256', 'sha256'], ['HS384', 'sha384'], ['HS512', 'sha512']] as const) {
      const secret = randomBytes(64);
      expect(signJws(alg, createSecretKey(secret), 'eyJ.eyJ')).toBe(createHmac(digest, secret).update('eyJ.eyJ').digest('base64url'));
    }
  });

  it('one KeyObject used with two HS algorithms gives each its own MAC', () => {
    const key = createSecretKey(randomBytes(64));
    const s256 = signJws('HS256', key, 'a.b');
    const s512 = signJws('HS512', key, 'a.b');
    expect(Buffer.from(s256, 'base64url')).toHaveLength(32);
    expect(Buffer.from(s512, 'base64url')).toHaveLength(64);
    expect(verifyJws('HS256', key, 'a.b', s256)).toBe(true);
  });
});
