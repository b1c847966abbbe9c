import type { LockMessage, TabChannel, TabMessage } from './tab-channel.js';
import type { TabCoordinator } from './tab-coordinator.js';

/** Timing of the BroadcastChannel mutex, in milliseconds. */
export interface BroadcastLockTiming {
  /** How long a claimant listens for competing claims before taking the lock. Default 50. */
  claimWindow?: number;
  /** How long a tab waits for a holder's release before assuming the holder died. Default 10 000. */
  holdTimeout?: number;
  /** Longest a tab waits for the lock in all, whatever it hears (a lease). Default 10 000. */
  lease?: number;
}

/**
 * Cross-tab mutual exclusion over a BroadcastChannel alone, for browsers
 * without Web Locks (and for Node, where it coordinates clients across worker
 * threads). A tab announces a claim, listens for a short window, and takes
 * the lock only if no earlier claim (ties broken by tab id) and no holder
 * spoke up. Weaker than Web Locks, which is why it is only the fallback: a
 * message delayed beyond the window lets two tabs refresh at once, which the
 * server's reuse grace window absorbs.
 */
export class BroadcastCoordinator implements TabCoordinator {
  readonly kind = 'broadcast-channel' as const;
  private readonly claimWindow: number;
  private readonly holdTimeout: number;
  private readonly lease: number;
  private holding = false;
  private claim: { at: number; lost: boolean } | null = null;
  private peerHolder: { id: string; since: number } | null = null;
  private releaseWaiters = new Set<() => void>();
  // Exclusive tasks of this tab run one after the other before competing with other tabs.
  private tail: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly channel: TabChannel,
    timing: BroadcastLockTiming = {},
  ) {
    this.claimWindow = timing.claimWindow ?? 50;
    this.holdTimeout = timing.holdTimeout ?? 10_000;
    this.lease = timing.lease ?? 10_000;
    this.unsubscribe = channel.subscribe((body, from) => {
      if (body.type.startsWith('lock-')) this.onLockMessage(body as LockMessage, from);
    });
  }

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      await this.acquire();
      try {
        return await task();
      } finally {
        this.holding = false;
        this.channel.post({ type: 'lock-release' });
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  get tabId(): string {
    return this.channel.tabId;
  }

  post(message: TabMessage): void {
    this.channel.post(message);
  }

  subscribe(listener: (message: TabMessage, from: string) => void): () => void {
    return this.channel.subscribe((body, from) => {
      if (!body.type.startsWith('lock-')) listener(body as TabMessage, from);
    });
  }

  close(): void {
    this.unsubscribe();
    for (const wake of this.releaseWaiters) wake();
    this.releaseWaiters.clear();
    this.channel.close();
  }

  private async acquire(): Promise<void> {
    // Every claim and holder message is unauthenticated (any script of the origin can post them),
    // so the whole wait is bounded: past the lease this tab takes the lock whatever it hears.
    const deadline = Date.now() + this.lease;
    for (;;) {
      if (Date.now() >= deadline) {
        this.peerHolder = null;
        this.holding = true;
        this.channel.post({ type: 'lock-held' });
        return;
      }
      if (this.peerHolder && Date.now() - this.peerHolder.since < this.holdTimeout) {
        await this.waitForRelease(deadline);
        continue;
      }
      this.peerHolder = null;
      const claim = { at: Date.now(), lost: false };
      this.claim = claim;
      this.channel.post({ type: 'lock-claim', at: claim.at });
      await sleep(this.claimWindow);
      this.claim = null;
      if (!claim.lost) {
        this.holding = true;
        this.channel.post({ type: 'lock-held' });
        return;
      }
      await this.waitForRelease(deadline);
    }
  }

  private onLockMessage(message: LockMessage, from: string): void {
    switch (message.type) {
      case 'lock-claim':
        if (this.holding) this.channel.post({ type: 'lock-held' });
        else if (this.claim && (message.at < this.claim.at || (message.at === this.claim.at && from < this.channel.tabId))) {
          this.claim.lost = true;
        }
        break;
      case 'lock-held':
        this.peerHolder = { id: from, since: Date.now() };
        if (this.claim) this.claim.lost = true;
        break;
      case 'lock-release':
        if (!this.peerHolder || this.peerHolder.id === from) this.peerHolder = null;
        for (const wake of [...this.releaseWaiters]) wake();
        break;
    }
  }

  private waitForRelease(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.releaseWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        // The holder went silent (tab closed mid-refresh): stop waiting for it.
        this.peerHolder = null;
        done();
      }, Math.max(0, Math.min(this.holdTimeout, deadline - Date.now())));
      this.releaseWaiters.add(done);
    });
  }
}

// Not unref'd: a caller is awaiting this wait, and Node must not exit under it.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
