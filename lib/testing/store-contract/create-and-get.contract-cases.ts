import type { StoreContractRunner } from './contract-runner.js';
import type { ContractContext } from './store-contract.context.js';
import { makeFreshSession, makeSession, newSid } from './store-contract.fixtures.js';

/**
 * The contract's cases for `create` and `get`: faithful round trips, copies not references, and replacement.
 * Registered inside the contract's describe, so `ctx()` is the current test's store and subjects.
 */
export function createAndGetContract(runner: StoreContractRunner, ctx: () => ContractContext): void {
  const { describe, it, expect } = runner;

  describe('create and get', () => {
    it('round-trips every field of a rotated session exactly', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice, revokedAt: h.now() - 10, revokedReason: 'logout' });
      await store.create(session);
      expect(await store.get(session.sid)).toStrictEqual(session);
    });

    it('round-trips a fresh session: nulls stay null, absent optional fields stay absent', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeFreshSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const got = await store.get(session.sid);
      expect(got).toStrictEqual(session);
      expect(got).not.toHaveProperty('lastIp');
      expect(got).not.toHaveProperty('lastUserAgent');
      expect(got).not.toHaveProperty('revokedReason');
      expect(got!.previousTokenHash).toBeNull();
      expect(got!.rotatedAt).toBeNull();
      expect(got!.revokedAt).toBeNull();
    });

    it('keeps empty strings, zeros and non-integer numbers as they are', async () => {
      const { h, store, alice, sidFor } = ctx();
      const now = h.now();
      const session = makeSession(now, { sid: sidFor(alice), sub: alice, lastIp: '', lastUserAgent: '', generation: 0, rotatedAt: 0, lastUsedAt: now + 0.5 });
      await store.create(session);
      expect(await store.get(session.sid)).toStrictEqual(session);
    });

    it('answers null for an unknown sid', async () => {
      const { store } = ctx();
      expect(await store.get(newSid())).toBeNull();
    });

    it('is not changed by mutating what was passed in or what was returned', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
      const original = structuredClone(session);
      await store.create(session);
      session.generation = 99;
      (session.claims.tenant as { id: number }).id = 7;
      const got = (await store.get(session.sid))!;
      got.tokenHash = 'changed';
      (got.claims as { scopes: string[] }).scopes.push('c');
      expect(await store.get(session.sid)).toStrictEqual(original);
    });

    it('replaces a session created again under the same sid', async () => {
      const { h, store, alice, sidFor } = ctx();
      const first = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
      const second = makeFreshSession(h.now(), { sid: first.sid, sub: alice });
      await store.create(first);
      await store.create(second);
      expect(await store.get(first.sid)).toStrictEqual(second);
      expect(await store.listBySubject(alice)).toStrictEqual([second]);
    });

    // A store that chooses sids by subject (newSessionId) never sees one sid under two subjects.
    it('replaces a session created again under the same sid for another subject, when the store takes any sid', async () => {
      const { h, store, alice, bob } = ctx();
      if (store.newSessionId) return;
      const first = makeSession(h.now(), { sub: alice });
      await store.create(first);
      const third = makeFreshSession(h.now(), { sid: first.sid, sub: bob });
      await store.create(third);
      expect(await store.listBySubject(bob)).toStrictEqual([third]);
      expect(await store.listBySubject(alice)).toStrictEqual([]);
    });

    it('makes session ids of the right shape when it chooses them', async () => {
      const { store, alice } = ctx();
      if (!store.newSessionId) return;
      const sids = new Set(Array.from({ length: 100 }, () => store.newSessionId!(alice)));
      expect(sids.size).toBe(100);
      for (const sid of sids) expect(Buffer.from(sid, 'base64url').toString('base64url')).toBe(sid);
      for (const sid of sids) expect(Buffer.from(sid, 'base64url')).toHaveLength(16);
    });
  });
}
