/** Knobs of `npm run bench`, read from the environment so a quick run is one line away. */
export interface BenchSettings {
  /** Seconds per measured round of one scenario. */
  duration: number;
  /** Seconds of load before the first round of each scenario, not measured. */
  warmup: number;
  /** Measured rounds per scenario; the median is reported. */
  rounds: number;
  /** Concurrent HTTP connections autocannon keeps open. */
  connections: number;
  platforms: Array<'express' | 'fastify'>;
  /** HTTP scenarios to run (names as in http-bench.ts); all when unset. */
  scenarios: Set<string> | undefined;
  /** Which parts run: http, rotation, memory, revocation. */
  parts: Set<string>;
  /** Seconds each rotation figure is measured for. */
  rotationSeconds: number;
  /** Sessions created for the memory figure. */
  sessions: number;
  redisUrl: string;
  /** PostgreSQL server for the PostgreSQL row; the bench creates a database of its own there and drops it. */
  postgresUrl: string;
  /** Whether the load generator and the apps get cores of their own (Linux, 2+ cores). */
  pin: boolean;
}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number; got "${raw}".`);
  return value;
}

function list(name: string, fallback: string[]): string[] {
  const raw = process.env[name];
  return raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : fallback;
}

export function readSettings(): BenchSettings {
  const platforms = list('BENCH_PLATFORMS', ['express', 'fastify']);
  for (const p of platforms) if (p !== 'express' && p !== 'fastify') throw new Error(`BENCH_PLATFORMS: unknown platform "${p}".`);
  return {
    // Many short rounds rather than a few long ones: on a shared machine the noise comes in bursts of a
    // second or two (one 1 s round of the same route measured 0.67 to 1.15 of its neighbour), and a
    // median over 15 rounds drops a burst where one over 3 rounds of 5 s averaged it in.
    duration: num('BENCH_DURATION', 1),
    warmup: num('BENCH_WARMUP', 2),
    rounds: Math.round(num('BENCH_ROUNDS', 15)),
    connections: Math.round(num('BENCH_CONNECTIONS', 50)),
    platforms: platforms as BenchSettings['platforms'],
    scenarios: process.env.BENCH_SCENARIOS ? new Set(list('BENCH_SCENARIOS', [])) : undefined,
    parts: new Set(list('BENCH_PARTS', ['http', 'rotation', 'memory', 'revocation'])),
    rotationSeconds: num('BENCH_ROTATION_SECONDS', 3),
    sessions: Math.round(num('BENCH_SESSIONS', 100_000)),
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    postgresUrl: process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test',
    pin: process.env.BENCH_PIN !== '0',
  };
}

export const SETTINGS_HELP = `Environment (all optional):
  BENCH_DURATION=1          seconds per measured round
  BENCH_WARMUP=2            seconds of unmeasured load per scenario
  BENCH_ROUNDS=15           rounds per scenario (medians reported; ratios paired by round)
  BENCH_CONNECTIONS=50      concurrent connections
  BENCH_PLATFORMS=express,fastify
  BENCH_SCENARIOS=ping,oursHs256,...  HTTP scenarios (default all; names in bench/http-bench.ts)
  BENCH_PARTS=http,rotation,memory,revocation
  BENCH_ROTATION_SECONDS=3  seconds per rotation figure
  BENCH_SESSIONS=100000     sessions for the memory figure
  BENCH_REVOCATIONS=1000    revocations timed for each propagation row (Redis, PostgreSQL)
  BENCH_PIN=1               0: let the scheduler place autocannon and the apps (default: separate cores on Linux)
  REDIS_URL=redis://127.0.0.1:6379
  BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test  (a database is created there for the run, then dropped)`;
