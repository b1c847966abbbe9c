import type { Logger } from '@nestjs/common';
import { AuthStoreUnavailableException } from '../errors/auth-store-unavailable.exception.js';
import {
  RefreshTokenExpiredException,
  RefreshTokenInvalidException,
  RefreshTokenMissingException,
  RefreshTokenReusedException,
  RefreshTokenRevokedException,
} from '../errors/refresh-token.exceptions.js';
import type { ResolvedRefreshOptions } from '../options/resolve-refresh-options.js';
import type { AccessTokenInput, AccessTokenService } from '../tokens/access-token.service.js';
import { clientOf, storeFields } from './client-context.fields.js';
import type { RefreshSession } from './refresh-session.interface.js';
import type { DecodedRefreshToken, RefreshTokenCodec } from './refresh-token.codec.js';
import type { RefreshTokenStore } from './refresh-token.store.js';
import { claimsForRotation } from './session-claims.js';
import type { SessionEventEmitter } from './session-event.emitter.js';
import type { ClientContext } from './client-context.interface.js';
import type { SessionRevocation } from './session-revocation.js';
import type { SessionStoreAccess } from './session-store.access.js';
import type { TokenPair } from './token-pair.interface.js';
import { tokenPair } from './token-pair.interface.js';

// A lost compare-and-swap means another request rotated first; the re-read then takes the grace path. Two retries cover any honest race.
const MAX_ROTATION_ATTEMPTS = 3;

/**
 * One refresh: the presented token is current (swap in its successor), the one just retired within
 * `reuseGrace` (answer the same successor again), or older (reuse: the session ends).
 */
export class SessionRotation {
  constructor(
    private readonly settings: ResolvedRefreshOptions,
    private readonly codec: RefreshTokenCodec,
    private readonly tokens: AccessTokenService,
    private readonly store: RefreshTokenStore,
    private readonly access: SessionStoreAccess,
    private readonly revocation: SessionRevocation,
    private readonly events: SessionEventEmitter,
    private readonly logger: Logger,
  ) {}

  async rotate(refreshToken: unknown, context: ClientContext): Promise<TokenPair> {
    if (refreshToken === undefined || refreshToken === null || refreshToken === '') throw new RefreshTokenMissingException();
    const decoded = this.codec.decode(refreshToken);
    if (!decoded) throw new RefreshTokenInvalidException('malformed or not issued here');
    const token = refreshToken as string;
    for (let attempt = 1; ; attempt++) {
      const now = this.settings.clock();
      const session = await this.access.fromStore(() => this.store.get(decoded.sid));
      if (!session) throw new RefreshTokenInvalidException('unknown session');
      if (session.revokedAt !== null) throw new RefreshTokenRevokedException();
      const end = Math.min(session.expiresAt, session.absoluteExpiresAt);
      if (now >= end) throw new RefreshTokenExpiredException(new Date(end), new Date(now));

      if (decoded.generation === session.generation) {
        if (!this.codec.matches(session.tokenHash, token, decoded.digest)) throw new RefreshTokenInvalidException('hash mismatch');
        const result = await this.advance(session, token, decoded, context, now);
        if (result) return result;
        if (attempt >= MAX_ROTATION_ATTEMPTS) throw new AuthStoreUnavailableException();
        continue;
      }
      if (decoded.generation === session.generation - 1 && this.withinGrace(session, token, decoded, now)) {
        // The rotation being replayed may be one no request has seen acknowledged: made durable first.
        const expected = { generation: session.generation, tokenHash: session.tokenHash };
        if (this.store.confirm && !(await this.access.fromStore(() => this.store.confirm!(session.sid, expected)))) {
          if (attempt >= MAX_ROTATION_ATTEMPTS) throw new AuthStoreUnavailableException();
          continue;
        }
        return this.replayGrace(session, token, decoded, now);
      }
      if (decoded.generation < session.generation) return this.reuseDetected(session, decoded, context, now);
      // An authentic token from the future means the store lost writes (a Redis without persistence restarted): refuse, don't guess.
      throw new RefreshTokenInvalidException('generation ahead of the store');
    }
  }

  /** The compare-and-swap step; `null` when another request rotated first. */
  private async advance(
    session: RefreshSession,
    token: string,
    decoded: DecodedRefreshToken,
    context: ClientContext,
    now: number,
  ): Promise<TokenPair | null> {
    // Claims are resolved and signed before the swap: a resolver that fails leaves the session as it was.
    const access = this.tokens.sign(accessInput(session, await this.claimsOf(session)), now);
    const successor = this.codec.successor(token, decoded);
    const expiresAt = Math.min(now + this.settings.refreshTokenTtlMs, session.absoluteExpiresAt);
    const generation = session.generation + 1;
    const swapped = await this.access.fromStore(() =>
      this.store.rotate(
        session.sid,
        { generation: session.generation, tokenHash: session.tokenHash },
        {
          generation,
          tokenHash: successor.digest,
          previousTokenHash: decoded.digest,
          rotatedAt: now,
          expiresAt,
          lastUsedAt: now,
          ...storeFields(context),
        },
        session,
      ),
    );
    if (!swapped) return null;
    this.events.emit({ type: 'session.rotated', sid: session.sid, sub: session.sub, at: now, generation, ...clientOf(context) });
    return tokenPair(access.token, access.expiresIn, successor.token, expiresAt, now);
  }

  private withinGrace(session: RefreshSession, token: string, decoded: DecodedRefreshToken, now: number): boolean {
    return (
      session.rotatedAt !== null &&
      now - session.rotatedAt <= this.settings.reuseGraceMs &&
      this.codec.matches(session.previousTokenHash, token, decoded.digest)
    );
  }

  /** Same successor as the rotation that just happened, fresh access token: a retry never forks the session. */
  private async replayGrace(session: RefreshSession, token: string, decoded: DecodedRefreshToken, now: number): Promise<TokenPair> {
    const successor = this.codec.successor(token, decoded);
    if (!this.codec.matches(session.tokenHash, successor.token, successor.digest)) {
      throw new RefreshTokenInvalidException('successor mismatch');
    }
    const access = this.tokens.sign(accessInput(session, await this.claimsOf(session)), now);
    return tokenPair(access.token, access.expiresIn, successor.token, session.expiresAt, now);
  }

  private async reuseDetected(session: RefreshSession, decoded: DecodedRefreshToken, context: ClientContext, now: number): Promise<never> {
    await this.revocation.revoke(session.sid, 'reuse_detected', session);
    this.logger.warn(`Refresh token reuse detected: session ${session.sid} of subject ${session.sub} revoked.`);
    this.events.emit({
      type: 'session.reuse_detected',
      sid: session.sid,
      sub: session.sub,
      at: now,
      presentedGeneration: decoded.generation,
      currentGeneration: session.generation,
      holder: { ...clientOf({ ip: session.lastIp, userAgent: session.lastUserAgent }), lastUsedAt: session.lastUsedAt },
      reuser: clientOf(context),
    });
    throw new RefreshTokenReusedException();
  }

  /** The custom claims of the session's next access token (see `claimsForRotation`). */
  private claimsOf(session: RefreshSession): Promise<Record<string, unknown>> | Record<string, unknown> {
    return this.settings.claimsResolver ? claimsForRotation(this.settings.claimsResolver, session, this.logger) : session.claims;
  }
}

/** What every access token of a session is signed from: its claims, subject, id and login time (`auth_time`, unchanged by rotations). */
function accessInput(session: RefreshSession, claims: Record<string, unknown>): AccessTokenInput {
  return { ...claims, sub: session.sub, sid: session.sid, auth_time: Math.floor(session.createdAt / 1000) };
}
