import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { StoreContractRunner } from '../../lib/testing/index.js';

/** Jest's functions, as the store contract of `nestjs-jwt-refresh/testing` takes them. */
export const jestRunner: StoreContractRunner = { describe, it, expect, beforeEach, afterEach };
