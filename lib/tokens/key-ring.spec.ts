import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { importKey, KeyRing } from './key-ring.js';

const secret = 'x'.repeat(32);

describe('importKey', () => {
  it('defaults a secret to HS256 and refuses one shorter than 32 bytes', () => {
    expect(importKey({ secret }, 'keys[0]').algorithm).toBe('HS256');
    expect(() => importKey({ secret: 'short' }, 'secret')).toThrow(/secret is too weak: HS256 needs at least 32 bytes, got 5/);
  });

  it('asks HS512 for 64 bytes', () => {
    expect(() => importKey({ secret, algorithm: 'HS512' }, 'k')).toThrow(/64 bytes/);
  });

  it('refuses none and unknown algorithms', () => {
    expect(() => importKey({ secret, algorithm: 'none' as never }, 'k')).toThrow(/"none" is never accepted/);
  });

  it('reads PEM and JWK, derives the public key and checks the curve', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const jwk = privateKey.export({ format: 'jwk' });
    expect(importKey({ algorithm: 'ES256', privateKey: pem }, 'k').verificationKey.type).toBe('public');
    expect(importKey({ algorithm: 'ES256', privateKey: jwk }, 'k').signingKey?.type).toBe('private');
    expect(() => importKey({ algorithm: 'ES384', privateKey: pem }, 'k')).toThrow(/secp384r1/);
    expect(() => importKey({ algorithm: 'RS256', privateKey: pem }, 'k')).toThrow(/RSA key/);
  });
});

describe('KeyRing', () => {
  const a = importKey({ kid: 'a', secret }, 'a');
  const b = importKey({ kid: 'b', secret: 'y'.repeat(32) }, 'b');

  it('signs with the named key and selects by kid', () => {
    const ring = new KeyRing([a, b], 'b');
    expect(ring.signing).toBe(b);
    expect(ring.select('a')).toBe(a);
    expect(ring.select('zzz')).toBeNull();
    expect(ring.select(undefined)).toBeNull();
    expect(ring.select({})).toBeNull();
  });

  it('refuses duplicate kids and an unknown signing kid', () => {
    expect(() => new KeyRing([a, a])).toThrow(/used twice/);
    expect(() => new KeyRing([a, b], 'c')).toThrow(/no key has kid "c"/);
  });
});
