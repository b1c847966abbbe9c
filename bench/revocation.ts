// Revocation figures (`BENCH_PARTS=revocation`, or run alone with
// `node --import ./bench/register.mjs bench/revocation.ts`):
// - cross-instance propagation: instance B has a session cached live; A revokes it; how long until B's
//   session check refuses it (p50/p99 over BENCH_REVOCATIONS revocations), a row per store: Redis
//   (pub/sub) and PostgreSQL (LISTEN/NOTIFY, in a database the bench creates and drops);
// - per-subject cost: listSessions and revokeAllForSubject for one user holding 1, 100 or 10,000
//   sessions among 100,000 other users' sessions (memory and Redis stores);
// - Redis bytes per session (MEMORY USAGE of a session's hash and its share of the index).
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { AuthModule, MemoryRefreshTokenStore, RefreshService } from '../lib/index.js';
import type { RefreshSession, RefreshTokenStore } from '../lib/index.js';
import { PostgresRefreshTokenStore } from '../lib/postgres/index.js';
import { RedisRefreshTokenStore } from '../lib/redis/index.js';
import { withDatabase } from './postgres-database.js';

const SECRET = 'bench-revocation-secret-of-at-least-32-bytes!';
const PREFIX = `njr-bench-rev-${process.pid}:`;

