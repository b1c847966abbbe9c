import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { RunningSample } from '../../sample/start-sample.js';
import { TestRedisServer } from '../support/redis-server.js';
import { sampleWith, SampleClient, sleep } from './sample-http.js';

// Two instances only share sessions if they share the signing key.
const SECRET = 'redis-revocation-sample-secret-shared-by-both!';

function sidOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid as string;
}

/** Polls `GET /me` on `http` until it answers TOKEN_REVOKED; returns the milliseconds that took. */
async function refusedWithin(http: SampleClient, accessToken: string, since: number, limitMs: number): Promise<number> {
  for (;;) {
    const reply = await http.me(accessToken);
    if (reply.status === 401 && reply.body.code === 'TOKEN_REVOKED') return Date.now() - since;
    expect(reply.status).toBe(200);
    if (Date.now() - since > limitMs) throw new Error(`still accepted ${limitMs} ms after the revocation answered`);
    await sleep(5);
  }
}

describe('sample on Redis: revocation reaches every instance', () => {
  let redis: TestRedisServer;
  let admin: Redis;
  const running: RunningSample[] = [];
  let a: SampleClient;
  let b: SampleClient;

  async function instance(): Promise<SampleClient> {
    const { sample, http } = await sampleWith({ AUTH_STORE: 'redis', REDIS_URL: redis.url, JWT_SECRET: SECRET, REFRESH_REUSE_GRACE: '1' });
    running.push(sample);
    return http;
  }

  async function session(user = 'alice', password = 'wonderland') {
    const reply = await a.login(user, password);
    expect(reply.status).toBe(200);
    // Warm B's cache: it has just seen the session live.
    expect((await b.me(reply.body.accessToken)).status).toBe(200);
    return reply.body as { accessToken: string; refreshToken: string };
  }

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    admin = redis.client();
    a = await instance();
    b = await instance();
  });
  afterAll(async () => {
    for (const sample of running) await sample.close();
    admin.disconnect();
    await redis.stop();
  });

  it('logout on A: B refuses the warm access token within 1 s, and so for every way a session ends', async () => {
    const timings: number[] = [];
    const logout = await session();
    let since = Date.now();
    expect((await a.request('POST', '/auth/logout', { token: logout.accessToken })).status).toBe(204);
    timings.push(await refusedWithin(b, logout.accessToken, since, 1000));

    const [all1, all2] = [await session('bob', 'builder'), await session('bob', 'builder')];
    since = Date.now();
    expect((await a.request('POST', '/auth/logout-all', { token: all1.accessToken })).status).toBe(204);
    timings.push(await refusedWithin(b, all2.accessToken, since, 1000));

    const [keep, other] = [await session(), await session()];
    since = Date.now();
    expect((await a.request('POST', '/auth/logout-others', { token: keep.accessToken })).status).toBe(204);
    timings.push(await refusedWithin(b, other.accessToken, since, 1000));
    expect((await b.me(keep.accessToken)).status).toBe(200);

    const deleted = await session();
    since = Date.now();
    expect((await a.request('DELETE', `/auth/sessions/${sidOf(deleted.accessToken)}`, { token: keep.accessToken })).status).toBe(204);
    timings.push(await refusedWithin(b, deleted.accessToken, since, 1000));

    // Reuse detection on A (after the 1 s grace) ends the session; B refuses its newest access token.
    const reused = await session();
    const rotated = await a.refresh(reused.refreshToken);
    expect((await b.me(rotated.body.accessToken)).status).toBe(200);
    await sleep(1100);
    since = Date.now();
    expect((await a.refresh(reused.refreshToken)).body.code).toBe('REFRESH_TOKEN_REUSED');
    timings.push(await refusedWithin(b, rotated.body.accessToken, since, 1000));
    for (const ms of timings) expect(ms).toBeLessThan(1000);
  });

  it('log out everywhere ends a session whose subject index was deleted, and one whose index expired first', async () => {
    const deleted = await session('bob', 'builder');
    const caller = await session('bob', 'builder');
    for (const key of await admin.keys('njr:u:*bob')) await admin.del(key);
    let since = Date.now();
    expect((await a.request('POST', '/auth/logout-all', { token: caller.accessToken })).status).toBe(204);
    // B's cache saw the session live: the notice reaches B after A has answered, within the contract's second.
    expect(await refusedWithin(b, deleted.accessToken, since, 1000)).toBeLessThan(1000);
    expect((await b.refresh(deleted.refreshToken)).body.code).toBe('REFRESH_TOKEN_REVOKED');

    await sleep(5);
    const expired = await session('bob', 'builder');
    const caller2 = await session('bob', 'builder');
    for (const key of await admin.keys('njr:u:*bob')) await admin.pexpire(key, 1);
    await sleep(20);
    expect(await admin.keys('njr:u:*bob')).toEqual([]);
    since = Date.now();
    expect((await a.request('POST', '/auth/logout-all', { token: caller2.accessToken })).status).toBe(204);
    expect((await b.refresh(expired.refreshToken)).body.code).toBe('REFRESH_TOKEN_REVOKED');
    expect(await refusedWithin(b, expired.accessToken, since, 1000)).toBeLessThan(1000);
  });

  it('a login running during log out everywhere: every login that answered before it was sent ends', async () => {
    const caller = await session();
    const before: Array<{ accessToken: string; refreshToken: string }> = [];
    const during: Array<Promise<{ status: number; body: { accessToken: string; refreshToken: string } }>> = [];
    for (let i = 0; i < 10; i++) before.push((await a.login()).body);
    // Logins on both instances racing the log-out-everywhere.
    for (let i = 0; i < 20; i++) during.push((i % 2 ? a : b).login());
    await sleep(2);
    const logoutAll = await b.request('POST', '/auth/logout-all', { token: caller.accessToken });
    expect(logoutAll.status).toBe(204);
    const raced = await Promise.all(during);
    for (const pair of before) {
      expect((await a.refresh(pair.refreshToken)).body.code).toBe('REFRESH_TOKEN_REVOKED');
      expect((await b.me(pair.accessToken)).body.code).toBe('TOKEN_REVOKED');
    }
    // A racing login either ended with the others or began after the request was sent; none is half-ended.
    for (const reply of raced) {
      const me = await a.me(reply.body.accessToken);
      const refresh = await b.refresh(reply.body.refreshToken);
      expect(me.status === 200).toBe(refresh.status === 200);
    }
  });

  it('MAX_SESSIONS_PER_USER on Redis: 150 logins of one user leave another user’s session working', async () => {
    const bob = await session('bob', 'builder');
    let last = { accessToken: '', refreshToken: '' };
    for (let i = 0; i < 150; i++) last = (await (i % 2 ? a : b).login()).body;
    expect((await a.request('GET', '/auth/sessions', { token: last.accessToken })).body.sessions).toHaveLength(100);
    expect((await b.me(bob.accessToken)).status).toBe(200);
    expect((await a.refresh(bob.refreshToken)).status).toBe(200);
  });
});
