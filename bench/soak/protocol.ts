/** Messages between the soak (parent) and one sample instance (child), over the fork IPC channel. */

/** One reading of `process.memoryUsage()`, taken right after a full GC when the child has `--expose-gc`. */
export interface MemorySample {
  /** Milliseconds since the parent started driving load (filled in by the parent). */
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Whether a GC ran first, so `heapUsed` is the live heap rather than live plus garbage. */
  afterGc: boolean;
  /** How long that forced GC blocked the instance, in ms. */
  gcMs: number;
  /** Longest and 99th-percentile event-loop delay since the previous sample, in ms. */
  loopMaxMs: number;
  loopP99Ms: number;
}

export type ParentMessage = { type: 'memory'; id: number } | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready'; url: string; pid: number }
  | { type: 'failed'; error: string }
  | { type: 'memory'; id: number; sample: Omit<MemorySample, 't'> }
  | { type: 'fault'; kind: 'unhandledRejection' | 'uncaughtException'; error: string }
  | { type: 'closed'; ms: number };