export interface PropagationRow {
  store: 'redis' | 'postgres';
  revocations: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface RevocationFigures {
  /** A row per store measured; a store that was not reachable has none. */
  propagation: PropagationRow[];
  perSubject: Array<{ store: string; sessions: number; others: number; listMs: number; revokeAllMs: number }>;
  redisBytesPerSession: number | null;
  /** Why the PostgreSQL row is missing, when it is. */
  postgresSkipped: string | null;
}

async function app(store: RefreshTokenStore, maxSessionsPerSubject = 100_000): Promise<INestApplicationContext> {
  @Module({ imports: [AuthModule.forRoot({ secret: SECRET, refreshTokenSecret: `${SECRET}-refresh`, store, maxSessionsPerSubject, sessionCheck: { cacheTtl: 60 } })] })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, { logger: ['error'] });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Two app contexts, each with a store of its own from `newStore` (one backend behind both): A revokes, B must refuse. */
async function propagation(store: PropagationRow['store'], count: number, newStore: () => RefreshTokenStore): Promise<PropagationRow> {
  const [a, b] = [await app(newStore()), await app(newStore())];
  try {
    const [ra, rb] = [a.get(RefreshService), b.get(RefreshService)];
    const revokeAndWait = async (i: number): Promise<number> => {
      const pair = await ra.issue(`prop-${i % 50}`);
      const id = JSON.parse(Buffer.from(pair.accessToken.split('.')[1], 'base64url').toString()).sid as string;
      if ((await rb.checkSession(id)) !== true) throw new Error('B should see the session live first');
      const start = performance.now();
      await ra.revokeSession(id);
      // Poll B's check (the guard's fast path) until it refuses: the cache entry is dropped by the notice.
      while ((await rb.checkSession(id)) !== false) await new Promise((r) => setImmediate(r));
      return performance.now() - start;
    };
    // Untimed: returns once B listens, since B's (re)subscription flushes its cache if the notice came too early.
    await revokeAndWait(0);
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push(await revokeAndWait(i));
    times.sort((x, y) => x - y);
    const round = (x: number) => Math.round(x * 100) / 100;
    return { store, revocations: count, p50Ms: round(quantile(times, 0.5)), p99Ms: round(quantile(times, 0.99)), maxMs: round(times[times.length - 1]) };
  } finally {
    await a.close(); // closes its store too (RefreshService.onApplicationShutdown)
    await b.close();
  }
}

/** The PostgreSQL row, in a database of its own on the server of `adminUrl`. */
function postgresPropagation(adminUrl: string, count: number): Promise<PropagationRow> {
  return withDatabase(adminUrl, async (url) => {
    const newStore = () => new PostgresRefreshTokenStore({ connectionString: url });
    const schema = newStore();
    await schema.ensureSchema();
    await schema.close();
    return propagation('postgres', count, newStore);
  });
}

function session(sid: string, sub: string, now: number): RefreshSession {
  return { sid, sub, claims: {}, generation: 0, tokenHash: `h-${sid}`, previousTokenHash: null, rotatedAt: null, createdAt: now - 1000, expiresAt: now + 3_600_000, absoluteExpiresAt: now + 7_200_000, lastUsedAt: now - 1000, revokedAt: null };
}

/** listSessions and revokeAllForSubject for a user with `own` sessions among `others` other users' sessions. */
async function perSubject(store: RefreshTokenStore, label: string, own: number, others: number, sidFor: (sub: string, i: number) => string) {
  const now = Date.now();
  const batch = async (items: RefreshSession[]) => {
    for (let i = 0; i < items.length; i += 500) await Promise.all(items.slice(i, i + 500).map((s) => store.create(s)));
  };
  await batch(Array.from({ length: others }, (_, i) => session(sidFor(`other-${i}`, i), `other-${i}`, now)));
  const sub = `subject-${own}`;
  await batch(Array.from({ length: own }, (_, i) => session(sidFor(sub, i), sub, now)));
  const ctx = await app(store);
  try {
    const service = ctx.get(RefreshService);
    let start = performance.now();
    const listed = await service.listSessions(sub);
    const listMs = performance.now() - start;
    if (listed.length !== own) throw new Error(`listed ${listed.length} of ${own}`);
    start = performance.now();
    await service.revokeAllForSubject(sub);
    const revokeAllMs = performance.now() - start;
    return { store: label, sessions: own, others, listMs: Math.round(listMs * 100) / 100, revokeAllMs: Math.round(revokeAllMs * 100) / 100 };
  } finally {
    await ctx.close();
  }
}

async function redisBytes(redisUrl: string): Promise<number> {
  const store = new RedisRefreshTokenStore({ url: redisUrl, keyPrefix: `${PREFIX}bytes:` });
  const admin = new Redis(redisUrl);
  try {
    const now = Date.now();
    const sub = 'bytes-user';
    const n = 100;
    for (let i = 0; i < n; i++) await store.create({ ...session(store.newSessionId(sub), sub, now), lastIp: '203.0.113.7', lastUserAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130' });
    let bytes = 0;
    for (const key of await admin.keys(`${PREFIX}bytes:*`)) bytes += Number(await admin.memory('USAGE', key));
    return Math.round(bytes / n);
  } finally {
    await store.close();
    admin.disconnect();
  }
}

async function cleanup(redisUrl: string): Promise<void> {
  const admin = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      if (keys.length) await admin.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
}

/** `urls.redis` / `urls.postgres` null: those rows are left out (the caller says why for Redis). */
export async function revocationFigures(
  urls: { redis: string | null; postgres: string | null },
  revocations: number,
  sizes = [1, 100, 10_000],
  others = 100_000,
): Promise<RevocationFigures> {
  const figures: RevocationFigures = { propagation: [], perSubject: [], redisBytesPerSession: null, postgresSkipped: null };
  for (const own of sizes) {
    const store = new MemoryRefreshTokenStore({ maxSessions: others + own + 1 });
    figures.perSubject.push(await perSubject(store, 'memory', own, others, (_sub, i) => `m${own}-${i}-${Math.random().toString(36).slice(2)}`));
    await store.close();
  }
  const redisUrl = urls.redis;
  if (redisUrl) {
    try {
      figures.propagation.push(await propagation('redis', revocations, () => new RedisRefreshTokenStore({ url: redisUrl, keyPrefix: PREFIX })));
      for (const own of sizes) {
        const store = new RedisRefreshTokenStore({ url: redisUrl, keyPrefix: `${PREFIX}${own}:` });
        figures.perSubject.push(await perSubject(store, 'redis', own, others, (sub) => store.newSessionId(sub)));
        await store.close();
      }
      figures.redisBytesPerSession = await redisBytes(redisUrl);
    } finally {
      await cleanup(redisUrl);
    }
  }
  if (urls.postgres) {
    try {
      figures.propagation.push(await postgresPropagation(urls.postgres, revocations));
    } catch (error) {
      figures.postgresSkipped = (error as Error).message.split('\n')[0];
    }
  }
  return figures;
}

const STORE_NAMES: Record<PropagationRow['store'], string> = { redis: 'Redis pub/sub', postgres: 'PostgreSQL LISTEN/NOTIFY' };

export function printRevocation(f: RevocationFigures): void {
  console.log('\nrevocation');
  for (const p of f.propagation) {
    console.log(`  cross-instance propagation (${STORE_NAMES[p.store]}, ${p.revocations} revocations): p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, max ${p.maxMs} ms`);
  }
  if (f.postgresSkipped !== null) console.log(`  SKIPPED the PostgreSQL propagation row: ${f.postgresSkipped}.`);
  console.log(`  ${'store'.padEnd(7)} ${'sessions'.padStart(9)} ${'others'.padStart(8)} ${'listSessions ms'.padStart(16)} ${'revokeAll ms'.padStart(13)}`);
  for (const r of f.perSubject) console.log(`  ${r.store.padEnd(7)} ${String(r.sessions).padStart(9)} ${String(r.others).padStart(8)} ${String(r.listMs).padStart(16)} ${String(r.revokeAllMs).padStart(13)}`);
  if (f.redisBytesPerSession !== null) console.log(`  Redis bytes per session (MEMORY USAGE, hash + index share): ${f.redisBytesPerSession}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const redis = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const postgres = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const count = Number(process.env.BENCH_REVOCATIONS || 1000);
  const others = Number(process.env.BENCH_REVOCATION_OTHERS || 100_000);
  revocationFigures({ redis, postgres }, count, [1, 100, 10_000], others).then(printRevocation, (err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
