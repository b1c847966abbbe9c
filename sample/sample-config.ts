import { randomBytes } from 'node:crypto';
import ms from 'ms';
import type { AuthKeyOptions } from '../lib/index.js';
import { SAMPLE_ALGORITHMS, SampleAlgorithm, sampleSigningKey } from './signing-key.js';

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
  store: 'memory' | 'redis' | 'postgres';
  redisUrl: string;
  databaseUrl: string;
  refreshCookie: boolean;
  /** `TRUSTED_ORIGINS`: origins besides the sample's own allowed to call /auth/* in cookie mode. */
  trustedOrigins: string[];
  /** `JWT_ALGORITHM`. */
  algorithm: SampleAlgorithm;
  /** The asymmetric signing key (`JWT_PRIVATE_KEY`, or generated) when `algorithm` is not HS256. */
  signingKey: AuthKeyOptions | undefined;
  /** True when an asymmetric algorithm is asked for without `JWT_PRIVATE_KEY`: a key pair was generated. */
  generatedKey: boolean;
  /** Seconds: how recent a login `GET /me/fresh` demands. */
  freshLoginMaxAge: number;
  /** MAX_SESSIONS_PER_USER: live sessions one user may hold. */
  maxSessionsPerUser: number;
}

/** A bad environment variable: start-up stops with this message and a non-zero exit. */
export class SampleConfigError extends Error {
  override name = 'SampleConfigError';
}

type Env = Record<string, string | undefined>;

const MIN_SECRET_BYTES = 32;

// Bare numbers are seconds (the contract); `ms` reads them as milliseconds. Years are refused: no fixed length.
const BARE_SECONDS = /^\d+(?:\.\d+)?$/;
const YEARS = /\d\s*(?:y|yrs?|years?)$/i;

function duration(env: Env, name: string, fallback: string): number {
  const raw = (env[name] || fallback).trim();
  let seconds = Number.NaN;
  if (BARE_SECONDS.test(raw)) seconds = Number(raw);
  else if (!YEARS.test(raw)) seconds = ms(raw as ms.StringValue) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new SampleConfigError(`${name} must be seconds (90) or a duration such as "30s", "15m", "1h", "7d"; got "${env[name]}".`);
  }
  return seconds;
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
  if (store !== 'memory' && store !== 'redis' && store !== 'postgres') {
    throw new SampleConfigError(`AUTH_STORE must be "memory", "redis" or "postgres"; got "${store}".`);
  }
  const maxSessions = env.MAX_SESSIONS_PER_USER === undefined || env.MAX_SESSIONS_PER_USER === '' ? 100 : Number(env.MAX_SESSIONS_PER_USER);
  if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) {
    throw new SampleConfigError(`MAX_SESSIONS_PER_USER must be a positive integer; got "${env.MAX_SESSIONS_PER_USER}".`);
  }
  const cookie = env.REFRESH_COOKIE;
  if (cookie !== undefined && cookie !== '' && cookie !== '0' && cookie !== '1') {
    throw new SampleConfigError(`REFRESH_COOKIE must be "1" (on) or unset; got "${cookie}".`);
  }
  const algorithm = (env.JWT_ALGORITHM || 'HS256') as SampleAlgorithm;
  if (!SAMPLE_ALGORITHMS.includes(algorithm)) {
    throw new SampleConfigError(`JWT_ALGORITHM must be one of ${SAMPLE_ALGORITHMS.join(', ')}; got "${algorithm}".`);
  }
  const signing = algorithm === 'HS256' ? undefined : sampleSigningKey(algorithm, env.JWT_PRIVATE_KEY, (m) => new SampleConfigError(m));
  return {
    algorithm,
    signingKey: signing?.key,
    generatedKey: signing?.generated ?? false,
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
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    refreshCookie: cookie === '1',
    trustedOrigins: trustedOrigins(env.TRUSTED_ORIGINS),
    freshLoginMaxAge: duration(env, 'FRESH_LOGIN_MAX_AGE', '5m'),
    maxSessionsPerUser: maxSessions,
  };
}

/** `TRUSTED_ORIGINS=https://a.example.com,https://b.example.com`: each entry a bare origin. */
function trustedOrigins(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new SampleConfigError(`TRUSTED_ORIGINS must be comma-separated origins such as "https://app.example.com"; got "${origin}".`);
    }
    return parsed.origin;
  });
}
