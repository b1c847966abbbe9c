import type { RefreshSession } from './refresh-session.interface.js';
import type { ClientContext } from './client-context.interface.js';

// Bounded so a client can't make every session record (and every event) as big as its headers.
const MAX_IP = 64;
const MAX_USER_AGENT = 512;

/** The request's client details, bounded, with absent ones left out. */
export function clientOf(context: ClientContext): ClientContext {
  const out: ClientContext = {};
  if (typeof context.ip === 'string') out.ip = context.ip.slice(0, MAX_IP);
  if (typeof context.userAgent === 'string') out.userAgent = context.userAgent.slice(0, MAX_USER_AGENT);
  return out;
}

/** The same details under the store's field names. */
export function storeFields(context: ClientContext): Pick<RefreshSession, 'lastIp' | 'lastUserAgent'> {
  const { ip, userAgent } = clientOf(context);
  return { ...(ip !== undefined && { lastIp: ip }), ...(userAgent !== undefined && { lastUserAgent: userAgent }) };
}
