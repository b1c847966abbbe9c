import type { Duration } from '../options/duration.js';
import { parseDuration } from '../options/duration.js';

/**
 * A clock that moves only when told: give `clock.now` to `AuthModule.forRoot({ clock })` and to your
 * store (`new MemoryRefreshTokenStore({ now: clock.now })`), so tokens and sessions age together.
 * @example
 * const clock = new FixedClock('2026-03-05T12:00:00Z');
 * AuthModule.forRoot({ secret, accessTokenTtl: '15m', clock: clock.now });
 * clock.advance('16m'); // the access token has expired (beyond clockTolerance)
 * @publicApi
 */
export class FixedClock {
  private ms: number;

  /** @param start The clock's time: a `Date`, an ISO 8601 string or milliseconds since the epoch. Default `2026-01-01T00:00:00Z`. */
  constructor(start: Date | string | number = Date.UTC(2026, 0, 1)) {
    this.ms = toMillis(start, 'start');
  }

  /** The clock's time in milliseconds since the epoch. A bound function: pass it as it is. */
  readonly now = (): number => this.ms;

  /** Moves the clock forward by a duration: seconds (`90`) or a string (`'30s'`, `'15m'`, `'1h'`, `'7d'`). Returns the new time in ms. */
  advance(by: Duration): number {
    this.ms += parseDuration(by, 'FixedClock.advance') * 1000;
    return this.ms;
  }

  /** Sets the clock to a time (`Date`, ISO 8601 string or ms); it may go backwards. Returns the new time in ms. */
  set(to: Date | string | number): number {
    this.ms = toMillis(to, 'set');
    return this.ms;
  }
}

function toMillis(value: Date | string | number, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new Error(`FixedClock: "${name}" must be a Date, an ISO 8601 string or milliseconds since the epoch; got ${String(value)}.`);
  }
  return ms;
}
