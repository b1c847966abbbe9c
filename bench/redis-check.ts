import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Makes sure a Redis answers at `url`. A local one that is not running is
 * started (no persistence, loopback only); otherwise the reason is returned
 * so the Redis rows can be skipped with a clear message.
 */
export async function ensureRedis(url: string, log: (line: string) => void): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (await answers(url)) return { ok: true };
  const { hostname, port } = new URL(url);
  if (hostname !== '127.0.0.1' && hostname !== 'localhost') return { ok: false, reason: `no Redis answers at ${url}` };
  log(`no Redis at ${url}; starting redis-server`);
  const started = spawnSync(
    'redis-server',
    ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', port || '6379', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  if (started.error || started.status !== 0) {
    return { ok: false, reason: `no Redis at ${url} and redis-server could not be started (${started.error?.message ?? `exit ${started.status}`}); install Redis or set REDIS_URL` };
  }
  for (let i = 0; i < 30; i++) {
    if (await answers(url)) return { ok: true };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ok: false, reason: `redis-server was started but ${url} does not answer` };
}
