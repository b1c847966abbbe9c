import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import type { RunningSample } from '../../sample/start-sample.js';
import { sampleWith } from '../sample/sample-http.js';
import { IOREDIS_VERSION, PROJECT_IOREDIS_MAJOR } from '../support/ioredis-version.js';
import { TestRedisCluster } from '../support/redis-cluster.js';
import { refreshTokenStoreContract } from '../../lib/testing/index.js';
import { jestRunner } from './jest-runner.js';
import { failoverUnderLoad } from './redis-cluster.failover.js';

// A real six-node cluster on loopback: three masters, a replica each, cluster-node-timeout 5000 ms.
let cluster: TestRedisCluster;
let n = 0;
const prefix = () => `njr-cluster-${++n}:`;

beforeAll(async () => {
  cluster = await TestRedisCluster.start();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe(`RedisRefreshTokenStore on a Redis Cluster (ioredis ${IOREDIS_VERSION})`, () => {
  it('runs on the ioredis major this Jest project is for', () => {
    expect(IOREDIS_VERSION.split('.')[0]).toBe(PROJECT_IOREDIS_MAJOR);
  });

  describe('contract', () => {
    refreshTokenStoreContract(
      jestRunner,
      async () => ({
        store: new RedisRefreshTokenStore({ cluster: { nodes: cluster.seeds }, keyPrefix: prefix() }),
        now: () => Date.now(),
        elapse: (ms) => sleep(ms),
      }),
      { retentionMarginMs: 1500 },
    );
  });

  it('two sample instances on the Cluster (comma-separated REDIS_URL): logout on A is refused on B within 1 s', async () => {
    const running: RunningSample[] = [];
    try {
      const env = { AUTH_STORE: 'redis', REDIS_URL: cluster.url, JWT_SECRET: 'cluster-sample-secret-shared-by-both-instances' };
      const [a, b] = [await sampleWith(env), await sampleWith(env)];
      running.push(a.sample, b.sample);
      const login = (await a.http.login()).body;
      const rotated = await b.http.refresh(login.refreshToken);
      expect(rotated.status).toBe(200);
      expect((await b.http.me(rotated.body.accessToken)).status).toBe(200);
      const since = Date.now();
      expect((await a.http.request('POST', '/auth/logout', { token: rotated.body.accessToken })).status).toBe(204);
      for (;;) {
        const me = await b.http.me(rotated.body.accessToken);
        if (me.body.code === 'TOKEN_REVOKED') break;
        expect(me.status).toBe(200);
        expect(Date.now() - since).toBeLessThan(1000);
        await sleep(5);
      }
      expect((await b.http.refresh(rotated.body.refreshToken)).body.code).toBe('REFRESH_TOKEN_REVOKED');
    } finally {
      for (const sample of running) await sample.close();
    }
  });

  it('lets a process whose stores are closed exit by itself, even with slot refreshes in flight at close()', async () => {
    const child = spawn(process.execPath, ['--import', './bench/register.mjs', 'test/stores/cluster-store-exit.child.ts', JSON.stringify(cluster.seeds)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const outcome = await Promise.race([exited, sleep(20_000).then(() => 'still running' as const)]);
    if (outcome === 'still running') process.kill(child.pid!, 'SIGKILL');
    expect({ outcome, output: output.trim().split('\n').pop() }).toEqual({ outcome: 0, output: 'closed' });
  }, 30_000);

  // Last: it leaves one shard without its master.
  it('fails over a master under rotation load: 503 in the gap, recovery by itself, and with waitForReplicas nothing acknowledged lost, even with the replica lagging as the master dies', async () => {
    const counts = await failoverUnderLoad(cluster, prefix());
    expect(counts.unavailable).toBeGreaterThan(0);
    expect(counts.recoveredAfterMs).toBeLessThan(30_000);
    expect(counts.acknowledged.rotations).toBeGreaterThan(0);
    expect(counts.acknowledged.revocations).toBeGreaterThan(0);
    expect(counts.acknowledged.logins).toBeGreaterThan(0);
    expect(counts.lost).toEqual({ rotations: 0, revocations: 0, logins: 0 });
  }, 90_000);
});
