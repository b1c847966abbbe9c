import type { INestApplicationContext } from '@nestjs/common';
import { RefreshService } from '../refresh/refresh.service.js';
import type { ClientContext } from '../refresh/client-context.interface.js';
import type { TokenPair } from '../refresh/token-pair.interface.js';

/**
 * Starts a real session for `subject` in the app's store and returns its token pair, as a login
 * would: the access token passes the guard and the session check, the refresh token rotates. Use it
 * in e2e tests instead of signing a JWT by hand, which the session check refuses (`TOKEN_REVOKED`:
 * no session stands behind it).
 * @param app The Nest application (or testing module) that imports `AuthModule`.
 * @param subject Becomes the tokens' `sub`.
 * @param claims Custom claims copied into every access token of the session. Default `{}`.
 * @example
 * const { accessToken } = await createTestSession(app, 'alice', { role: 'admin' });
 * await request(app.getHttpServer()).get('/me').auth(accessToken, { type: 'bearer' }).expect(200);
 * @publicApi
 */
export async function createTestSession(
  app: Pick<INestApplicationContext, 'get'>,
  subject: string,
  claims: Record<string, unknown> = {},
  context: ClientContext = {},
): Promise<TokenPair> {
  let refresh: RefreshService;
  try {
    // Not strict: AuthModule is usually imported by the app's root module, not registered on it.
    refresh = app.get(RefreshService, { strict: false });
  } catch (error) {
    throw new Error(`createTestSession: the app has no RefreshService; does it import AuthModule.forRoot()? (${(error as Error).message})`);
  }
  return refresh.issue(subject, claims, context);
}
