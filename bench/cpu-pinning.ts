import { execFileSync } from 'node:child_process';
import { cpus, platform } from 'node:os';

/**
 * Which cores the load generator and the app under test get. On a small
 * machine the two otherwise take turns on the same cores: every response then
 * also pays for waking autocannon, so a slower app loses more than its own
 * extra work and ratios drift with the scheduler (on two cores, a guard that
 * checks nothing measured 0.80 of ping unpinned and 0.95 pinned).
 */
export interface CpuPlan {
  /** Cores the benchmark process (autocannon) runs on, or null when not pinned. */
  loadGenerator: string | null;
  /** Cores each app process runs on, or null when not pinned. */
  app: string | null;
  /** Why pinning is off, when it is. */
  reason?: string;
}

/** Pins `pid` and all its threads to `cores` (a taskset list such as "1" or "2-3"). Returns whether it worked. */
export function pin(pid: number, cores: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Splits the cores in two halves, load generator first, and pins this process; `enabled: false` leaves everything to the scheduler. */
export function planCpus(enabled: boolean): CpuPlan {
  const count = cpus().length;
  if (!enabled) return { loadGenerator: null, app: null, reason: 'BENCH_PIN=0' };
  if (platform() !== 'linux') return { loadGenerator: null, app: null, reason: 'pinning needs Linux taskset' };
  if (count < 2) return { loadGenerator: null, app: null, reason: 'only one core' };
  const half = Math.floor(count / 2);
  const loadGenerator = half === 1 ? '0' : `0-${half - 1}`;
  const app = half === count - 1 ? String(half) : `${half}-${count - 1}`;
  if (!pin(process.pid, loadGenerator)) return { loadGenerator: null, app: null, reason: 'taskset is not available' };
  return { loadGenerator, app };
}
