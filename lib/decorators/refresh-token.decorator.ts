import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { RefreshTokenPipe } from '../http/refresh-token.pipe.js';
import { requestFromContext } from '../http/request-from-context.js';

const request = createParamDecorator((_data: unknown, context: ExecutionContext) => requestFromContext(context));

/**
 * Injects the refresh token a request presents, for `rotate()`: the JSON
 * body's `refreshToken` when there is one (so a client can say exactly which
 * token it means), else the refresh cookie in cookie mode, else `undefined`
 * (`rotate()` answers `REFRESH_TOKEN_MISSING`). Typed `unknown` because it is
 * what the client sent: `rotate()` answers a body value that is not a token,
 * a string or not, with `401 REFRESH_TOKEN_INVALID`; so are two refresh
 * cookies in one request (cookie tossing), here.
 *
 * ```ts
 * rotate(@RefreshToken() token: unknown, @ClientInfo() client: ClientContext) {
 *   return this.refresh.rotate(token, client);
 * }
 * ```
 * @publicApi
 */
// The pipe is resolved by Nest in the controller's module, where AuthModule's RefreshCookieService is visible.
export const RefreshToken = (): ParameterDecorator => request(RefreshTokenPipe);
