import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

/**
 * The session store did not answer (Redis down or slow). A 503 with
 * `Retry-After`, not a 401: the client should retry, not log the user out.
 * @publicApi
 */
export class AuthStoreUnavailableException extends AuthException {
  constructor(readonly retryAfterSeconds = 1) {
    super(AuthErrorCode.AUTH_STORE_UNAVAILABLE, 'The session store is unavailable; retry shortly', 503, {
      retryAfter: retryAfterSeconds,
    });
  }
}
