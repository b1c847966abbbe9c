import { Inject, Injectable, Logger } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { AuthStoreUnavailableException } from '../errors/auth-store-unavailable.exception.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import type { RefreshSession } from './refresh-session.interface.js';
import { RefreshTokenStore } from './refresh-token.store.js';
import { customClaimsProblem } from './session-claims.js';

/** Which sessions `updateSessionClaims` changes: one session, or every live session of a subject. @publicApi */
export type SessionClaimsTarget = { sid: string } | { sub: string };

/** New claims, or a function of a session's current ones (called once per session). @publicApi */
export type SessionClaimsUpdate = Record<string, unknown> | ((current: Readonly<Record<string, unknown>>) => Record<string, unknown>);

/**
 * Changes the custom claims of live sessions. The change is in the store, so
 * the next rotation of each session signs the new claims on whichever instance
 * serves it; access tokens already issued keep the old ones until they expire
 * (`accessTokenTtl`).
 * @publicApi
 */
@Injectable()
export class SessionClaimsService {
  private readonly logger = new Logger('SessionClaimsService');

  constructor(
    @Inject(RefreshTokenStore) private readonly store: RefreshTokenStore,
    @Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  /**
   * Replaces the claims of one session (`{ sid }`) or of every live session of a subject (`{ sub }`)
   * and returns how many sessions changed. A function receives each session's current claims: a merge is
   * `(c) => ({ ...c, name })`. Two updates of one session at once: the last write wins.
   * Throws a `TypeError` for claims that are not a plain JSON object or that name a reserved claim
   * (`sub`, `exp`, `auth_time`…), and `AuthStoreUnavailableException` when the store fails.
   * @example await sessionClaims.updateSessionClaims({ sub: user.id }, (c) => ({ ...c, roles: ['admin'] }))
   */
  async updateSessionClaims(target: SessionClaimsTarget, update: SessionClaimsUpdate): Promise<number> {
    const store = this.store;
    if (typeof store.updateClaims !== 'function') {
      throw new TypeError('updateSessionClaims(): the configured store does not implement the optional "updateClaims" method.');
    }
    if (typeof update !== 'function') checkClaims(update);
    const sessions = await this.sessionsOf(target);
    const now = this.options.refresh.clock();
    let changed = 0;
    for (const session of sessions) {
      if (session.revokedAt !== null || now >= Math.min(session.expiresAt, session.absoluteExpiresAt)) continue;
      const claims = typeof update === 'function' ? update(Object.freeze(structuredClone(session.claims))) : update;
      checkClaims(claims);
      // Copied through JSON: what the store keeps is exactly what a token will carry.
      if (await this.fromStore(() => store.updateClaims!(session.sid, JSON.parse(JSON.stringify(claims))))) changed++;
    }
    return changed;
  }

  private async sessionsOf(target: SessionClaimsTarget): Promise<RefreshSession[]> {
    if (target && typeof (target as { sid?: unknown }).sid === 'string' && (target as { sid: string }).sid) {
      const session = await this.fromStore(() => this.store.get((target as { sid: string }).sid));
      return session ? [session] : [];
    }
    if (target && typeof (target as { sub?: unknown }).sub === 'string' && (target as { sub: string }).sub) {
      return this.fromStore(() => this.store.listBySubject((target as { sub: string }).sub));
    }
    throw new TypeError('updateSessionClaims(): the target must be { sid } or { sub } with a non-empty string.');
  }

  private async fromStore<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      this.logger.error(`Session store failed: ${(err as Error)?.message ?? String(err)}`);
      throw new AuthStoreUnavailableException();
    }
  }
}

function checkClaims(claims: unknown): void {
  const problem = customClaimsProblem(claims);
  if (problem) throw new TypeError(`updateSessionClaims(): ${problem}.`);
}
