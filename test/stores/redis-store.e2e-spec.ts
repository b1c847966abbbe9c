import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { sessionRetainUntil, SESSION_RETENTION_MS } from '../../lib/refresh/refresh-session.interface.js';
import type { RefreshSession } from '../../lib/refresh/refresh-session.interface.js';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { IOREDIS_VERSION, PROJECT_IOREDIS_MAJOR } from '../support/ioredis-version.js';
import { freePort, redisServerEnv } from '../support/redis-server.js';
import { makeFreshSession, makeSession, refreshTokenStoreContract } from '../../lib/testing/index.js';
import { jestRunner } from './jest-runner.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Unique per run: parallel runs (and other engineers' tests) share the server on 6379.
const RUN_PREFIX = `njr-test:${process.pid}-${randomBytes(4).toString('hex')}:`;
let prefixCounter = 0;
const freshPrefix = () => `${RUN_PREFIX}${++prefixCounter}:`;
const DAY = 24 * 60 * 60 * 1000;

let admin: Redis;

beforeAll(() => {
  admin = new Redis(REDIS_URL, { lazyConnect: false });
});

afterAll(async () => {
  const keys = await scanKeys(RUN_PREFIX);
  if (keys.length > 0) await admin.unlink(...keys);
  await admin.quit();
});

