import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthModule } from '../auth.module.js';
import { AuthErrorCode } from '../errors/auth-error-codes.js';
import { AuthException } from '../errors/auth.exception.js';
import type { AuthModuleOptions } from '../options/auth-options.interface.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { MemoryRefreshTokenStore } from './memory-refresh-token.store.js';
import { RefreshService } from './refresh.service.js';
import type { RevocationListener } from './revocation-notice.interface.js';
import type { SessionEvent } from './session-events.js';

const SECRET = 'session-revocation-spec-secret-32-bytes!';
const REFRESH_SECRET = 'session-revocation-spec-refresh-secret-32b';
const T0 = Date.UTC(2026, 2, 5, 12);
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  jest.restoreAllMocks();
  while (closers.length) await closers.pop()!();
});

/** One instance of the app; several built on one store are instances sharing it. */
async function instance(store: MemoryRefreshTokenStore, clock: { now: number }, options: Partial<AuthModuleOptions> = {}) {
  const ref = await Test.createTestingModule({
    imports: [AuthModule.forRoot({ secret: SECRET, refreshTokenSecret: REFRESH_SECRET, clock: () => clock.now, store, ...options })],
  }).compile();
  await ref.init();
  closers.push(() => ref.close());
  const service = ref.get(RefreshService);
  const events: SessionEvent[] = [];
  service.on('session.revoked', (e) => void events.push(e));
  const sidOf = (accessToken: string) => ref.get(AccessTokenService).verify(accessToken, clock.now).sid as string;
  return { service, events, sidOf };
}

