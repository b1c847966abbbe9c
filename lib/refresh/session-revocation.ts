import type { ResolvedRefreshOptions } from '../options/resolve-refresh-options.js';
import type { RefreshSession, RevocationReason } from './refresh-session.interface.js';
import { SESSION_RETENTION_MS, isLiveSession } from './refresh-session.interface.js';
import type { RefreshTokenStore } from './refresh-token.store.js';
import type { SessionCheck } from './session-check.js';
import type { SessionEventEmitter } from './session-event.emitter.js';
import type { SessionStoreAccess } from './session-store.access.js';

/**
 * Ending sessions: one (logout, reuse, eviction) or all of a subject's. Besides the store write, this
 * instance's caches forget the session at once and the `session.revoked` events go out.
 */
export class SessionRevocation {
  constructor(
    private readonly settings: ResolvedRefreshOptions,
    private readonly store: RefreshTokenStore,
    private readonly access: SessionStoreAccess,
    private readonly sessionCheck: SessionCheck,
    private readonly events: SessionEventEmitter,
  ) {}

  /** Ends one session; `known` spares a read for the event's subject. Returns whether it was live. */
  async revoke(sid: string, reason: RevocationReason, known?: RefreshSession, subject?: string): Promise<boolean> {
    if (typeof sid !== 'string' || !sid) return false;
    if (subject !== undefined && (typeof subject !== 'string' || !subject)) return false;
    const now = this.settings.clock();
    const revoked = await this.access.fromStore(() => this.store.revoke(sid, reason, now, subject));
    // Another subject's session is left exactly as it was, cached state included.
    if (!revoked && subject !== undefined) return false;
    if (!revoked) {
      this.sessionCheck.revoked(sid);
      return false;
    }
    const sub = subject ?? known?.sub ?? (await this.access.fromStore(() => this.store.get(sid)))?.sub ?? '';
    this.forget(sid, sub, reason, now);
    return true;
  }

  /** A session this instance ended: its guard refuses it at once, and the event goes out. */
  forget(sid: string, sub: string, reason: RevocationReason, at: number): void {
    this.sessionCheck.revoked(sid);
    this.events.emit({ type: 'session.revoked', sid, sub, at, reason });
  }

  /** Raises the subject's revocation epoch to now: every session created before it ends, listed or not. */
  async revokeSubject(sub: string, reason: 'logout_all' | 'logout_others', exceptSid?: string): Promise<number> {
    if (typeof sub !== 'string' || !sub) throw new TypeError('"sub" must be a non-empty string.');
    const now = this.settings.clock();
    // Listed first only to name the sessions in events; the epoch, not this list, is what ends them.
    const before = await this.access.fromStore(() => this.store.listBySubject(sub));
    const count = await this.access.fromStore(() =>
      this.store.revokeSubject(sub, {
        at: now,
        reason,
        // A session created before `now` ends by `now + sessionMaxAge` at the latest, and is kept a day more.
        keepUntil: now + this.settings.sessionMaxAgeMs + SESSION_RETENTION_MS,
        ...(exceptSid !== undefined && { exceptSid }),
      }),
    );
    this.sessionCheck.subjectRevoked(sub, exceptSid);
    for (const session of before) {
      if (session.sid !== exceptSid && isLiveSession(session, now)) {
        this.events.emit({ type: 'session.revoked', sid: session.sid, sub, at: now, reason });
      }
    }
    return count;
  }
}
