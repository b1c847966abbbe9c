import type { StoreContractRunner } from './contract-runner.js';
import type { ContractContext } from './store-contract.context.js';
import { expected, hash, makeFreshSession, makeSession, newSid, updateFor } from './store-contract.fixtures.js';

/**
 * The contract's cases for `rotate` (the compare-and-set on generation and token hash) and `revoke`.
 * Registered inside the contract's describe, so `ctx()` is the current test's store and subjects.
 */
export function rotateAndRevokeContract(runner: StoreContractRunner, ctx: () => ContractContext): void {
  const { describe, it, expect } = runner;

  describe('rotate', () => {
    it('applies the update only with the right generation and token hash', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const update = updateFor(session, h.now());

      expect(await store.rotate(session.sid, { generation: session.generation + 1, tokenHash: session.tokenHash }, update)).toBe(false);
      expect(await store.rotate(session.sid, { generation: session.generation, tokenHash: hash() }, update)).toBe(false);
      expect(await store.rotate(session.sid, { generation: session.generation - 1, tokenHash: session.previousTokenHash! }, update)).toBe(false);
      expect(await store.get(session.sid)).toStrictEqual(session);

      expect(await store.rotate(session.sid, expected(session), update)).toBe(true);
      expect(await store.get(session.sid)).toStrictEqual({ ...session, ...update });
    });

    it('refuses the same expectation twice, and chains with the new one', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeFreshSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const first = updateFor(session, h.now());
      expect(await store.rotate(session.sid, expected(session), first)).toBe(true);
      expect(await store.rotate(session.sid, expected(session), updateFor(session, h.now()))).toBe(false);

      const rotated = (await store.get(session.sid))!;
      expect(rotated.generation).toBe(1);
      expect(rotated.previousTokenHash).toBe(session.tokenHash);
      const second = updateFor(rotated, h.now());
      expect(await store.rotate(session.sid, { generation: 1, tokenHash: first.tokenHash }, second)).toBe(true);
      expect(await store.get(session.sid)).toStrictEqual({ ...rotated, ...second });
    });

    it('gives the same answers when the caller passes the session it read, as the refresh service does', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeFreshSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const first = updateFor(session, h.now());
      expect(await store.rotate(session.sid, expected(session), first, session)).toBe(true);
      // A stale expectation still loses, whatever the caller says it read.
      expect(await store.rotate(session.sid, expected(session), updateFor(session, h.now()), session)).toBe(false);
      const rotated = (await store.get(session.sid))!;
      expect(rotated).toStrictEqual({ ...session, ...first });
      const second = updateFor(rotated, h.now());
      expect(await store.rotate(session.sid, expected(rotated), second, rotated)).toBe(true);
      expect(await store.get(session.sid)).toStrictEqual({ ...rotated, ...second });
      expect(await store.listBySubject(alice)).toStrictEqual([{ ...rotated, ...second }]);
    });

    it('leaves every field the update does not name untouched', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      await store.rotate(session.sid, expected(session), updateFor(session, h.now()));
      const got = (await store.get(session.sid))!;
      expect(got.sub).toBe(session.sub);
      expect(got.claims).toStrictEqual(session.claims);
      expect(got.createdAt).toBe(session.createdAt);
      expect(got.absoluteExpiresAt).toBe(session.absoluteExpiresAt);
      expect(got.revokedAt).toBeNull();
      expect(got).not.toHaveProperty('revokedReason');
    });

    it('writes lastIp and lastUserAgent as the update has them: absent means the request had none', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const update = updateFor(session, h.now());
      delete update.lastIp;
      delete update.lastUserAgent;
      expect(await store.rotate(session.sid, expected(session), update)).toBe(true);
      const got = (await store.get(session.sid))!;
      expect(got).not.toHaveProperty('lastIp');
      expect(got).not.toHaveProperty('lastUserAgent');
      const { lastIp: _ip, lastUserAgent: _ua, ...rest } = session;
      expect(got).toStrictEqual({ ...rest, ...update });
    });

    it('refuses an unknown session', async () => {
      const { h, store, alice, sidFor } = ctx();
      const ghost = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
      expect(await store.rotate(ghost.sid, expected(ghost), updateFor(ghost, h.now()))).toBe(false);
      expect(await store.get(ghost.sid)).toBeNull();
    });

    it('refuses a revoked session even with the right expectation', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      expect(await store.revoke(session.sid, 'logout', h.now())).toBe(true);
      expect(await store.rotate(session.sid, expected(session), updateFor(session, h.now()))).toBe(false);
      const got = (await store.get(session.sid))!;
      expect(got.generation).toBe(session.generation);
      expect(got.tokenHash).toBe(session.tokenHash);
    });

    it('lets exactly one of 50 concurrent rotations with the same expectation win', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeFreshSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const updates = Array.from({ length: 50 }, () => updateFor(session, h.now()));
      const results = await Promise.all(updates.map((u) => store.rotate(session.sid, expected(session), u)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = updates[results.indexOf(true)];
      expect(await store.get(session.sid)).toStrictEqual({ ...session, ...winner });
    });
  });

  describe('revoke', () => {
    it('revokes a live session once; the second call answers false and changes nothing', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const at = h.now();
      expect(await store.revoke(session.sid, 'reuse_detected', at)).toBe(true);
      expect(await store.revoke(session.sid, 'logout', at + 1000)).toBe(false);
      expect(await store.get(session.sid)).toStrictEqual({ ...session, revokedAt: at, revokedReason: 'reuse_detected' });
    });

    it('answers false for an unknown session', async () => {
      const { h, store } = ctx();
      expect(await store.revoke(newSid(), 'logout', h.now())).toBe(false);
    });

    it('reports exactly one of 20 concurrent revocations', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeFreshSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.revoke(session.sid, 'logout_all', h.now())));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('wins or loses against a concurrent rotation, but the session always ends revoked', async () => {
      const { h, store, alice, sidFor } = ctx();
      const session = makeFreshSession(h.now(), { sid: sidFor(alice), sub: alice });
      await store.create(session);
      const [rotated, revoked] = await Promise.all([
        store.rotate(session.sid, expected(session), updateFor(session, h.now())),
        store.revoke(session.sid, 'logout', h.now()),
      ]);
      expect(revoked).toBe(true);
      const got = (await store.get(session.sid))!;
      expect(got.revokedAt).not.toBeNull();
      expect(got.generation).toBe(rotated ? 1 : 0);
    });
  });
}
