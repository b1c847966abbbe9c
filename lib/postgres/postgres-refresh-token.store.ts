import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ClientConfig, Pool, PoolClient } from 'pg';
import type { RefreshSession, RevocationReason, RotationUpdate } from '../refresh/refresh-session.interface.js';
import { SESSION_RETENTION_MS } from '../refresh/refresh-session.interface.js';
import type { CreateSessionOptions, CreateSessionResult, RefreshTokenStore, SubjectRevocation } from '../refresh/refresh-token.store.js';
import type { RevocationListener, RevocationNotice } from '../refresh/revocation-notice.interface.js';
import { storePool } from './postgres-connection.js';
import type {
  PostgresRefreshTokenStoreCommonOptions,
  PostgresRefreshTokenStoreConnectionOptions,
  PostgresRefreshTokenStoreOptions,
} from './postgres-refresh-token.options.js';
import { PostgresRetentionSweeper } from './postgres-retention.sweeper.js';
import { noticePayload, notifyRevocation, PostgresRevocationListener, revocationChannel } from './postgres-revocation.listener.js';
import { ensurePostgresSchema, POSTGRES_STORE_DEFAULT_TABLE, quoteTableName, subjectsTableName } from './postgres-schema.js';
import { COLUMN_LIST, PLACEHOLDERS, READ_COLUMNS, REVOKED_AT, REVOKED_REASON, sessionFromRow, sessionValues, UPSERT_COLUMNS } from './postgres-session.codec.js';
import type { SessionRow } from './postgres-session.codec.js';
import { lockSubject, raiseSubjectEpoch } from './postgres-subject-epoch.js';
import { inTransaction } from './postgres-transaction.js';

/**
 * Sessions in PostgreSQL, shared by every instance and kept across restarts.
 *
 * One row per session. A rotation is one conditional `UPDATE` (the compare-and-swap: it matches only
 * while the row still has the expected generation and token digest and is not revoked), so two
 * instances can never both rotate one token. A login and a log-out-everywhere of one subject each
 * lock that subject's row of the `_subjects` table, so the per-subject cap and the revocation epoch
 * hold against concurrent logins on any instance. Revocations are announced with `NOTIFY` to every
 * instance's session check (`onRevocation`). Rows past their retention are invisible at once and
 * deleted by a background sweep in batches of `sweepBatchSize`.
 *
 * Create the table with `ensureSchema()` at start-up (safe when several instances start at once) or
 * with the DDL of `postgresSchemaSql()` in your migrations.
 *
 * Any database error rejects the operation; the refresh service answers 503 `AUTH_STORE_UNAVAILABLE`.
 *
 * @example new PostgresRefreshTokenStore({ connectionString: process.env.DATABASE_URL })
 * @publicApi
 */
export class PostgresRefreshTokenStore implements RefreshTokenStore {
  /** The pool the store uses (yours, or the one it opened). */
  readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly tableName: string;
  private readonly table: string;
  private readonly subjects: string;
  private readonly channel: string;
  private readonly clientConfig: ClientConfig;
  private listener: PostgresRevocationListener | undefined;
  // Tags this instance's NOTIFY payloads, so its own listener (which heard them locally already) skips them.
  private readonly origin = randomUUID();
  private now: () => number;
  private readonly ownClock: boolean;
  private readonly sweeper: PostgresRetentionSweeper;
  private readonly onError: (error: Error) => void;
  private closed = false;

  constructor(options: PostgresRefreshTokenStoreOptions = {}) {
    const o = options as PostgresRefreshTokenStoreCommonOptions & Omit<PostgresRefreshTokenStoreConnectionOptions, 'pool'> & { pool?: Pool };
    if (o.pool && (o.connectionString !== undefined || o.poolConfig !== undefined)) {
      throw new Error('PostgresRefreshTokenStore: pass either "pool" or "connectionString"/"poolConfig", not both.');
    }
    this.tableName = o.tableName ?? POSTGRES_STORE_DEFAULT_TABLE;
    this.table = quoteTableName(this.tableName);
    this.subjects = quoteTableName(subjectsTableName(this.tableName));
    this.channel = revocationChannel(this.tableName);
    this.now = o.now ?? Date.now;
    this.ownClock = o.now !== undefined;
    this.onError = o.onError ?? (() => undefined);
    // Its statements go through the store's query, which refuses them once the store is closed.
    this.sweeper = new PostgresRetentionSweeper(
      {
        table: this.table,
        subjects: this.subjects,
        query: (text, values) => this.query(text, values),
        now: () => this.now(),
        onError: this.onError,
      },
      o,
    );
    const { pool, owned, clientConfig } = storePool(o, (error) => this.onError(error));
    this.pool = pool;
    this.ownsPool = owned;
    this.clientConfig = clientConfig;
    this.sweeper.start();
  }

