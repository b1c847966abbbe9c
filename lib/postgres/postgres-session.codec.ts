import type { RefreshSession, RevocationReason } from '../refresh/refresh-session.interface.js';
import { sessionRetainUntil } from '../refresh/refresh-session.interface.js';

/** The columns, in the order `sessionValues` gives them (without `retain_until`, which comes last). */
export const SESSION_COLUMNS = [
  'sid',
  'sub',
  'claims',
  'generation',
  'token_hash',
  'previous_token_hash',
  'rotated_at',
  'created_at',
  'expires_at',
  'absolute_expires_at',
  'last_used_at',
  'last_ip',
  'last_user_agent',
  'revoked_at',
  'revoked_reason',
  'retain_until',
] as const;

// What the store's statements splice in, in `SESSION_COLUMNS` order.
export const COLUMN_LIST = SESSION_COLUMNS.join(', ');
export const READ_COLUMNS = SESSION_COLUMNS.filter((c) => c !== 'retain_until').join(', ');
export const UPSERT_COLUMNS = SESSION_COLUMNS.filter((c) => c !== 'sid')
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');
export const PLACEHOLDERS = SESSION_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
// Where `sessionValues` puts the revocation, for a login an epoch ends on arrival.
export const REVOKED_AT = SESSION_COLUMNS.indexOf('revoked_at');
export const REVOKED_REASON = SESSION_COLUMNS.indexOf('revoked_reason');

/** A row as `pg` returns it: `bigint` arrives as a string, `json` already parsed. */
export interface SessionRow {
  sid: string;
  sub: string;
  claims: unknown;
  generation: string | number;
  token_hash: string;
  previous_token_hash: string | null;
  rotated_at: number | null;
  created_at: number;
  expires_at: number;
  absolute_expires_at: number;
  last_used_at: number;
  last_ip: string | null;
  last_user_agent: string | null;
  revoked_at: number | null;
  revoked_reason: string | null;
}

/** The values of an INSERT, in `SESSION_COLUMNS` order. Absent optional fields become NULL. */
export function sessionValues(s: RefreshSession): unknown[] {
  return [
    s.sid,
    s.sub,
    // As text into a `json` column: kept byte for byte, where `jsonb` would reorder keys and drop duplicates.
    JSON.stringify(s.claims ?? {}),
    s.generation,
    s.tokenHash,
    s.previousTokenHash,
    s.rotatedAt,
    s.createdAt,
    s.expiresAt,
    s.absoluteExpiresAt,
    s.lastUsedAt,
    s.lastIp ?? null,
    s.lastUserAgent ?? null,
    s.revokedAt,
    s.revokedReason ?? null,
    sessionRetainUntil(s),
  ];
}

/** A row back to a session; NULL optional columns become absent fields, as every store returns them. */
export function sessionFromRow(row: SessionRow, table: string): RefreshSession {
  const claims = row.claims;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    // Written by something else: refusing beats guessing a session.
    throw new Error(`PostgresRefreshTokenStore: row "${row.sid}" of ${table} has claims that are not a JSON object.`);
  }
  const session: RefreshSession = {
    sid: row.sid,
    sub: row.sub,
    claims: claims as Record<string, unknown>,
    generation: Number(row.generation),
    tokenHash: row.token_hash,
    previousTokenHash: row.previous_token_hash,
    rotatedAt: row.rotated_at,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
  if (row.last_ip !== null) session.lastIp = row.last_ip;
  if (row.last_user_agent !== null) session.lastUserAgent = row.last_user_agent;
  if (row.revoked_reason !== null) session.revokedReason = row.revoked_reason as RevocationReason;
  return session;
}
