import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule, RefreshService } from '../../lib/index.js';
import { PostgresRefreshTokenStore, postgresSchemaSql } from '../../lib/postgres/index.js';
import type { RefreshSession } from '../../lib/refresh/refresh-session.interface.js';
import type { RevocationNotice } from '../../lib/refresh/revocation-notice.interface.js';
import { SESSION_RETENTION_MS } from '../../lib/refresh/refresh-session.interface.js';
import { PostgresProxy, TestPostgresDatabase } from '../support/postgres-database.js';
import { createTestSession, FixedClock, makeFreshSession, makeSession, refreshTokenStoreContract } from '../../lib/testing/index.js';
import { jestRunner } from './jest-runner.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 2, 5, 12);

let db: TestPostgresDatabase;
let admin: pg.Pool;
let tableCounter = 0;
/** A table of its own for each store, so tests never see each other's rows. */
const freshTable = () => `sessions_${++tableCounter}`;

beforeAll(async () => {
  db = await TestPostgresDatabase.create();
  admin = db.pool();
});

afterAll(async () => {
  await admin.end();
  await db.drop();
});

function expected(session: RefreshSession): { generation: number; tokenHash: string } {
  return { generation: session.generation, tokenHash: session.tokenHash };
}

function successor(session: RefreshSession, now: number, tokenHash: string) {
  return { generation: session.generation + 1, tokenHash, previousTokenHash: session.tokenHash, rotatedAt: now, expiresAt: now + DAY, lastUsedAt: now };
}

