import { describe, expect, it } from '@jest/globals';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    [90, 90],
    ['90', 90],
    ['30s', 30],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604800],
  ])('parses %p as %p seconds', (input, expected) => {
    expect(parseDuration(input, 'ttl')).toBe(expected);
  });

  it.each([[Infinity], [NaN], [-1], ['abc'], ['10w'], ['']])('refuses %p and names the option', (input) => {
    expect(() => parseDuration(input as number, 'clockTolerance')).toThrow(/"clockTolerance"/);
  });
});