  /** Takes the module's clock unless the store was given one of its own (`now`). */
  useClock(clock: () => number): void {
    if (!this.ownClock) this.now = clock;
  }

  /** Creates the table and its indexes when missing. Idempotent, and safe to run from several instances at once. */
  async ensureSchema(): Promise<void> {
    this.assertOpen();
    await ensurePostgresSchema(this.pool, this.tableName);
  }

  async create(session: RefreshSession, options: CreateSessionOptions = {}): Promise<CreateSessionResult> {
    const max = options.maxSessionsPerSubject;
    const created = await this.transaction(async (client) => {
      // Concurrent logins and log-outs-everywhere of this subject wait here: the cap and the epoch hold.
      const epoch = await lockSubject(client, this.subjects, session.sub);
      const values = sessionValues(session);
      if (session.revokedAt === null && epoch.epoch_at !== null && session.createdAt < epoch.epoch_at) {
        // Began before a log-out-everywhere that has already answered: ended on arrival.
        values[REVOKED_AT] = epoch.epoch_at;
        values[REVOKED_REASON] = epoch.epoch_reason;
      }
      const n = values.length;
      const evict =
        max === undefined
          ? `SELECT NULL::text AS sid, 0::double precision AS last_used_at, 0::double precision AS created_at WHERE false`
          : `UPDATE ${this.table} SET revoked_at = $${n + 1}, revoked_reason = 'session_limit'
             WHERE sid IN (
               SELECT sid FROM ${this.table} WHERE sub = $2 AND sid <> $1 AND revoked_at IS NULL AND retain_until > $${n + 1}
               ORDER BY last_used_at, created_at, sid
               LIMIT GREATEST((SELECT count(*) FROM ${this.table} WHERE sub = $2 AND sid <> $1 AND revoked_at IS NULL AND retain_until > $${n + 1}) - $${n + 2} + 1, 0))
             RETURNING sid, last_used_at, created_at`;
      const params = max === undefined ? values : [...values, this.now(), max];
      const evicted = await client.query<{ sid: string }>(
        `WITH evicted AS (${evict}),
              saved AS (INSERT INTO ${this.table} (${COLUMN_LIST}) VALUES (${PLACEHOLDERS}) ON CONFLICT (sid) DO UPDATE SET ${UPSERT_COLUMNS})
         SELECT sid FROM evicted ORDER BY last_used_at, created_at, sid`,
        params,
      );
      const sids = evicted.rows.map((r) => r.sid);
      for (const sid of sids) await notifyRevocation(client, this.channel, { kind: 'session', sid }, this.origin);
      return { evicted: sids };
    });
    for (const sid of created.evicted) this.listener?.local({ kind: 'session', sid });
    return created;
  }

  async get(sid: string): Promise<RefreshSession | null> {
    const { rows } = await this.query<SessionRow>(`SELECT ${READ_COLUMNS} FROM ${this.table} WHERE sid = $1 AND retain_until > $2`, [sid, this.now()]);
    return rows.length === 0 ? null : sessionFromRow(rows[0], this.tableName);
  }

  async rotate(sid: string, expected: { generation: number; tokenHash: string }, update: RotationUpdate): Promise<boolean> {
    // The compare-and-swap: PostgreSQL re-checks the WHERE clause on the latest row version after
    // waiting for a concurrent writer, so of several racing rotations exactly one matches.
    const result = await this.query(
      `UPDATE ${this.table} SET generation = $3, token_hash = $4, previous_token_hash = $5, rotated_at = $6,
         expires_at = $7, last_used_at = $8, last_ip = $9, last_user_agent = $10,
         retain_until = LEAST($7::double precision, absolute_expires_at) + $11
       WHERE sid = $1 AND generation = $2 AND token_hash = $12 AND revoked_at IS NULL AND retain_until > $13`,
      [
        sid,
        expected.generation,
        update.generation,
        update.tokenHash,
        update.previousTokenHash,
        update.rotatedAt,
        update.expiresAt,
        update.lastUsedAt,
        update.lastIp ?? null,
        update.lastUserAgent ?? null,
        SESSION_RETENTION_MS,
        expected.tokenHash,
        this.now(),
      ],
    );
    return result.rowCount === 1;
  }

