import fc from 'fast-check';
import { constantTimeEqual } from './constant-time-equal.js';

describe('constantTimeEqual', () => {
  it('is true for equal strings, empty ones included', () => {
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('abc-_XYZ019', 'abc-_XYZ019')).toBe(true);
  });

  it('is false when any single character differs, at every position', () => {
    const base = 'K13UC9Hc0yoI7VWLetkc4fnW07UAi2R8hgEarLmHKwe';
    for (let i = 0; i < base.length; i++) {
      const changed = base.slice(0, i) + (base[i] === 'A' ? 'B' : 'A') + base.slice(i + 1);
      expect(constantTimeEqual(base, changed)).toBe(false);
      expect(constantTimeEqual(changed, base)).toBe(false);
    }
  });

  it('is false for a prefix, a longer string and different lengths', () => {
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('ab', 'abc')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });

  it('tells apart characters beyond Latin-1 and ones that differ only in a high bit', () => {
    expect(constantTimeEqual('é', 'e')).toBe(false);
    expect(constantTimeEqual('\u0141', '\u0041')).toBe(false);
    expect(constantTimeEqual('\u{1F600}', '\u{1F601}')).toBe(false);
    expect(constantTimeEqual('\u{1F600}', '\u{1F600}')).toBe(true);
  });

  it('agrees with === on any pair of strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => constantTimeEqual(a, b) === (a === b)),
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (a) => constantTimeEqual(a, `${a}`)));
  });
});
