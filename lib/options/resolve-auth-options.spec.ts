import { describe, expect, it } from '@jest/globals';
import { bearerTokenExtractor } from './bearer-token.extractor.js';
import { resolveAuthOptions } from './resolve-auth-options.js';

const secret = 's'.repeat(32);

describe('resolveAuthOptions', () => {
  it('applies the documented defaults', () => {
    const r = resolveAuthOptions({ secret });
    expect(r.accessTokenTtl).toBe(900);
    expect(r.clockTolerance).toBe(30);
    expect(r.maxTokenLength).toBe(8192);
    expect(r.realm).toBe('api');
    expect(r.keyRing.signing.algorithm).toBe('HS256');
  });

  it.each([
    [{ secret: 'short' }, /secret is too weak/],
    [{}, /Give "secret" or at least one entry in "keys"/],
    [{ secret, clockTolerance: Infinity }, /"clockTolerance" must be a finite/],
    [{ secret, clockTolerance: NaN }, /"clockTolerance" must be a finite/],
    [{ secret, clockTolerance: -1 }, /"clockTolerance" must be a finite/],
    [{ secret, clockTolerance: 301 }, /between 0 and 300/],
    [{ secret, algorithm: 'HS999' as never }, /not supported/],
    [{ secret, accessTokenTtl: '15 parsecs' }, /"accessTokenTtl"/],
    [{ secret, keys: [{ secret }] }, /either "secret" or "keys"/],
    [{ secret, audience: [] }, /"audience"/],
    [{ secret, realm: 'a"b' }, /"realm"/],
  ])('refuses %p', (options, message) => {
    expect(() => resolveAuthOptions(options as never)).toThrow(message);
  });
});

describe('bearerTokenExtractor', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Basic abc', null],
    ['Bearer ', null],
    ['Bearerabc', null],
  ])('%p gives %p', (header, token) => {
    expect(bearerTokenExtractor({ headers: { authorization: header } })).toBe(token);
  });

  it('ignores requests without the header', () => {
    expect(bearerTokenExtractor({ headers: {} })).toBeNull();
  });
});

describe('resolveAuthOptions durations', () => {
  it('reads the ms package syntax (weeks, spelled-out units) and bare numbers as seconds', () => {
    const secret = 's'.repeat(32);
    expect(resolveAuthOptions({ secret, accessTokenTtl: '15 minutes', refreshTokenTtl: '1w', sessionMaxAge: '30 days' })).toMatchObject({
      accessTokenTtl: 900,
      refresh: expect.objectContaining({ refreshTokenTtlMs: 604_800_000 }),
    });
    expect(resolveAuthOptions({ secret, accessTokenTtl: '90' }).accessTokenTtl).toBe(90);
  });
});

