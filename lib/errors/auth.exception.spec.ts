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
