import type { RefreshTokenStore } from '../../refresh/refresh-token.store.js';
import type { RevocationNotice } from '../../refresh/revocation-notice.interface.js';
import type { StoreContractRunner } from './contract-runner.js';
import type { ContractContext as Context } from './store-contract.context.js';
import { DAY, expected, makeFreshSession, makeSession, newSid, updateFor } from './store-contract.fixtures.js';

/** Waits (bounded) until `predicate` holds: notices from a store with a network in between arrive a little later. */
async function eventually(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Revokes throwaway sessions of a third subject until the listener hears one (bounded: 25 probes). */
async function untilListening(
  c: Context,
  heard: RevocationNotice[],
  fresh: (c: Context, sub: string) => ReturnType<typeof makeFreshSession>,
): Promise<void> {
  const probeSubject = `${c.alice}-probe`;
  for (let i = 0; i < 25; i++) {
    const probe = fresh(c, probeSubject);
    await c.store.create(probe);
    await c.store.revoke(probe.sid, 'logout', c.h.now());
    const until = Date.now() + 200;
    while (Date.now() < until) {
      if (heard.some((n) => n.kind === 'session' && n.sid === probe.sid)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error('the store never announced a revocation to a listener');
}

/**
 * The contract's cases for the per-subject cap, ownership, the revocation epoch and announcements.
 * Registered inside the contract's describe, so `ctx()` is the current test's store and subjects.
 */
export function revocationContract(runner: StoreContractRunner, ctx: () => Context): void {
  const { describe, it, expect } = runner;
  const sidFor = (store: RefreshTokenStore, sub: string) => store.newSessionId?.(sub) ?? newSid();
  const revocation = (at: number, extra = {}) => ({ at, reason: 'logout_all' as const, keepUntil: at + 31 * DAY, ...extra });
  const fresh = (c: Context, sub: string, overrides = {}) => makeFreshSession(c.h.now(), { sid: sidFor(c.store, sub), sub, ...overrides });

  describe('per-subject cap', () => {
    it('ends the least recently used session of that subject beyond the cap, in the same step', async () => {
      const c = ctx();
      const now = c.h.now();
      const [s1, s2, s3] = [0, 1, 2].map((i) => fresh(c, c.alice, { createdAt: now - 3000 + i, lastUsedAt: now - 3000 + i }));
      for (const s of [s1, s2, s3]) expect(await c.store.create(s, { maxSessionsPerSubject: 3 })).toStrictEqual({ evicted: [] });
      // s1 is used again: s2 becomes the least recently used.
      expect(await c.store.rotate(s1.sid, expected(s1), updateFor(s1, now))).toBe(true);
      const s4 = fresh(c, c.alice);
      expect(await c.store.create(s4, { maxSessionsPerSubject: 3 })).toStrictEqual({ evicted: [s2.sid] });
      const ended = (await c.store.get(s2.sid))!;
      expect(ended.revokedAt).not.toBeNull();
      expect(ended.revokedReason).toBe('session_limit');
      expect(await c.store.rotate(s2.sid, expected(s2), updateFor(s2, now))).toBe(false);
      for (const s of [s1, s3, s4]) expect((await c.store.get(s.sid))!.revokedAt).toBeNull();
      const live = (await c.store.listBySubject(c.alice)).filter((s) => s.revokedAt === null).map((s) => s.sid);
      expect(live.sort()).toStrictEqual([s1.sid, s3.sid, s4.sid].sort());
    });

    it('never touches another subject’s session, however many logins one subject makes', async () => {
      const c = ctx();
      const bobs = [fresh(c, c.bob), fresh(c, c.bob)];
      for (const s of bobs) await c.store.create(s, { maxSessionsPerSubject: 2 });
      for (let i = 0; i < 12; i++) await c.store.create(fresh(c, c.alice), { maxSessionsPerSubject: 2 });
      for (const s of bobs) expect(await c.store.get(s.sid)).toStrictEqual(s);
      const alive = (await c.store.listBySubject(c.alice)).filter((s) => s.revokedAt === null);
      expect(alive).toHaveLength(2);
    });

    it('counts only live sessions: revoked ones leave room', async () => {
      const c = ctx();
      const [s1, s2] = [fresh(c, c.alice), fresh(c, c.alice)];
      for (const s of [s1, s2]) await c.store.create(s, { maxSessionsPerSubject: 2 });
      expect(await c.store.revoke(s1.sid, 'logout', c.h.now())).toBe(true);
      expect(await c.store.create(fresh(c, c.alice), { maxSessionsPerSubject: 2 })).toStrictEqual({ evicted: [] });
      expect((await c.store.get(s2.sid))!.revokedAt).toBeNull();
    });
  });

  describe('ownership', () => {
    it('revokes only a session of the subject it is told, and answers another’s like an unknown one', async () => {
      const c = ctx();
      const bobs = makeSession(c.h.now(), { sid: sidFor(c.store, c.bob), sub: c.bob });
      await c.store.create(bobs);
      expect(await c.store.revoke(bobs.sid, 'logout', c.h.now(), c.alice)).toBe(false);
      expect(await c.store.get(bobs.sid)).toStrictEqual(bobs);
      expect(await c.store.revoke(newSid(), 'logout', c.h.now(), c.alice)).toBe(false);
      expect(await c.store.revoke(bobs.sid, 'logout', c.h.now(), c.bob)).toBe(true);
    });
  });

  describe('revokeSubject (the revocation epoch)', () => {

    it('ends every live session of the subject, counts them, and leaves other subjects alone', async () => {
      const c = ctx();
      const now = c.h.now();
      const mine = [fresh(c, c.alice, { createdAt: now - 10 }), makeSession(now, { sid: sidFor(c.store, c.alice), sub: c.alice })];
      const gone = fresh(c, c.alice, { createdAt: now - 10 });
      const bobs = fresh(c, c.bob, { createdAt: now - 10 });
      for (const s of [...mine, gone, bobs]) await c.store.create(s);
      await c.store.revoke(gone.sid, 'logout', now);
      expect(await c.store.revokeSubject(c.alice, revocation(now))).toBe(2);
      for (const s of mine) {
        expect(await c.store.get(s.sid)).toStrictEqual({ ...s, revokedAt: now, revokedReason: 'logout_all' });
        expect(await c.store.rotate(s.sid, expected(s), updateFor(s, now))).toBe(false);
      }
      expect((await c.store.get(gone.sid))!.revokedReason).toBe('logout');
      expect(await c.store.get(bobs.sid)).toStrictEqual(bobs);
    });

    it('keeps the session it is told to except', async () => {
      const c = ctx();
      const now = c.h.now();
      const [keep, end] = [fresh(c, c.alice, { createdAt: now - 10 }), fresh(c, c.alice, { createdAt: now - 10 })];
      for (const s of [keep, end]) await c.store.create(s);
      expect(await c.store.revokeSubject(c.alice, revocation(now, { reason: 'logout_others', exceptSid: keep.sid }))).toBe(1);
      expect(await c.store.get(keep.sid)).toStrictEqual(keep);
      expect(await c.store.rotate(keep.sid, expected(keep), updateFor(keep, now))).toBe(true);
      expect((await c.store.get(end.sid))!.revokedReason).toBe('logout_others');
    });

    it('ends a login that began before it even when its create lands after, and spares later logins', async () => {
      const c = ctx();
      const now = c.h.now();
      await c.store.revokeSubject(c.alice, revocation(now));
      const early = fresh(c, c.alice, { createdAt: now - 1 });
      const later = fresh(c, c.alice, { createdAt: now });
      await c.store.create(early);
      await c.store.create(later);
      const read = (await c.store.get(early.sid))!;
      expect(read.revokedAt).toBe(now);
      expect(read.revokedReason).toBe('logout_all');
      expect(await c.store.rotate(early.sid, expected(early), updateFor(early, now))).toBe(false);
      expect(await c.store.get(later.sid)).toStrictEqual(later);
      expect(await c.store.rotate(later.sid, expected(later), updateFor(later, now))).toBe(true);
    });

    it('never lowers the epoch: an earlier revocation arriving late changes nothing', async () => {
      const c = ctx();
      const now = c.h.now();
      await c.store.revokeSubject(c.alice, revocation(now));
      await c.store.revokeSubject(c.alice, revocation(now - 5000));
      const between = fresh(c, c.alice, { createdAt: now - 100 });
      await c.store.create(between);
      expect((await c.store.get(between.sid))!.revokedAt).toBe(now);
    });

    it('ends a login running concurrently with it, whichever lands first', async () => {
      const c = ctx();
      const now = c.h.now();
      const sessions = Array.from({ length: 20 }, () => fresh(c, c.alice, { createdAt: now - 1 }));
      await Promise.all([...sessions.map((s) => c.store.create(s)), c.store.revokeSubject(c.alice, revocation(now))]);
      for (const s of sessions) expect((await c.store.get(s.sid))!.revokedAt).not.toBeNull();
    });
  });

  describe('revocation announcements (stores with onRevocation)', () => {
    it('announces a revoked session, a cap eviction and a subject revocation; and stops when unsubscribed', async () => {
      const c = ctx();
      if (!c.store.onRevocation) return;
      const heard: RevocationNotice[] = [];
      const stop = c.store.onRevocation((notice) => heard.push(notice));
      try {
        // A store may subscribe asynchronously (Redis pub/sub): notices published before its subscription
        // is live are covered by the `reset` it then announces, not delivered. Probe until one arrives.
        await untilListening(c, heard, fresh);
        const now = c.h.now();
        const [s1, s2] = [fresh(c, c.alice), fresh(c, c.alice)];
        await c.store.create(s1, { maxSessionsPerSubject: 1 });
        await c.store.create(s2, { maxSessionsPerSubject: 1 });
        await eventually(() => heard.some((n) => n.kind === 'session' && n.sid === s1.sid));
        await c.store.revoke(s2.sid, 'logout', now);
        await eventually(() => heard.some((n) => n.kind === 'session' && n.sid === s2.sid));
        await c.store.revokeSubject(c.bob, revocation(now));
        await eventually(() => heard.some((n) => n.kind === 'subject' && n.sub === c.bob && n.at === now));
      } finally {
        stop();
      }
      const count = heard.length;
      await c.store.revokeSubject(c.bob, revocation(c.h.now() + 1));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heard).toHaveLength(count);
    });
  });
}
