/**
 * What a store announces to every instance when sessions end, for their session checks.
 * - `session`: one session ended (logout, reuse detected, the per-subject cap).
 * - `subject`: sessions of `sub` created before `at` ended (log out everywhere), except `exceptSid`.
 * - `reset`: notices may have been missed (the subscription dropped and came back): trust nothing cached.
 * @publicApi
 */
export type RevocationNotice =
  | { kind: 'session'; sid: string }
  | { kind: 'subject'; sub: string; at: number; exceptSid?: string }
  | { kind: 'reset' };

/** @publicApi */
export type RevocationListener = (notice: RevocationNotice) => void;
