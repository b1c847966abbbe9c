/**
 * The few matchers the store contract uses. Jest's and Vitest's `expect` both provide them, so the
 * suite runs under either: pass your runner's functions (see `StoreContractRunner`).
 * @publicApi
 */
export interface ContractMatchers {
  toBe(expected: unknown): unknown;
  toStrictEqual(expected: unknown): unknown;
  toBeNull(): unknown;
  toHaveLength(length: number): unknown;
  toHaveProperty(property: string): unknown;
  not: Omit<ContractMatchers, 'not'>;
}

// Every test and hook of the suite is async: the one shape that @types/jest, @jest/globals and Vitest all accept.
type TestFn = () => Promise<void>;

/**
 * The test runner's functions, passed by the caller so the suite depends on no runner:
 * `{ describe, it, expect, beforeEach, afterEach }` from `@jest/globals` or from `vitest`.
 * @example import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * refreshTokenStoreContract({ describe, it, expect, beforeEach, afterEach }, makeHarness);
 * @publicApi
 */
export interface StoreContractRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: TestFn, timeout?: number): unknown;
  expect(actual: unknown): ContractMatchers;
  beforeEach(body: TestFn): unknown;
  afterEach(body: TestFn): unknown;
}
