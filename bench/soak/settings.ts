/** What one soak run does, read from the environment (every variable optional). */
export interface SoakSettings {
  /** How long to drive load, in seconds (`SOAK_SECONDS`, default 60). */
  seconds: number;
  /** How many client sessions take turns (`SOAK_SESSIONS`, default 2000). */
  sessions: number;
  /** Most client actions in flight at once (`SOAK_CONCURRENCY`, default 32). */
  concurrency: number;
  /** Seconds between memory samples of each instance (`SOAK_SAMPLE_SECONDS`, default 2). */
  sampleSeconds: number;
  /** Passed to both instances as `REFRESH_REUSE_GRACE` (`SOAK_REUSE_GRACE`, default `10`). */
  reuseGrace: string;
  /** Use this Redis instead of starting a throwaway one (`REDIS_URL`). */
  redisUrl: string | undefined;
  /**
   * Most growth of an instance's live heap (measured after a forced GC) allowed between the end of the
   * warm-up and the end of the run, in MB (`SOAK_MAX_HEAP_GROWTH_MB`, default 16).
   */
  maxHeapGrowthMb: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, integer: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}; got "${raw}".`);
  }
  return value;
}

export function readSoakSettings(env: NodeJS.ProcessEnv = process.env): SoakSettings {
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl !== undefined) {
    const host = new URL(redisUrl).hostname;
    // The soak is loopback only: it must never load a shared or remote Redis by accident.
    if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) {
      throw new Error(`REDIS_URL must point to a loopback address for the soak; got host "${host}".`);
    }
  }
  return {
    seconds: positive(env, 'SOAK_SECONDS', 60, false),
    sessions: positive(env, 'SOAK_SESSIONS', 2000, true),
    concurrency: positive(env, 'SOAK_CONCURRENCY', 32, true),
    sampleSeconds: positive(env, 'SOAK_SAMPLE_SECONDS', 2, false),
    reuseGrace: env.SOAK_REUSE_GRACE || '10',
    redisUrl,
    maxHeapGrowthMb: positive(env, 'SOAK_MAX_HEAP_GROWTH_MB', 16, false),
  };
}
