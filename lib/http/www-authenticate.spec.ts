import { describe, expect, it } from '@jest/globals';
import { InvalidTokenException, NoTokenException, TokenExpiredException } from '../errors/access-token.exceptions.js';
import { AuthException } from '../errors/auth.exception.js';
import { AuthErrorCode } from '../errors/auth-error-codes.js';
import { bearerChallenge } from './www-authenticate.js';

describe('bearerChallenge', () => {
  it('omits the error attribute when no token was sent and names invalid_token when one was refused (RFC 6750 §3)', () => {
    expect(bearerChallenge('api', new NoTokenException())).toBe('Bearer realm="api"');
    expect(bearerChallenge('api', new InvalidTokenException('bad signature'))).toBe(
      'Bearer realm="api", error="invalid_token", error_description="Token is invalid"',
    );
    expect(bearerChallenge('api', new TokenExpiredException(new Date(0)))).toBe(
      'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
    );
  });

  it('gives each realm and message its own challenge, call after call', () => {
    for (let i = 0; i < 3; i++) {
      expect(bearerChallenge('admin', new NoTokenException())).toBe('Bearer realm="admin"');
      expect(bearerChallenge('api', new NoTokenException())).toBe('Bearer realm="api"');
    }
    // Same message, token refused or not: two different answers.
    const refused = new AuthException(AuthErrorCode.INVALID_TOKEN, 'Same words', 401, {}, true);
    const absent = new AuthException(AuthErrorCode.NO_TOKEN, 'Same words', 401, {}, false);
    expect(bearerChallenge('api', refused)).toContain('error="invalid_token"');
    expect(bearerChallenge('api', absent)).toBe('Bearer realm="api"');
  });

  it('strips quotes and backslashes from custom messages, and keeps working past its memory for many of them', () => {
    expect(bearerChallenge('api', new AuthException(AuthErrorCode.INVALID_TOKEN, 'a "quoted" \\ message'))).toBe(
      'Bearer realm="api", error="invalid_token", error_description="a quoted  message"',
    );
    for (let i = 0; i < 600; i++) {
      expect(bearerChallenge('api', new AuthException(AuthErrorCode.INVALID_TOKEN, `message ${i}`))).toBe(
        `Bearer realm="api", error="invalid_token", error_description="message ${i}"`,
      );
    }
  });
});
