import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import { AuthModule } from '../auth.module.js';
import { AuthErrorCode } from '../errors/auth-error-codes.js';
import { AuthException } from '../errors/auth.exception.js';
import type { AuthModuleOptions } from '../options/auth-options.interface.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { MemoryRefreshTokenStore } from './memory-refresh-token.store.js';
import { RefreshTokenStore } from './refresh-token.store.js';
import { RefreshService } from './refresh.service.js';
import type { SessionEvent } from './session-events.js';

const SECRET = 'refresh-service-spec-secret-32-bytes-long!';
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const closers: Array<() => Promise<void>> = [];

async function setup(options: Partial<AuthModuleOptions> = {}) {
  const clock = { now: T0 };
  const store = (options.store as MemoryRefreshTokenStore | undefined) ?? new MemoryRefreshTokenStore({ now: () => clock.now });
  const ref = await Test.createTestingModule({
    imports: [AuthModule.forRoot({ secret: SECRET, clock: () => clock.now, store, ...options })],
  }).compile();
  const app = ref;
  await app.init();
  closers.push(() => app.close());
  const events: SessionEvent[] = [];
  const service = app.get(RefreshService);
  service.on('*', (e) => void events.push(e));
  const advance = (seconds: number) => (clock.now += seconds * 1000);
  return { service, store, clock, advance, events, tokens: app.get(AccessTokenService) };
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

afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('RefreshService.issue', () => {
  it('returns the contract token pair and stores only a hash of the refresh token', async () => {
    const { service, store, tokens } = await setup({ accessTokenTtl: '15m', refreshTokenTtl: '7d' });
    const pair = await service.issue('alice', { role: 'admin' }, { ip: '10.0.0.1', userAgent: 'UA/1' });
    expect(pair).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 604800 });
    // At least 256 bits of entropy, opaque: no dots, nothing JSON inside.
    expect(pair.refreshToken).toMatch(/^[A-Za-z0-9_-]{86,}$/);
    const claims = tokens.verify(pair.accessToken, T0);
    expect(claims).toMatchObject({ sub: 'alice', role: 'admin' });
    const [session] = await store.listBySubject('alice');
    expect(session.sid).toBe(claims.sid);
    expect(JSON.stringify(session)).not.toContain(pair.refreshToken);
    expect(session).toMatchObject({ generation: 0, lastIp: '10.0.0.1', lastUserAgent: 'UA/1', revokedAt: null });
  });

  it('refuses reserved claims before storing anything', async () => {
    const { service, store } = await setup();
    await expect(service.issue('alice', { exp: 1 })).rejects.toThrow(/"exp" is set by the library/);
    await expect(service.issue('')).rejects.toThrow(TypeError);
    expect(store.size).toBe(0);
  });

  it('caps the first refresh lifetime at the session maximum', async () => {
    const { service } = await setup({ refreshTokenTtl: '7d', sessionMaxAge: '1h' });
    expect((await service.issue('alice')).refreshExpiresIn).toBe(3600);
  });
});

