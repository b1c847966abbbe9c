import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import { MemoryRefreshTokenStore, RefreshService, RefreshTokenStore } from '../../lib/index.js';
import type { MemoryRefreshTokenStoreOptions, RotationUpdate, TokenPair } from '../../lib/index.js';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { AppModule } from '../../sample/app.module.js';
import { readSampleConfig } from '../../sample/sample-config.js';
import { SampleClient } from '../sample/sample-http.js';
import { PLATFORMS, Platform } from '../support/create-app.js';
import { TestRedisServer } from '../support/redis-server.js';

const SECRET = 'graceful-shutdown-secret-of-32-bytes-or-more';
const config = readSampleConfig({ JWT_SECRET: SECRET });

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls `check` until it holds; fails after `ms` (a generous bound, not a timing assertion). */
async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The memory store with its `rotate` held at a gate, so a test can have rotations in flight
 * while the app shuts down. It records the order of what happened to it.
 */
class GatedStore extends MemoryRefreshTokenStore {
  readonly events: string[] = [];
  private gate = deferred();
  entered = 0;

  constructor(options?: MemoryRefreshTokenStoreOptions) {
    super(options);
  }

  open(): void {
    this.gate.resolve();
  }

  override async rotate(sid: string, expected: { generation: number; tokenHash: string }, update: RotationUpdate): Promise<boolean> {
    this.entered++;
    this.events.push('rotate:start');
    await this.gate.promise;
    const swapped = await super.rotate(sid, expected, update);
    this.events.push(`rotate:end:${swapped}`);
    return swapped;
  }

  override async close(): Promise<void> {
    this.events.push('close');
    await super.close();
  }
}

/** Starts the sample's module (the documented wiring) with `store`, listening on a free loopback port. */
async function listen(store: RefreshTokenStore | undefined, platform: Platform = 'express'): Promise<{ app: INestApplication; http: SampleClient }> {
  const module = AppModule.register(config, store);
  const app =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: false, abortOnError: false })
      : await NestFactory.create(module, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, http: new SampleClient(`http://127.0.0.1:${port}`) };
}

/** Tracks whether `app.close()` has finished. */
function closeTracked(app: INestApplication): { done: Promise<void>; finished: () => boolean } {
  let finished = false;
  const done = app.close().then(() => {
    finished = true;
  });
  return { done, finished: () => finished };
}

