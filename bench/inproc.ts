// In-process figures, each run in a fresh child (`--expose-gc`) so one
// measurement's garbage never lands in another's: rotations per second
// through RefreshService on a given store, and heap bytes per session.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AuthModule, MemoryRefreshTokenStore, RefreshService } from '../lib/index.js';
import type { RefreshTokenStore } from '../lib/index.js';
import { RedisRefreshTokenStore } from '../lib/redis/index.js';
import { Redis } from 'ioredis';

export interface InprocTask {
  kind: 'rotation' | 'memory';
  store: 'memory' | 'redis';
  /** Rotation chains driven at once (1 = one at a time). */
  inFlight?: number;
  seconds?: number;
  sessions?: number;
  redisUrl?: string;
}

export interface RotationFigure {
  perSec: number;
  rotations: number;
  seconds: number;
  inFlight: number;
}

export interface MemoryFigure {
  bytesPerSession: number;
  sessions: number;
  heapDeltaBytes: number;
  heapUsedBeforeBytes: number;
}

async function context(store: RefreshTokenStore): Promise<INestApplicationContext> {
  @Module({
    imports: [AuthModule.forRoot({ secret: randomBytes(48).toString('base64url'), store, sessionCheck: false })],
  })
  class InprocModule {}
  return NestFactory.createApplicationContext(InprocModule, { logger: ['error'] });
}

// A prefix of its own, so the benchmark never touches anything else in that Redis, and deletes what it wrote.
const REDIS_PREFIX = `njr-bench-${process.pid}:`;

function makeStore(task: InprocTask): RefreshTokenStore {
  if (task.store === 'redis') return new RedisRefreshTokenStore({ url: task.redisUrl, keyPrefix: REDIS_PREFIX });
  return new MemoryRefreshTokenStore({ maxSessions: Math.max(100_000, (task.sessions ?? 0) + 1) });
}

/** Drives `inFlight` independent rotation chains for `seconds`, each rotating its own latest token. */
async function rotations(service: RefreshService, inFlight: number, seconds: number): Promise<RotationFigure> {
  await service.issue('bench-connect'); // the store's connection is up before the chains start
  const pairs = await Promise.all(Array.from({ length: inFlight }, (_, i) => service.issue(`bench-user-${i}`)));
  const tokens = pairs.map((p) => p.refreshToken);
  const drive = async (ms: number) => {
    let count = 0;
    const end = performance.now() + ms;
    await Promise.all(
      tokens.map(async (_, i) => {
        while (performance.now() < end) {
          tokens[i] = (await service.rotate(tokens[i])).refreshToken;
          count++;
        }
      }),
    );
    return count;
  };
  await drive(Math.min(1000, seconds * 300)); // warm-up: JIT, connection, Lua script load
  const start = performance.now();
  const count = await drive(seconds * 1000);
  const elapsed = (performance.now() - start) / 1000;
  return { perSec: Math.round(count / elapsed), rotations: count, seconds: Math.round(elapsed * 100) / 100, inFlight };
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Heap growth per session after creating `n` sessions through `issue()` (tokens discarded, as a client would take them away). */
async function memoryPerSession(service: RefreshService, n: number): Promise<MemoryFigure> {
  await service.issue('warm-up'); // first-call allocations (JIT, caches) stay out of the delta
  const before = heapAfterGc();
  for (let i = 0; i < n; i++) await service.issue(`user-${i}`);
  const after = heapAfterGc();
  return { bytesPerSession: Math.round((after - before) / n), sessions: n, heapDeltaBytes: after - before, heapUsedBeforeBytes: before };
}

async function run(task: InprocTask): Promise<RotationFigure | MemoryFigure> {
  const store = makeStore(task);
  const app = await context(store);
  try {
    const service = app.get(RefreshService);
    if (task.kind === 'memory') return await memoryPerSession(service, task.sessions ?? 100_000);
    return await rotations(service, task.inFlight ?? 1, task.seconds ?? 3);
  } finally {
    await app.close();
    if (task.store === 'redis') await deleteBenchKeys(task.redisUrl!);
  }
}

async function deleteBenchKeys(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

run(JSON.parse(process.argv[2]) as InprocTask).then(
  (result) => process.send!({ result }, () => process.exit(0)),
  (err: Error) => process.send!({ error: err.stack ?? String(err) }, () => process.exit(1)),
);
