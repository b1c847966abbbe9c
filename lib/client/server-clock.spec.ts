import { describe, expect, it } from '@jest/globals';
import { ServerClock } from './server-clock.js';

const answer = (date?: string) => new Response(null, { headers: date ? { date } : {} });

describe('ServerClock', () => {
  it('is unknown, and changes nothing, until an answer tells it the offset', () => {
    const clock = new ServerClock(() => 1_000_000);
    expect(clock.known).toBe(false);
    expect(clock.toLocal(5_000)).toBe(5_000);
    clock.observe(answer(), 1_000_000);
    expect(clock.known).toBe(false);
  });

  it('learns from serverTime to the millisecond, taking the midpoint of the round trip', () => {
    let now = 1_000_000;
    const clock = new ServerClock(() => now);
    now = 1_000_200; // answered 200 ms after sending
    clock.observe(answer(), 1_000_000, 1_000_100 + 300_000); // the server is five minutes ahead
    expect(clock.toLocal(1_000_100 + 300_000)).toBe(1_000_100);
  });

  it('learns from the Date header within its one-second resolution, and keeps a precise reading the header agrees with', () => {
    const local = Date.parse('2030-01-01T12:00:00.250Z');
    const clock = new ServerClock(() => local);
    clock.observe(answer(), local, local - 300_000); // serverTime: five minutes behind
    clock.observe(answer(new Date(local - 300_000).toUTCString()), local);
    expect(clock.toLocal(local - 300_000)).toBe(local);
    // The machine's clock was changed by a minute: the header proves the precise reading stale.
    clock.observe(answer(new Date(local - 240_000).toUTCString()), local);
    expect(Math.abs(clock.toLocal(local - 240_000) - local)).toBeLessThanOrEqual(1000);
  });
});
