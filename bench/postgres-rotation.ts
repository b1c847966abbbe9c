// The PostgreSQL row of `npm run bench`: rotations/s through RefreshService on the PostgreSQL store,
// 50 chains in flight, beside the floor the database sets: a bare `pg` conditional UPDATE (the same
// compare-and-swap, nothing else) at the same concurrency on a pool of the same size. Run in a child
// process (see run.ts), in a database of its own that it drops afterwards.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { AuthModule, RefreshService } from '../lib/index.js';
import { PostgresRefreshTokenStore } from '../lib/postgres/index.js';
import { withDatabase } from './postgres-database.js';

export interface PostgresTask {
  adminUrl: string;
  inFlight: number;
  seconds: number;
}

export interface PostgresFigure {
  storePerSec: number;
  rawUpdatePerSec: number;
  /** storePerSec ÷ rawUpdatePerSec. */
  ratio: number;
  inFlight: number;
  poolSize: number;
}

const POOL_SIZE = 10;

/** Runs `step(i)` in `inFlight` loops for `ms`; returns how many completed. */
async function drive(inFlight: number, ms: number, step: (i: number) => Promise<void>): Promise<number> {
  let count = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, i) => {
      while (performance.now() < end) {
        await step(i);
        count++;
      }
    }),
  );
  return count;
}

async function timed(inFlight: number, seconds: number, step: (i: number) => Promise<void>): Promise<number> {
  await drive(inFlight, Math.min(1000, seconds * 300), step); // warm-up: connections, plans, JIT
  const start = performance.now();
  const count = await drive(inFlight, seconds * 1000, step);
  return Math.round(count / ((performance.now() - start) / 1000));
}

async function storeRotations(url: string, task: PostgresTask): Promise<number> {
  const store = new PostgresRefreshTokenStore({ connectionString: url, poolConfig: { max: POOL_SIZE } });
  await store.ensureSchema();
  @Module({ imports: [AuthModule.forRoot({ secret: randomBytes(48).toString('base64url'), store, sessionCheck: false })] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error'] });
  try {
    const service = app.get(RefreshService);
    const tokens = (await Promise.all(Array.from({ length: task.inFlight }, (_, i) => service.issue(`bench-${i}`)))).map((p) => p.refreshToken);
    return await timed(task.inFlight, task.seconds, async (i) => {
      tokens[i] = (await service.rotate(tokens[i])).refreshToken;
    });
  } finally {
    await app.close();
    await store.close(); // idempotent: the database is dropped next, so nothing may stay connected
  }
}

/** The floor: one conditional UPDATE per rotation on a row per chain, nothing read, nothing signed. */
async function rawUpdates(url: string, task: PostgresTask): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  pool.on('error', () => undefined); // an idle connection ended by the DROP DATABASE that follows
  try {
    await pool.query('CREATE TABLE raw_cas (id int PRIMARY KEY, generation bigint NOT NULL, token text NOT NULL)');
    await pool.query(`INSERT INTO raw_cas SELECT i, 0, 't' FROM generate_series(0, $1) AS i`, [task.inFlight - 1]);
    const generations = new Array<number>(task.inFlight).fill(0);
    return await timed(task.inFlight, task.seconds, async (i) => {
      const next = generations[i] + 1;
      const result = await pool.query('UPDATE raw_cas SET generation = $3, token = $4 WHERE id = $1 AND generation = $2', [
        i,
        generations[i],
        next,
        randomBytes(16).toString('base64url'),
      ]);
      if (result.rowCount !== 1) throw new Error('raw compare-and-swap lost: the benchmark itself is wrong');
      generations[i] = next;
    });
  } finally {
    await pool.end();
  }
}

export async function benchPostgres(task: PostgresTask): Promise<PostgresFigure> {
  return withDatabase(task.adminUrl, async (url) => {
    const storePerSec = await storeRotations(url, task);
    const rawUpdatePerSec = await rawUpdates(url, task);
    return { storePerSec, rawUpdatePerSec, ratio: Math.round((storePerSec / rawUpdatePerSec) * 100) / 100, inFlight: task.inFlight, poolSize: POOL_SIZE };
  });
}

if (process.send && process.argv[2]) {
  benchPostgres(JSON.parse(process.argv[2]) as PostgresTask).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (error: Error) => process.send!({ error: error.stack ?? error.message }, () => process.exit(1)),
  );
}
