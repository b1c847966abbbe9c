import type { Pool } from 'pg';

/** Table name used when none is given. @publicApi */
export const POSTGRES_STORE_DEFAULT_TABLE = 'njr_sessions';

// An optional schema, then the table: unquoted identifiers only, so the name can be spliced into SQL safely.
// The table's own name stops at 50 characters so that the names derived from it (`_subjects`,
// `_retain_until_idx`, the notification channel) stay within PostgreSQL's 63.
const TABLE_NAME = /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,49}$/;

/** Checks a table name and returns it quoted for SQL (`"schema"."table"`). */
export function quoteTableName(table: string): string {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new Error(
      `PostgresRefreshTokenStore: "tableName" must be a lower-case SQL identifier, optionally schema-qualified ` +
        `(letters, digits and "_", at most 63 for the schema and 50 for the table, e.g. "auth.sessions"); got ${JSON.stringify(table)}.`,
    );
  }
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

/** The table's name without its schema or quotes: what index names and the notification channel derive from. */
export function bareTableName(table: string): string {
  return table.split('.').pop()!;
}

/** The companion table of per-subject state (the revocation epoch), beside the sessions table. */
export function subjectsTableName(table: string): string {
  return `${table}_subjects`;
}

/**
 * The DDL of the store's table and indexes, for a migration tool (TypeORM, Knex, Prisma, Flyway…).
 * Times are milliseconds since the epoch as `double precision`, exactly the numbers the library
 * hands the store; `retain_until` is when the row may be deleted (the session's end plus a day).
 * The `_subjects` table holds one row per subject while it has a revocation epoch (log out
 * everywhere); every login locks its subject's row, which is what makes the per-subject cap and the
 * epoch atomic against concurrent logins.
 * Every statement is idempotent (`IF NOT EXISTS`).
 * @example await queryRunner.query(postgresSchemaSql('auth.sessions'))
 * @publicApi
 */
export function postgresSchemaSql(tableName: string = POSTGRES_STORE_DEFAULT_TABLE): string {
  const table = quoteTableName(tableName);
  const subjects = quoteTableName(subjectsTableName(tableName));
  const bare = bareTableName(tableName);
  return `CREATE TABLE IF NOT EXISTS ${table} (
  sid text PRIMARY KEY,
  sub text NOT NULL,
  claims json NOT NULL,
  generation bigint NOT NULL,
  token_hash text NOT NULL,
  previous_token_hash text,
  rotated_at double precision,
  created_at double precision NOT NULL,
  expires_at double precision NOT NULL,
  absolute_expires_at double precision NOT NULL,
  last_used_at double precision NOT NULL,
  last_ip text,
  last_user_agent text,
  revoked_at double precision,
  revoked_reason text,
  retain_until double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS "${bare}_sub_idx" ON ${table} (sub);
CREATE INDEX IF NOT EXISTS "${bare}_retain_until_idx" ON ${table} (retain_until);
CREATE TABLE IF NOT EXISTS ${subjects} (
  sub text PRIMARY KEY,
  epoch_at double precision,
  epoch_reason text,
  keep_until double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS "${bare}_subjects_keep_until_idx" ON ${subjects} (keep_until);
`;
}

/**
 * Runs the DDL under a transaction-scoped advisory lock: two `CREATE TABLE IF NOT EXISTS` racing on an
 * empty database can both pass the check and one then fails on the catalog's unique index; the lock
 * makes the second wait and then find the table.
 */
export async function ensurePostgresSchema(pool: Pool, tableName: string): Promise<void> {
  const client = await pool.connect();
  let failed: unknown;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`nestjs-jwt-refresh:schema:${tableName}`]);
    await client.query(postgresSchemaSql(tableName));
    await client.query('COMMIT');
  } catch (error) {
    failed = error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-transaction is discarded rather than returned to the pool.
    client.release(failed instanceof Error ? failed : undefined);
  }
}
