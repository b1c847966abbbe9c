import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PostgresRefreshTokenStore } from '../../lib/postgres/index.js';
import type { RevocationNotice } from '../../lib/refresh/revocation-notice.interface.js';
import { makeSession } from '../../lib/testing/index.js';
import { eventually } from '../support/eventually.js';
import { TestPostgresDatabase } from '../support/postgres-database.js';
import { rotateAndRevokeAcross } from './rotate-and-revoke-across.js';

// The README's Prisma line, run as far as this machine allows: the pool and the driver adapter exactly as written,
// and Prisma's queries going through the adapter Prisma would use. `new PrismaClient(...)` itself needs a generated
// client, and `prisma generate` downloads an engine binary, which CI here cannot reach.
let db: TestPostgresDatabase;
const pools: Pool[] = [];

function readmePool(): Pool {
  const pool = new Pool({ connectionString: db.url(), connectionTimeoutMillis: 3000, max: 2 });
  pool.on('error', () => {}); // The README's advice: a pool without an 'error' listener crashes on a dropped idle client.
  pools.push(pool);
  return pool;
}

const text = { scalarType: 'string', arity: 'scalar' } as const;

beforeAll(async () => {
  db = await TestPostgresDatabase.create();
});

afterAll(async () => {
  for (const pool of pools) if (!pool.ended) await pool.end();
  await db?.drop();
});

describe("PostgresRefreshTokenStore on the pg.Pool of Prisma's driver adapter (PrismaPg)", () => {
  it("shares one pool: Prisma's adapter reads what the store wrote, and closing the store leaves the pool to Prisma", async () => {
    const pool = readmePool();
    const adapter = await new PrismaPg(pool).connect();
    const store = new PostgresRefreshTokenStore({ pool, tableName: 'prisma_sessions' });
    await store.ensureSchema();
    const session = makeSession(Date.now());
    await store.create(session);
    const read = await adapter.queryRaw({ sql: 'SELECT sub FROM prisma_sessions WHERE sid = $1', args: [session.sid], argTypes: [text] });
    expect(read.rows).toEqual([[session.sub]]);
    await store.close();
    expect(pool.ended).toBe(false);
    // Prisma keeps working on the pool, and a new store on it (a restart) finds the session and revokes it.
    const count = await adapter.queryRaw({ sql: 'SELECT count(*)::int FROM prisma_sessions', args: [], argTypes: [] });
    expect(count.rows).toEqual([[1]]);
    const again = new PostgresRefreshTokenStore({ pool, tableName: 'prisma_sessions' });
    try {
      expect(await again.revoke(session.sid, 'logout', Date.now())).toBe(true);
      const reason = await adapter.queryRaw({ sql: 'SELECT revoked_reason FROM prisma_sessions WHERE sid = $1', args: [session.sid], argTypes: [text] });
      expect(reason.rows).toEqual([['logout']]);
      expect((await again.get(session.sid))?.revokedReason).toBe('logout');
    } finally {
      await again.close();
    }
    // Disposing Prisma's adapter leaves an external pool alone too (the adapter's default).
    await adapter.dispose();
    expect(pool.ended).toBe(false);
  });

  it("with a Prisma transaction holding one of the pool's two connections, sessions still rotate and notices still flow", async () => {
    const [poolA, poolB] = [readmePool(), readmePool()];
    const adapter = await new PrismaPg(poolA).connect();
    const [a, b] = [new PostgresRefreshTokenStore({ pool: poolA, tableName: 'prisma_notify' }), new PostgresRefreshTokenStore({ pool: poolB, tableName: 'prisma_notify' })];
    await Promise.all([a.ensureSchema(), b.ensureSchema()]);
    const heard: RevocationNotice[] = [];
    b.onRevocation((notice) => heard.push(notice));
    await eventually(() => heard.some((n) => n.kind === 'reset'));
    const transaction = await adapter.startTransaction();
    try {
      await transaction.executeRaw({ sql: 'CREATE TABLE prisma_users (id text PRIMARY KEY)', args: [], argTypes: [] });
      await rotateAndRevokeAcross(a, b, heard, 'alice');
      await transaction.commit();
      const users = await adapter.queryRaw({ sql: "SELECT to_regclass('prisma_users')::text", args: [], argTypes: [] });
      expect(users.rows).toEqual([['prisma_users']]);
    } finally {
      await a.close();
      await b.close();
      await adapter.dispose();
    }
  });
});
