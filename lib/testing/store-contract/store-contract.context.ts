import type { RefreshTokenStore } from '../../refresh/refresh-token.store.js';
import type { StoreHarness } from './refresh-token-store.contract.js';

/**
 * What the contract's case files read, inside each test, from the contract's describe: the current
 * test's harness and store, and its two subjects of its own.
 */
export interface ContractContext {
  h: StoreHarness;
  store: RefreshTokenStore;
  alice: string;
  bob: string;
  /** A sid as the store would choose it for `sub` (stores that place a session beside its subject's keys do). */
  sidFor(sub: string): string;
}
