import type pg from 'pg';
import { SESSION_RETENTION_MS } from '../refresh/refresh-session.interface.js';
import type { PostgresRefreshTokenStoreCommonOptions } from './postgres-refresh-token.options.js';

/** What the sweeper needs of its store: the quoted table names, its query (refused once closed) and its clock. */
export interface SweptTables {
  table: string;
  subjects: string;
  query: (text: string, values: unknown[]) => Promise<pg.QueryResult>;
  now: () => number;
  onError: (error: Error) => void;
}

/**
 * Deletes the rows past their retention, on a timer or when called. Rows past it are already invisible
 * to reads; deleting them is only housekeeping, so a failed sweep is reported and left for the next.
 */
export class PostgresRetentionSweeper {
  private readonly batchSize: number;
  private readonly intervalMs: number;
  // How far ahead of now a sweep deletes: the time until the next one (see `sweepIntervalMs`).
  private readonly leadMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly tables: SweptTables,
    options: Pick<PostgresRefreshTokenStoreCommonOptions, 'sweepBatchSize' | 'sweepIntervalMs'>,
  ) {
    this.batchSize = options.sweepBatchSize ?? 1000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new Error(`PostgresRefreshTokenStore: "sweepBatchSize" must be a positive integer; got ${options.sweepBatchSize}.`);
    }
    this.intervalMs = options.sweepIntervalMs ?? 60_000;
    if (!Number.isFinite(this.intervalMs) || this.intervalMs < 0) {
      throw new Error(`PostgresRefreshTokenStore: "sweepIntervalMs" must be 0 (off) or a positive number of milliseconds; got ${options.sweepIntervalMs}.`);
    }
    this.leadMs = Math.min(this.intervalMs, SESSION_RETENTION_MS);
  }

  /** Starts the timer, unless `sweepIntervalMs` is 0. */
  start(): void {
    if (this.intervalMs === 0) return;
    this.timer = setInterval(() => void this.sweep().catch((error: Error) => this.tables.onError(error)), this.intervalMs);
    // The sweep must never keep a process (or a test worker) alive on its own.
    this.timer.unref();
  }

  /** One sweep at a time: a call during a sweep gets that sweep's count. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepBatches().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Stops the timer and waits for a sweep under way, which ends after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => undefined);
  }

  private async sweepBatches(): Promise<number> {
    const { table, subjects, query, now } = this.tables;
    let total = 0;
    for (;;) {
      const result = await query(
        `DELETE FROM ${table} WHERE sid IN (
           SELECT sid FROM ${table} WHERE retain_until <= $1 ORDER BY retain_until LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [now() + this.leadMs, this.batchSize],
      );
      const deleted = result.rowCount ?? 0;
      total += deleted;
      if (deleted < this.batchSize || this.stopped) break;
    }
    // Epochs no session needs any more (and the rows logins leave for subjects never revoked).
    for (;;) {
      const result = await query(
        `DELETE FROM ${subjects} WHERE sub IN (
           SELECT sub FROM ${subjects} WHERE keep_until <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [now(), this.batchSize],
      );
      if ((result.rowCount ?? 0) < this.batchSize || this.stopped) return total;
    }
  }
}
