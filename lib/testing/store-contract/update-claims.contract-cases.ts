import type { StoreContractRunner } from './contract-runner.js';
import type { ContractOptions } from './refresh-token-store.contract.js';
import type { ContractContext } from './store-contract.context.js';
import { expected, makeFreshSession, makeSession, newSid, updateFor } from './store-contract.fixtures.js';

/**
 * The contract's cases for the optional `updateClaims`: present and correct, or declared absent (`options.updateClaims`).
 * Registered inside the contract's describe, so `ctx()` is the current test's store and subjects.
 */
export function updateClaimsContract(runner: StoreContractRunner, ctx: () => ContractContext, options: ContractOptions): void {
  const { describe, it, expect } = runner;

  describe('updateClaims (optional)', () => {
    const supported = options.updateClaims ?? true;

    it(supported ? 'is implemented' : 'is declared absent, and is absent', async () => {
      const { store } = ctx();
      expect(typeof store.updateClaims).toBe(supported ? 'function' : 'undefined');
    });

    if (supported) {
      it('replaces the claims of a live session and nothing else', async () => {
        const { h, store, alice, sidFor } = ctx();
        const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
        await store.create(session);
        const claims = { role: 'owner', tenant: { id: 7, name: 'Ünïcødé ✓' }, scopes: [] };
        expect(await store.updateClaims!(session.sid, claims)).toBe(true);
        expect(await store.get(session.sid)).toStrictEqual({ ...session, claims });
        expect(await store.updateClaims!(session.sid, {})).toBe(true);
        expect((await store.get(session.sid))!.claims).toStrictEqual({});
      });

      it('keeps the new claims through a rotation', async () => {
        const { h, store, alice, sidFor } = ctx();
        const session = makeFreshSession(h.now(), { sid: sidFor(alice), sub: alice });
        await store.create(session);
        await store.updateClaims!(session.sid, { role: 'admin' });
        expect(await store.rotate(session.sid, expected(session), updateFor(session, h.now()))).toBe(true);
        expect((await store.get(session.sid))!.claims).toStrictEqual({ role: 'admin' });
      });

      it('answers false and changes nothing for a revoked or unknown session', async () => {
        const { h, store, alice, sidFor } = ctx();
        const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
        await store.create(session);
        await store.revoke(session.sid, 'logout', h.now());
        const before = await store.get(session.sid);
        expect(await store.updateClaims!(session.sid, { role: 'admin' })).toBe(false);
        expect(await store.get(session.sid)).toStrictEqual(before);
        expect(await store.updateClaims!(newSid(), { role: 'admin' })).toBe(false);
      });

      it('is not changed by mutating the claims passed in', async () => {
        const { h, store, alice, sidFor } = ctx();
        const session = makeFreshSession(h.now(), { sid: sidFor(alice), sub: alice });
        await store.create(session);
        const claims = { roles: ['a'] };
        await store.updateClaims!(session.sid, claims);
        claims.roles.push('b');
        expect((await store.get(session.sid))!.claims).toStrictEqual({ roles: ['a'] });
      });
    }
  });
}
