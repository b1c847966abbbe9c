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
    ['1w', 604800],
    ['7 days', 604800],
    ['2 hours', 7200],
    ['1500ms', 1.5],
  ])('parses %p as %p seconds', (input, expected) => {
    expect(parseDuration(input, 'ttl')).toBe(expected);
  });

  it.each([[Infinity], [NaN], [-1], ['abc'], ['-5s'], ['1y'], ['2 years'], ['']])('refuses %p and names the option', (input) => {
    expect(() => parseDuration(input as number, 'clockTolerance')).toThrow(/"clockTolerance"/);
  });
});
