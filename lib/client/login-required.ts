import type { AuthClientEvents } from './auth-client.events.js';
import type { RejectedRequest } from './auth-fetch.js';

/** A route that needs a more recent login (step-up): the session goes on, the user should log in again. */
export const LOGIN_REQUIRED = 'LOGIN_REQUIRED';

/** The `loginRequired` event for a `LOGIN_REQUIRED` answer, from what the HTTP library reported. */
export function loginRequiredEvent(rejected: RejectedRequest): AuthClientEvents['loginRequired'] {
  return {
    url: rejected.url ?? '',
    ...(rejected.authTime !== undefined && { authTime: rejected.authTime }),
    ...(rejected.maxAge !== undefined && { maxAge: rejected.maxAge }),
  };
}
