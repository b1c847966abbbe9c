import { SESSION_RETENTION_MS } from '../../refresh/refresh-session.interface.js';
import type { StoreContractRunner } from './contract-runner.js';
import type { ContractOptions } from './refresh-token-store.contract.js';
import type { ContractContext } from './store-contract.context.js';
import { DAY, expected, HOUR, makeFreshSession, makeSession, updateFor } from './store-contract.fixtures.js';

/**
 * The contract's cases for retention: how long a store keeps a session after its end, judged by the
 * harness's clock with `options.retentionMarginMs` of slack.
 * Registered inside the contract's describe, so `ctx()` is the current test's store and subjects.
 */
export function retentionContract(runner: StoreContractRunner, ctx: () => ContractContext, options: ContractOptions): void {
  const { describe, it, expect } = runner;
  const margin = options.retentionMarginMs ?? 1000;

  describe('retention', () => {
    it('forgets a session after its end plus the retention day, and stops listing it', async () => {
      const { h, store, alice, sidFor } = ctx();
      const now = h.now();
      // Retained until `now + margin`: ended (sliding expiry) one day ago, give or take the margin.
      const ending = makeSession(now, { sid: sidFor(alice), sub: alice, expiresAt: now - SESSION_RETENTION_MS + margin });
      // Ended by its absolute limit instead: same retention rule.
      const capped = makeFreshSession(now, { sid: sidFor(alice), sub: alice, absoluteExpiresAt: now - SESSION_RETENTION_MS + margin });
      const lasting = makeSession(now, { sid: sidFor(alice), sub: alice });
      for (const s of [ending, capped, lasting]) await store.create(s);
      expect(await store.get(ending.sid)).toStrictEqual(ending);
      expect(await store.get(capped.sid)).toStrictEqual(capped);

      await h.elapse(margin + 500);
      expect(await store.get(ending.sid)).toBeNull();
      expect(await store.get(capped.sid)).toBeNull();
      expect(await store.rotate(ending.sid, expected(ending), updateFor(ending, h.now()))).toBe(false);
      expect(await store.revoke(ending.sid, 'logout', h.now())).toBe(false);
      expect(await store.get(lasting.sid)).toStrictEqual(lasting);
      expect(await store.listBySubject(alice)).toStrictEqual([lasting]);
    });

    it('keeps a revoked session until its retention, then forgets it', async () => {
      const { h, store, alice, sidFor } = ctx();
      const now = h.now();
      const session = makeSession(now, { sid: sidFor(alice), sub: alice, expiresAt: now - SESSION_RETENTION_MS + margin });
      await store.create(session);
      expect(await store.revoke(session.sid, 'logout', now)).toBe(true);
      expect((await store.get(session.sid))?.revokedReason).toBe('logout');
      await h.elapse(margin + 500);
      expect(await store.get(session.sid)).toBeNull();
      expect(await store.listBySubject(alice)).toStrictEqual([]);
    });

    it('extends retention when a rotation slides the expiry, for the session and the subject listing', async () => {
      const { h, store, alice, sidFor } = ctx();
      const now = h.now();
      const session = makeSession(now, { sid: sidFor(alice), sub: alice, expiresAt: now - SESSION_RETENTION_MS + margin });
      await store.create(session);
      const update = updateFor(session, now, { expiresAt: now + HOUR });
      expect(await store.rotate(session.sid, expected(session), update)).toBe(true);
      await h.elapse(margin + 500);
      const kept = { ...session, ...update };
      expect(await store.get(session.sid)).toStrictEqual(kept);
      expect(await store.listBySubject(alice)).toStrictEqual([kept]);
    });

    it('never keeps a session past its absolute end plus a day, whatever a rotation says', async () => {
      const { h, store, alice, sidFor } = ctx();
      const now = h.now();
      const session = makeSession(now, { sid: sidFor(alice), sub: alice, absoluteExpiresAt: now - SESSION_RETENTION_MS + margin });
      await store.create(session);
      expect(await store.rotate(session.sid, expected(session), updateFor(session, now, { expiresAt: now + 7 * DAY }))).toBe(true);
      await h.elapse(margin + 500);
      expect(await store.get(session.sid)).toBeNull();
      expect(await store.listBySubject(alice)).toStrictEqual([]);
    });

    it('does not keep a session created already past its retention', async () => {
      const { h, store, alice, sidFor } = ctx();
      const now = h.now();
      const session = makeSession(now, { sid: sidFor(alice), sub: alice, expiresAt: now - 2 * DAY, absoluteExpiresAt: now - DAY - 1 });
      await store.create(session);
      expect(await store.get(session.sid)).toBeNull();
      expect(await store.listBySubject(alice)).toStrictEqual([]);
    });
  });
}
