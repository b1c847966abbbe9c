import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AuthException } from '../errors/auth.exception.js';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { MemoryRefreshTokenStore } from './memory-refresh-token.store.js';
import { RefreshService } from './refresh.service.js';

/**
 * Model-based check of the rotation state machine: random sequences of
 * issue / rotate (live, just-retired, older; alone or in parallel) / revoke /
 * log-out-all / time passing run against the real service and memory store,
 * and every answer must be the one a small reference model predicts. From that
 * follow the invariants: one live token per session outside the grace window,
 * a revoked session never comes back, nobody gets a token for another subject.
 */

const TTL_S = 60;
const MAX_AGE_S = 150;
const GRACE_S = 10;
const SUBJECTS = ['alice', 'bob', 'carol'];

interface ModelSession {
  sid: string | null;
  sub: string;
  tokens: string[]; // every refresh token of the chain, oldest first; the last one is live
  rotatedAt: number | null;
  expiresAt: number;
  absoluteEnd: number;
  revoked: boolean;
}

type Action =
  | { kind: 'issue'; subject: number }
  | { kind: 'rotate'; session: number; which: 'live' | 'previous' | 'older'; parallel: number }
  | { kind: 'revoke'; session: number }
  | { kind: 'revokeAll'; subject: number }
  | { kind: 'advance'; seconds: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('issue' as const), subject: fc.nat(SUBJECTS.length - 1) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('rotate' as const),
      session: fc.nat(7),
      which: fc.constantFrom('live' as const, 'live' as const, 'previous' as const, 'older' as const),
      parallel: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), session: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revokeAll' as const), subject: fc.nat(SUBJECTS.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 70 }) }) },
);

async function outcome(promise: Promise<{ refreshToken: string; accessToken: string }>) {
  try {
    return { ok: await promise };
  } catch (err) {
    if (err instanceof AuthException) return { code: err.code };
    throw err;
  }
}

async function run(actions: Action[]): Promise<void> {
  let now = Date.UTC(2026, 0, 1);
  const resolved = resolveAuthOptions({
    secret: 'rotation-property-secret-of-32-bytes!!',
    refreshTokenTtl: TTL_S,
    sessionMaxAge: MAX_AGE_S,
    reuseGrace: GRACE_S,
    clock: () => now,
  });
  const store = new MemoryRefreshTokenStore({ now: () => now });
  const tokens = new AccessTokenService(resolved);
  const service = new RefreshService(resolved, store, tokens);
  const sessions: ModelSession[] = [];

  const expectedFailure = (s: ModelSession): string | null => {
    if (s.revoked) return 'REFRESH_TOKEN_REVOKED';
    if (now >= Math.min(s.expiresAt, s.absoluteEnd)) return 'REFRESH_TOKEN_EXPIRED';
    return null;
  };

  try {
    for (const step of actions) {
      if (step.kind === 'advance') {
        now += step.seconds * 1000;
        continue;
      }
      if (step.kind === 'issue') {
        const sub = SUBJECTS[step.subject];
        const pair = await service.issue(sub);
        const claims = tokens.verify(pair.accessToken, now);
        expect(claims.sub).toBe(sub);
        sessions.push({
          sid: claims.sid,
          sub,
          tokens: [pair.refreshToken],
          rotatedAt: null,
          expiresAt: now + TTL_S * 1000,
          absoluteEnd: now + MAX_AGE_S * 1000,
          revoked: false,
        });
        continue;
      }
      if (step.kind === 'revokeAll') {
        const sub = SUBJECTS[step.subject];
        const live = sessions.filter((s) => s.sub === sub && !s.revoked && now < Math.min(s.expiresAt, s.absoluteEnd) + 86_400_000);
        const count = await service.revokeAllForSubject(sub);
        expect(count).toBe(live.length);
        for (const s of live) s.revoked = true;
        continue;
      }
      if (sessions.length === 0) continue;
      const s = sessions[step.session % sessions.length];
      if (step.kind === 'revoke') {
        await service.revokeSession(s.sid!);
        s.revoked = true;
        expect(await service.isSessionActive(s.sid!)).toBe(false);
        continue;
      }
      // rotate
      const index =
        step.which === 'live' ? s.tokens.length - 1 : step.which === 'previous' ? s.tokens.length - 2 : s.tokens.length - 3;
      if (index < 0) continue;
      const presented = s.tokens[index];
      const results = await Promise.all(Array.from({ length: step.parallel }, () => outcome(service.rotate(presented))));
      const failure = expectedFailure(s);
      if (failure) {
        for (const r of results) expect(r).toEqual({ code: failure });
        continue;
      }
      const isLive = index === s.tokens.length - 1;
      const inGrace = index === s.tokens.length - 2 && s.rotatedAt !== null && now - s.rotatedAt <= GRACE_S * 1000;
      if (isLive || inGrace) {
        // Parallel presentations of the live token: one rotation, everyone gets its successor.
        const successors = new Set(results.map((r) => r.ok?.refreshToken));
        expect(successors.size).toBe(1);
        const successor = [...successors][0]!;
        expect(successor).toEqual(expect.any(String));
        for (const r of results) {
          const claims = tokens.verify(r.ok!.accessToken, now);
          expect(claims).toMatchObject({ sub: s.sub, sid: s.sid });
        }
        if (isLive) {
          expect(s.tokens).not.toContain(successor);
          s.tokens.push(successor);
          s.rotatedAt = now;
          s.expiresAt = Math.min(now + TTL_S * 1000, s.absoluteEnd);
        } else {
          expect(successor).toBe(s.tokens[s.tokens.length - 1]);
        }
        continue;
      }
      // Reuse: the first presentation revokes; parallel ones see either REUSED or the revocation it caused.
      for (const r of results) expect(['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_REVOKED']).toContain(r.code);
      expect(results.some((r) => r.code === 'REFRESH_TOKEN_REUSED')).toBe(true);
      s.revoked = true;
    }
    // Final invariants: a revoked session stays revoked, and only the last token of a live session works.
    for (const s of sessions) {
      if (s.revoked) {
        expect(await service.isSessionActive(s.sid!)).toBe(false);
        for (const t of s.tokens) expect(await outcome(service.rotate(t))).toEqual({ code: 'REFRESH_TOKEN_REVOKED' });
      }
    }
  } finally {
    await store.close();
  }
}

describe('rotation state machine (property-based)', () => {
  it('answers every random sequence exactly as the reference model predicts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), (actions) => run(actions)),
      { numRuns: 150 },
    );
  });
});
