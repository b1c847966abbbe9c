import { describe, expect, it } from '@jest/globals';
import { readAccessTokenTimes } from './jwt-payload.js';

const jwt = (payload: object) => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('readAccessTokenTimes', () => {
  it('reads exp and iat without verifying', () => {
    expect(readAccessTokenTimes(jwt({ sub: 'ü-ñ', iat: 100, exp: 1000 }))).toEqual({ iat: 100, exp: 1000 });
  });

  it('ignores non-numeric claims', () => {
    expect(readAccessTokenTimes(jwt({ exp: '1000', iat: null }))).toEqual({});
  });

  it('answers {} for anything that is not a readable JWT', () => {
    for (const token of ['', 'abc', 'a.b', 'a.%%%.c', `a.${Buffer.from('not json').toString('base64url')}.c`]) {
      expect(readAccessTokenTimes(token)).toEqual({});
    }
  });
});
