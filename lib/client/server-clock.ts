/**
 * How far the server's clock is from this machine's, learned from the answers
 * it already sends: `serverTime` in expiry errors (millisecond precision) and
 * the `Date` header (one-second precision; CORS hides it from pages calling
 * another origin unless the server exposes it). Token lifetimes measured from
 * the moment a request was sent need no correction; this matters for a token
 * whose issue time the client did not witness (one handed over by another tab),
 * where only its `exp`, on the server's clock, says when it dies.
 */
export class ServerClock {
  /** Server minus local, in ms; `undefined` until an answer told us. */
  private offset: number | undefined;
  private fromServerTime = false;

  constructor(private readonly now: () => number) {}

  /** Learns from an answer to a request sent at local time `sentAt`. */
  observe(response: Response | undefined, sentAt: number, serverTime?: number): void {
    const midpoint = (sentAt + this.now()) / 2;
    if (serverTime !== undefined) {
      this.offset = serverTime - midpoint;
      this.fromServerTime = true;
      return;
    }
    const date = Date.parse(response?.headers.get('date') ?? '');
    if (!Number.isFinite(date)) return;
    // The header truncates to the second: the server's time was somewhere in [date, date + 1000).
    const estimate = date + 500 - midpoint;
    // Keep a millisecond-precise reading unless the header proves it stale (the clock was changed since).
    if (this.offset === undefined || !this.fromServerTime || Math.abs(estimate - this.offset) > 2000) {
      this.offset = estimate;
      this.fromServerTime = false;
    }
  }

  /** Whether any answer has told us the offset yet. */
  get known(): boolean {
    return this.offset !== undefined;
  }

  /** A server epoch-ms instant on the local clock (unchanged while the offset is unknown). */
  toLocal(serverMs: number): number {
    return serverMs - (this.offset ?? 0);
  }
}
