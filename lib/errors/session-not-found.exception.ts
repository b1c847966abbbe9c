import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

/**
 * The session named is not one of the caller's live sessions: it never existed, it ended, or it is
 * someone else's. All three get this same answer, so a session id reveals nothing about its owner.
 * @publicApi
 */
export class SessionNotFoundException extends AuthException {
  constructor() {
    super(AuthErrorCode.SESSION_NOT_FOUND, 'No such session', 404, {}, false);
  }
}
