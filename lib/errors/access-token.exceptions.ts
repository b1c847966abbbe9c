import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

/** No bearer token on a guarded route: the challenge carries no `error` attribute (RFC 6750 §3.1). @publicApi */
export class NoTokenException extends AuthException {
  constructor() {
    super(AuthErrorCode.NO_TOKEN, 'No access token was sent', 401, {}, false);
  }
}

/** `exp` passed beyond the clock tolerance. Carries `expiredAt` and the server's clock. @publicApi */
export class TokenExpiredException extends AuthException {
  constructor(readonly expiredAt: Date, now = new Date()) {
    super(AuthErrorCode.TOKEN_EXPIRED, 'Token has expired', 401, {
      expiredAt: expiredAt.toISOString(),
      serverTime: now.toISOString(),
    });
  }
}

/** `nbf` still in the future beyond the clock tolerance. @publicApi */
export class TokenNotActiveException extends AuthException {
  constructor(readonly notBefore: Date, now = new Date()) {
    super(AuthErrorCode.TOKEN_NOT_ACTIVE, 'Token is not active yet', 401, {
      notBefore: notBefore.toISOString(),
      serverTime: now.toISOString(),
    });
  }
}

/**
 * Malformed, badly signed, wrong algorithm, issuer or audience. The reason is
 * kept for logs only: telling an attacker which check failed helps them.
 * @publicApi
 */
export class InvalidTokenException extends AuthException {
  constructor(readonly reason = 'invalid token') {
    super(AuthErrorCode.INVALID_TOKEN, 'Token is invalid', 401);
  }
}

/** A well-signed token whose session was revoked or is unknown. @publicApi */
export class TokenRevokedException extends AuthException {
  constructor() {
    super(AuthErrorCode.TOKEN_REVOKED, 'Token has been revoked', 401);
  }
}
