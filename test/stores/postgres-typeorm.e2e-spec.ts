import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { PostgresRefreshTokenStore } from '../../lib/postgres/index.js';
import type { RevocationNotice } from '../../lib/refresh/revocation-notice.interface.js';
import { makeSession, refreshTokenStoreContract } from '../../lib/testing/index.js';
import { eventually } from '../support/eventually.js';
import { TestPostgresDatabase } from '../support/postgres-database.js';
import { jestRunner } from './jest-runner.js';

// The README's TypeORM line, run as written: the store on the pg.Pool TypeORM's postgres driver already has.
let db: TestPostgresDatabase;
const sources: DataSource[] = [];
let tables = 0;

async function typeorm(): Promise<DataSource> {
  const dataSource = new DataSource({ type: 'postgres', url: db.url(), extra: { connectionTimeoutMillis: 3000, max: 4 } });
  await dataSource.initialize();
  sources.push(dataSource);
  return dataSource;
}

const storeOn = (dataSource: DataSource, tableName: string) =>
  new PostgresRefreshTokenStore({ pool: (dataSource.driver as PostgresDriver).master, tableName });

beforeAll(async () => {
  db = await TestPostgresDatabase.create();
});

afterAll(async () => {
  for (const source of sources) await source.destroy();
  await db?.drop();
});

describe('PostgresRefreshTokenStore on the pool of a TypeORM DataSource', () => {
  describe('contract', () => {
    refreshTokenStoreContract(
      jestRunner,
      async () => {
        const store = storeOn(sources[0] ?? (await typeorm()), `typeorm_contract_${++tables}`);
        await store.ensureSchema();
        return { store, now: () => Date.now(), elapse: (ms) => sleep(ms) };
      },
      { retentionMarginMs: 1500 },
    );
  });

  it('leaves the pool to TypeORM: closing the store does not end it, and both keep using it', async () => {
    const dataSource = await typeorm();
    const store = storeOn(dataSource, 'typeorm_shared');
    await store.ensureSchema();
    const session = makeSession(Date.now());
    await store.create(session);
    await store.close();
    expect(await dataSource.query('SELECT count(*)::int AS n FROM typeorm_shared')).toEqual([{ n: 1 }]);
    const again = storeOn(dataSource, 'typeorm_shared');
    expect((await again.get(session.sid))?.sid).toBe(session.sid);
    await again.close();
  });

  it("announces a revocation on one TypeORM app's pool to a store on another's (LISTEN with the pool's own settings)", async () => {
    const [a, b] = [storeOn(await typeorm(), 'typeorm_notify'), storeOn(await typeorm(), 'typeorm_notify')];
    try {
      await a.ensureSchema();
      const heard: RevocationNotice[] = [];
      b.onRevocation((notice) => heard.push(notice));
      const session = makeSession(Date.now());
      await a.create(session);
      // The listener connects in the background; its first notice is the reset it sends once it is up.
      await eventually(() => heard.some((n) => n.kind === 'reset'));
      expect(await a.revoke(session.sid, 'logout', Date.now())).toBe(true);
      await eventually(() => heard.some((n) => n.kind === 'session' && n.sid === session.sid));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
