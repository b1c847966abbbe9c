import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { clientContextFrom } from '../http/client-context.js';
import { requestFromContext } from '../http/request-from-context.js';

/**
 * Injects the caller's `ClientContext` (address and user agent) for
 * `issue()`/`rotate()`, which keep it on the session for the devices list.
 * Behind a proxy, configure the framework's "trust proxy" first.
 *
 * ```ts
 * login(@Body() body: LoginDto, @ClientInfo() client: ClientContext) { … }
 * ```
 * @publicApi
 */
export const ClientInfo = createParamDecorator((_data: unknown, context: ExecutionContext) => clientContextFrom(requestFromContext(context)));
