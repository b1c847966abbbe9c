import { randomBytes } from 'node:crypto';
import { parseDuration } from '../lib/index.js';

/** The sample's settings, read from the environment variables of the HTTP contract. */
export interface SampleConfig {
  port: number;
  host: string;
  jwtSecret: string;
  /** True when no JWT_SECRET was given and a random one is in use. */
  generatedSecret: boolean;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  sessionMaxAge: number;
  clockTolerance: number;
  reuseGrace: number;
  store: 'memory' | 'redis';
  redisUrl: string;
  refreshCookie: boolean;
}

/** A bad environment variable: start-up stops with this message and a non-zero exit. */
export class SampleConfigError extends Error {
  override name = 'SampleConfigError';
}

type Env = Record<string, string | undefined>;

const MIN_SECRET_BYTES = 32;

function duration(env: Env, name: string, fallback: string): number {
  const raw = env[name];
  try {
    return parseDuration(raw === undefined || raw === '' ? fallback : raw, name);
  } catch (err) {
    throw new SampleConfigError((err as Error).message);
  }
}

/** Reads and checks the environment once; every message names the variable to fix. */
export function readSampleConfig(env: Env = process.env): SampleConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SampleConfigError(`PORT must be a port number; got "${env.PORT}".`);
  const secret = env.JWT_SECRET;
  if (secret !== undefined && Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new SampleConfigError(
      `JWT_SECRET is too short: HS256 needs at least ${MIN_SECRET_BYTES} bytes, got ${Buffer.byteLength(secret, 'utf8')}. ` +
        'Generate one with "npx nestjs-jwt-refresh secret".',
    );
  }
  const store = env.AUTH_STORE || 'memory';
  if (store !== 'memory' && store !== 'redis') throw new SampleConfigError(`AUTH_STORE must be "memory" or "redis"; got "${store}".`);
  const cookie = env.REFRESH_COOKIE;
  if (cookie !== undefined && cookie !== '' && cookie !== '0' && cookie !== '1') {
    throw new SampleConfigError(`REFRESH_COOKIE must be "1" (on) or unset; got "${cookie}".`);
  }
  return {
    port,
    host: env.HOST || '127.0.0.1',
    jwtSecret: secret ?? randomBytes(48).toString('base64url'),
    generatedSecret: secret === undefined,
    accessTokenTtl: duration(env, 'ACCESS_TOKEN_TTL', '15m'),
    refreshTokenTtl: duration(env, 'REFRESH_TOKEN_TTL', '7d'),
    sessionMaxAge: duration(env, 'SESSION_MAX_AGE', '30d'),
    clockTolerance: duration(env, 'CLOCK_TOLERANCE', '30'),
    reuseGrace: duration(env, 'REFRESH_REUSE_GRACE', '10'),
    store,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    refreshCookie: cookie === '1',
  };
}
