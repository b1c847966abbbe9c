import type { TokenSet } from './token-set.js';

/** Knobs of `proactiveRefreshDelay`, all in milliseconds. */
export interface ProactiveTiming {
  /** How long before expiry to refresh; `undefined` means a quarter of the lifetime, at most 60 s. */
  leadTime?: number;
  /** Random spread subtracted from the refresh time; `undefined` means a tenth of the lifetime, at most 10 s. */
  jitter?: number;
  /** Shortest delay ever scheduled, so a token with a tiny lifetime cannot make the timer spin. */
  minDelay: number;
}

/**
 * Milliseconds from `now` until the proactive refresh of `tokens`. The jitter
 * spreads tabs and clients that received tokens at the same moment, so they
 * don't all knock on the refresh endpoint at once.
 */
export function proactiveRefreshDelay(tokens: TokenSet, now: number, timing: ProactiveTiming, random: () => number = Math.random): number {
  const lifetime = Math.max(0, tokens.expiresAt - tokens.receivedAt);
  const lead = timing.leadTime ?? Math.min(60_000, lifetime * 0.25);
  const spread = timing.jitter ?? Math.min(10_000, lifetime * 0.1);
  const at = tokens.expiresAt - lead - random() * spread;
  return Math.max(timing.minDelay, at - now);
}

/** Knobs of `retryDelay`, in milliseconds. */
export interface BackoffTiming {
  /** Delay before the second attempt; doubles each time. */
  baseDelay: number;
  /** Longest delay, whatever the attempt or the server's `Retry-After`. */
  maxDelay: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry) of a transient refresh
 * failure. The server's `Retry-After` wins when it gave one; otherwise
 * exponential backoff with jitter between half and all of the step, so many
 * clients hit by the same outage come back spread out.
 */
export function retryDelay(attempt: number, timing: BackoffTiming, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(timing.maxDelay, retryAfterMs);
  }
  const step = Math.min(timing.maxDelay, timing.baseDelay * 2 ** Math.max(0, attempt - 1));
  return step / 2 + random() * (step / 2);
}
