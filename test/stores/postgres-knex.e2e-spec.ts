import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import knex, { type Knex } from 'knex';
import { PostgresRefreshTokenStore } from '../../lib/postgres/index.js';
import type { RevocationNotice } from '../../lib/refresh/revocation-notice.interface.js';
import { makeSession } from '../../lib/testing/index.js';
import { eventually } from '../support/eventually.js';
import { TestPostgresDatabase } from '../support/postgres-database.js';
import { rotateAndRevokeAcross } from './rotate-and-revoke-across.js';

// The README's Knex line, run as written: Knex keeps its connections in a tarn pool, not a pg.Pool, so the store
// gets a pool of its own from the same connection settings, beside the app's Knex on the same database.
let db: TestPostgresDatabase;
let knexConfig: Knex.Config;
let app: Knex;

beforeAll(async () => {
  db = await TestPostgresDatabase.create();
  knexConfig = { client: 'pg', connection: db.url(), pool: { min: 0, max: 2 } };
  app = knex(knexConfig);
});

afterAll(async () => {
  await app?.destroy();
  await db?.drop();
});

describe("PostgresRefreshTokenStore beside an app's Knex (connection settings from the Knex config)", () => {
  it('keeps its sessions in the database Knex uses, and each pool outlives the other', async () => {
    const store = new PostgresRefreshTokenStore({ connectionString: knexConfig.connection as string, tableName: 'knex_sessions' });
    await store.ensureSchema();
    const session = makeSession(Date.now());
    await store.create(session);
    // The app's Knex reads what the store wrote, in the same database.
    expect(await app('knex_sessions').where({ sid: session.sid }).select('sub')).toEqual([{ sub: session.sub }]);
    await store.close();
    // Closing the store leaves the app's Knex working, and a new store (a restart) finds the session.
    expect(await app('knex_sessions').count({ n: '*' })).toEqual([{ n: '1' }]);
    const again = new PostgresRefreshTokenStore({ connectionString: knexConfig.connection as string, tableName: 'knex_sessions' });
    try {
      expect((await again.get(session.sid))?.sub).toBe(session.sub);
      expect(await again.revoke(session.sid, 'logout', Date.now())).toBe(true);
      expect((await again.get(session.sid))?.revokedReason).toBe('logout');
    } finally {
      await again.close();
    }
  });

  it("with every connection of the app's Knex pool held in transactions, sessions still rotate and notices still flow", async () => {
    await app.schema.createTable('knex_users', (t) => {
      t.string('id').primary();
      t.string('role');
    });
    await app('knex_users').insert([{ id: 'alice', role: 'reader' }, { id: 'bob', role: 'reader' }]);
    const [a, b] = [
      new PostgresRefreshTokenStore({ connectionString: knexConfig.connection as string, tableName: 'knex_notify' }),
      new PostgresRefreshTokenStore({ connectionString: knexConfig.connection as string, tableName: 'knex_notify' }),
    ];
    // Knex's pool has two connections (max: 2): both are now in open transactions, so Knex itself would wait.
    const transactions = [await app.transaction(), await app.transaction()];
    try {
      await transactions[0]('knex_users').where({ id: 'alice' }).update({ role: 'admin' });
      await transactions[1]('knex_users').where({ id: 'bob' }).update({ role: 'admin' });
      await Promise.all([a.ensureSchema(), b.ensureSchema()]);
      const heard: RevocationNotice[] = [];
      b.onRevocation((notice) => heard.push(notice));
      await eventually(() => heard.some((n) => n.kind === 'reset'));
      await rotateAndRevokeAcross(a, b, heard, 'alice');
      for (const trx of transactions) await trx.commit();
      expect(await app('knex_users').orderBy('id').select('role')).toEqual([{ role: 'admin' }, { role: 'admin' }]);
    } finally {
      for (const trx of transactions) if (!trx.isCompleted()) await trx.rollback();
      await a.close();
      await b.close();
    }
  });
});