describe('graceful shutdown', () => {
  // Apps a failing test may leave open; closed after each test so Jest never keeps a handle.
  const open = new Set<INestApplication>();
  const stores = new Set<GatedStore>();
  afterEach(async () => {
    for (const store of stores) store.open();
    stores.clear();
    for (const app of open) await app.close().catch(() => undefined);
    open.clear();
  });

  describe.each(PLATFORMS)('rotations in flight on %s', (platform) => {
    it('complete before the store is closed, and close() waits for them', async () => {
      const store = new GatedStore();
      stores.add(store);
      const { app, http } = await listen(store, platform);
      open.add(app);
      const logins = await Promise.all([http.login(), http.login('bob', 'builder'), http.login()]);
      expect(logins.map((r) => r.status)).toEqual([200, 200, 200]);

      const refreshes = logins.map((r) => http.refresh(r.body.refreshToken));
      await until(() => store.entered === 3);
      const closing = closeTracked(app);
      // Shutdown is now waiting on the three rotations held at the gate: the store must still be open.
      await pause(300);
      expect(store.events).not.toContain('close');
      expect(closing.finished()).toBe(false);

      store.open();
      const replies = await Promise.all(refreshes);
      await closing.done;
      open.delete(app);

      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(typeof reply.body.refreshToken).toBe('string');
      }
      expect(store.events).toEqual(['rotate:start', 'rotate:start', 'rotate:start', 'rotate:end:true', 'rotate:end:true', 'rotate:end:true', 'close']);
    });
  });

  it('also waits for a rotation that starts while shutdown is already waiting', async () => {
    const store = new GatedStore();
    stores.add(store);
    const { app } = await listen(store);
    open.add(app);
    const service = app.get(RefreshService);
    const [first, second] = await Promise.all([service.issue('alice'), service.issue('bob')]);

    const early = service.rotate(first.refreshToken);
    await until(() => store.entered === 1);
    const closing = closeTracked(app);
    await pause(100);
    // Arrives during beforeApplicationShutdown, while the first rotation is still held.
    const late = service.rotate(second.refreshToken);
    await until(() => store.entered === 2);
    await pause(100);
    expect(store.events).not.toContain('close');

    store.open();
    const pairs: TokenPair[] = await Promise.all([early, late]);
    await closing.done;
    open.delete(app);
    expect(pairs.every((p) => typeof p.refreshToken === 'string')).toBe(true);
    expect(store.events.indexOf('close')).toBe(store.events.length - 1);
    expect(store.events.filter((e) => e === 'rotate:end:true')).toHaveLength(2);
  });

  it('answers a coded error, not a crash, when a rotation in flight fails during shutdown', async () => {
    class FailingStore extends GatedStore {
      override async rotate(sid: string, expected: { generation: number; tokenHash: string }, update: RotationUpdate): Promise<boolean> {
        await super.rotate(sid, expected, update);
        throw new Error('backend went away');
      }
    }
    const store = new FailingStore();
    stores.add(store);
    const { app, http } = await listen(store);
    open.add(app);
    const login = await http.login();
    const refresh = http.refresh(login.body.refreshToken);
    await until(() => store.entered === 1);
    const closing = closeTracked(app);
    await pause(100);
    expect(store.events).not.toContain('close');
    store.open();
    const reply = await refresh;
    await closing.done;
    open.delete(app);
    expect(reply.status).toBe(503);
    expect(reply.body.code).toBe('AUTH_STORE_UNAVAILABLE');
    expect(store.events.at(-1)).toBe('close');
  });

  describe('with the Redis store', () => {
    let redis: TestRedisServer;
    let admin: Redis;

    beforeAll(async () => {
      redis = await TestRedisServer.start();
      admin = redis.client();
    });
    afterAll(async () => {
      await admin?.quit();
      await redis?.stop();
    });

    const clientIds = async () =>
      ((await admin.client('LIST')) as string)
        .split('\n')
        .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined);

    it('finishes rotations in flight, then leaves no connection open', async () => {
      const store = new RedisRefreshTokenStore({ url: redis.url });
      const { app, http } = await listen(store);
      open.add(app);
      const logins = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? http.login() : http.login('bob', 'builder'))));
      expect(logins.map((r) => r.status)).toEqual(Array(8).fill(200));
      const storeId = String(await store.client.client('ID'));
      expect(await clientIds()).toContain(storeId);

      const service = app.get(RefreshService);
      // Started before close() and still in flight when it begins: they must not meet a closed connection.
      const rotations = logins.map((r) => service.rotate(r.body.refreshToken));
      const closing = app.close();
      const outcomes = await Promise.allSettled(rotations);
      await closing;
      open.delete(app);

      expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('fulfilled'));
      expect(store.client.status).toBe('end');
      // The server drops a client once it has read the QUIT; give it a moment to notice.
      await until(async () => !(await clientIds()).includes(storeId), 3000);
      expect(await clientIds()).toEqual([String(await admin.client('ID'))]);
    });

    it('leaves a client the application passed in open', async () => {
      const own = redis.client();
      try {
        await own.ping();
        const store = new RedisRefreshTokenStore({ client: own });
        const { app, http } = await listen(store);
        open.add(app);
        expect((await http.login()).status).toBe(200);
        await app.close();
        open.delete(app);
        expect(own.status).toBe('ready');
        expect(await own.ping()).toBe('PONG');
      } finally {
        await own.quit();
      }
    });
  });

  describe('memory store sweep timer', () => {
    it('stops sweeping once the app is closed', async () => {
      class CountingStore extends MemoryRefreshTokenStore {
        sweeps = 0;
        override sweep(): void {
          this.sweeps++;
          super.sweep();
        }
      }
      const store = new CountingStore({ sweepIntervalMs: 10 });
      const { app } = await listen(store);
      open.add(app);
      await until(() => store.sweeps >= 2);
      await app.close();
      open.delete(app);
      const after = store.sweeps;
      await pause(150);
      expect(store.sweeps).toBe(after);
    });

    it('clears the default store\'s interval on close', async () => {
      const setSpy = jest.spyOn(globalThis, 'setInterval');
      const clearSpy = jest.spyOn(globalThis, 'clearInterval');
      try {
        // No store option: the module builds its own MemoryRefreshTokenStore (sweep every 60 s).
        const { app } = await listen(undefined);
        open.add(app);
        expect(app.get(RefreshTokenStore)).toBeInstanceOf(MemoryRefreshTokenStore);
        const sweepTimers = setSpy.mock.calls.flatMap((call, i) => (call[1] === 60_000 ? [setSpy.mock.results[i].value] : []));
        expect(sweepTimers).toHaveLength(1);
        expect(clearSpy.mock.calls.map((call) => call[0])).not.toContain(sweepTimers[0]);
        await app.close();
        open.delete(app);
        expect(clearSpy.mock.calls.map((call) => call[0])).toContain(sweepTimers[0]);
      } finally {
        setSpy.mockRestore();
        clearSpy.mockRestore();
      }
    });
  });
});
