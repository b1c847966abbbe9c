import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { REFRESH_TOKEN_LENGTH, RefreshTokenCodec } from './refresh-token.codec.js';

const codec = new RefreshTokenCodec(randomBytes(32));

describe('RefreshTokenCodec', () => {
  it('makes opaque tokens that carry their session and generation', () => {
    const sid = codec.newSessionId();
    const t0 = codec.first(sid);
    expect(t0).toHaveLength(REFRESH_TOKEN_LENGTH);
    expect(t0).not.toContain('.');
    expect(codec.decode(t0)).toEqual({ sid, generation: 0 });
    const t1 = codec.successor(t0, codec.decode(t0)!);
    expect(codec.decode(t1)).toEqual({ sid, generation: 1 });
  });

  it('derives the same successor every time, and different ones for different tokens', () => {
    const sid = codec.newSessionId();
    const a = codec.first(sid);
    const b = codec.first(sid);
    expect(a).not.toBe(b);
    expect(codec.successor(a, codec.decode(a)!)).toBe(codec.successor(a, codec.decode(a)!));
    expect(codec.successor(a, codec.decode(a)!)).not.toBe(codec.successor(b, codec.decode(b)!));
  });

  it('refuses forged, tampered and foreign tokens', () => {
    const t = codec.first(codec.newSessionId());
    const flipped = t.slice(0, 30) + (t[30] === 'A' ? 'B' : 'A') + t.slice(31);
    expect(codec.decode(flipped)).toBeNull();
    expect(new RefreshTokenCodec(randomBytes(32)).decode(t)).toBeNull();
    expect(codec.decode('a.b.c')).toBeNull();
    expect(codec.decode(42)).toBeNull();
    expect(codec.decode('x'.repeat(100_000))).toBeNull();
  });

  it('hashes and compares in constant time', () => {
    const h = codec.hash('token');
    expect(codec.sameHash(h, codec.hash('token'))).toBe(true);
    expect(codec.sameHash(h, codec.hash('other'))).toBe(false);
    expect(codec.sameHash(null, h)).toBe(false);
  });
});
