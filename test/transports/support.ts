import { createHmac } from 'node:crypto';
import { MemoryRefreshTokenStore } from '../../lib/index.js';
import type { AuthModuleOptions, RefreshSession } from '../../lib/index.js';

export const SECRET = 'transports-test-secret-of-at-least-32-bytes';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 access token signed with SECRET whose `exp` is `secondsAgo` in the past (beyond the 30 s tolerance when > 30). */
export function expiredToken(secondsAgo = 120, sub = 'alice'): { token: string; exp: number } {
  const exp = Math.floor(Date.now() / 1000) - secondsAgo;
  const input = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64({ sub, sid: 'expired-session', exp, iat: exp - 900 })}`;
  return { token: `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`, exp };
}

/** The in-memory store with a switch that makes reads fail, as Redis does when it is gone. */
export class SwitchableStore extends MemoryRefreshTokenStore {
  down = false;

  override get(sid: string): Promise<RefreshSession | null> {
    if (this.down) return Promise.reject(new Error('store is down'));
    return super.get(sid);
  }
}

/** How the gateway test apps configure the module: their own extractor, a switchable store, and a session check on every message. */
export function gatewayAuthOptions(tokenExtractor: AuthModuleOptions['tokenExtractor'], store: SwitchableStore): AuthModuleOptions {
  return {
    secret: SECRET,
    tokenExtractor,
    store,
    // Ask the store on every message, so a revocation or an outage shows at once.
    sessionCheck: { cacheTtl: 0 },
  };
}
