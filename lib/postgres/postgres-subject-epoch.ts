import type { PoolClient } from 'pg';
import type { SubjectRevocation } from '../refresh/refresh-token.store.js';

/** A subject's revocation epoch (log out everywhere): its sessions created before `epoch_at` are ended. */
export interface SubjectEpoch {
  epoch_at: number | null;
  epoch_reason: string | null;
}

/**
 * Locks the subject's row of the `_subjects` table (made if missing) until the transaction ends and
 * returns its epoch: concurrent logins and log-outs-everywhere of this subject wait here, and the
 * statements after it see what they committed.
 */
export async function lockSubject(client: PoolClient, subjects: string, sub: string): Promise<SubjectEpoch> {
  const { rows } = await client.query<SubjectEpoch>(
    `INSERT INTO ${subjects} (sub, keep_until) VALUES ($1, '-Infinity')
     ON CONFLICT (sub) DO UPDATE SET sub = EXCLUDED.sub RETURNING epoch_at, epoch_reason`,
    [sub],
  );
  return rows[0];
}

/**
 * Raises the subject's epoch to `at` (never lowers it), keeps it until `keepUntil`, and locks the row:
 * a login of this subject waits, then reads the new epoch; one that committed before is seen by the
 * caller's next statement.
 */
export async function raiseSubjectEpoch(
  client: PoolClient,
  subjects: string,
  sub: string,
  epoch: Pick<SubjectRevocation, 'at' | 'reason' | 'keepUntil'>,
): Promise<void> {
  await client.query(
    `INSERT INTO ${subjects} AS s (sub, epoch_at, epoch_reason, keep_until) VALUES ($1, $2, $3, $4)
     ON CONFLICT (sub) DO UPDATE SET
       epoch_reason = CASE WHEN s.epoch_at IS NULL OR EXCLUDED.epoch_at >= s.epoch_at THEN EXCLUDED.epoch_reason ELSE s.epoch_reason END,
       epoch_at = GREATEST(s.epoch_at, EXCLUDED.epoch_at),
       keep_until = GREATEST(s.keep_until, EXCLUDED.keep_until)`,
    [sub, epoch.at, epoch.reason, epoch.keepUntil],
  );
}
