import type { Cluster } from 'ioredis';

/**
 * Refreshes a Cluster's slot map every `intervalMs` until stopped. ioredis's own
 * `slotsRefreshInterval` does the same, but ioredis 5 and 6 re-arm its timer from the callback
 * of a refresh still in flight at `disconnect()`, so a closed store kept its process
 * alive; this timer is unref'd and never re-armed once stopped.
 */
export class ClusterSlotRefresh {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly intervalMs: number,
  ) {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  // One refresh at a time, the next one interval after the last ended, as ioredis does.
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.cluster.refreshSlotsCache(() => this.schedule()), this.intervalMs);
    this.timer.unref();
  }
}
