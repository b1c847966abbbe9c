import type { Logger } from '@nestjs/common';
import { AuthStoreUnavailableException } from '../errors/auth-store-unavailable.exception.js';

/**
 * How the refresh service reaches its store: a failure becomes a 503, and every operation under way is
 * tracked so shutdown can wait for it before the store closes.
 */
export class SessionStoreAccess {
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly logger: Logger) {}

  /** Any store failure is an outage to the caller: 503 and retry, never a 500 or a logout. */
  async fromStore<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      this.logger.error(`Session store failed: ${(err as Error)?.message ?? String(err)}`);
      throw new AuthStoreUnavailableException();
    }
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const done = () => this.inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Settles everything tracked, including operations started while waiting (a request landing mid-shutdown). */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }
}
