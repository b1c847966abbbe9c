import type { TabMessage } from './tab-channel.js';

/** Default lease of the cross-tab lock, in ms: longer than any healthy refresh, short enough to wait out. */
export const DEFAULT_LOCK_LEASE = 10_000;

/**
 * How a client cooperates with other tabs of the same origin: one tab at a
 * time runs a refresh (`exclusive`), and tabs tell each other about tokens and
 * session changes (`post` / `subscribe`).
 */
export interface TabCoordinator {
  /** Which mechanism is in use: `web-locks`, `broadcast-channel`, or `none` (a single tab, Node). */
  readonly kind: 'web-locks' | 'broadcast-channel' | 'none';
  /** This tab's id on the channel (what other tabs see as the sender). */
  readonly tabId: string;
  /**
   * Runs `task` while no other tab runs its own exclusive task. A lock is a
   * lease: after waiting that long the task runs anyway, so a tab that hangs
   * (or a hostile script holding the lock) cannot stop refreshes for good.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  post(message: TabMessage): void;
  subscribe(listener: (message: TabMessage, from: string) => void): () => void;
  close(): void;
}

/** No other tab to talk to: `exclusive` just runs the task (the client's own single-flight covers this tab). */
export class SoloCoordinator implements TabCoordinator {
  readonly kind = 'none' as const;
  readonly tabId = 'solo';

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return task();
  }

  post(): void {}

  subscribe(): () => void {
    return () => undefined;
  }

  close(): void {}
}
