import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, TestingModule } from '@nestjs/testing';
import { AccessTokenService, AuthModule, RefreshService, SessionClaimsService } from '../../lib/index.js';
import type { AuthModuleOptions } from '../../lib/index.js';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { TestRedisServer } from '../support/redis-server.js';

const SECRET = 'claims-two-instances-secret-at-least-32-bytes';

/** Two instances of one app: each its own module and Redis connection, one Redis between them. */
describe('claims across two instances sharing a Redis store', () => {
  let redis: TestRedisServer;
  const modules: TestingModule[] = [];
  // The users' table both instances read (what a real app keeps in its database).
  const roles = new Map<string, string[]>();

  async function instance(options: Partial<AuthModuleOptions> = {}) {
    const ref = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ secret: SECRET, store: new RedisRefreshTokenStore({ url: redis.url, keyPrefix: 'claims-e2e:' }), ...options })],
    }).compile();
    await ref.init();
    modules.push(ref);
    const tokens = ref.get(AccessTokenService);
    return { sessions: ref.get(RefreshService), claims: ref.get(SessionClaimsService), verify: (t: string) => tokens.verify(t) };
  }

  beforeAll(async () => {
    redis = await TestRedisServer.start();
  });
  afterAll(async () => {
    for (const ref of modules) await ref.close();
    await redis.stop();
  });

  it('a role change in the users table reaches the next token rotated on the other instance (claimsResolver)', async () => {
    const resolver = { claimsResolver: async ({ sub }: { sub: string }) => ({ roles: roles.get(sub) ?? [] }) };
    const a = await instance(resolver);
    const b = await instance(resolver);
    roles.set('alice', ['reader']);
    const login = await a.sessions.issue('alice', { roles: ['reader'] });
    roles.set('alice', ['reader', 'admin']);
    const next = await b.sessions.rotate(login.refreshToken);
    expect(b.verify(next.accessToken).roles).toEqual(['reader', 'admin']);
    expect(a.verify(next.accessToken).roles).toEqual(['reader', 'admin']);
  });

  it('updateSessionClaims on one instance is signed by the next rotation on the other', async () => {
    const a = await instance();
    const b = await instance();
    const first = await a.sessions.issue('bob', { role: 'member' });
    const second = await b.sessions.issue('bob', { role: 'member' });
    expect(await a.claims.updateSessionClaims({ sub: 'bob' }, (c) => ({ ...c, role: 'admin' }))).toBe(2);
    for (const pair of [first, second]) {
      const next = await b.sessions.rotate(pair.refreshToken);
      expect(b.verify(next.accessToken)).toMatchObject({ sub: 'bob', role: 'admin' });
    }
  });
});
