import { SetMetadata } from '@nestjs/common';
import { CLEAR_REFRESH_COOKIE_KEY } from '../auth.internal-constants.js';

/**
 * Expires the refresh cookie once the route has succeeded (logout, log out
 * everywhere). Works on routes of a controller marked `@AuthEndpoint()`, whose
 * interceptor writes the cookie; a no-op when cookie mode is off.
 * @publicApi
 */
export const ClearRefreshCookie = (): MethodDecorator & ClassDecorator => SetMetadata(CLEAR_REFRESH_COOKIE_KEY, true);
