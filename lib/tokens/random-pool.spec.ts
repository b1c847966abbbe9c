import { describe, expect, it } from '@jest/globals';
import { randomFromPool, randomId } from './random-pool.js';

describe('random pool', () => {
  it('hands out fresh bytes every time, across refills', () => {
    const seen = new Set<string>();
    // 20,000 × 16 bytes crosses the 4 KB pool dozens of times.
    for (let i = 0; i < 20_000; i++) seen.add(randomId(16));
    expect(seen.size).toBe(20_000);
    for (const id of [...seen].slice(0, 5)) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('returns copies of the requested size, also beyond the pool size', () => {
    const a = randomFromPool(32);
    const b = randomFromPool(32);
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
    expect(randomFromPool(10_000).length).toBe(10_000);
    // A copy, not a view: changing it leaves the next draw untouched and vice versa.
    const before = Buffer.from(a);
    randomFromPool(16);
    expect(a.equals(before)).toBe(true);
  });

  it('does not produce all-zero output (the used part of the pool is zeroed, never reused)', () => {
    for (let i = 0; i < 1000; i++) expect(randomFromPool(16).equals(Buffer.alloc(16))).toBe(false);
  });
});
