import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

/**
 * A resource server could not fetch the issuer's JWKS and holds no key for the
 * token: it fails closed with a 503 and `Retry-After`, never accepting a token
 * it cannot check and never answering 401 for what is an outage.
 * @publicApi
 */
export class JwksUnavailableException extends AuthException {
  constructor(readonly retryAfterSeconds = 5) {
    super(AuthErrorCode.JWKS_UNAVAILABLE, 'The verification keys are unavailable; retry shortly', 503, {
      retryAfter: retryAfterSeconds,
    });
  }
}
