import { expect } from '@jest/globals';
import type { RefreshTokenStore } from '../../lib/refresh/refresh-token.store.js';
import type { RevocationNotice } from '../../lib/refresh/revocation-notice.interface.js';
import { makeSession } from '../../lib/testing/index.js';
import { eventually } from '../support/eventually.js';

/**
 * One session's life across two stores on one database, for the ORM pool tests: created and rotated on `a`,
 * read on `b`, revoked on `a`, and the revocation heard by `b`'s listener (whose notices land in `heard`).
 */
export async function rotateAndRevokeAcross(a: RefreshTokenStore, b: RefreshTokenStore, heard: RevocationNotice[], sub: string): Promise<void> {
  const session = makeSession(Date.now(), { sub });
  await a.create(session);
  const now = Date.now();
  const next = { generation: session.generation + 1, tokenHash: 'next-digest', previousTokenHash: session.tokenHash, rotatedAt: now, expiresAt: session.expiresAt, lastUsedAt: now };
  expect(await a.rotate(session.sid, { generation: session.generation, tokenHash: session.tokenHash }, next)).toBe(true);
  expect((await b.get(session.sid))?.generation).toBe(session.generation + 1);
  expect(await a.revoke(session.sid, 'logout', Date.now())).toBe(true);
  await eventually(() => heard.some((n) => n.kind === 'session' && n.sid === session.sid));
}
