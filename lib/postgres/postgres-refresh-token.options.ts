import type { Pool, PoolConfig } from 'pg';

/** Options shared by both ways of building the PostgreSQL store. @publicApi */
export interface PostgresRefreshTokenStoreCommonOptions {
  /**
   * The table holding the sessions, optionally schema-qualified; lower-case letters, digits and `_`.
   * Default `'njr_sessions'`. Example: `'auth.sessions'`.
   */
  tableName?: string;
  /**
   * How often, in milliseconds, the store deletes rows past their retention (the session's end plus a day).
   * Each sweep also deletes the rows whose retention ends before the next sweep, so no row outlives its
   * session by more than a day (such a row answers as unknown during at most this last interval of its day).
   * `0` turns the sweep off (run `sweep()` yourself, e.g. from a cron job). Default `60000`.
   */
  sweepIntervalMs?: number;
  /** Most rows one sweep statement deletes, so a sweep never holds many row locks at once. Default `1000`. */
  sweepBatchSize?: number;
  /** Clock in milliseconds. Default: the module's `clock` (which defaults to `Date.now`). */
  now?: () => number;
  /** Receives errors of the background sweep (which never throws). Default: dropped. */
  onError?: (error: Error) => void;
}

/**
 * Use a `pg.Pool` you created and own (the one your ORM already has): the store never ends it.
 * Give it an `'error'` listener and a `connectionTimeoutMillis`, or requests wait forever while
 * PostgreSQL is away.
 * @publicApi
 */
export interface PostgresRefreshTokenStorePoolOptions extends PostgresRefreshTokenStoreCommonOptions {
  pool: Pool;
  connectionString?: never;
  poolConfig?: never;
}

/** Let the store open, own and end its pool. @publicApi */
export interface PostgresRefreshTokenStoreConnectionOptions extends PostgresRefreshTokenStoreCommonOptions {
  pool?: never;
  /** Connection URL. Default: `pg`'s (the `PG*` environment variables). Example: `'postgres://app@db.internal:5432/app'`. */
  connectionString?: string;
  /**
   * `pg.Pool` options, applied over the store's fail-fast defaults: `connectionTimeoutMillis: 3000`,
   * `query_timeout: 2000` (ms), `max: 10`. Example: `{ max: 20, ssl: { rejectUnauthorized: true } }`.
   */
  poolConfig?: PoolConfig;
}

/** @publicApi */
export type PostgresRefreshTokenStoreOptions = PostgresRefreshTokenStorePoolOptions | PostgresRefreshTokenStoreConnectionOptions;
