import type { Logger } from '@nestjs/common';
import { AuthStoreUnavailableException } from '../errors/auth-store-unavailable.exception.js';
import { RESERVED_CLAIMS } from '../tokens/access-token-claims.interface.js';
import type { RefreshSession } from './refresh-session.interface.js';

/** What a claims resolver is told about the session being rotated. @publicApi */
export interface ClaimsResolverContext {
  sub: string;
  sid: string;
  /** The session's stored claims: those given at login, or by the last `updateSessionClaims`. */
  claims: Readonly<Record<string, unknown>>;
  /** When the session's user logged in (the tokens' `auth_time`). */
  authTime: Date;
}

/**
 * Computes the custom claims of the access token a rotation signs, for example
 * the user's current roles from the database. May be async. @publicApi
 */
export type ClaimsResolver = (session: ClaimsResolverContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

const RESERVED = new Set<string>(RESERVED_CLAIMS);

/** Why `claims` cannot be a session's custom claims, or `null` when they can. */
export function customClaimsProblem(claims: unknown): string | null {
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return 'claims must be a plain object';
  for (const name of Object.keys(claims)) {
    if (RESERVED.has(name)) return `the claim "${name}" is set by the library`;
    if (name === '__proto__') return 'a claim cannot be named "__proto__"';
  }
  try {
    JSON.stringify(claims);
  } catch (err) {
    return `claims are not JSON-serialisable (${(err as Error).message})`;
  }
  return null;
}

/** The resolver's view of a session; a copy, so a resolver mutating it changes nothing stored. */
export function resolverContext(session: RefreshSession): ClaimsResolverContext {
  return {
    sub: session.sub,
    sid: session.sid,
    claims: structuredClone(session.claims),
    authTime: new Date(session.createdAt),
  };
}

/**
 * The resolver's claims for a rotation of `session`. Any failure (a throw, or an answer that is not
 * a plain object of custom claims) is logged and becomes a 503 the client retries: the rotation is
 * refused before anything is written, never signed with claims nobody meant.
 */
export async function claimsForRotation(resolver: ClaimsResolver, session: RefreshSession, logger: Logger): Promise<Record<string, unknown>> {
  let claims: unknown;
  try {
    claims = await resolver(resolverContext(session));
  } catch (err) {
    logger.error(`claimsResolver failed for session ${session.sid}: ${(err as Error)?.message ?? String(err)}`);
    throw new AuthStoreUnavailableException();
  }
  const problem = customClaimsProblem(claims);
  if (problem) {
    logger.error(`claimsResolver returned unusable claims for session ${session.sid}: ${problem}.`);
    throw new AuthStoreUnavailableException();
  }
  return claims as Record<string, unknown>;
}
