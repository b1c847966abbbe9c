import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryRefreshTokenStore } from './memory-refresh-token.store.js';
import type { RefreshSession } from './refresh-session.interface.js';
import { SESSION_RETENTION_MS } from './refresh-session.interface.js';
import { makeFreshSession } from '../testing/index.js';

const T0 = Date.UTC(2026, 2, 5, 12);
const DAY = 24 * 60 * 60 * 1000;

// The contract suite's fresh session, with readable ids for these memory-only cases.
function session(sid: string, sub: string, overrides: Partial<RefreshSession> = {}): RefreshSession {
  return makeFreshSession(T0, { sid, sub, tokenHash: `hash-${sid}`, ...overrides });
}

describe('MemoryRefreshTokenStore (memory-only behaviour)', () => {
  const stores: MemoryRefreshTokenStore[] = [];
  let now = T0;
  const make = (options: ConstructorParameters<typeof MemoryRefreshTokenStore>[0] = {}) => {
    const store = new MemoryRefreshTokenStore({ now: () => now, ...options });
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    jest.useRealTimers();
    now = T0;
    for (const store of stores.splice(0)) await store.close();
  });

  describe('bounded size', () => {
    it('drops the oldest session when full of live ones, and unlists it', async () => {
      const store = make({ maxSessions: 3 });
      await store.create(session('s1', 'alice'));
      await store.create(session('s2', 'bob'));
      await store.create(session('s3', 'alice'));
      await store.create(session('s4', 'carol'));
      expect(store.size).toBe(3);
      expect(await store.get('s1')).toBeNull();
      expect((await store.listBySubject('alice')).map((s) => s.sid)).toEqual(['s3']);
      for (const sid of ['s2', 's3', 's4']) expect(await store.get(sid)).not.toBeNull();
    });

    it('forgets sessions past their retention before dropping a live one', async () => {
      const store = make({ maxSessions: 3 });
      await store.create(session('live-old', 'alice'));
      await store.create(session('ended', 'bob', { expiresAt: T0 + DAY }));
      await store.create(session('live', 'carol'));
      now = T0 + DAY + SESSION_RETENTION_MS;
      await store.create(session('new', 'dave'));
      expect(store.size).toBe(3);
      expect(await store.get('ended')).toBeNull();
      expect(await store.get('live-old')).not.toBeNull();
      expect(await store.listBySubject('bob')).toEqual([]);
    });

    it('does not evict anyone to replace a session under an existing sid', async () => {
      const store = make({ maxSessions: 2 });
      await store.create(session('s1', 'alice'));
      await store.create(session('s2', 'bob'));
      await store.create(session('s2', 'bob', { generation: 5 }));
      expect(store.size).toBe(2);
      expect(await store.get('s1')).not.toBeNull();
      expect((await store.get('s2'))!.generation).toBe(5);
    });

    it('rejects a maxSessions or sweepIntervalMs that is not usable', () => {
      for (const maxSessions of [0, -1, 1.5, Number.NaN]) {
        expect(() => new MemoryRefreshTokenStore({ maxSessions })).toThrow(/"maxSessions"/);
      }
      for (const sweepIntervalMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => new MemoryRefreshTokenStore({ sweepIntervalMs })).toThrow(/"sweepIntervalMs"/);
      }
    });
  });

  describe('one subject against everyone else', () => {
    it('100,000 logins of one subject leave every other subject’s session alive', async () => {
      const store = make();
      const others = Array.from({ length: 1000 }, (_, i) => session(`other-${i}`, `user-${i}`));
      for (const s of others) await store.create(s, { maxSessionsPerSubject: 100 });
      // Built by hand, not by the fixture: 100,000 of them must stay cheap.
      const template = session('m', 'mallory');
      for (let i = 0; i < 100_000; i++) {
        await store.create({ ...template, sid: `m-${i}`, tokenHash: `hash-m-${i}` }, { maxSessionsPerSubject: 100 });
      }
      for (const s of others) expect(await store.get(s.sid)).toStrictEqual(s);
      const mallory = await store.listBySubject('mallory');
      expect(mallory.map((s) => s.sid)).toStrictEqual(Array.from({ length: 100 }, (_, i) => `m-${99_900 + i}`));
      expect(store.size).toBeLessThanOrEqual(100_000);
    });

    it('drops revoked sessions before any live one when full', async () => {
      const store = make({ maxSessions: 3 });
      await store.create(session('bob-1', 'bob'));
      await store.create(session('m-1', 'mallory'), { maxSessionsPerSubject: 1 });
      await store.create(session('m-2', 'mallory'), { maxSessionsPerSubject: 1 });
      expect((await store.get('m-1'))!.revokedReason).toBe('session_limit');
      await store.create(session('m-3', 'mallory'), { maxSessionsPerSubject: 1 });
      expect(await store.get('m-1')).toBeNull();
      expect(await store.get('bob-1')).not.toBeNull();
      expect((await store.get('m-2'))!.revokedReason).toBe('session_limit');
    });
  });

  describe('sweeping', () => {
    it('sweep() forgets exactly the sessions past their retention', async () => {
      const store = make();
      await store.create(session('short', 'alice', { expiresAt: T0 + DAY }));
      await store.create(session('capped', 'alice', { absoluteExpiresAt: T0 + 2 * DAY }));
      await store.create(session('long', 'alice'));
      now = T0 + DAY + SESSION_RETENTION_MS - 1;
      store.sweep();
      expect(store.size).toBe(3);
      now += 1;
      store.sweep();
      expect(store.size).toBe(2);
      now = T0 + 3 * DAY;
      store.sweep();
      expect(store.size).toBe(1);
      expect((await store.listBySubject('alice')).map((s) => s.sid)).toEqual(['long']);
    });

    it('sweeps on its timer, without any request touching the store', async () => {
      jest.useFakeTimers();
      const store = make({ sweepIntervalMs: 1000 });
      await store.create(session('short', 'alice', { expiresAt: T0 }));
      await store.create(session('long', 'alice'));
      now = T0 + SESSION_RETENTION_MS;
      jest.advanceTimersByTime(999);
      expect(store.size).toBe(2);
      jest.advanceTimersByTime(1);
      expect(store.size).toBe(1);
    });

    it('forgets a subject’s revocation epoch once no session it covers can still exist', async () => {
      const store = make();
      await store.revokeSubject('alice', { at: T0, reason: 'logout_all', keepUntil: T0 + DAY });
      now = T0 + DAY - 1;
      store.sweep();
      await store.create(session('early', 'alice', { createdAt: T0 - 1 }));
      expect((await store.get('early'))!.revokedAt).toBe(T0);
      now = T0 + DAY;
      store.sweep();
      await store.create(session('early-2', 'alice', { createdAt: T0 - 1 }));
      expect((await store.get('early-2'))!.revokedAt).toBeNull();
    });

    it('close() stops the sweep timer, and may be called twice', async () => {
      jest.useFakeTimers();
      const store = make({ sweepIntervalMs: 1000 });
      expect(jest.getTimerCount()).toBe(1);
      await store.create(session('short', 'alice', { expiresAt: T0 }));
      await store.close();
      expect(jest.getTimerCount()).toBe(0);
      now = T0 + SESSION_RETENTION_MS;
      jest.advanceTimersByTime(10_000);
      expect(store.size).toBe(1);
      await store.close();
    });
  });
});
