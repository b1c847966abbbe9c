import type { RefreshSession } from '../../refresh/refresh-session.interface.js';
import type { StoreContractRunner } from './contract-runner.js';
import type { ContractContext } from './store-contract.context.js';
import { expected, makeFreshSession, makeSession, newSid, updateFor } from './store-contract.fixtures.js';

const bySid = (a: RefreshSession, b: RefreshSession) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0);

/**
 * The contract's cases for `listBySubject`: a subject's sessions, and nobody else's.
 * Registered inside the contract's describe, so `ctx()` is the current test's store and subjects.
 */
export function listBySubjectContract(runner: StoreContractRunner, ctx: () => ContractContext): void {
  const { describe, it, expect } = runner;

  describe('listBySubject', () => {
    it('lists every live session of the subject, and nobody else’s', async () => {
      const { h, store, alice, bob, sidFor } = ctx();
      const now = h.now();
      const a1 = makeSession(now, { sid: sidFor(alice), sub: alice });
      const a2 = makeFreshSession(now, { sid: sidFor(alice), sub: alice });
      const a3 = makeSession(now, { sid: sidFor(alice), sub: alice });
      const b1 = makeSession(now, { sid: sidFor(bob), sub: bob });
      for (const s of [a1, a2, b1, a3]) await store.create(s);
      await store.revoke(a2.sid, 'logout', now);
      await store.rotate(a3.sid, expected(a3), updateFor(a3, now));

      const listed = (await store.listBySubject(alice)).sort(bySid);
      // A revoked session may be listed (as revoked) or left out: per-subject cost must not grow with past logins.
      const revokedA2 = { ...a2, revokedAt: now, revokedReason: 'logout' as const };
      const live = [a1, (await store.get(a3.sid))!];
      const a2Listed = listed.some((s) => s.sid === a2.sid);
      expect(listed).toStrictEqual((a2Listed ? [...live, revokedA2] : live).sort(bySid));
      expect(await store.listBySubject(bob)).toStrictEqual([b1]);
      expect(await store.listBySubject(`carol-${newSid()}`)).toStrictEqual([]);
    });

    it('treats subjects as exact strings', async () => {
      const { h, store, alice, sidFor } = ctx();
      const s = makeSession(h.now(), { sid: sidFor(`${alice}{x}:*`), sub: `${alice}{x}:*` });
      await store.create(s);
      expect(await store.listBySubject(`${alice}{x}:*`)).toStrictEqual([s]);
      expect(await store.listBySubject(alice)).toStrictEqual([]);
      expect(await store.listBySubject(`${alice}{x}:`)).toStrictEqual([]);
    });
  });
}
