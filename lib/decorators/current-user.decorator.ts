import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { requestFromContext } from '../http/request-from-context.js';

/**
 * Injects the verified claims (`@CurrentUser()`) or one claim (`@CurrentUser('sub')`).
 * Works on HTTP, GraphQL and WebSocket handlers guarded by `JwtGuard`.
 * @publicApi
 */
export const CurrentUser = createParamDecorator((claim: string | undefined, context: ExecutionContext) => {
  const user = requestFromContext(context)?.user;
  return claim === undefined ? user : user?.[claim];
});
