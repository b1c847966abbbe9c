import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { AuthModule } from '../../lib/auth.module.js';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { RefreshService } from '../../lib/refresh/refresh.service.js';
import type { RevocationNotice } from '../../lib/refresh/revocation-notice.interface.js';
import { AccessTokenService } from '../../lib/tokens/access-token.service.js';
import { TestRedisServer } from '../support/redis-server.js';
import { makeFreshSession } from '../../lib/testing/index.js';

const SECRET = 'redis-revocation-spec-secret-of-32-bytes!';
const REFRESH_SECRET = 'redis-revocation-spec-refresh-secret-32!!';
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  jest.restoreAllMocks();
  while (closers.length) await closers.pop()!();
});

async function until(predicate: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** One application instance on its own connections to `url`. */
async function instance(url: string, keyPrefix: string) {
  const store = new RedisRefreshTokenStore({ url, keyPrefix });
  const ref = await Test.createTestingModule({
    imports: [AuthModule.forRoot({ secret: SECRET, refreshTokenSecret: REFRESH_SECRET, store, sessionCheck: { cacheTtl: 60 } })],
  }).compile();
  await ref.init();
  closers.push(() => ref.close());
  const service = ref.get(RefreshService);
  const sidOf = (token: string) => ref.get(AccessTokenService).verify(token).sid as string;
  return { store, service, sidOf };
}

function admin(url: string): Redis {
  const client = new Redis(url);
  closers.push(async () => void client.disconnect());
  return client;
}

/** Kills every subscriber connection the stores opened on this server. */
async function killSubscribers(client: Redis): Promise<number> {
  const list = (await client.client('LIST')) as string;
  const ids = list
    .split('\n')
    .filter((line) => / name=njr-revocations /.test(line))
    .map((line) => /id=(\d+)/.exec(line)![1]);
  for (const id of ids) await client.client('KILL', 'ID', id);
  return ids.length;
}

describe('RedisRefreshTokenStore revocation notices (own redis-server)', () => {
  let redis: TestRedisServer;
  let n = 0;
  const prefix = () => `njr-rev-${++n}:`;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('an instance whose cache saw a session live refuses it within a second of another instance revoking it', async () => {
    const p = prefix();
    const a = await instance(redis.url, p);
    const b = await instance(redis.url, p);
    await until(async () => (await admin(redis.url).pubsub('NUMSUB', `${p}revocations`))[1] === 2);
    const pairs = [await a.service.issue('alice'), await a.service.issue('alice'), await a.service.issue('alice')];
    const [one, two, three] = pairs.map((pair) => a.sidOf(pair.accessToken));
    for (const sid of [one, two, three]) expect(await b.service.checkSession(sid)).toBe(true);

    // Logout on A: B's cached "live" must give way within the contract's second.
    let started = Date.now();
    await a.service.revokeSession(one);
    await until(() => b.service.checkSession(one) === false, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    // Log out others, then everywhere: the same for the subject's sessions, the spared one kept until then.
    started = Date.now();
    await a.service.revokeOtherSessions('alice', three);
    await until(async () => (await b.service.checkSession(two)) === false, 1000);
    expect(await b.service.checkSession(three)).toBe(true);
    await a.service.revokeAllForSubject('alice');
    await until(async () => (await b.service.checkSession(three)) === false, 1000);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('flushes the cache when its subscription drops (CLIENT KILL), and hears notices again once resubscribed', async () => {
    const p = prefix();
    const a = await instance(redis.url, p);
    const b = await instance(redis.url, p);
    const control = admin(redis.url);
    await until(async () => (await control.pubsub('NUMSUB', `${p}revocations`))[1] === 2);
    const missed = await a.service.issue('alice');
    const later = await a.service.issue('bob');
    const missedSid = a.sidOf(missed.accessToken);
    expect(await b.service.checkSession(missedSid)).toBe(true);
    // Revoked without a notice (as if it was published while nobody listened): B's cache still says live.
    const key = `${p}s:{${missedSid.slice(0, 4)}}${missedSid}`;
    await control.hset(key, 'x', String(Date.now()), 'xr', 'logout');
    expect(b.service.checkSession(missedSid)).toBe(true);

    expect(await killSubscribers(control)).toBe(2);
    await until(async () => (await b.service.checkSession(missedSid)) === false, 2000);
    await until(async () => (await control.pubsub('NUMSUB', `${p}revocations`))[1] === 2, 3000);
    // Notices flow again after the resubscription.
    const laterSid = a.sidOf(later.accessToken);
    expect(await b.service.checkSession(laterSid)).toBe(true);
    await a.service.revokeSession(laterSid);
    await until(() => b.service.checkSession(laterSid) === false, 1000);
  });

  it('tells each listener of every kind of revocation, from any connection', async () => {
    const p = prefix();
    const writer = new RedisRefreshTokenStore({ url: redis.url, keyPrefix: p });
    const reader = new RedisRefreshTokenStore({ url: redis.url, keyPrefix: p });
    closers.push(() => writer.close(), () => reader.close());
    const heard: RevocationNotice[] = [];
    reader.onRevocation!((notice) => heard.push(notice));
    await until(() => heard.some((notice) => notice.kind === 'reset'));
    const now = Date.now();
    const sessions = [0, 1].map(() => makeFreshSession(now, { sid: writer.newSessionId('a{l}ice'), sub: 'a{l}ice' }));
    await writer.create(sessions[0], { maxSessionsPerSubject: 1 });
    await writer.create(sessions[1], { maxSessionsPerSubject: 1 });
    await writer.revokeSubject('a{l}ice', { at: now, reason: 'logout_others', keepUntil: now + 1000, exceptSid: sessions[1].sid });
    await until(() => heard.length >= 3);
    expect(heard).toEqual([
      { kind: 'reset' },
      { kind: 'session', sid: sessions[0].sid },
      { kind: 'subject', sub: 'a{l}ice', at: now, exceptSid: sessions[1].sid },
    ]);
  });
});

describe('RedisRefreshTokenStore durability settings (own redis-server)', () => {
  const started: TestRedisServer[] = [];
  afterAll(async () => {
    for (const server of started) {
      if (server.pid) process.kill(server.pid, 'SIGCONT');
      await server.stop();
    }
  });
  const server = async (args: string[] = []) => {
    const s = await TestRedisServer.start(args);
    started.push(s);
    return s;
  };

  it('warns at connect when maxmemory-policy can evict its keys, naming the setting and the fix', async () => {
    const redis = await server();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const policies = async (policy: string) => {
      await admin(redis.url).config('SET', 'maxmemory-policy', policy);
      const store = new RedisRefreshTokenStore({ url: redis.url, keyPrefix: `p-${policy}:` });
      closers.push(() => store.close());
      await store.get('nothing');
      await sleep(200);
      return warn.mock.calls.map((call) => String(call[0])).filter((m) => m.includes('maxmemory-policy'));
    };
    expect(await policies('noeviction')).toEqual([]);
    const said = await policies('volatile-lru');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/"maxmemory-policy" is volatile-lru.*noeviction/);
  });

  it('with waitForReplicas, answers only once a replica has the write, and fails (never hangs) when none acknowledges', async () => {
    const master = await server();
    const replica = await server(['--replicaof', '127.0.0.1', String(master.port)]);
    const control = admin(master.url);
    await until(async () => /slave0:.*state=online/.test((await control.info('replication')) as string), 10_000);
    const store = new RedisRefreshTokenStore({ url: master.url, keyPrefix: 'wait:', waitForReplicas: { replicas: 1, timeoutMs: 300 } });
    closers.push(() => store.close());
    const replicaClient = admin(replica.url);
    const now = Date.now();
    const session = makeFreshSession(now, { sid: store.newSessionId('alice'), sub: 'alice' });
    await store.create(session);
    const key = `wait:s:{${session.sid.slice(0, 4)}}${session.sid}`;
    expect(await replicaClient.hget(key, 'g')).toBe('0');
    expect(await store.rotate(session.sid, { generation: 0, tokenHash: session.tokenHash }, {
      generation: 1, tokenHash: 'next', previousTokenHash: session.tokenHash, rotatedAt: now, expiresAt: now + 60_000, lastUsedAt: now,
    })).toBe(true);
    expect(await replicaClient.hget(key, 'g')).toBe('1');

    // The replica stops (SIGSTOP): a revocation is applied on the master but not acknowledged, so it fails.
    process.kill(replica.pid!, 'SIGSTOP');
    try {
      const before = Date.now();
      // A grace replay's confirmation is a write too: it cannot answer from a state the replica lacks.
      await expect(store.confirm(session.sid, { generation: 1, tokenHash: 'next' })).rejects.toThrow(/waitForReplicas/);
      await expect(store.revoke(session.sid, 'logout', now)).rejects.toThrow(/waitForReplicas/);
      expect(Date.now() - before).toBeLessThan(3000);
    } finally {
      process.kill(replica.pid!, 'SIGCONT');
    }
    // Reads never wait.
    expect((await store.get(session.sid))!.revokedReason).toBe('logout');
    // Once the replica is back, the revocation the failed call applied is confirmed by the retry (answered false: already revoked).
    await until(async () => (await store.revoke(session.sid, 'logout', now).then(() => true, () => false)), 5000);
    expect(await replicaClient.hget(key, 'x')).toBe(String(now));
    expect(await store.confirm(session.sid, { generation: 1, tokenHash: 'next' })).toBe(false);
  });

  it('refuses a waitForReplicas it cannot use', () => {
    expect(() => new RedisRefreshTokenStore({ lazyConnect: true, waitForReplicas: { replicas: 0 } } as never)).toThrow(/"waitForReplicas.replicas"/);
    expect(() => new RedisRefreshTokenStore({ redisOptions: { lazyConnect: true }, waitForReplicas: { replicas: 1, timeoutMs: -1 } })).toThrow(
      /"waitForReplicas.timeoutMs"/,
    );
  });
});
