import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningSample } from '../../sample/start-sample.js';
import { TestRedisServer } from '../support/redis-server.js';
import { sampleWith, SampleClient, sleep } from './sample-http.js';
import { expectReuseDetectedAcrossInstances } from './two-instances.js';

// Two instances only share sessions if they share the signing key.
const SECRET = 'redis-sample-secret-shared-by-both-instances!';

describe('sample with AUTH_STORE=redis', () => {
  let redis: TestRedisServer;
  const running: RunningSample[] = [];

  async function instance(extra: Record<string, string> = {}): Promise<SampleClient> {
    const { sample, http } = await sampleWith({ AUTH_STORE: 'redis', REDIS_URL: redis.url, JWT_SECRET: SECRET, REFRESH_REUSE_GRACE: '1', ...extra });
    running.push(sample);
    return http;
  }

  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterAll(async () => {
    for (const sample of running) await sample.close();
    await redis.stop();
  });

  it('shares sessions between two instances: rotate on one, reuse detected on the other', async () => {
    await expectReuseDetectedAcrossInstances(await instance(), await instance());
  });

  it('never forks a session when two instances rotate the same token at once', async () => {
    const a = await instance();
    const b = await instance();
    const login = (await a.login()).body;
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).refresh(login.refreshToken)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(replies.map((r) => r.body.refreshToken)).size).toBe(1);
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

  it('gives every key a TTL that ends at most a day after its session', async () => {
    const http = await instance({ REFRESH_TOKEN_TTL: '1h', SESSION_MAX_AGE: '2h' });
    const client = redis.client();
    try {
      // Earlier tests left longer sessions of the same users; the subject index rightly lives as long as its longest one.
      await client.flushall();
      await http.login();
      await http.login('bob', 'builder');
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      // Sliding end (1 h) is the earlier end here: nothing may outlive it by more than a day.
      const dayAfterSessionEnd = Date.now() + 3600_000 + 24 * 3600_000;
      for (const key of keys) {
        // On the sample's clock (what Redis says is left, from now), whatever Redis's own clock says.
        const expireAt = Date.now() + (await client.pttl(key));
        expect(expireAt).toBeGreaterThan(Date.now());
        expect(expireAt).toBeLessThanOrEqual(dayAfterSessionEnd + 1000);
      }
    } finally {
      client.disconnect();
    }
  });

  it('answers 503 AUTH_STORE_UNAVAILABLE while Redis is down, loses nothing, and recovers on its own', async () => {
    // The contract's default grace: a rotation that Redis applied but whose reply the kill lost is retried with
    // the old token, and that retry must land inside the window to get the same successor back.
    const http = await instance({ REFRESH_REUSE_GRACE: '10' });
    const sessions = await Promise.all(Array.from({ length: 5 }, () => http.login().then((r) => r.body)));
    // Keep refreshing while Redis dies and comes back: every answer must be 200 or 503, never a 500 or a reuse.
    let stop = false;
    const statuses: number[] = [];
    const codes = new Set<string>();
    const load = (async () => {
      const tokens = sessions.map((s) => s.refreshToken as string);
      while (!stop) {
        await Promise.all(
          tokens.map(async (token, i) => {
            const reply = await http.refresh(token);
            statuses.push(reply.status);
            if (reply.status === 200) tokens[i] = reply.body.refreshToken;
            else codes.add(reply.body?.code);
          }),
        );
      }
      return tokens;
    })();
    await sleep(300);
    await redis.kill();
    await sleep(800);
    const down = await http.refresh(sessions[0].refreshToken);
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('AUTH_STORE_UNAVAILABLE');
    expect(down.headers.get('retry-after')).toBe('1');
    expect((await http.request('GET', '/health')).status).toBe(200);
    await redis.restart();
    // The store reconnects by itself; give it a moment.
    let back = 503;
    for (let i = 0; i < 50 && back !== 200; i++) {
      back = (await http.request('POST', '/auth/login', { json: { username: 'alice', password: 'wonderland' } })).status;
      if (back !== 200) await sleep(100);
    }
    expect(back).toBe(200);
    await sleep(300);
    stop = true;
    const finalTokens = await load;
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect([...codes]).toEqual(['AUTH_STORE_UNAVAILABLE']);
    // Every session survived and still rotates: nothing lost, nothing forked.
    for (const token of finalTokens) expect((await http.refresh(token)).status).toBe(200);
  });
});
