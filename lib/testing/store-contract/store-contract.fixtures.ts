// Sessions and updates the store contract suites build their cases from.
import { randomBytes } from 'node:crypto';
import type { RefreshSession, RotationUpdate } from '../../refresh/refresh-session.interface.js';

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

export function newSid(): string {
  return randomBytes(16).toString('base64url');
}

export function hash(): string {
  return randomBytes(32).toString('base64url');
}

/** A live session, every field set, that a test can override. */
export function makeSession(now: number, overrides: Partial<RefreshSession> = {}): RefreshSession {
  return {
    sid: newSid(),
    sub: 'alice',
    claims: { role: 'admin', tenant: { id: 42, name: 'Ünïcødé ✓' }, scopes: ['a', 'b'], flag: false, none: null },
    generation: 3,
    tokenHash: hash(),
    previousTokenHash: hash(),
    rotatedAt: now - 1000,
    createdAt: now - 5000,
    expiresAt: now + 7 * DAY,
    absoluteExpiresAt: now + 30 * DAY,
    lastUsedAt: now - 1000,
    lastIp: '203.0.113.7',
    lastUserAgent: 'Mozilla/5.0 (X11; Linux x86_64) "quoted" \\ back',
    revokedAt: null,
    ...overrides,
  };
}

/** A session as it is right after login: the nullable fields null, the optional ones absent. */
export function makeFreshSession(now: number, overrides: Partial<RefreshSession> = {}): RefreshSession {
  const session: RefreshSession = {
    sid: newSid(),
    sub: 'bob',
    claims: {},
    generation: 0,
    tokenHash: hash(),
    previousTokenHash: null,
    rotatedAt: null,
    createdAt: now,
    expiresAt: now + 7 * DAY,
    absoluteExpiresAt: now + 30 * DAY,
    lastUsedAt: now,
    revokedAt: null,
    ...overrides,
  };
  return session;
}

export function updateFor(session: RefreshSession, now: number, overrides: Partial<RotationUpdate> = {}): RotationUpdate {
  return {
    generation: session.generation + 1,
    tokenHash: hash(),
    previousTokenHash: session.tokenHash,
    rotatedAt: now,
    expiresAt: now + 7 * DAY,
    lastUsedAt: now,
    lastIp: '198.51.100.1',
    lastUserAgent: 'curl/8.5.0',
    ...overrides,
  };
}

export function expected(session: RefreshSession): { generation: number; tokenHash: string } {
  return { generation: session.generation, tokenHash: session.tokenHash };
}