async function setup(options: Partial<AuthModuleOptions> = {}) {
  const clock = { now: T0 };
  const store = new MemoryRefreshTokenStore({ now: () => clock.now });
  return { clock, store, ...(await instance(store, clock, options)) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AuthException) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('per-subject cap (maxSessionsPerSubject)', () => {
  it('a login beyond the cap ends that subject’s least recently used session, and nobody else’s', async () => {
    const { service, events, sidOf, clock } = await setup({ maxSessionsPerSubject: 2 });
    const bob = await service.issue('bob');
    const first = await service.issue('alice');
    clock.now += 1000;
    const second = await service.issue('alice');
    clock.now += 1000;
    // The first is used again, so the second becomes the least recently used.
    const rotated = await service.rotate(first.refreshToken);
    clock.now += 1000;
    await service.issue('alice');
    expect(await codeOf(service.rotate(second.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REVOKED);
    expect(await service.checkSession(sidOf(second.accessToken))).toBe(false);
    expect(events).toContainEqual(expect.objectContaining({ sid: sidOf(second.accessToken), sub: 'alice', reason: 'session_limit' }));
    await expect(service.rotate(rotated.refreshToken)).resolves.toBeDefined();
    await expect(service.rotate(bob.refreshToken)).resolves.toBeDefined();
    expect(await service.listSessions('alice')).toHaveLength(2);
  });

  it('defaults to 100 live sessions per subject', async () => {
    const { service } = await setup();
    const pairs = [];
    for (let i = 0; i < 101; i++) pairs.push(await service.issue('alice'));
    expect(await service.listSessions('alice')).toHaveLength(100);
    expect(await codeOf(service.rotate(pairs[0].refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REVOKED);
  });
});

describe('ownership and log out others', () => {
  it('revokeSession with a subject refuses another subject’s session and leaves it working', async () => {
    const { service, sidOf } = await setup();
    const bob = await service.issue('bob');
    const sid = sidOf(bob.accessToken);
    expect(await service.revokeSession(sid, 'logout', 'alice')).toBe(false);
    expect(await service.checkSession(sid)).toBe(true);
    await expect(service.rotate(bob.refreshToken)).resolves.toBeDefined();
    expect(await service.revokeSession(sid, 'logout', 'bob')).toBe(true);
    expect(await service.checkSession(sid)).toBe(false);
  });

  it('revokeOtherSessions ends every session of the subject but the current one', async () => {
    const { service, sidOf } = await setup();
    const [current, other1, other2] = [await service.issue('alice'), await service.issue('alice'), await service.issue('alice')];
    const bob = await service.issue('bob');
    expect(await service.revokeOtherSessions('alice', sidOf(current.accessToken))).toBe(2);
    for (const pair of [other1, other2]) {
      expect(await service.checkSession(sidOf(pair.accessToken))).toBe(false);
      expect(await codeOf(service.rotate(pair.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REVOKED);
    }
    expect(await service.checkSession(sidOf(current.accessToken))).toBe(true);
    await expect(service.rotate(current.refreshToken)).resolves.toBeDefined();
    await expect(service.rotate(bob.refreshToken)).resolves.toBeDefined();
  });
});

describe('log out everywhere', () => {
  it('ends the sessions created before it, and not a login that follows it', async () => {
    const { service, sidOf, clock } = await setup();
    const before = await service.issue('alice');
    expect(await service.checkSession(sidOf(before.accessToken))).toBe(true);
    expect(await service.revokeAllForSubject('alice')).toBe(1);
    expect(await service.checkSession(sidOf(before.accessToken))).toBe(false);
    expect(await codeOf(service.rotate(before.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REVOKED);
    clock.now += 1;
    const after = await service.issue('alice');
    expect(await service.checkSession(sidOf(after.accessToken))).toBe(true);
    await expect(service.rotate(after.refreshToken)).resolves.toBeDefined();
  });
});

describe('revocation reaches every instance sharing the store', () => {
  it('an instance whose cache saw the session live refuses it as soon as another instance revokes it', async () => {
    const clock = { now: T0 };
    const store = new MemoryRefreshTokenStore({ now: () => clock.now });
    const a = await instance(store, clock, { sessionCheck: { cacheTtl: 60 } });
    const b = await instance(store, clock, { sessionCheck: { cacheTtl: 60 } });
    const one = await a.service.issue('alice');
    const two = await a.service.issue('alice');
    const [sid1, sid2] = [a.sidOf(one.accessToken), a.sidOf(two.accessToken)];
    expect(await b.service.checkSession(sid1)).toBe(true);
    expect(await b.service.checkSession(sid2)).toBe(true);
    await a.service.revokeSession(sid1);
    expect(b.service.checkSession(sid1)).toBe(false);
    await a.service.revokeAllForSubject('alice');
    expect(await b.service.checkSession(sid2)).toBe(false);
  });

  it('without announcements, a revocation elsewhere is seen once the cache entry expires (the TTL bound)', async () => {
    const clock = { now: T0 };
    const store = new MemoryRefreshTokenStore({ now: () => clock.now });
    // A store without onRevocation: what a custom store gets.
    Object.defineProperty(store, 'onRevocation', { value: undefined });
    const a = await instance(store, clock, { sessionCheck: { cacheTtl: 5 } });
    const b = await instance(store, clock, { sessionCheck: { cacheTtl: 5 } });
    const pair = await a.service.issue('alice');
    const sid = a.sidOf(pair.accessToken);
    expect(await b.service.checkSession(sid)).toBe(true);
    await a.service.revokeSession(sid);
    expect(b.service.checkSession(sid)).toBe(true);
    clock.now += 5000;
    expect(await b.service.checkSession(sid)).toBe(false);
  });

  it('a reset notice (notices possibly missed) flushes the cache', async () => {
    const clock = { now: T0 };
    const store = new MemoryRefreshTokenStore({ now: () => clock.now });
    const listeners: RevocationListener[] = [];
    const subscribe = store.onRevocation.bind(store);
    store.onRevocation = (listener) => {
      listeners.push(listener);
      return subscribe(listener);
    };
    const a = await instance(store, clock, { sessionCheck: { cacheTtl: 60 } });
    const pair = await a.service.issue('alice');
    const sid = a.sidOf(pair.accessToken);
    expect(await a.service.checkSession(sid)).toBe(true);
    // Revoked behind the instance's back (as if its notice was lost), then the subscription comes back.
    Object.defineProperty(store, 'announce', { value: () => undefined });
    await store.revoke(sid, 'logout', clock.now);
    expect(a.service.checkSession(sid)).toBe(true);
    for (const listener of listeners) listener({ kind: 'reset' });
    expect(await a.service.checkSession(sid)).toBe(false);
  });
});

describe('the refresh-token key', () => {
  it('warns at start-up when refreshTokenSecret is unset with a shared (HS) secret, and not when it is set', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const clock = { now: T0 };
    const store = new MemoryRefreshTokenStore({ now: () => clock.now });
    await instance(store, clock, { refreshTokenSecret: undefined });
    const messages = () => warn.mock.calls.map((call) => String(call[0]));
    expect(messages().filter((m) => m.includes('"refreshTokenSecret" is not set'))).toHaveLength(1);
    warn.mockClear();
    await instance(store, clock);
    expect(messages().filter((m) => m.includes('"refreshTokenSecret"'))).toHaveLength(0);
  });
});