async function settleWithin(promise: Promise<unknown>, ms: number): Promise<'rejected' | 'resolved' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise.then(() => 'resolved' as const, () => 'rejected' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits (bounded) until `predicate` holds. */
async function waitFor(predicate: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

async function eventually<T>(fn: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

async function storeOn(options: Partial<ConstructorParameters<typeof PostgresRefreshTokenStore>[0]> = {}): Promise<PostgresRefreshTokenStore> {
  const store = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: freshTable(), ...options } as never);
  await store.ensureSchema();
  return store;
}

describe('PostgresRefreshTokenStore', () => {
  describe('contract', () => {
    refreshTokenStoreContract(jestRunner, async () => {
      // The store judges retention by the clock it is given: retention tests jump instead of sleeping.
      let now = T0;
      const store = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: freshTable(), now: () => now });
      await store.ensureSchema();
      return { store, now: () => now, elapse: async (ms) => void (now += ms) };
    });
  });

  describe('schema', () => {
    it('creates the table and its indexes once, however many instances run ensureSchema at the same moment', async () => {
      const table = freshTable();
      const stores = Array.from({ length: 8 }, () => new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: table }));
      try {
        await Promise.all(stores.map((s) => s.ensureSchema()));
        await stores[0].ensureSchema();
        const { rows } = await admin.query(`SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, [table]);
        expect(rows.map((r) => r.indexname)).toEqual([`${table}_pkey`, `${table}_retain_until_idx`, `${table}_sub_idx`]);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('ships DDL that a migration can run, in a schema of its choice, and the store works on it', async () => {
      await admin.query('CREATE SCHEMA IF NOT EXISTS auth');
      await admin.query(postgresSchemaSql('auth.sessions'));
      await admin.query(postgresSchemaSql('auth.sessions'));
      const store = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: 'auth.sessions' });
      try {
        const session = makeSession(Date.now());
        await store.create(session);
        expect(await store.get(session.sid)).toStrictEqual(session);
        expect((await admin.query('SELECT count(*)::int AS n FROM auth.sessions')).rows[0].n).toBe(1);
      } finally {
        await store.close();
      }
    });

    it('uses its indexes for the lookups it makes', async () => {
      const store = await storeOn();
      try {
        const table = (store as unknown as { table: string }).table;
        const client = await admin.connect();
        try {
          // A planner on a tiny table prefers a scan; forbidding scans shows whether an index can serve.
          await client.query('SET enable_seqscan = off');
          const plan = async (sql: string) => (await client.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
          expect(await plan(`SELECT * FROM ${table} WHERE sub = 'alice'`)).toMatch(/_sub_idx/);
          expect(await plan(`SELECT * FROM ${table} WHERE sid = 'x'`)).toMatch(/_pkey/);
          expect(await plan(`SELECT sid FROM ${table} WHERE retain_until <= 1 ORDER BY retain_until LIMIT 10`)).toMatch(/_retain_until_idx/);
        } finally {
          client.release();
        }
      } finally {
        await store.close();
      }
    });

    it('refuses table names that are not plain identifiers, naming the option', () => {
      for (const tableName of ['Sessions', 'a;drop table x', 'a.b.c', '"x"', '', '1abc']) {
        expect(() => new PostgresRefreshTokenStore({ connectionString: db.url(), tableName })).toThrow(/"tableName"/);
      }
    });
  });

  describe('expired rows', () => {
    it('deletes rows past their retention in batches of sweepBatchSize, and keeps the others', async () => {
      let now = T0;
      const queries: { text: string; rowCount: number | null }[] = [];
      const pool = db.pool(2);
      // Observes the store's statements on a real pool (nothing is faked): each sweep DELETE and its row count.
      const query = pool.query.bind(pool) as (text: string, values: unknown[]) => Promise<pg.QueryResult>;
      (pool as unknown as { query: typeof query }).query = async (text, values) => {
        const result = await query(text, values);
        queries.push({ text, rowCount: result.rowCount });
        return result;
      };
      const store = new PostgresRefreshTokenStore({ pool, tableName: freshTable(), now: () => now, sweepBatchSize: 10, sweepIntervalMs: 0 });
      try {
        await store.ensureSchema();
        const ended = Array.from({ length: 25 }, () => makeFreshSession(now, { expiresAt: now + 1000, absoluteExpiresAt: now + DAY }));
        const revokedEnded = makeSession(now, { expiresAt: now + 2000, revokedAt: now, revokedReason: 'logout' });
        const lasting = makeSession(now);
        for (const s of [...ended, revokedEnded, lasting]) await store.create(s);

        now += SESSION_RETENTION_MS + 1500;
        expect(await store.sweep()).toBe(25);
        now += 2000;
        expect(await store.sweep()).toBe(1);
        const deletes = queries.filter((q) => q.text.startsWith('DELETE') && !q.text.includes('_subjects'));
        expect(deletes.map((q) => q.rowCount)).toEqual([10, 10, 5, 1]);
        const table = (store as unknown as { table: string }).table;
        const { rows } = await admin.query(`SELECT sid FROM ${table}`);
        expect(rows.map((r) => r.sid)).toEqual([lasting.sid]);
      } finally {
        await store.close();
        await pool.end();
      }
    });

    it('deletes, in each sweep, the rows whose day of retention ends before the next sweep: none outlives it', async () => {
      let now = T0;
      const store = await storeOn({ now: () => now, sweepIntervalMs: 60_000 });
      try {
        const ending = makeSession(now, { expiresAt: now - SESSION_RETENTION_MS + 30_000 }); // retained 30 s more
        const later = makeSession(now, { expiresAt: now - SESSION_RETENTION_MS + 90_000 }); // 90 s more
        for (const s of [ending, later]) await store.create(s);
        expect(await store.sweep()).toBe(1);
        expect(await store.get(later.sid)).toStrictEqual(later);
        const table = (store as unknown as { table: string }).table;
        expect((await admin.query(`SELECT sid FROM ${table}`)).rows.map((r) => r.sid)).toEqual([later.sid]);
        now += 30_001;
        expect(await store.sweep()).toBe(1);
      } finally {
        await store.close();
      }
    });

    it('sweeps on its own timer', async () => {
      const store = await storeOn({ sweepIntervalMs: 200 });
      try {
        const now = Date.now();
        // Ended a day ago, a moment from now: retained until now + 300 ms.
        const session = makeSession(now, { expiresAt: now - SESSION_RETENTION_MS + 300 });
        await store.create(session);
        const table = (store as unknown as { table: string }).table;
        const count = async () => (await admin.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
        expect(await count()).toBe(1);
        const deadline = Date.now() + 5000;
        while ((await count()) > 0 && Date.now() < deadline) await sleep(100);
        expect(await count()).toBe(0);
      } finally {
        await store.close();
      }
    });
  });

  describe('several instances', () => {
    it('lets exactly one of two instances (two pools) win 50 racing rotations of one session', async () => {
      const table = freshTable();
      const a = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: table, poolConfig: { max: 10 } });
      const b = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: table, poolConfig: { max: 10 } });
      try {
        await Promise.all([a.ensureSchema(), b.ensureSchema()]);
        for (let round = 0; round < 5; round++) {
          const now = Date.now();
          const session = makeFreshSession(now);
          await a.create(session);
          const updates = Array.from({ length: 50 }, (_, i) => successor(session, now, `successor-${round}-${i}`));
          const results = await Promise.all(updates.map((u, i) => (i % 2 ? a : b).rotate(session.sid, expected(session), u)));
          expect(results.filter(Boolean)).toHaveLength(1);
          expect((await b.get(session.sid))!.tokenHash).toBe(updates[results.indexOf(true)].tokenHash);
        }
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('keeps sessions across a new store instance (an application restart)', async () => {
      const table = freshTable();
      const first = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: table });
      await first.ensureSchema();
      const session = makeSession(Date.now());
      await first.create(session);
      await first.close();
      const second = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: table });
      try {
        expect(await second.get(session.sid)).toStrictEqual(session);
        expect(await second.listBySubject(session.sub)).toStrictEqual([session]);
        expect(await second.revoke(session.sid, 'logout', Date.now())).toBe(true);
      } finally {
        await second.close();
      }
    });
  });

  describe('revocations across instances', () => {
    async function pair(extra: Record<string, unknown> = {}) {
      const table = freshTable();
      const a = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: table, ...extra } as never);
      const b = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: table, ...extra } as never);
      await Promise.all([a.ensureSchema(), b.ensureSchema()]);
      return { a, b, close: () => Promise.all([a.close(), b.close()]) };
    }

    it('announces a revocation made on one instance to the others, and nothing of another table', async () => {
      const { a, b, close } = await pair();
      const other = await storeOn();
      try {
        const heard: RevocationNotice[] = [];
        b.onRevocation((n) => heard.push(n));
        await waitFor(() => heard.some((n) => n.kind === 'reset'));
        const session = makeFreshSession(Date.now());
        await a.create(session);
        await other.create(session);
        await other.revoke(session.sid, 'logout', Date.now());
        expect(await a.revoke(session.sid, 'logout', Date.now())).toBe(true);
        await waitFor(() => heard.some((n) => n.kind === 'session' && n.sid === session.sid));
        await a.revokeSubject('carol', { at: Date.now(), reason: 'logout_all', keepUntil: Date.now() + DAY, exceptSid: 'kept' });
        await waitFor(() => heard.some((n) => n.kind === 'subject' && n.sub === 'carol' && n.exceptSid === 'kept'));
        expect(heard.filter((n) => n.kind === 'session')).toHaveLength(1);
      } finally {
        await close();
        await other.close();
      }
    });

    it('tells its listeners to flush when the listening connection is terminated, then hears notices again', async () => {
      const { a, b, close } = await pair({ poolConfig: { application_name: 'njr-listen-test' } });
      try {
        const heard: RevocationNotice[] = [];
        b.onRevocation((n) => heard.push(n));
        await waitFor(() => heard.some((n) => n.kind === 'reset'));
        heard.length = 0;
        const { rows } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'njr-listen-test' AND query LIKE 'LISTEN%' AND datname = current_database()`,
        );
        expect(rows).toHaveLength(1);
        await waitFor(() => heard.filter((n) => n.kind === 'reset').length >= 2);
        const session = makeFreshSession(Date.now());
        await a.create(session);
        await a.revoke(session.sid, 'logout', Date.now());
        await waitFor(() => heard.some((n) => n.kind === 'session' && n.sid === session.sid));
      } finally {
        await close();
      }
    });

    it('tells its listeners to flush while the network to the database is cut, and recovers by itself', async () => {
      const proxy = await PostgresProxy.start(new URL(db.url()));
      const table = freshTable();
      const writer = await storeOn({ tableName: table });
      const reader = new PostgresRefreshTokenStore({ connectionString: db.url(proxy.port), tableName: table });
      try {
        const heard: RevocationNotice[] = [];
        reader.onRevocation((n) => heard.push(n));
        await waitFor(() => heard.some((n) => n.kind === 'reset'));
        heard.length = 0;
        proxy.cut();
        await waitFor(() => heard.some((n) => n.kind === 'reset'));
        proxy.restore();
        const session = makeFreshSession(Date.now());
        await writer.create(session);
        // Revocations keep being made until the listener is back and hears one.
        await waitFor(async () => {
          const s = makeFreshSession(Date.now());
          await writer.create(s);
          await writer.revoke(s.sid, 'logout', Date.now());
          await sleep(100);
          return heard.some((n) => n.kind === 'session' && n.sid === s.sid);
        }, 10_000);
      } finally {
        await reader.close();
        await writer.close();
        await proxy.stop();
      }
    });

    it('keeps the per-subject cap across two instances under 30 concurrent logins', async () => {
      const { a, b, close } = await pair();
      try {
        const now = Date.now();
        const sessions = Array.from({ length: 30 }, (_, i) => makeFreshSession(now, { sub: 'dave', lastUsedAt: now + i }));
        const results = await Promise.all(sessions.map((s, i) => (i % 2 ? a : b).create(s, { maxSessionsPerSubject: 3 })));
        const live = (await a.listBySubject('dave')).filter((s) => s.revokedAt === null);
        expect(live).toHaveLength(3);
        const evicted = results.flatMap((r) => r.evicted);
        expect(new Set(evicted).size).toBe(27);
        expect(evicted.every((sid) => !live.some((s) => s.sid === sid))).toBe(true);
      } finally {
        await close();
      }
    });
  });

  describe('clock', () => {
    it("takes the module's clock when built without one, so a FixedClock ages its rows too", async () => {
      const clock = new FixedClock('2026-03-05T12:00:00Z');
      const store = await storeOn({ sweepIntervalMs: 0 });
      @Module({ imports: [AuthModule.forRoot({ secret: 'postgres-clock-secret-of-32-bytes-or-more', store, clock: clock.now, sessionCheck: false })] })
      class ClockModule {}
      const app = await NestFactory.createApplicationContext(ClockModule, { logger: false });
      try {
        const pair = await createTestSession(app, 'erin');
        const [session] = await store.listBySubject('erin');
        expect(session.createdAt).toBe(Date.parse('2026-03-05T12:00:00Z'));
        // Past its sliding end plus the retention day, by the module's clock: gone, although real time barely moved.
        clock.advance('9d');
        expect(await store.get(session.sid)).toBeNull();
        await expect(app.get(RefreshService).rotate(pair.refreshToken)).rejects.toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
      } finally {
        await app.close();
        await store.close();
      }
    });
  });

  describe('connections', () => {
    it('uses a pool it is given and leaves it open on close()', async () => {
      const pool = db.pool();
      try {
        const store = new PostgresRefreshTokenStore({ pool, tableName: freshTable() });
        expect(store.pool).toBe(pool);
        await store.ensureSchema();
        const session = makeSession(Date.now());
        await store.create(session);
        await store.close();
        expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
        await expect(store.get(session.sid)).rejects.toThrow(/closed/);
      } finally {
        await pool.end();
      }
    });

    it('opens its own pool, configured to fail fast, and ends it on close()', async () => {
      const store = new PostgresRefreshTokenStore({ connectionString: db.url(), tableName: freshTable(), poolConfig: { max: 3 } });
      const options = (store.pool as unknown as { options: pg.PoolConfig }).options;
      expect(options.connectionTimeoutMillis).toBe(3000);
      expect(options.query_timeout).toBe(2000);
      expect(options.max).toBe(3);
      expect(store.pool.listenerCount('error')).toBeGreaterThan(0);
      await store.ensureSchema();
      expect(await store.get('nothing')).toBeNull();
      await store.close();
      expect(store.pool.ended).toBe(true);
      await store.close();
    });

    it('rejects contradictory or unsafe options at construction', () => {
      const pool = db.pool();
      expect(() => new PostgresRefreshTokenStore({ pool, connectionString: db.url() } as never)).toThrow(/either "pool" or "connectionString"/);
      expect(() => new PostgresRefreshTokenStore({ pool, sweepBatchSize: 0 })).toThrow(/"sweepBatchSize"/);
      expect(() => new PostgresRefreshTokenStore({ pool, sweepIntervalMs: -1 })).toThrow(/"sweepIntervalMs"/);
      return pool.end();
    });
  });

  describe('when the database goes away', () => {
    let proxy: PostgresProxy;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    beforeAll(async () => {
      proxy = await PostgresProxy.start();
      process.on('unhandledRejection', onUnhandled);
    });
    afterAll(async () => {
      process.off('unhandledRejection', onUnhandled);
      await proxy.stop();
    });
    afterEach(() => proxy.restore());

    it('rejects promptly while the connection is cut, never hangs, and recovers on its own when it is back', async () => {
      const errors: Error[] = [];
      const store = await storeOn({ connectionString: db.url(proxy.port), onError: (e: Error) => errors.push(e) });
      try {
        const session = makeFreshSession(Date.now());
        await store.create(session);
        expect(await store.get(session.sid)).toStrictEqual(session);

        proxy.cut();
        const update = successor(session, Date.now(), 'x');
        for (let i = 0; i < 3; i++) {
          expect(await settleWithin(store.get(session.sid), 5000)).toBe('rejected');
          expect(await settleWithin(store.rotate(session.sid, expected(session), update), 5000)).toBe('rejected');
          expect(await settleWithin(store.revoke(session.sid, 'logout', 1), 5000)).toBe('rejected');
          expect(await settleWithin(store.listBySubject(session.sub), 5000)).toBe('rejected');
          expect(await settleWithin(store.create(makeFreshSession(Date.now())), 5000)).toBe('rejected');
          await sleep(200);
        }
        // Nothing written during the cut was applied later.
        expect((await admin.query(`SELECT generation FROM ${(store as unknown as { table: string }).table} WHERE sid = $1`, [session.sid])).rows[0].generation).toBe('0');

        proxy.restore();
        expect(await eventually(() => store.get(session.sid), 10_000)).toStrictEqual(session);
        expect(await store.rotate(session.sid, expected(session), update)).toBe(true);
        expect(unhandled).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('rejects instead of hanging when the database stops answering, and works again when it resumes', async () => {
      const store = await storeOn({ connectionString: db.url(proxy.port), poolConfig: { query_timeout: 500 } });
      try {
        const session = makeFreshSession(Date.now());
        await store.create(session);
        proxy.stall();
        expect(await settleWithin(store.get(session.sid), 5000)).toBe('rejected');
        expect(await settleWithin(store.revoke(session.sid, 'logout', 1), 5000)).toBe('rejected');
        proxy.restore();
        expect(await eventually(() => store.get(session.sid), 10_000)).toStrictEqual(session);
        expect(unhandled).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('survives its connections being terminated by the server (pg_terminate_backend)', async () => {
      const errors: Error[] = [];
      const store = await storeOn({ onError: (e: Error) => errors.push(e), poolConfig: { application_name: 'njr-terminate-test' } });
      try {
        const session = makeFreshSession(Date.now());
        await store.create(session);
        await Promise.all([store.get(session.sid), store.get(session.sid)]);
        const { rows } = await admin.query(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'njr-terminate-test' AND datname = current_database()`,
        );
        expect(rows.length).toBeGreaterThan(0);
        expect(await eventually(() => store.get(session.sid), 10_000)).toStrictEqual(session);
        expect(unhandled).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
});
