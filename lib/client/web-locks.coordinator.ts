import { TabChannel, type TabMessage } from './tab-channel.js';
import type { TabCoordinator } from './tab-coordinator.js';

/** The part of the Web Locks API used here (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * Cross-tab coordination with the Web Locks API: the browser itself grants
 * the lock to one tab at a time, with no timing assumptions, and frees it if
 * the holding tab is closed mid-refresh. Messages travel on a BroadcastChannel
 * when there is one (Web Locks alone can't carry tokens).
 */
export class WebLocksCoordinator implements TabCoordinator {
  readonly kind = 'web-locks' as const;

  constructor(
    private readonly locks: LockManagerLike,
    private readonly lockName: string,
    private readonly channel: TabChannel | null,
  ) {}

  static lockManager(): LockManagerLike | null {
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    return locks && typeof locks.request === 'function' ? locks : null;
  }

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.locks.request(this.lockName, task);
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
