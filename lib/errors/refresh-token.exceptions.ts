import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

/** `/auth/refresh` got no refresh token. @publicApi */
export class RefreshTokenMissingException extends AuthException {
  constructor() {
    super(AuthErrorCode.REFRESH_TOKEN_MISSING, 'No refresh token was sent', 401, {}, false);
  }
}

/** Unknown, malformed or forged refresh token. @publicApi */
export class RefreshTokenInvalidException extends AuthException {
  constructor(readonly reason = 'invalid refresh token') {
    super(AuthErrorCode.REFRESH_TOKEN_INVALID, 'Refresh token is invalid', 401);
  }
}

/** The refresh token or its session is past its lifetime. @publicApi */
export class RefreshTokenExpiredException extends AuthException {
  constructor(readonly expiredAt: Date, now = new Date()) {
    super(AuthErrorCode.REFRESH_TOKEN_EXPIRED, 'Refresh token has expired', 401, {
      expiredAt: expiredAt.toISOString(),
      serverTime: now.toISOString(),
    });
  }
}

/** A rotated-out refresh token came back after the grace window: the session is now revoked. @publicApi */
export class RefreshTokenReusedException extends AuthException {
  constructor() {
    super(AuthErrorCode.REFRESH_TOKEN_REUSED, 'Refresh token was already used; the session has been revoked', 401);
  }
}

/** The session was revoked (logout, log out everywhere, reuse detection). @publicApi */
export class RefreshTokenRevokedException extends AuthException {
  constructor() {
    super(AuthErrorCode.REFRESH_TOKEN_REVOKED, 'Refresh token has been revoked', 401);
  }
}
