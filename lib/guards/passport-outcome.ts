/**
 * What passport reported for one request: the callback `JwtGuard` hands passport.
 * It holds only the outcome, never the execution context, on purpose: a callback
 * whose closure reached the context kept every request alive past minor GCs
 * (docs/performance.md, "What passport's callback may hold").
 */
export class PassportOutcome {
  err: unknown = null;
  user: unknown = false;
  info: unknown = undefined;
  reported = false;
  private wake: (() => void) | undefined;

  /** passport's callback, and its `next` for strategy errors. */
  readonly report = (err?: unknown, user?: unknown, info?: unknown): void => {
    if (this.reported) return;
    this.err = err ?? null;
    this.user = user ?? false;
    this.info = info;
    this.reported = true;
    this.wake?.();
  };

  /** Resolves once passport has reported (at once when it already has). */
  settled(): Promise<void> {
    if (this.reported) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wake = resolve));
  }
}