  async revoke(sid: string, reason: RevocationReason, at: number, sub?: string): Promise<boolean> {
    // Another subject's session answers exactly as an unknown one. The notice goes out with the
    // revocation, in the same statement (NOTIFY is delivered when it commits).
    const { rows } = await this.query(
      `WITH revoked AS (
         UPDATE ${this.table} SET revoked_at = $2, revoked_reason = $3
         WHERE sid = $1 AND revoked_at IS NULL AND retain_until > $4 AND ($5::text IS NULL OR sub = $5) RETURNING sid)
       SELECT pg_notify($6, $7) FROM revoked`,
      [sid, at, reason, this.now(), sub ?? null, this.channel, noticePayload({ kind: 'session', sid }, this.origin)],
    );
    if (rows.length !== 1) return false;
    this.listener?.local({ kind: 'session', sid });
    return true;
  }

  async revokeSubject(sub: string, revocation: SubjectRevocation): Promise<number> {
    const { at, reason, exceptSid } = revocation;
    const notice: RevocationNotice = { kind: 'subject', sub, at, ...(exceptSid !== undefined && { exceptSid }) };
    const ended = await this.transaction(async (client) => {
      // A login of this subject now waits, then reads the new epoch; one that committed before is seen by the UPDATE below.
      await raiseSubjectEpoch(client, this.subjects, sub, revocation);
      const { rows } = await client.query<{ ended: number }>(
        `WITH ended AS (
           UPDATE ${this.table} SET revoked_at = $2, revoked_reason = $3
           WHERE sub = $1 AND revoked_at IS NULL AND retain_until > $4 AND sid IS DISTINCT FROM $5 RETURNING sid)
         SELECT (SELECT count(*) FROM ended)::int AS ended`,
        [sub, at, reason, this.now(), exceptSid ?? null],
      );
      await notifyRevocation(client, this.channel, notice, this.origin);
      return rows[0].ended;
    });
    this.listener?.local(notice);
    return ended;
  }

  async updateClaims(sid: string, claims: Record<string, unknown>): Promise<boolean> {
    const result = await this.query(
      `UPDATE ${this.table} SET claims = $2 WHERE sid = $1 AND revoked_at IS NULL AND retain_until > $3`,
      [sid, JSON.stringify(claims ?? {}), this.now()],
    );
    return result.rowCount === 1;
  }

  async listBySubject(sub: string): Promise<RefreshSession[]> {
    const { rows } = await this.query<SessionRow>(`SELECT ${READ_COLUMNS} FROM ${this.table} WHERE sub = $1 AND retain_until > $2`, [sub, this.now()]);
    return rows.map((row) => sessionFromRow(row, this.tableName));
  }

  /**
   * Tells `listener` of every revocation made through a store on this table, by any instance, through
   * PostgreSQL's `LISTEN`/`NOTIFY` on one connection of its own (opened on the first call). When that
   * connection drops, listeners hear `{ kind: 'reset' }` (flush what you cached), and again once it is
   * back. Returns a function that stops listening.
   */
  onRevocation(listener: RevocationListener): () => void {
    this.assertOpen();
    this.listener ??= new PostgresRevocationListener(this.clientConfig, this.channel, this.origin, (error) => this.onError(error));
    return this.listener.subscribe(listener);
  }

  /**
   * Deletes the rows past their retention, or reaching it before the next sweep, `sweepBatchSize` at a
   * time, and returns how many it deleted.
   * Runs on the store's timer; call it yourself when `sweepIntervalMs` is `0`. Several instances may
   * sweep at once: each skips the rows another is deleting.
   */
  sweep(): Promise<number> {
    return this.sweeper.sweep();
  }

  /** Stops the sweep and ends the pool if the store opened it; a pool you passed is left open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sweeper.stop();
    await this.listener?.close();
    if (this.ownsPool) await this.pool.end();
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    return inTransaction(this.pool, work);
  }

  private query<R extends object = Record<string, unknown>>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    return this.pool.query<R>(text, values);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('PostgresRefreshTokenStore: the store is closed.');
  }
}
