import { randomBytes } from 'node:crypto';
import { AuthConfigError } from '../errors/auth-config.error.js';
import { optionSeconds as seconds } from '../options/option-seconds.js';
import { resolveAuthOptions, ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { isJwtAlgorithm, JwtAlgorithm } from '../tokens/jws-algorithms.js';
import { RemoteKeyRing } from './remote-key-ring.js';
import type { ResourceServerModuleOptions } from './resource-server-options.interface.js';

const DEFAULT_ALGORITHMS: JwtAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Validates a resource server's options once, at start-up, with messages that name the option. */
export function resolveResourceServerOptions(options: ResourceServerModuleOptions): ResolvedAuthOptions {
  if (!options || typeof options !== 'object') throw new AuthConfigError('ResourceServerModule.forRoot() needs an options object.');
  const { jwksUrl, algorithms = DEFAULT_ALGORITHMS, jwksCooldown, jwksMaxAge, jwksTimeout, ...shared } = options;
  for (const name of ['secret', 'keys', 'store', 'refreshTokenSecret'] as const) {
    if ((options as unknown as Record<string, unknown>)[name] !== undefined) {
      throw new AuthConfigError(`"${name}" is not a resource-server option: a resource server only verifies, with the keys at "jwksUrl".`);
    }
  }
  const url = jwksUrlOf(jwksUrl);
  if (!Array.isArray(algorithms) || algorithms.length === 0 || algorithms.some((a) => !isJwtAlgorithm(a) || a.startsWith('HS'))) {
    throw new AuthConfigError('"algorithms" must be a non-empty list of asymmetric algorithms (ES256, EdDSA, RS256, PS256…); an HMAC secret is never published.');
  }
  const cooldown = seconds(jwksCooldown, 5, 'jwksCooldown');
  if (cooldown < 1 || cooldown > 300) throw new AuthConfigError(`"jwksCooldown" must be between 1 and 300 seconds; got ${cooldown}.`);
  const maxAge = seconds(jwksMaxAge, '5m', 'jwksMaxAge');
  if (maxAge < cooldown) throw new AuthConfigError(`"jwksMaxAge" (${maxAge} s) must be at least "jwksCooldown" (${cooldown} s).`);
  const timeout = seconds(jwksTimeout, 5, 'jwksTimeout');
  if (timeout <= 0 || timeout > 60) throw new AuthConfigError(`"jwksTimeout" must be between 0 and 60 seconds; got ${timeout}.`);
  // The shared checks (tolerance, issuer, audience, realm…) are AuthModule's own. They need a key to build the
  // options; this random one is replaced by the remote ring below, before anything could sign or verify with it.
  const resolved = resolveAuthOptions({ ...shared, secret: randomBytes(32), refreshTokenSecret: randomBytes(32), sessionCheck: false });
  const keyRing = new RemoteKeyRing({
    url: url.href,
    algorithms,
    cooldownMs: cooldown * 1000,
    maxAgeMs: maxAge * 1000,
    timeoutMs: timeout * 1000,
    maxTokenLength: resolved.maxTokenLength,
  });
  return { ...resolved, keyRing };
}

function jwksUrlOf(value: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new AuthConfigError(`"jwksUrl" must be an absolute URL; got ${JSON.stringify(value)}.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url;
  throw new AuthConfigError(`"jwksUrl" must use https: (http: only on a loopback host); got "${url.href}". Over plain HTTP anyone on the path could hand you their keys.`);
}
