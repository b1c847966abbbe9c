import type { TabMessage } from './tab-channel.js';

/**
 * How a client cooperates with other tabs of the same origin: one tab at a
 * time runs a refresh (`exclusive`), and tabs tell each other about tokens and
 * session changes (`post` / `subscribe`).
 */
export interface TabCoordinator {
  /** Which mechanism is in use: `web-locks`, `broadcast-channel`, or `none` (a single tab, Node). */
  readonly kind: 'web-locks' | 'broadcast-channel' | 'none';
  /** Runs `task` while no other tab runs its own exclusive task. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  post(message: TabMessage): void;
  subscribe(listener: (message: TabMessage, from: string) => void): () => void;
  close(): void;
}

/** No other tab to talk to: `exclusive` just runs the task (the client's own single-flight covers this tab). */
export class SoloCoordinator implements TabCoordinator {
  readonly kind = 'none' as const;

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return task();
  }

  post(): void {}

  subscribe(): () => void {
    return () => undefined;
  }

  close(): void {}
}