describe('RefreshService.rotate', () => {
  it('rotates into a new refresh token and a fresh access token for the same session', async () => {
    const { service, tokens, advance, events } = await setup();
    const first = await service.issue('alice', { role: 'user' });
    advance(60);
    const second = await service.rotate(first.refreshToken, { ip: '10.0.0.2' });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const a = tokens.verify(first.accessToken, T0);
    const b = tokens.verify(second.accessToken, T0 + 60_000);
    expect(b.sid).toBe(a.sid);
    expect(b.role).toBe('user');
    expect(b.jti).not.toBe(a.jti);
    expect(events.map((e) => e.type)).toEqual(['session.created', 'session.rotated']);
    await expect(service.rotate(second.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('answers the just-retired token inside the grace window with the same successor and a new access token', async () => {
    const { service, advance, tokens } = await setup({ reuseGrace: 10 });
    const first = await service.issue('alice');
    const second = await service.rotate(first.refreshToken);
    advance(9);
    const again = await service.rotate(first.refreshToken);
    expect(again.refreshToken).toBe(second.refreshToken);
    expect(tokens.verify(again.accessToken, T0 + 9000).jti).not.toBe(tokens.verify(second.accessToken, T0).jti);
    // The successor is still the live token: the session did not fork.
    const third = await service.rotate(second.refreshToken);
    expect(third.refreshToken).not.toBe(second.refreshToken);
  });

  it('keeps working on sessions stored by 0.1.0, whose digests are SHA-256 of the token', async () => {
    const { service, store, advance } = await setup({ reuseGrace: 10 });
    const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');
    // What 0.1.0 wrote after one rotation: SHA-256 of the live token and of the one just retired.
    const first = await service.issue('alice');
    const second = await service.rotate(first.refreshToken);
    const [current] = await store.listBySubject('alice');
    await store.create({ ...current, tokenHash: sha256(second.refreshToken), previousTokenHash: sha256(first.refreshToken) });

    // The retired token inside the window still gets the same successor...
    expect((await service.rotate(first.refreshToken)).refreshToken).toBe(second.refreshToken);
    // ...and the live one rotates, after which the session holds the new digests.
    const third = await service.rotate(second.refreshToken);
    const [rotated] = await store.listBySubject('alice');
    expect(rotated.tokenHash).toHaveLength(22);
    expect(rotated.previousTokenHash).toHaveLength(22);
    expect((await service.rotate(third.refreshToken)).refreshToken).not.toBe(third.refreshToken);
    advance(11);
    expect(await codeOf(service.rotate(first.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REUSED);
  });

  it('gives 50 parallel rotations of one token a single successor', async () => {
    const { service, store } = await setup();
    const first = await service.issue('alice');
    const results = await Promise.all(Array.from({ length: 50 }, () => service.rotate(first.refreshToken)));
    expect(new Set(results.map((r) => r.refreshToken)).size).toBe(1);
    const [session] = await store.listBySubject('alice');
    expect(session.generation).toBe(1);
  });

  it('treats the retired token after the window as reuse: revokes the session and reports both parties', async () => {
    const { service, advance, events } = await setup({ reuseGrace: 10 });
    const first = await service.issue('alice', {}, { ip: '10.0.0.1', userAgent: 'Victim' });
    const second = await service.rotate(first.refreshToken, { ip: '10.0.0.1', userAgent: 'Victim' });
    advance(11);
    expect(await codeOf(service.rotate(first.refreshToken, { ip: '6.6.6.6', userAgent: 'Thief' }))).toBe(AuthErrorCode.REFRESH_TOKEN_REUSED);
    expect(await codeOf(service.rotate(second.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REVOKED);
    const reuse = events.find((e) => e.type === 'session.reuse_detected');
    expect(reuse).toMatchObject({
      sub: 'alice',
      presentedGeneration: 0,
      currentGeneration: 1,
      holder: { ip: '10.0.0.1', userAgent: 'Victim' },
      reuser: { ip: '6.6.6.6', userAgent: 'Thief' },
    });
    expect(events.some((e) => e.type === 'session.revoked' && e.reason === 'reuse_detected')).toBe(true);
    expect(await service.isSessionActive(reuse!.sid)).toBe(false);
  });

  it('gives no grace to a token retired two rotations back, even at once', async () => {
    const { service } = await setup({ reuseGrace: 10 });
    const first = await service.issue('alice');
    const second = await service.rotate(first.refreshToken);
    await service.rotate(second.refreshToken);
    expect(await codeOf(service.rotate(first.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REUSED);
  });

  it('revokes only the session whose token was reused', async () => {
    const { service, advance } = await setup({ reuseGrace: 0 });
    const a = await service.issue('alice');
    const b = await service.issue('alice');
    await service.rotate(a.refreshToken);
    advance(1);
    expect(await codeOf(service.rotate(a.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REUSED);
    await expect(service.rotate(b.refreshToken)).resolves.toBeDefined();
  });

  it('slides the refresh lifetime with each rotation and expires an idle one', async () => {
    const { service, advance } = await setup({ refreshTokenTtl: 100, sessionMaxAge: '30d' });
    let pair = await service.issue('alice');
    for (let i = 0; i < 5; i++) {
      advance(99);
      pair = await service.rotate(pair.refreshToken);
      expect(pair.refreshExpiresIn).toBe(100);
    }
    advance(100);
    const err = await service.rotate(pair.refreshToken).catch((e) => e as AuthException);
    expect((err as AuthException).code).toBe(AuthErrorCode.REFRESH_TOKEN_EXPIRED);
    expect((err as AuthException).details.expiredAt).toBe(new Date(T0 + 5 * 99_000 + 100_000).toISOString());
  });

  it('never extends a session past its absolute lifetime, whatever the rotations', async () => {
    const { service, advance } = await setup({ refreshTokenTtl: 60, sessionMaxAge: 100 });
    let pair = await service.issue('alice');
    advance(50);
    pair = await service.rotate(pair.refreshToken);
    expect(pair.refreshExpiresIn).toBe(50);
    advance(49);
    pair = await service.rotate(pair.refreshToken);
    expect(pair.refreshExpiresIn).toBe(1);
    advance(1);
    const err = (await service.rotate(pair.refreshToken).catch((e) => e)) as AuthException;
    expect(err.code).toBe(AuthErrorCode.REFRESH_TOKEN_EXPIRED);
    expect(err.details.expiredAt).toBe(new Date(T0 + 100_000).toISOString());
  });

  it.each([
    ['undefined', undefined, AuthErrorCode.REFRESH_TOKEN_MISSING],
    ['empty', '', AuthErrorCode.REFRESH_TOKEN_MISSING],
    ['a number', 42, AuthErrorCode.REFRESH_TOKEN_INVALID],
    ['an object', { $ne: null }, AuthErrorCode.REFRESH_TOKEN_INVALID],
    ['a 10 KB string', 'a'.repeat(10_240), AuthErrorCode.REFRESH_TOKEN_INVALID],
    ['unicode', 'é'.repeat(92), AuthErrorCode.REFRESH_TOKEN_INVALID],
  ])('refuses %s with its code', async (_name, input, code) => {
    const { service } = await setup();
    expect(await codeOf(service.rotate(input))).toBe(code);
  });

  it('refuses a forged token of the right shape, and an access token', async () => {
    const { service } = await setup();
    const pair = await service.issue('alice');
    const bytes = Buffer.from(pair.refreshToken, 'base64url');
    bytes[30] ^= 1;
    expect(await codeOf(service.rotate(bytes.toString('base64url')))).toBe(AuthErrorCode.REFRESH_TOKEN_INVALID);
    expect(await codeOf(service.rotate(pair.accessToken))).toBe(AuthErrorCode.REFRESH_TOKEN_INVALID);
    // The forgery did not touch the session.
    await expect(service.rotate(pair.refreshToken)).resolves.toBeDefined();
  });

  it('never lets a refresh token pass as an access token', async () => {
    const { service, tokens } = await setup();
    const pair = await service.issue('alice');
    expect(() => tokens.verify(pair.refreshToken)).toThrow(expect.objectContaining({ code: AuthErrorCode.INVALID_TOKEN }));
  });

  it('refuses tokens minted under another refresh secret', async () => {
    const a = await setup({ refreshTokenSecret: 'a'.repeat(32) });
    const b = await setup({ refreshTokenSecret: 'b'.repeat(32), store: a.store });
    const pair = await a.service.issue('alice');
    expect(await codeOf(b.service.rotate(pair.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_INVALID);
  });
});

describe('RefreshService revocation and listing', () => {
  it('logout revokes the session: its refresh token answers REVOKED and it is no longer active', async () => {
    const { service, tokens, events } = await setup();
    const pair = await service.issue('alice');
    const { sid } = tokens.verify(pair.accessToken, T0);
    const cachedBefore = tokens.verifiedTokens.size;
    expect(await service.revokeSession(sid)).toBe(true);
    // The verified-token cache lets go of the dead session's tokens.
    expect(tokens.verifiedTokens.size).toBe(cachedBefore - 1);
    expect(await service.revokeSession(sid)).toBe(false);
    expect(await service.isSessionActive(sid)).toBe(false);
    expect(await codeOf(service.rotate(pair.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REVOKED);
    expect(events.filter((e) => e.type === 'session.revoked')).toEqual([
      expect.objectContaining({ sid, sub: 'alice', reason: 'logout' }),
    ]);
  });

  it('logs a subject out everywhere and leaves other subjects alone', async () => {
    const { service } = await setup();
    const a1 = await service.issue('alice');
    const a2 = await service.issue('alice');
    const b = await service.issue('bob');
    expect(await service.revokeAllForSubject('alice')).toBe(2);
    expect(await codeOf(service.rotate(a1.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REVOKED);
    expect(await codeOf(service.rotate(a2.refreshToken))).toBe(AuthErrorCode.REFRESH_TOKEN_REVOKED);
    await expect(service.rotate(b.refreshToken)).resolves.toBeDefined();
    expect(await service.listSessions('alice')).toEqual([]);
  });

  it('lists live sessions newest first, with client details and no token material', async () => {
    const { service, advance } = await setup();
    await service.issue('alice', {}, { ip: '10.0.0.1', userAgent: 'Firefox' });
    advance(5);
    const second = await service.issue('alice', {}, { ip: '10.0.0.2', userAgent: 'Chrome' });
    await service.issue('bob');
    const list = await service.listSessions('alice');
    expect(list.map((s) => s.userAgent)).toEqual(['Chrome', 'Firefox']);
    expect(list[0]).toEqual({
      sid: expect.any(String),
      createdAt: new Date(T0 + 5000),
      lastUsedAt: new Date(T0 + 5000),
      expiresAt: expect.any(Date),
      absoluteExpiresAt: expect.any(Date),
      ip: '10.0.0.2',
      userAgent: 'Chrome',
    });
    expect(JSON.stringify(list)).not.toContain(second.refreshToken);
  });
});

describe('RefreshService when the store fails', () => {
  class FlakyStore extends MemoryRefreshTokenStore {
    failing = false;
    override async rotate(...args: Parameters<MemoryRefreshTokenStore['rotate']>) {
      if (this.failing) throw new Error('connection lost');
      return super.rotate(...args);
    }
  }

  it('answers 503 AUTH_STORE_UNAVAILABLE and leaves the old state intact for a retry', async () => {
    // No clock of its own: the module hands the store its (frozen) clock, so both judge time alike.
    const store = new FlakyStore();
    const { service } = await setup({ store });
    const pair = await service.issue('alice');
    store.failing = true;
    const err = (await service.rotate(pair.refreshToken).catch((e) => e)) as AuthException;
    expect(err.code).toBe(AuthErrorCode.AUTH_STORE_UNAVAILABLE);
    expect(err.getStatus()).toBe(503);
    store.failing = false;
    const next = await service.rotate(pair.refreshToken);
    expect(next.refreshToken).not.toBe(pair.refreshToken);
  });

  it('survives a throwing event listener', async () => {
    const { service } = await setup({
      onSessionEvent: () => {
        throw new Error('listener bug');
      },
    });
    service.on('session.rotated', async () => {
      throw new Error('async listener bug');
    });
    const pair = await service.issue('alice');
    await expect(service.rotate(pair.refreshToken)).resolves.toBeDefined();
  });

  it('closes the store when the application shuts down', async () => {
    const store = new MemoryRefreshTokenStore();
    let closed = 0;
    const close = store.close.bind(store);
    store.close = async () => {
      closed++;
      await close();
    };
    const { service } = await setup({ store });
    await service.issue('alice');
    await closers.pop()!();
    expect(closed).toBe(1);
  });

  it('exposes the store under its injection token', async () => {
    const ref = await Test.createTestingModule({ imports: [AuthModule.forRoot({ secret: SECRET })] }).compile();
    expect(ref.get(RefreshTokenStore)).toBeInstanceOf(MemoryRefreshTokenStore);
    await ref.close();
  });
});

describe('refresh options at start-up', () => {
  it.each([
    [{ reuseGrace: 301 }, /"reuseGrace" must be between 0 and 300/],
    [{ refreshTokenSecret: 'short' }, /"refreshTokenSecret" is too weak/],
    [{ refreshTokenTtl: 'forever' }, /"refreshTokenTtl" must be seconds/],
    [{ sessionMaxAge: 0 }, /"sessionMaxAge" must be at least 1 second/],
    [{ store: { get() {} } as never }, /"store" must implement RefreshTokenStore; missing: create, rotate, revoke, revokeSubject, listBySubject/],
    [{ sessionCheck: { cacheTtl: 120 } }, /"sessionCheck.cacheTtl" must be between 0 and 60/],
    [{ maxSessionsPerSubject: 0 }, /"maxSessionsPerSubject" must be a positive integer/],
    [{ refreshCookie: { name: 'bad name' } }, /"refreshCookie.name" is not a valid cookie name/],
    [{ refreshCookie: { sameSite: 'None' as never } }, /"refreshCookie.sameSite" must be "Strict" or "Lax"/],
  ])('refuses %j', async (options, message) => {
    await expect(
      Test.createTestingModule({ imports: [AuthModule.forRoot({ secret: SECRET, ...options })] }).compile(),
    ).rejects.toThrow(message);
  });
});
