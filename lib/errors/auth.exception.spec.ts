import { describe, expect, it } from '@jest/globals';
import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

describe('AuthException', () => {
  it('carries a Nest-shaped body with the code and its extra fields', () => {
    const err = new AuthException(AuthErrorCode.TOKEN_EXPIRED, 'Token has expired', 401, {
      expiredAt: '2026-03-05T20:00:00.000Z',
      notBefore: undefined,
    });
    expect(err.getStatus()).toBe(401);
    expect(err.getResponse()).toEqual({
      statusCode: 401,
      code: 'TOKEN_EXPIRED',
      message: 'Token has expired',
      error: 'Unauthorized',
      expiredAt: '2026-03-05T20:00:00.000Z',
    });
  });
});

describe('AuthException cost', () => {
  it('captures no stack frames (they are answers, not bugs) and leaves the global limit as it was', () => {
    const before = Error.stackTraceLimit;
    const err = new AuthException(AuthErrorCode.INVALID_TOKEN, 'Token is invalid');
    expect(err.stack ?? '').not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('ordinary').stack).toMatch(/\n\s+at /);
  });
});
