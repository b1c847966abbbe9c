import { describe, expect, it } from '@jest/globals';
import { proactiveRefreshDelay, retryDelay } from './refresh-timing.js';

const tokens = (lifetime: number) => ({ accessToken: 'x', receivedAt: 0, expiresAt: lifetime });

describe('proactiveRefreshDelay', () => {
  it('refreshes a quarter of the lifetime early, minus jitter, for short tokens', () => {
    expect(proactiveRefreshDelay(tokens(4000), 0, { minDelay: 0 }, () => 0)).toBe(3000);
    expect(proactiveRefreshDelay(tokens(4000), 0, { minDelay: 0 }, () => 1)).toBe(2600);
  });

  it('caps the lead at 60 s and the jitter at 10 s for long tokens', () => {
    expect(proactiveRefreshDelay(tokens(900_000), 0, { minDelay: 0 }, () => 0)).toBe(840_000);
    expect(proactiveRefreshDelay(tokens(900_000), 0, { minDelay: 0 }, () => 1)).toBe(830_000);
  });

  it('never schedules sooner than minDelay, even for an already expired token', () => {
    expect(proactiveRefreshDelay(tokens(1000), 5000, { minDelay: 1000 })).toBe(1000);
  });

  it('uses explicit lead time and jitter', () => {
    expect(proactiveRefreshDelay(tokens(10_000), 0, { leadTime: 2000, jitter: 1000, minDelay: 0 }, () => 0.5)).toBe(7500);
  });
});

describe('retryDelay', () => {
  const timing = { baseDelay: 500, maxDelay: 4000 };

  it('doubles with jitter between half and all of the step, up to the cap', () => {
    expect(retryDelay(1, timing, undefined, () => 0)).toBe(250);
    expect(retryDelay(1, timing, undefined, () => 1)).toBe(500);
    expect(retryDelay(3, timing, undefined, () => 1)).toBe(2000);
    expect(retryDelay(10, timing, undefined, () => 1)).toBe(4000);
  });

  it("follows the server's Retry-After, capped", () => {
    expect(retryDelay(1, timing, 1500)).toBe(1500);
    expect(retryDelay(1, timing, 60_000)).toBe(4000);
  });
});
