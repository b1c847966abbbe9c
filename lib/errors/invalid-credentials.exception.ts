import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

/** Login failed. No token was presented, so the challenge has no `error` attribute. @publicApi */
export class InvalidCredentialsException extends AuthException {
  constructor() {
    super(AuthErrorCode.INVALID_CREDENTIALS, 'Invalid username or password', 401, {}, false);
  }
}
