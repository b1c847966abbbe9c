import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningSample } from '../../sample/start-sample.js';
import { TestPostgresDatabase } from '../support/postgres-database.js';
import { TestRedisServer } from '../support/redis-server.js';
import { sampleWith, SampleClient, sleep } from './sample-http.js';

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('sample: PATCH /me and GET /me/fresh', () => {
  const running: RunningSample[] = [];
  let http: SampleClient;

  beforeAll(async () => {
    const { sample, http: client } = await sampleWith({ FRESH_LOGIN_MAX_AGE: '3' });
    running.push(sample);
    http = client;
  });
  afterAll(async () => {
    for (const sample of running) await sample.close();
  });

  it('renames the user; the current token keeps the old name, the next refresh carries the new one', async () => {
    const login = (await http.login()).body;
    const renamed = await http.request('PATCH', '/me', { token: login.accessToken, json: { name: 'Alice Liddell' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.user).toMatchObject({ sub: 'alice', name: 'Alice Liddell' });
    expect((await http.me(login.accessToken)).body.user.name).toBe('Alice');
    const next = (await http.refresh(login.refreshToken)).body;
    expect((await http.me(next.accessToken)).body.user).toMatchObject({ sub: 'alice', name: 'Alice Liddell' });
    // Only alice's sessions changed.
    const bob = (await http.login('bob', 'builder')).body;
    expect(payloadOf((await http.refresh(bob.refreshToken)).body.accessToken).name).toBe('Bob');
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a name of 101 characters', { name: 'x'.repeat(101) }],
    ['no name', {}],
    ['a number', { name: 42 }],
    ['an array', ['Alice']],
  ])('answers 400 to %s and changes nothing', async (_what, json) => {
    const login = (await http.login('bob', 'builder')).body;
    const reply = await http.request('PATCH', '/me', { token: login.accessToken, json });
    expect(reply.status).toBe(400);
    expect(payloadOf((await http.refresh(login.refreshToken)).body.accessToken).name).toBe('Bob');
  });

  it('answers 400 to a body that is not JSON and 401 NO_TOKEN without a token', async () => {
    const login = (await http.login('bob', 'builder')).body;
    expect((await http.request('PATCH', '/me', { token: login.accessToken, raw: '{"name":' })).status).toBe(400);
    const anonymous = await http.request('PATCH', '/me', { json: { name: 'Mallory' } });
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'NO_TOKEN']);
  });

  it('serves /me/fresh right after login, LOGIN_REQUIRED once FRESH_LOGIN_MAX_AGE passed (refresh or not), 200 after a new login', async () => {
    const login = (await http.login()).body;
    expect((await http.request('GET', '/me/fresh', { token: login.accessToken })).status).toBe(200);
    // auth_time has whole seconds, so a login's age reads up to 1 s high: 3 s leaves a slow machine room for the first call, 4.1 s is past it for certain.
    await sleep(4100);
    const rotated = (await http.refresh(login.refreshToken)).body;
    expect(payloadOf(rotated.accessToken).auth_time).toBe(payloadOf(login.accessToken).auth_time);
    const refused = await http.request('GET', '/me/fresh', { token: rotated.accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({
      code: 'LOGIN_REQUIRED',
      maxAge: 3,
      authTime: new Date(payloadOf(login.accessToken).auth_time * 1000).toISOString(),
    });
    expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_user_authentication".*max_age="3"/);
    expect((await http.me(rotated.accessToken)).status).toBe(200);
    const again = (await http.login()).body;
    expect((await http.request('GET', '/me/fresh', { token: again.accessToken })).status).toBe(200);
  });

  it('refuses FRESH_LOGIN_MAX_AGE that is not a duration at start-up, naming it', async () => {
    await expect(sampleWith({ FRESH_LOGIN_MAX_AGE: 'soon' })).rejects.toThrow('FRESH_LOGIN_MAX_AGE');
  });
});

describe.each(['redis', 'postgres'])('sample with AUTH_STORE=%s: a claims change reaches the next token on another instance', (store) => {
  let redis: TestRedisServer | undefined;
  let db: TestPostgresDatabase | undefined;
  const running: RunningSample[] = [];

  beforeAll(async () => {
    if (store === 'redis') redis = await TestRedisServer.start();
    else db = await TestPostgresDatabase.create();
  });
  afterAll(async () => {
    for (const sample of running) await sample.close();
    await redis?.stop();
    await db?.drop();
  });

  it('PATCH /me on one instance, refresh on the other', async () => {
    const env = {
      AUTH_STORE: store,
      ...(redis ? { REDIS_URL: redis.url } : { DATABASE_URL: db!.url() }),
      JWT_SECRET: 'claims-store-secret-shared-by-both-instances',
    };
    const a = await sampleWith(env);
    const b = await sampleWith(env);
    running.push(a.sample, b.sample);
    const onA = (await a.http.login()).body;
    const onB = (await b.http.login()).body;
    expect((await a.http.request('PATCH', '/me', { token: onA.accessToken, json: { name: 'Queen Alice' } })).status).toBe(200);
    // Both sessions changed, whichever instance logged them in and whichever rotates them.
    for (const refreshToken of [onA.refreshToken, onB.refreshToken]) {
      const next = (await b.http.refresh(refreshToken)).body;
      expect((await b.http.me(next.accessToken)).body.user.name).toBe('Queen Alice');
    }
  });
});
