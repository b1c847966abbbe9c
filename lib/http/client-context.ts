import type { ClientContext } from '../refresh/client-context.interface.js';

/**
 * The client's address and user agent from an Express or Fastify request, for
 * `issue()`/`rotate()`. Behind a proxy, configure the framework's "trust proxy"
 * so `request.ip` is the client's and not the proxy's.
 * @publicApi
 */
export function clientContextFrom(request: unknown): ClientContext {
  const req = request as { ip?: unknown; headers?: Record<string, unknown> } | undefined;
  const context: ClientContext = {};
  if (typeof req?.ip === 'string') context.ip = req.ip;
  const userAgent = req?.headers?.['user-agent'];
  if (typeof userAgent === 'string') context.userAgent = userAgent;
  return context;
}
