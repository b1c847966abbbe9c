import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { RunningSample } from '../../sample/start-sample.js';
import { PostgresProxy, TestPostgresDatabase } from '../support/postgres-database.js';
import { sampleWith, SampleClient, sleep } from './sample-http.js';
import { expectReuseDetectedAcrossInstances } from './two-instances.js';

// Two instances only share sessions if they share the signing key.
const SECRET = 'postgres-sample-secret-shared-by-both-instances!';

describe('sample with AUTH_STORE=postgres', () => {
  let db: TestPostgresDatabase;
  let admin: pg.Pool;
  const running: RunningSample[] = [];

  async function instance(extra: Record<string, string> = {}): Promise<SampleClient> {
    const { sample, http } = await sampleWith({ AUTH_STORE: 'postgres', DATABASE_URL: db.url(), JWT_SECRET: SECRET, REFRESH_REUSE_GRACE: '1', ...extra });
    running.push(sample);
    return http;
  }

  beforeAll(async () => {
    db = await TestPostgresDatabase.create();
    admin = db.pool();
  });
  afterAll(async () => {
    for (const sample of running) await sample.close();
    await admin.end();
    await db.drop();
  });

  it('starts two instances at once on an empty database: both come up, with one table and its indexes', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    expect((await a.login()).status).toBe(200);
    expect((await b.login('bob', 'builder')).status).toBe(200);
    const { rows } = await admin.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'njr_sessions' ORDER BY indexname`);
    expect(rows.map((r) => r.indexname)).toEqual(['njr_sessions_pkey', 'njr_sessions_retain_until_idx', 'njr_sessions_sub_idx']);
  });

  it('shares sessions between two instances: rotate on one, reuse detected on the other', async () => {
    await expectReuseDetectedAcrossInstances(await instance(), await instance());
  });

  it('gives 50 parallel rotations of one token on two instances a single successor', async () => {
    const a = await instance({ REFRESH_REUSE_GRACE: '10' });
    const b = await instance({ REFRESH_REUSE_GRACE: '10' });
    const login = (await a.login()).body;
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).refresh(login.refreshToken)));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(replies.map((r) => r.body.refreshToken)).size).toBe(1);
    // The one successor really is the live token, on both instances.
    const next = await b.refresh(replies[0].body.refreshToken);
    expect(next.status).toBe(200);
    expect((await a.me(next.body.accessToken)).status).toBe(200);
  });

  it('stops a logged-out session on the other instance within a second, however recently it saw the token succeed', async () => {
    const a = await instance();
    const b = await instance();
    for (let round = 0; round < 3; round++) {
      const login = (await a.login()).body;
      // b checks the session and caches the answer (for 5 s by default).
      expect((await b.me(login.accessToken)).status).toBe(200);
      expect((await a.request('POST', '/auth/logout', { token: login.accessToken })).status).toBe(204);
      const answered = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - answered < 1000) {
        status = (await b.me(login.accessToken)).status;
        if (status === 200) await sleep(20);
      }
      expect(status).toBe(401);
      expect((await b.me(login.accessToken)).body.code).toBe('TOKEN_REVOKED');
    }
  });

  it('keeps sessions across an app restart', async () => {
    const first = await instance();
    const login = (await first.login('bob', 'builder')).body;
    await running.pop()!.close();
    const second = await instance();
    const renewed = await second.refresh(login.refreshToken);
    expect(renewed.status).toBe(200);
    expect((await second.me(renewed.body.accessToken)).body.user.sub).toBe('bob');
  });

  it('answers 503 AUTH_STORE_UNAVAILABLE while the database is unreachable, and recovers on its own', async () => {
    const proxy = await PostgresProxy.start(new URL(db.url()));
    try {
      const http = await instance({ DATABASE_URL: db.url(proxy.port), REFRESH_REUSE_GRACE: '10' });
      const login = (await http.login()).body;
      proxy.cut();
      const down = await http.refresh(login.refreshToken);
      expect(down.status).toBe(503);
      expect(down.body.code).toBe('AUTH_STORE_UNAVAILABLE');
      expect(down.headers.get('retry-after')).toBe('1');
      expect((await http.login()).status).toBe(503);
      expect((await http.request('GET', '/health')).status).toBe(200);
      proxy.restore();
      let back = 503;
      for (let i = 0; i < 50 && back !== 200; i++) {
        back = (await http.refresh(login.refreshToken)).status;
        if (back !== 200) await sleep(100);
      }
      expect(back).toBe(200);
    } finally {
      await running.pop()!.close();
      await proxy.stop();
    }
  });
});
