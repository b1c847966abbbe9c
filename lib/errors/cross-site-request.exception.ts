import { AuthErrorCode } from './auth-error-codes.js';
import { AuthException } from './auth.exception.js';

/**
 * Cookie mode: a request to an auth endpoint came from another site (`Sec-Fetch-Site: cross-site`)
 * or from an origin that is neither the app's own nor in `trustedOrigins`. Nothing was changed.
 * @publicApi
 */
export class CrossSiteRequestException extends AuthException {
  constructor(readonly reason: string) {
    super(AuthErrorCode.CROSS_SITE_REQUEST, 'Cross-site requests to the auth endpoints are refused', 403, {}, false);
  }
}
