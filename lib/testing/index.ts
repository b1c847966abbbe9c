// The `nestjs-jwt-refresh/testing` entry point: helpers for the tests of apps (and stores) built on the library.
export { createTestSession } from './create-test-session.js';
export { FixedClock } from './fixed-clock.js';
export { refreshTokenStoreContract } from './store-contract/refresh-token-store.contract.js';
export type { ContractOptions, StoreHarness } from './store-contract/refresh-token-store.contract.js';
export type { ContractMatchers, StoreContractRunner } from './store-contract/contract-runner.js';
export { makeFreshSession, makeSession, newSid } from './store-contract/store-contract.fixtures.js';
