import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

/**
 * The token is valid but its session's login is older than the route allows
 * (`@RequireRecentLogin()`). The client should ask the user to log in again
 * (step-up), not end the session: its other routes keep working.
 * The challenge is RFC 9470's: `error="insufficient_user_authentication"` and `max_age`.
 * @publicApi
 */
export class LoginRequiredException extends AuthException {
  /** The RFC 9470 challenge attributes `bearerChallenge` writes instead of `invalid_token`. */
  readonly challenge: { error: string; max_age: string };

  constructor(
    /** The session's login time, or `null` when the token carries no `auth_time`. */
    readonly authTime: Date | null,
    /** The route's limit, in seconds. */
    readonly maxAge: number,
  ) {
    super(AuthErrorCode.LOGIN_REQUIRED, 'A more recent login is required', 401, {
      authTime: authTime?.toISOString(),
      maxAge,
    });
    this.challenge = { error: 'insufficient_user_authentication', max_age: String(maxAge) };
  }
}