async function scanKeys(prefix: string, client: Redis = admin): Promise<string[]> {
  const keys: string[] = [];
  // The prefix is ours (no glob characters); escaping keeps the pattern literal anyway.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Settles with 'rejected' or 'resolved', or 'timeout' if the promise is still pending after `ms`. */
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

/** Retries `fn` until it resolves, or throws its last error after `ms`. */
/** What a caller that just read `session` expects to find when it rotates. */
function expected(session: RefreshSession): { generation: number; tokenHash: string } {
  return { generation: session.generation, tokenHash: session.tokenHash };
}

/** A sid as the store makes it for `sub` (its keys then share the subject's hash tag). */
const sidFor = (sub: string) => RedisRefreshTokenStore.prototype.newSessionId.call(undefined, sub);
const tagOf = (sub: string) => sidFor(sub).slice(0, 4);

/** The rotation a refresh of `session` at `now` writes. */
function rotationOf(session: RefreshSession, now: number) {
  return { generation: session.generation + 1, tokenHash: randomBytes(16).toString('base64url'), previousTokenHash: session.tokenHash, rotatedAt: now, expiresAt: now + 7 * DAY, lastUsedAt: now };
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


describe(`RedisRefreshTokenStore (ioredis ${IOREDIS_VERSION})`, () => {
  it('runs on the ioredis major this Jest project is for', () => {
    expect(IOREDIS_VERSION.split('.')[0]).toBe(PROJECT_IOREDIS_MAJOR);
  });

  describe('contract', () => {
    refreshTokenStoreContract(
      jestRunner,
      async () => ({
        store: new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: freshPrefix() }),
        now: () => Date.now(),
        elapse: (ms) => sleep(ms),
      }),
      // Real time: Redis expires keys by its own clock, so retention tests sleep.
      { retentionMarginMs: 1500 },
    );
  });

  // The application's clock and Redis's disagree (NTP drift, a test clock, CI's moved-clock run): every
  // expiry is relative to the time the application passes, so retention holds all the same. With
  // absolute PEXPIREATs the retention cases fail here: keys would live a year too long, or not at all.
  describe.each([
    ['a year ahead of', 400 * 24 * 3600_000],
    ['an hour behind', -3600_000],
  ])('contract, with the application clock %s Redis', (_label, skew) => {
    refreshTokenStoreContract(
      jestRunner,
      async () => {
        const now = () => Date.now() + skew;
        const store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: freshPrefix() });
        store.useClock(now); // as AuthModule does with its `clock` option
        return { store, now, elapse: (ms: number) => sleep(ms) };
      },
      { retentionMarginMs: 1500 },
    );
  });

  describe('keys and expiry', () => {
    let store: RedisRefreshTokenStore;
    let prefix: string;
    const sessionKey = (sid: string) => `${prefix}s:{${sid.slice(0, 4)}}${sid}`;
    const indexKey = (sub: string) => `${prefix}u:{${tagOf(sub)}}${sub}`;
    const epochKey = (sub: string) => `${prefix}e:{${tagOf(sub)}}${sub}`;
    const mk = (now: number, sub: string, overrides: Partial<RefreshSession> = {}) => makeFreshSession(now, { sid: sidFor(sub), sub, ...overrides });

    // Expiries are set relative to the application's clock, so Redis places them at its own clock plus
    // what the application asked for: equal to the millisecond only when both clocks agree and nothing
    // elapsed in between. A second of slack still tells every expiry below from its neighbours (days apart).
    // On the application's clock: now plus what Redis says is left (PEXPIRETIME would be on Redis's clock).
    const expiresAt = async (key: string) => Date.now() + (await admin.pttl(key));
    const expectExpiry = async (key: string, at: number) => {
      const expireTime = await expiresAt(key);
      expect(Math.abs(expireTime - at)).toBeLessThan(1000);
    };

    beforeEach(() => {
      prefix = freshPrefix();
      store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
    });

    afterEach(async () => {
      await store.close();
    });

    it('gives every key an expiry: a session its end plus a day, the index the latest of its sessions, the epoch what it was told', async () => {
      const now = Date.now();
      const sessions = [
        mk(now, 'alice', { expiresAt: now + 2 * DAY, absoluteExpiresAt: now + 30 * DAY }),
        mk(now, 'alice', { expiresAt: now + 9 * DAY, absoluteExpiresAt: now + 5 * DAY }),
        mk(now, 'alice', { expiresAt: now + DAY, absoluteExpiresAt: now + 30 * DAY }),
      ];
      for (const s of sessions) await store.create(s);
      await expectExpiry(indexKey('alice'), now + 6 * DAY);
      // A rotation slides one expiry past the others; a revocation must not touch the expiry.
      const rotation = { generation: 1, tokenHash: 'h1', previousTokenHash: sessions[2].tokenHash, rotatedAt: now, expiresAt: now + 20 * DAY, lastUsedAt: now + 5 };
      expect(await store.rotate(sessions[2].sid, expected(sessions[2]), rotation)).toBe(true);
      await store.revoke(sessions[0].sid, 'logout', now);
      await expectExpiry(sessionKey(sessions[0].sid), now + 3 * DAY);
      await expectExpiry(sessionKey(sessions[1].sid), now + 6 * DAY);
      await expectExpiry(sessionKey(sessions[2].sid), now + 21 * DAY);
      await expectExpiry(indexKey('alice'), now + 21 * DAY);
      // The index lists the sessions that are not revoked, scored by last use (what the cap ends first).
      expect(await admin.zrange(indexKey('alice'), 0, -1, 'WITHSCORES')).toEqual([sessions[1].sid, String(now), sessions[2].sid, String(now + 5)]);
      await store.revokeSubject('alice', { at: now, reason: 'logout_all', keepUntil: now + 40 * DAY });
      await expectExpiry(epochKey('alice'), now + 40 * DAY);
      const keys = await scanKeys(prefix);
      for (const key of keys) expect(await expiresAt(key)).toBeGreaterThan(now);
    });

    it('puts every key of a subject under the subject’s hash tag, so one script can touch them all on a Cluster', async () => {
      const now = Date.now();
      const [a, b] = [mk(now, 'alice'), mk(now, 'alice')];
      for (const s of [a, b]) await store.create(s);
      await store.revokeSubject('alice', { at: now, reason: 'logout_all', keepUntil: now + DAY });
      await store.create(mk(now + 1, 'alice', { createdAt: now + 1 }));
      const keys = await scanKeys(prefix);
      expect(keys.length).toBe(5);
      for (const key of keys) expect(key).toContain(`{${tagOf('alice')}}`);
    });

    it('ends every session on log-out-everywhere even when the subject index was deleted', async () => {
      const now = Date.now();
      const session = mk(now - 10, 'alice');
      await store.create(session);
      await admin.del(indexKey('alice'));
      expect(await store.listBySubject('alice')).toStrictEqual([]);
      // Counted 0 (the index lost it), ended all the same.
      expect(await store.revokeSubject('alice', { at: now, reason: 'logout_all', keepUntil: now + 31 * DAY })).toBe(0);
      expect(await store.get(session.sid)).toStrictEqual({ ...session, revokedAt: now, revokedReason: 'logout_all' });
      expect(await store.rotate(session.sid, expected(session), rotationOf(session, now))).toBe(false);
    });

    it('ends every session on log-out-everywhere when the index expired before the session', async () => {
      const now = Date.now();
      const session = mk(now - 10, 'alice');
      await store.create(session);
      await admin.pexpire(indexKey('alice'), 1);
      await sleep(20);
      expect(await admin.exists(indexKey('alice'))).toBe(0);
      await store.revokeSubject('alice', { at: now, reason: 'logout_all', keepUntil: now + 31 * DAY });
      expect((await store.get(session.sid))!.revokedReason).toBe('logout_all');
      expect(await store.rotate(session.sid, expected(session), rotationOf(session, now))).toBe(false);
    });

    it('heals a lost index entry with the next rotation', async () => {
      const now = Date.now();
      const session = mk(now, 'alice');
      await store.create(session);
      await admin.del(indexKey('alice'));
      expect(await store.rotate(session.sid, expected(session), rotationOf(session, now + 7))).toBe(true);
      expect(await admin.zrange(indexKey('alice'), 0, -1, 'WITHSCORES')).toEqual([session.sid, String(now + 7)]);
      await expectExpiry(indexKey('alice'), Math.ceil(sessionRetainUntil({ expiresAt: now + 7 + 7 * DAY, absoluteExpiresAt: session.absoluteExpiresAt })));
      expect((await store.listBySubject('alice')).map((s) => s.sid)).toEqual([session.sid]);
    });

    it('stores a session compactly, as one hash with short fields', async () => {
      const session = mk(Date.now(), 'bob');
      await store.create(session);
      expect(await admin.type(sessionKey(session.sid))).toBe('hash');
      expect(Object.keys(await admin.hgetall(sessionKey(session.sid))).sort()).toEqual(['a', 'c', 'ca', 'e', 'g', 'h', 'l', 'u']);
    });

    it('refuses to read a key under its prefix that it did not write, and a session id it did not make', async () => {
      const sid = sidFor('alice');
      await admin.hset(sessionKey(sid), 'name', 'not a session');
      await admin.pexpire(sessionKey(sid), 60_000);
      await expect(store.get(sid)).rejects.toThrow(/does not hold a session written by this store.*keyPrefix/);
      await expect(store.create(makeFreshSession(Date.now(), { sub: 'alice' }))).rejects.toThrow(/newSessionId/);
    });

    it('uses the default prefix "njr:" when none is given', async () => {
      const plain = new RedisRefreshTokenStore({ url: REDIS_URL });
      const sub = `njr-test-default-${randomBytes(6).toString('hex')}`;
      const session = mk(Date.now(), sub);
      const keys = [`njr:s:{${session.sid.slice(0, 4)}}${session.sid}`, `njr:u:{${tagOf(sub)}}${sub}`];
      try {
        await plain.create(session);
        expect(await admin.exists(...keys)).toBe(2);
      } finally {
        await admin.unlink(...keys);
        await plain.close();
      }
    });
  });

  describe('several instances', () => {
    it('lets exactly one of two instances (two connections) win 50 racing rotations of one session', async () => {
      const prefix = freshPrefix();
      const a = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      const b = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      try {
        for (let round = 0; round < 5; round++) {
          const now = Date.now();
          const session = makeFreshSession(now, { sid: sidFor('bob') });
          await a.create(session);
          const updates = Array.from({ length: 50 }, (_, i) => ({
            generation: 1,
            tokenHash: `successor-${round}-${i}`,
            previousTokenHash: session.tokenHash,
            rotatedAt: now,
            expiresAt: now + DAY,
            lastUsedAt: now,
          }));
          const results = await Promise.all(
            updates.map((u, i) => (i % 2 ? a : b).rotate(session.sid, { generation: 0, tokenHash: session.tokenHash }, u)),
          );
          expect(results.filter(Boolean)).toHaveLength(1);
          expect((await b.get(session.sid))!.tokenHash).toBe(updates[results.indexOf(true)].tokenHash);
        }
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('keeps sessions across a new store instance (an application restart)', async () => {
      const prefix = freshPrefix();
      const first = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      const session = makeSession(Date.now(), { sid: sidFor('alice') });
      await first.create(session);
      await first.close();

      const second = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      try {
        expect(await second.get(session.sid)).toStrictEqual(session);
        expect(await second.listBySubject(session.sub)).toStrictEqual([session]);
        expect(await second.revoke(session.sid, 'logout', Date.now())).toBe(true);
      } finally {
        await second.close();
      }
    });

    it('does not see the sessions of a store with another prefix', async () => {
      const a = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: freshPrefix() });
      const b = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: freshPrefix() });
      try {
        const session = makeSession(Date.now(), { sid: sidFor('alice') });
        await a.create(session);
        expect(await b.get(session.sid)).toBeNull();
        expect(await b.listBySubject(session.sub)).toStrictEqual([]);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('connections', () => {
    it('uses a client it is given and leaves it open on close()', async () => {
      const client = new Redis(REDIS_URL);
      try {
        const store = new RedisRefreshTokenStore({ client, keyPrefix: freshPrefix() });
        expect(store.client).toBe(client);
        const session = makeSession(Date.now(), { sid: sidFor('alice') });
        await store.create(session);
        expect(await store.get(session.sid)).toStrictEqual(session);
        await store.close();
        expect(client.status).toBe('ready');
        expect(await client.ping()).toBe('PONG');
        await expect(store.get(session.sid)).rejects.toThrow(/closed/);
      } finally {
        await client.quit();
      }
    });

    it('works over a lazily connecting client it is given', async () => {
      const client = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
      try {
        const store = new RedisRefreshTokenStore({ client, keyPrefix: freshPrefix() });
        expect(client.status).toBe('wait');
        const session = makeFreshSession(Date.now(), { sid: sidFor('bob') });
        await store.create(session);
        expect(await store.get(session.sid)).toStrictEqual(session);
      } finally {
        await client.quit();
      }
    });

    it('honours the ioredis keyPrefix of a client it is given, on top of its own', async () => {
      const outer = freshPrefix();
      const client = new Redis(REDIS_URL, { keyPrefix: outer });
      try {
        const store = new RedisRefreshTokenStore({ client, keyPrefix: 'inner:' });
        const session = makeSession(Date.now(), { sid: sidFor('alice') });
        await store.create(session);
        await store.rotate(session.sid, { generation: session.generation, tokenHash: session.tokenHash }, {
          generation: session.generation + 1,
          tokenHash: 'next',
          previousTokenHash: session.tokenHash,
          rotatedAt: Date.now(),
          expiresAt: Date.now() + DAY,
          lastUsedAt: Date.now(),
        });
        expect((await scanKeys(outer)).sort()).toEqual([`${outer}inner:s:{${session.sid.slice(0, 4)}}${session.sid}`, `${outer}inner:u:{${session.sid.slice(0, 4)}}alice`]);
        expect((await store.listBySubject('alice')).map((s) => s.tokenHash)).toEqual(['next']);
      } finally {
        await client.quit();
      }
    });

    it('opens its own connection from a url, configured to fail fast, and closes it on close()', async () => {
      const store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: freshPrefix(), redisOptions: { connectionName: 'njr-test' } });
      const client = store.client as Redis;
      expect(client.options.enableOfflineQueue).toBe(false);
      expect(client.options.maxRetriesPerRequest).toBe(0);
      expect(client.options.autoResendUnfulfilledCommands).toBe(false);
      expect(client.options.commandTimeout).toBe(2000);
      expect(client.options.connectionName).toBe('njr-test');
      expect(client.listenerCount('error')).toBeGreaterThan(0);
      expect(await store.get('nothing')).toBeNull();
      await store.close();
      expect(client.status).toBe('end');
      await expect(store.get('nothing')).rejects.toThrow();
      await store.close();
    });

    it('connects where redisOptions say when no url is given', async () => {
      const { hostname, port } = new URL(REDIS_URL);
      const store = new RedisRefreshTokenStore({ redisOptions: { host: hostname, port: Number(port || 6379) }, keyPrefix: freshPrefix() });
      try {
        const client = store.client as Redis;
        expect(client.options.port).toBe(Number(port || 6379));
        expect(client.options.enableOfflineQueue).toBe(false);
        const session = makeFreshSession(Date.now(), { sid: sidFor('bob') });
        await store.create(session);
        expect(await store.get(session.sid)).toStrictEqual(session);
      } finally {
        await store.close();
      }
    });

    it('serves operations issued while its connection is still starting, with one shared wait', async () => {
      const store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: freshPrefix() });
      try {
        const readyListeners = store.client.listenerCount('ready');
        const pending = Array.from({ length: 50 }, () => store.get('nothing'));
        expect(store.client.listenerCount('ready')).toBeLessThanOrEqual(readyListeners + 1);
        expect(await Promise.all(pending)).toEqual(Array(50).fill(null));
        expect(store.client.listenerCount('ready')).toBe(readyListeners);
      } finally {
        await store.close();
      }
    });

    it('rejects contradictory or unsafe options at construction', () => {
      const client = new Redis(REDIS_URL, { lazyConnect: true });
      expect(() => new RedisRefreshTokenStore({ client, url: REDIS_URL } as never)).toThrow(/either "client" or "url"/);
      expect(() => new RedisRefreshTokenStore({ client, keyPrefix: 'app:{x}:' })).toThrow(/"keyPrefix"/);
      expect(() => new RedisRefreshTokenStore({ client, readyTimeoutMs: -1 })).toThrow(/"readyTimeoutMs"/);
      client.disconnect();
    });
  });

  describe('when Redis goes away', () => {
    // A throwaway server of our own: the shared one on 6379 must never be stopped.
    let server: ChildProcess | undefined;
    let port: number;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    beforeAll(async () => {
      port = await freePort();
      process.on('unhandledRejection', onUnhandled);
    });

    afterAll(async () => {
      process.off('unhandledRejection', onUnhandled);
      await stopServer();
    });

    async function startServer(): Promise<void> {
      server = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()],
        { stdio: 'ignore', env: redisServerEnv() },
      );
      await eventually(() => ping(port), 10_000);
    }

    async function stopServer(): Promise<void> {
      const child = server;
      server = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }

    it('rejects promptly while Redis is down, never hangs, and recovers on its own when it is back', async () => {
      await startServer();
      const errors: Error[] = [];
      const url = `redis://127.0.0.1:${port}`;
      const store = new RedisRefreshTokenStore({ url, keyPrefix: 'outage:', onConnectionError: (e) => errors.push(e) });
      try {
        const session = makeFreshSession(Date.now(), { sid: sidFor('bob') });
        await store.create(session);
        expect(await store.get(session.sid)).toStrictEqual(session);

        await stopServer();
        const expectation = { generation: 0, tokenHash: session.tokenHash };
        const update = { generation: 1, tokenHash: 'x', previousTokenHash: session.tokenHash, rotatedAt: 1, expiresAt: Date.now() + DAY, lastUsedAt: 1 };
        // Generous bounds: the point is "rejects, does not hang", not speed.
        for (let i = 0; i < 3; i++) {
          expect(await settleWithin(store.get(session.sid), 5000)).toBe('rejected');
          expect(await settleWithin(store.rotate(session.sid, expectation, update), 5000)).toBe('rejected');
          expect(await settleWithin(store.revoke(session.sid, 'logout', 1), 5000)).toBe('rejected');
          expect(await settleWithin(store.listBySubject(session.sub), 5000)).toBe('rejected');
          expect(await settleWithin(store.create(makeFreshSession(Date.now(), { sid: sidFor('bob') })), 5000)).toBe('rejected');
          await sleep(300);
        }

        // A store started during the outage waits a bounded time for its first connection, then fails.
        const lateStore = new RedisRefreshTokenStore({ url, keyPrefix: 'outage:', readyTimeoutMs: 1000 });
        try {
          expect(await settleWithin(lateStore.get(session.sid), 5000)).toBe('rejected');

          await startServer();
          // The data is gone (the server keeps nothing on disk); both stores reconnect without help.
          expect(await eventually(() => store.get(session.sid), 15_000)).toBeNull();
          expect(await eventually(() => lateStore.get(session.sid), 15_000)).toBeNull();
          // The new server has no cached scripts: the first EVALSHA meets NOSCRIPT and must fall back.
          const again = makeFreshSession(Date.now(), { sid: sidFor('bob') });
          await store.create(again);
          expect(await lateStore.rotate(again.sid, { generation: 0, tokenHash: again.tokenHash }, update)).toBe(true);
          expect((await store.get(again.sid))!.tokenHash).toBe('x');
        } finally {
          await lateStore.close();
        }
        expect(errors.length).toBeGreaterThan(0);
        expect(unhandled).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('rejects instead of hanging when Redis stops answering, and works again when it resumes', async () => {
      if (!server) await startServer();
      const store = new RedisRefreshTokenStore({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'stall:', redisOptions: { commandTimeout: 500 } });
      try {
        const session = makeFreshSession(Date.now(), { sid: sidFor('bob') });
        await store.create(session);
        server!.kill('SIGSTOP');
        try {
          expect(await settleWithin(store.get(session.sid), 5000)).toBe('rejected');
          await expect(store.revoke(session.sid, 'logout', 1)).rejects.toThrow(/timed out/);
        } finally {
          server!.kill('SIGCONT');
        }
        expect(await eventually(() => store.get(session.sid), 10_000)).toStrictEqual(
          expect.objectContaining({ sid: session.sid }),
        );
        expect(unhandled).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
});

/** A bare PING over TCP, so readiness checks don't depend on the client under test. */
function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy(new Error('ping timed out')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('+PONG')) resolve();
      else reject(new Error(`unexpected reply ${data.toString()}`));
    });
  });
}
