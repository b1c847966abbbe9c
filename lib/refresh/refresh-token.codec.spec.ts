import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { REFRESH_TOKEN_LENGTH, RefreshTokenCodec } from './refresh-token.codec.js';

const codec = new RefreshTokenCodec(randomBytes(32));

describe('RefreshTokenCodec', () => {
  it('makes opaque tokens that carry their session and generation', () => {
    const sid = codec.newSessionId();
    const t0 = codec.first(sid);
    expect(t0.token).toHaveLength(REFRESH_TOKEN_LENGTH);
    expect(t0.token).not.toContain('.');
    expect(codec.decode(t0.token)).toEqual({ sid, generation: 0, digest: t0.digest });
    const t1 = codec.successor(t0.token, codec.decode(t0.token)!);
    expect(codec.decode(t1.token)).toEqual({ sid, generation: 1, digest: t1.digest });
    expect(t1.digest).not.toBe(t0.digest);
  });

  it('derives the same successor every time, and different ones for different tokens', () => {
    const sid = codec.newSessionId();
    const a = codec.first(sid).token;
    const b = codec.first(sid).token;
    expect(a).not.toBe(b);
    expect(codec.successor(a, codec.decode(a)!).token).toBe(codec.successor(a, codec.decode(a)!).token);
    expect(codec.successor(a, codec.decode(a)!).token).not.toBe(codec.successor(b, codec.decode(b)!).token);
  });

  it('refuses forged, tampered and foreign tokens', () => {
    const t = codec.first(codec.newSessionId()).token;
    const flipped = t.slice(0, 30) + (t[30] === 'A' ? 'B' : 'A') + t.slice(31);
    expect(codec.decode(flipped)).toBeNull();
    expect(new RefreshTokenCodec(randomBytes(32)).decode(t)).toBeNull();
    expect(codec.decode('a.b.c')).toBeNull();
    expect(codec.decode(42)).toBeNull();
    expect(codec.decode('x'.repeat(100_000))).toBeNull();
  });

  it('keeps the version 1 layout, so tokens minted by earlier releases still rotate', () => {
    // Rebuilt here from the documented recipe with createHmac, independently of the codec's own HMAC code.
    const secret = randomBytes(32);
    const own = new RefreshTokenCodec(secret);
    const key = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'nestjs-jwt-refresh', info, 32));
    const sid = own.newSessionId();
    const { token: t0, digest } = own.first(sid);
    const bytes = Buffer.from(t0, 'base64url');
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 17).toString('base64url')).toBe(sid);
    expect(bytes.readUInt32BE(17)).toBe(0);
    const tag = (body: Buffer) => createHmac('sha256', key('refresh-token tag')).update(body).digest().subarray(0, 16);
    expect(bytes.subarray(53)).toEqual(tag(bytes.subarray(0, 53)));
    // What stores keep is that tag, base64url.
    expect(digest).toBe(tag(bytes.subarray(0, 53)).toString('base64url'));
    const body = Buffer.alloc(53);
    body[0] = 1;
    Buffer.from(sid, 'base64url').copy(body, 1);
    body.writeUInt32BE(1, 17);
    createHmac('sha256', key('refresh-token successor')).update(t0).digest().copy(body, 21);
    const expected = Buffer.concat([body, tag(body)]).toString('base64url');
    expect(own.successor(t0, own.decode(t0)!).token).toBe(expected);
    expect(own.decode(expected)).toMatchObject({ sid, generation: 1 });
  });

  it('refuses session ids that are not 16 bytes of base64url', () => {
    expect(() => codec.first('short')).toThrow(/16 bytes/);
    expect(() => codec.first('x'.repeat(23))).toThrow(/16 bytes/);
    expect(() => codec.first('!'.repeat(22))).toThrow(/16 bytes/);
  });

  it('matches a stored digest only to its own token, in either stored form', () => {
    const { token, digest } = codec.first(codec.newSessionId());
    const other = codec.first(codec.newSessionId());
    expect(digest).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(codec.decode(token)?.digest).toBe(digest);
    expect(codec.decode('garbage')).toBeNull();
    expect(codec.matches(digest, token, digest)).toBe(true);
    expect(codec.matches(other.digest, token, digest)).toBe(false);
    expect(codec.matches(null, token, digest)).toBe(false);
    expect(codec.matches(undefined, token, digest)).toBe(false);
    // Sessions written by 0.1.0 hold SHA-256 of the token instead: still matched, so an upgrade logs no one out.
    const legacy = createHash('sha256').update(token).digest('base64url');
    expect(legacy).toHaveLength(43);
    expect(codec.matches(legacy, token, digest)).toBe(true);
    expect(codec.matches(legacy, other.token, other.digest)).toBe(false);
  });
});
