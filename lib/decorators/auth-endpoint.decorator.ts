import { applyDecorators, UseGuards, UseInterceptors } from '@nestjs/common';
import { AuthEndpointGuard } from '../guards/auth-endpoint.guard.js';
import { RefreshCookieInterceptor } from '../http/refresh-cookie.interceptor.js';

/**
 * Marks a controller (or a route) as an auth endpoint: login, refresh, logout.
 * It then accepts only `application/json` bodies (`415` otherwise) and, in
 * cookie mode, refuses cross-site requests with `403 CROSS_SITE_REQUEST`
 * (see `AuthEndpointGuard`). Put it on every controller the refresh cookie is sent to.
 * Its interceptor (`RefreshCookieInterceptor`) writes the response side: a
 * returned token pair sets the refresh cookie in cookie mode, and
 * `@ClearRefreshCookie()` routes expire it.
 *
 * ```ts
 * @AuthEndpoint()
 * @Controller('auth')
 * export class AuthController { … }
 * ```
 * @publicApi
 */
export const AuthEndpoint = (): MethodDecorator & ClassDecorator => applyDecorators(UseGuards(AuthEndpointGuard), UseInterceptors(RefreshCookieInterceptor));
