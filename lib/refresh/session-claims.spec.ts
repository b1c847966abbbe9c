import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { AuthModule } from '../auth.module.js';
import { AuthException } from '../errors/auth.exception.js';
import type { AuthModuleOptions } from '../options/auth-options.interface.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { MemoryRefreshTokenStore } from './memory-refresh-token.store.js';
import { RefreshService } from './refresh.service.js';
import type { ClaimsResolverContext } from './session-claims.js';
import { SessionClaimsService } from './session-claims.service.js';

const SECRET = 'session-claims-spec-secret-32-bytes-long!!';
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const closers: Array<() => Promise<void>> = [];

async function setup(options: Partial<AuthModuleOptions> = {}) {
  const clock = { now: T0 };
  const store = new MemoryRefreshTokenStore({ now: () => clock.now });
  const ref = await Test.createTestingModule({
    imports: [AuthModule.forRoot({ secret: SECRET, clock: () => clock.now, store, reuseGrace: 10, ...options })],
  }).compile();
  await ref.init();
  closers.push(() => ref.close());
  const tokens = ref.get(AccessTokenService);
  return {
    service: ref.get(RefreshService),
    claims: ref.get(SessionClaimsService),
    store,
    clock,
    verify: (token: string) => tokens.verify(token),
  };
}

afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('auth_time', () => {
  it('is the login time in every token of the session, whatever the rotations', async () => {
    const { service, clock, verify } = await setup();
    let pair = await service.issue('alice');
    expect(verify(pair.accessToken).auth_time).toBe(T0 / 1000);
    for (let i = 1; i <= 3; i++) {
      clock.now += 60_000;
      pair = await service.rotate(pair.refreshToken);
      expect(verify(pair.accessToken)).toMatchObject({ auth_time: T0 / 1000, iat: (clock.now / 1000) | 0 });
    }
  });

  it('cannot be set as a custom claim', async () => {
    const { service } = await setup();
    await expect(service.issue('alice', { auth_time: 1 })).rejects.toThrow('"auth_time"');
  });
});

describe('claimsResolver', () => {
  it('is awaited at every rotation and grace replay, with the session, and its answer is signed but not stored', async () => {
    const roles = new Map([['alice', ['reader']]]);
    const seen: ClaimsResolverContext[] = [];
    const { service, store, clock, verify } = await setup({
      claimsResolver: async (session) => {
        seen.push(session);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { ...session.claims, roles: roles.get(session.sub) };
      },
    });
    const login = await service.issue('alice', { tenant: 't1' });
    // Login signs the claims it is given: the resolver runs on rotations.
    expect(verify(login.accessToken)).not.toHaveProperty('roles');
    roles.set('alice', ['reader', 'admin']);
    clock.now += 1000;
    const rotated = await service.rotate(login.refreshToken);
    expect(verify(rotated.accessToken)).toMatchObject({ tenant: 't1', roles: ['reader', 'admin'], auth_time: T0 / 1000 });
    expect(seen[0]).toEqual({ sub: 'alice', sid: verify(login.accessToken).sid, claims: { tenant: 't1' }, authTime: new Date(T0) });
    roles.set('alice', []);
    const replay = await service.rotate(login.refreshToken);
    expect(replay.refreshToken).toBe(rotated.refreshToken);
    expect(verify(replay.accessToken).roles).toEqual([]);
    expect((await store.get(verify(login.accessToken).sid))!.claims).toEqual({ tenant: 't1' });
  });

  it('leaves the session as it was when it throws: 503, and the same token rotates once it works again', async () => {
    let failing = true;
    const { service, verify } = await setup({
      claimsResolver: () => {
        if (failing) throw new Error('users database down');
        return { roles: ['admin'] };
      },
    });
    const login = await service.issue('alice');
    const err = (await service.rotate(login.refreshToken).catch((e) => e)) as AuthException;
    expect(err).toBeInstanceOf(AuthException);
    expect([err.code, err.getStatus()]).toEqual(['AUTH_STORE_UNAVAILABLE', 503]);
    failing = false;
    const next = await service.rotate(login.refreshToken);
    expect(verify(next.accessToken).roles).toEqual(['admin']);
  });

  it.each([
    ['a reserved claim', { sub: 'mallory' }],
    ['an array', ['admin']],
    ['null', null],
  ])('refuses %s from the resolver with a 503, never signing it', async (_name, answer) => {
    const { service } = await setup({ claimsResolver: () => answer as never });
    const login = await service.issue('alice');
    const err = (await service.rotate(login.refreshToken).catch((e) => e)) as AuthException;
    expect(err.code).toBe('AUTH_STORE_UNAVAILABLE');
  });

  it('must be a function', async () => {
    await expect(setup({ claimsResolver: 'roles' as never })).rejects.toThrow('"claimsResolver" must be a function');
  });
});

describe('SessionClaimsService.updateSessionClaims', () => {
  it('changes every live session of a subject, taking effect at each one’s next rotation', async () => {
    const { service, claims, verify } = await setup();
    const a = await service.issue('alice', { name: 'Alice', role: 'member' });
    const b = await service.issue('alice', { name: 'Alice', role: 'member' });
    const bob = await service.issue('bob', { name: 'Bob' });
    const ended = await service.issue('alice', { name: 'Alice' });
    await service.revokeSession(verify(ended.accessToken).sid);
    expect(await claims.updateSessionClaims({ sub: 'alice' }, (c) => ({ ...c, role: 'admin' }))).toBe(2);
    for (const pair of [a, b]) {
      expect(verify((await service.rotate(pair.refreshToken)).accessToken)).toMatchObject({ name: 'Alice', role: 'admin' });
    }
    expect(verify((await service.rotate(bob.refreshToken)).accessToken)).toMatchObject({ name: 'Bob' });
  });

  it('changes one session by sid, and answers 0 for an unknown or revoked one', async () => {
    const { service, claims, verify } = await setup();
    const a = await service.issue('alice', { role: 'member' });
    const b = await service.issue('alice', { role: 'member' });
    expect(await claims.updateSessionClaims({ sid: verify(a.accessToken).sid }, { role: 'owner' })).toBe(1);
    expect(verify((await service.rotate(a.refreshToken)).accessToken).role).toBe('owner');
    expect(verify((await service.rotate(b.refreshToken)).accessToken).role).toBe('member');
    expect(await claims.updateSessionClaims({ sid: 'no-such-session' }, { role: 'owner' })).toBe(0);
    await service.revokeSession(verify(b.accessToken).sid);
    expect(await claims.updateSessionClaims({ sid: verify(b.accessToken).sid }, { role: 'owner' })).toBe(0);
  });

  it.each([
    ['a reserved claim', { exp: 1 }],
    ['auth_time', { auth_time: 1 }],
    ['a non-object', 'admin'],
    ['a value JSON cannot hold', { n: 10n }],
  ])('refuses %s with a TypeError and changes nothing', async (_name, update) => {
    const { service, claims, verify } = await setup();
    const a = await service.issue('alice', { role: 'member' });
    await expect(claims.updateSessionClaims({ sub: 'alice' }, update as never)).rejects.toThrow(TypeError);
    expect(verify((await service.rotate(a.refreshToken)).accessToken).role).toBe('member');
  });

  it('refuses a target that is neither { sid } nor { sub }', async () => {
    const { claims } = await setup();
    await expect(claims.updateSessionClaims({} as never, {})).rejects.toThrow('{ sid } or { sub }');
  });
});
