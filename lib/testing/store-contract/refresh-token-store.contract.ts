import type { RefreshTokenStore } from '../../refresh/refresh-token.store.js';
import type { StoreContractRunner } from './contract-runner.js';
import { createAndGetContract } from './create-and-get.contract-cases.js';
import { listBySubjectContract } from './list-by-subject.contract-cases.js';
import { retentionContract } from './retention.contract-cases.js';
import { revocationContract } from './revocation.contract-cases.js';
import { rotateAndRevokeContract } from './rotate-and-revoke.contract-cases.js';
import type { ContractContext } from './store-contract.context.js';
import { newSid } from './store-contract.fixtures.js';
import { updateClaimsContract } from './update-claims.contract-cases.js';


/**
 * What the contract runs each test on: a fresh store plus the clock it judges retention by.
 * @publicApi
 */
export interface StoreHarness {
  store: RefreshTokenStore;
  /** The time, in ms since the epoch, as the store sees it. */
  now(): number;
  /** Lets `ms` milliseconds pass for the store: a fake clock jumps, a real one sleeps. */
  elapse(ms: number): Promise<void>;
  /** Releases anything the harness opened besides the store (which the suite closes itself). */
  dispose?(): Promise<void>;
}

/** @publicApi */
export interface ContractOptions {
  /**
   * How far in the future a session's retention is set when a test needs it to lapse. With a real
   * clock it must comfortably cover a few store round trips on a busy machine. Default `1000`.
   */
  retentionMarginMs?: number;
  /**
   * Whether the store implements the optional `updateClaims`. A store without it must say so
   * (`false`): a missing method is then a choice, not an oversight. Default `true`.
   */
  updateClaims?: boolean;
}

/**
 * Registers the tests every `RefreshTokenStore` must pass, under Jest or Vitest: pass the runner's
 * functions, a factory of a fresh store with its clock (see `StoreHarness`), and options. Each test
 * gets a new harness and uses subjects of its own, so stores sharing one backend never collide; the
 * suite closes each store, then calls the harness's `dispose`.
 * @example
 * import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * import { FixedClock, refreshTokenStoreContract } from 'nestjs-jwt-refresh/testing';
 *
 * describe('MyStore', () => {
 *   refreshTokenStoreContract({ describe, it, expect, beforeEach, afterEach }, async () => {
 *     const clock = new FixedClock();
 *     return { store: new MyStore({ now: clock.now }), now: clock.now, elapse: async (ms) => void clock.set(clock.now() + ms) };
 *   });
 * });
 * @publicApi
 */
export function refreshTokenStoreContract(
  runner: StoreContractRunner,
  makeHarness: () => Promise<StoreHarness>,
  options: ContractOptions = {},
): void {
  const { describe, beforeEach, afterEach } = runner;

  describe('RefreshTokenStore contract', () => {
    let h: StoreHarness;
    let store: RefreshTokenStore;
    // Subjects unique to each test, so stores sharing a backend across tests never see each other's sessions.
    let alice: string;
    let bob: string;

    beforeEach(async () => {
      h = await makeHarness();
      store = h.store;
      alice = `alice-${newSid()}`;
      bob = `bob-${newSid()}`;
    });

    // A sid as the store would choose it for `sub` (stores that place a session beside its subject's keys do).
    const sidFor = (sub: string) => store.newSessionId?.(sub) ?? newSid();

    afterEach(async () => {
      await store.close?.();
      await h.dispose?.();
    });

    // The case groups, in the order they run; each reads the current test's harness and subjects through `context`.
    const context = (): ContractContext => ({ h, store, alice, bob, sidFor });
    createAndGetContract(runner, context);
    rotateAndRevokeContract(runner, context);
    updateClaimsContract(runner, context, options);
    listBySubjectContract(runner, context);
    revocationContract(runner, context);
    retentionContract(runner, context, options);
  });
}
