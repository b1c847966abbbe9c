import { describe } from '@jest/globals';
import { MemoryRefreshTokenStore } from '../../lib/refresh/memory-refresh-token.store.js';
import { refreshTokenStoreContract } from '../../lib/testing/index.js';
import { jestRunner } from './jest-runner.js';

describe('MemoryRefreshTokenStore', () => {
  refreshTokenStoreContract(jestRunner, async () => {
    // A fake clock: retention tests jump instead of sleeping.
    let now = Date.UTC(2026, 2, 5, 12);
    return {
      store: new MemoryRefreshTokenStore({ now: () => now }),
      now: () => now,
      elapse: async (ms) => {
        now += ms;
      },
    };
  });
});
