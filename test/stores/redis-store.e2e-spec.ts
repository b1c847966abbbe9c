import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { sessionRetainUntil, SESSION_RETENTION_MS } from '../../lib/refresh/refresh-session.interface.js';
import type { RefreshSession } from '../../lib/refresh/refresh-session.interface.js';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { freePort } from '../support/redis-server.js';
import { makeFreshSession, makeSession, refreshTokenStoreContract } from './refresh-token-store.contract.js';

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

describe('RedisRefreshTokenStore', () => {
  describe('contract', () => {
    refreshTokenStoreContract(
      async () => ({
        store: new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: freshPrefix() }),
        now: () => Date.now(),
        elapse: (ms) => sleep(ms),
      }),
      // Real time: Redis expires keys by its own clock, so retention tests sleep.
      { retentionMarginMs: 1500 },
    );
  });

  describe('keys and expiry', () => {
    let store: RedisRefreshTokenStore;
    let prefix: string;

    afterEach(async () => {
      await store.close();
    });

    it('gives every key an expiry: each session its end plus one day, each subject set the latest of its sessions', async () => {
      prefix = freshPrefix();
      store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      const now = Date.now();
      const sessions = [
        makeSession(now, { sub: 'alice', expiresAt: now + 2 * DAY, absoluteExpiresAt: now + 30 * DAY }),
        makeSession(now, { sub: 'alice', expiresAt: now + 9 * DAY, absoluteExpiresAt: now + 5 * DAY }),
        makeFreshSession(now, { sub: 'alice', expiresAt: now + DAY, absoluteExpiresAt: now + 30 * DAY }),
        makeFreshSession(now, { sub: 'bob', expiresAt: now + 3 * DAY + 0.5 }),
      ];
      for (const s of sessions) await store.create(s);
      // A rotation slides one expiry past the others; a revocation must not touch the expiry.
      await store.rotate(sessions[2].sid, { generation: 0, tokenHash: sessions[2].tokenHash }, {
        generation: 1,
        tokenHash: 'h1',
        previousTokenHash: sessions[2].tokenHash,
        rotatedAt: now,
        expiresAt: now + 20 * DAY,
        lastUsedAt: now,
      });
      await store.revoke(sessions[0].sid, 'logout', now);

      const stored = await Promise.all(sessions.map(async (s) => (await store.get(s.sid))!));
      const retain = (s: RefreshSession) => Math.ceil(sessionRetainUntil(s));
      const keys = await scanKeys(prefix);
      expect(keys.sort()).toEqual(
        [...sessions.map((s) => `${prefix}s:{${s.sid}}`), `${prefix}u:{alice}`, `${prefix}u:{bob}`].sort(),
      );
      for (const key of keys) {
        const expireAt = await admin.pexpiretime(key);
        expect(expireAt).toBeGreaterThan(now);
        const covered = stored.filter((s) => key === `${prefix}s:{${s.sid}}` || key === `${prefix}u:{${s.sub}}`);
        expect(covered.length).toBeGreaterThan(0);
        // Never beyond the end of the last session it serves plus the retention day.
        expect(expireAt).toBe(Math.max(...covered.map(retain)));
        expect(expireAt).toBeLessThanOrEqual(
          Math.max(...covered.map((s) => Math.min(s.expiresAt, s.absoluteExpiresAt))) + SESSION_RETENTION_MS + 1,
        );
      }
      // The rotated session now outlasts the others: the subject set followed it.
      expect(await admin.pexpiretime(`${prefix}u:{alice}`)).toBe(retain(stored[2]));
      expect(retain(stored[2])).toBe(now + 21 * DAY);
      expect(await admin.pexpiretime(`${prefix}s:{${sessions[0].sid}}`)).toBe(now + 3 * DAY);
    });

    it('moves the subject set with a rotation sent together with its touch, and never lowers it', async () => {
      prefix = freshPrefix();
      store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      const now = Date.now();
      const session = makeFreshSession(now, { sub: 'alice', expiresAt: now + DAY, absoluteExpiresAt: now + 30 * DAY });
      const other = makeFreshSession(now, { sub: 'alice', expiresAt: now + 4 * DAY, absoluteExpiresAt: now + 30 * DAY });
      await store.create(session);
      await store.create(other);
      const setKey = `${prefix}u:{alice}`;
      const sessionKey = `${prefix}s:{${session.sid}}`;
      expect(await admin.pexpiretime(setKey)).toBe(now + 5 * DAY);
      const update = (expiresAt: number, tokenHash: string) => ({
        generation: 1,
        tokenHash,
        previousTokenHash: session.tokenHash,
        rotatedAt: now,
        expiresAt,
        lastUsedAt: now,
      });

      // Two rotations of one generation race, each with its touch: one wins, and the set ends no earlier than the winner.
      const results = await Promise.all([
        store.rotate(session.sid, expected(session), update(now + 20 * DAY, 'h-a'), session),
        store.rotate(session.sid, expected(session), update(now + 12 * DAY, 'h-b'), session),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = (await store.get(session.sid))!;
      expect(winner.expiresAt).toBe(results[0] ? now + 20 * DAY : now + 12 * DAY);
      expect(await admin.pexpiretime(sessionKey)).toBe(winner.expiresAt + DAY);
      // The loser's touch may have set a later score, never an earlier one: the set outlives every session it lists.
      expect(await admin.pexpiretime(setKey)).toBe(now + 21 * DAY);
      expect(Number(await admin.zscore(setKey, session.sid))).toBe(now + 21 * DAY);

      // A late touch from an older rotation (a lower retention) leaves the score where it is.
      expect(await store.rotate(session.sid, expected(session), update(now + 2 * DAY, 'h-c'), session)).toBe(false);
      expect(Number(await admin.zscore(setKey, session.sid))).toBe(now + 21 * DAY);
      expect(await admin.pexpiretime(setKey)).toBe(now + 21 * DAY);

      // The absolute expiry caps the retention the touch computes, as it caps the session's own.
      const capped = makeFreshSession(now, { sub: 'bob', expiresAt: now + DAY, absoluteExpiresAt: now + 3 * DAY });
      await store.create(capped);
      const cappedUpdate = { ...update(now + 20 * DAY, 'h-d'), previousTokenHash: capped.tokenHash };
      expect(await store.rotate(capped.sid, expected(capped), cappedUpdate, capped)).toBe(true);
      expect(await admin.pexpiretime(`${prefix}u:{bob}`)).toBe(now + 4 * DAY);
      expect(await admin.pexpiretime(`${prefix}s:{${capped.sid}}`)).toBe(now + 4 * DAY);
    });

    it('shrinks the subject set expiry when listing prunes a forgotten session', async () => {
      prefix = freshPrefix();
      store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      const now = Date.now();
      const long = makeSession(now, { sub: 'alice', expiresAt: now + 9 * DAY });
      const short = makeSession(now, { sub: 'alice', expiresAt: now + 2 * DAY });
      await store.create(long);
      await store.create(short);
      expect(await admin.pexpiretime(`${prefix}u:{alice}`)).toBe(now + 10 * DAY);
      // Simulates the long session's key expiring early (eviction under memory pressure, a manual DEL).
      await admin.del(`${prefix}s:{${long.sid}}`);
      expect(await store.listBySubject('alice')).toStrictEqual([short]);
      expect(await admin.zrange(`${prefix}u:{alice}`, 0, -1)).toEqual([short.sid]);
      expect(await admin.pexpiretime(`${prefix}u:{alice}`)).toBe(now + 3 * DAY);
    });

    it('stores a session compactly, as one hash with short fields', async () => {
      prefix = freshPrefix();
      store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      const session = makeFreshSession(Date.now());
      await store.create(session);
      const key = `${prefix}s:{${session.sid}}`;
      expect(await admin.type(key)).toBe('hash');
      expect(Object.keys(await admin.hgetall(key)).sort()).toEqual(['a', 'c', 'ca', 'e', 'g', 'h', 'l', 'u']);
    });

    it('refuses to read a key under its prefix that it did not write', async () => {
      prefix = freshPrefix();
      store = new RedisRefreshTokenStore({ url: REDIS_URL, keyPrefix: prefix });
      await admin.hset(`${prefix}s:{foreign}`, 'name', 'not a session');
      await admin.pexpire(`${prefix}s:{foreign}`, 60_000);
      await expect(store.get('foreign')).rejects.toThrow(/does not hold a session written by this store.*keyPrefix/);
    });

    it('uses the default prefix "njr:" when none is given', async () => {
      store = new RedisRefreshTokenStore({ url: REDIS_URL });
      const session = makeFreshSession(Date.now(), { sub: `njr-test-default-${randomBytes(6).toString('hex')}` });
      try {
        await store.create(session);
        expect(await admin.exists(`njr:s:{${session.sid}}`, `njr:u:{${session.sub}}`)).toBe(2);
      } finally {
        await admin.unlink(`njr:s:{${session.sid}}`, `njr:u:{${session.sub}}`);
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
          const session = makeFreshSession(now);
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
      const session = makeSession(Date.now());
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
        const session = makeSession(Date.now());
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
        const session = makeSession(Date.now());
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
        const session = makeFreshSession(Date.now());
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
        const session = makeSession(Date.now());
        await store.create(session);
        await store.rotate(session.sid, { generation: session.generation, tokenHash: session.tokenHash }, {
          generation: session.generation + 1,
          tokenHash: 'next',
          previousTokenHash: session.tokenHash,
          rotatedAt: Date.now(),
          expiresAt: Date.now() + DAY,
          lastUsedAt: Date.now(),
        });
        expect((await scanKeys(outer)).sort()).toEqual([`${outer}inner:s:{${session.sid}}`, `${outer}inner:u:{alice}`]);
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
        const session = makeFreshSession(Date.now());
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
        { stdio: 'ignore' },
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
        const session = makeFreshSession(Date.now());
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
          expect(await settleWithin(store.create(makeFreshSession(Date.now())), 5000)).toBe('rejected');
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
          const again = makeFreshSession(Date.now());
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
        const session = makeFreshSession(Date.now());
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
