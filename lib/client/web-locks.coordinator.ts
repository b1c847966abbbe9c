import { TabChannel, type TabMessage } from './tab-channel.js';
import type { TabCoordinator } from './tab-coordinator.js';

/** The part of the Web Locks API used here (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<T>): Promise<T>;
}

/**
 * Cross-tab coordination with the Web Locks API: the browser itself grants
 * the lock to one tab at a time, with no timing assumptions, and frees it if
 * the holding tab is closed mid-refresh. A tab that waited a whole lease
 * steals the lock: any script of the origin can take it and never let go, and
 * a stuck holder must not stop every other tab from refreshing. Messages
 * travel on a BroadcastChannel when there is one (Web Locks can't carry data).
 */
export class WebLocksCoordinator implements TabCoordinator {
  readonly kind = 'web-locks' as const;

  constructor(
    private readonly locks: LockManagerLike,
    private readonly lockName: string,
    private readonly channel: TabChannel | null,
    readonly tabId: string,
    private readonly lease: number,
  ) {}

  static lockManager(): LockManagerLike | null {
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    return locks && typeof locks.request === 'function' ? locks : null;
  }

  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    let running: Promise<T> | undefined;
    const run = () => (running = task());
    try {
      return await this.locks.request(this.lockName, { signal: AbortSignal.timeout(this.lease) }, run);
    } catch (error) {
      // Another tab stole our lock mid-task: the task itself still finishes, and its callers get its result.
      if (running) return running;
      if ((error as { name?: string })?.name !== 'TimeoutError' && (error as { name?: string })?.name !== 'AbortError') throw error;
      return this.locks.request(this.lockName, { steal: true }, run);
    }
  }

  post(message: TabMessage): void {
    this.channel?.post(message);
  }

  subscribe(listener: (message: TabMessage, from: string) => void): () => void {
    if (!this.channel) return () => undefined;
    return this.channel.subscribe((body, from) => {
      if (!body.type.startsWith('lock-')) listener(body as TabMessage, from);
    });
  }

  close(): void {
    this.channel?.close();
  }
}
