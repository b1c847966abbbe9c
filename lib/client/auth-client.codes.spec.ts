import { describe, expect, it } from '@jest/globals';
import { AuthErrorCode } from '../errors/auth-error-codes.js';
import { LOGIN_REQUIRED } from './login-required.js';
import { AUTH_STORE_UNAVAILABLE, REFRESH_TOKEN_MISSING, SESSION_ENDING_ACCESS_CODES, SESSION_ENDING_REFRESH_CODES, TOKEN_EXPIRED } from './auth-client.codes.js';

// The client cannot import the server's codes (no Nest in a browser bundle), so this keeps the two lists honest.
describe('client error codes', () => {
  it('are all codes the server can send', () => {
    const server = new Set<string>(Object.values(AuthErrorCode));
    for (const code of [TOKEN_EXPIRED, LOGIN_REQUIRED, AUTH_STORE_UNAVAILABLE, REFRESH_TOKEN_MISSING, ...SESSION_ENDING_ACCESS_CODES, ...SESSION_ENDING_REFRESH_CODES]) {
      expect(server.has(code)).toBe(true);
    }
  });

  it('end the session on every REFRESH_TOKEN_* code', () => {
    const refreshCodes = Object.values(AuthErrorCode).filter((c) => c.startsWith('REFRESH_TOKEN_'));
    expect(refreshCodes.length).toBeGreaterThan(0);
    for (const code of refreshCodes) expect(SESSION_ENDING_REFRESH_CODES).toContain(code);
  });
});
