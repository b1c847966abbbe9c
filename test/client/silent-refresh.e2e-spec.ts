import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthClientError, MemoryTokenStorage } from '../../lib/client/index.js';
import { errorResponse } from './support/recording-fetch.js';
import { ALICE, AlwaysFreshStorage, BOB, ClientFactory, revokeBehindTheClientsBack } from './support/clients.js';
import { sleep, startTestSample, waitFor, type RunningSample } from './support/sample-server.js';

// The sample issues 3-second access tokens with no clock tolerance: past this, the server refuses them.
const PAST_SERVER_EXPIRY = 3300;

describe('client state machine against the sample (body mode)', () => {
  let sample: RunningSample;
  const clients = new ClientFactory(() => sample.url);

  beforeAll(async () => {
    sample = await startTestSample();
  });
  afterEach(() => clients.disposeAll());
  afterAll(() => sample.close());

  it('logs in, sends the bearer token, and keeps the refresh token in storage', async () => {
    const { api, rec, storage, events } = clients.create({ proactiveRefresh: false });
    const { expiresAt } = await api.login(ALICE);
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3000);
    const res = await api('/me');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { sub: string } }).user.sub).toBe('alice');
    expect(rec.calls.at(-1)!.authorization).toBe(`Bearer ${api.getAccessToken()}`);
    expect(storage.get()!.refreshToken).toEqual(expect.any(String));
    expect(events.login).toEqual([{ expiresAt, source: 'this-tab' }]);
  });

  it('rejects wrong credentials with the server code and stays logged out', async () => {
    const { api } = clients.create();
    const error = await api.login({ username: 'bob', password: 'wrong' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthClientError);
    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    expect(api.isAuthenticated()).toBe(false);
  });

  it('concurrent requests with a token known to be expired: one refresh before sending, no 401 at all', async () => {
    const { api, rec, events } = clients.create({ proactiveRefresh: false });
    await api.login(BOB);
    const before = api.getAccessToken();
    await sleep(PAST_SERVER_EXPIRY);
    const responses = await Promise.all(Array.from({ length: 8 }, () => api('/me')));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(rec.count('POST', '/auth/refresh')).toBe(1);
    expect(rec.count('GET', '/me')).toBe(8);
    expect(rec.count('GET', '/me', 401)).toBe(0);
    expect(api.getAccessToken()).not.toBe(before);
    expect(events.refresh).toEqual([expect.objectContaining({ trigger: 'expired', source: 'this-tab' })]);
  });

  it('concurrent requests answered TOKEN_EXPIRED: exactly one refresh, each request retried exactly once', async () => {
    const { api, rec } = clients.create({ proactiveRefresh: false, storage: new AlwaysFreshStorage() });
    await api.login(ALICE);
    await sleep(PAST_SERVER_EXPIRY);
    const responses = await Promise.all(Array.from({ length: 8 }, () => api('/me')));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(rec.count('POST', '/auth/refresh')).toBe(1);
    const me = rec.calls.filter((c) => c.path === '/me');
    expect(me.filter((c) => c.status === 401 && c.code === 'TOKEN_EXPIRED')).toHaveLength(8);
    expect(me.filter((c) => c.status === 200)).toHaveLength(8);
    // Every retry carried the one refreshed token.
    expect(new Set(me.filter((c) => c.status === 200).map((c) => c.authorization))).toEqual(new Set([`Bearer ${api.getAccessToken()}`]));
  });

  it('replays the request body on the retry', async () => {
    const { api, rec } = clients.create({ proactiveRefresh: false, storage: new AlwaysFreshStorage() });
    await api.login(ALICE);
    await sleep(PAST_SERVER_EXPIRY);
    const body = JSON.stringify({ note: 'sent twice' });
    const res = await api('/auth/logout-all', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(204);
    const calls = rec.calls.filter((c) => c.path === '/auth/logout-all');
    expect(calls.map((c) => [c.status, c.body])).toEqual([
      [401, body],
      [204, body],
    ]);
  });

  it('refreshes proactively before exp, so a steady stream of requests never meets a 401', async () => {
    const { api, rec, events } = clients.create();
    const loginAt = Date.now();
    const { expiresAt } = await api.login(BOB);
    await waitFor(() => events.refresh.length >= 1, 6000, 'the first proactive refresh');
    const firstRefresh = rec.calls.find((c) => c.path === '/auth/refresh')!;
    expect(firstRefresh.at).toBeLessThan(expiresAt);
    expect(firstRefresh.at).toBeLessThan(loginAt + 3000);
    expect(events.refresh[0]).toMatchObject({ trigger: 'proactive', source: 'this-tab' });
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      expect((await api('/me')).status).toBe(200);
      await sleep(250);
    }
    expect(events.refresh.length).toBeGreaterThanOrEqual(2);
    expect(rec.count('GET', '/me', 401)).toBe(0);
  });

  it('ends the session with REFRESH_TOKEN_REVOKED when the refresh fails, calling onSessionExpired once', async () => {
    const expired: unknown[] = [];
    const { api, rec } = clients.create({ proactiveRefresh: false, onSessionExpired: (e) => expired.push(e) });
    await api.login(ALICE);
    await revokeBehindTheClientsBack(sample.url, api.getAccessToken()!);
    await sleep(PAST_SERVER_EXPIRY);
    const res = await api('/me');
    expect(res.status).toBe(401);
    expect(expired).toEqual([expect.objectContaining({ reason: 'REFRESH_TOKEN_REVOKED', status: 401, source: 'this-tab' })]);
    expect(api.isAuthenticated()).toBe(false);
    expect(rec.count('POST', '/auth/refresh')).toBe(1);
  });

  it('ends the session on TOKEN_REVOKED without trying to refresh', async () => {
    const { api, rec, events } = clients.create({ proactiveRefresh: false });
    await api.login(BOB);
    await revokeBehindTheClientsBack(sample.url, api.getAccessToken()!);
    const res = await api('/me');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('TOKEN_REVOKED');
    expect(events.sessionExpired).toEqual([expect.objectContaining({ reason: 'TOKEN_REVOKED' })]);
    expect(rec.count('POST', '/auth/refresh')).toBe(0);
    expect(api.getAccessToken()).toBeNull();
  });

  it('backs off on 503 AUTH_STORE_UNAVAILABLE and keeps the session', async () => {
    const { api, rec, events } = clients.create({ proactiveRefresh: false, retryBaseDelay: 200 });
    await api.login(ALICE);
    let outages = 2;
    rec.fault = (_request, path) => (path === '/auth/refresh' && outages-- > 0 ? errorResponse(503, 'AUTH_STORE_UNAVAILABLE') : undefined);
    expect(await api.refresh()).toBe(true);
    const attempts = rec.calls.filter((c) => c.path === '/auth/refresh');
    expect(attempts.map((c) => c.status)).toEqual([503, 503, 200]);
    // Backoff: at least half the step between attempts (jitter), 100 ms then 200 ms.
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(90);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(190);
    expect(events.refreshError.map((e) => [e.code, e.attempt, e.final])).toEqual([
      ['AUTH_STORE_UNAVAILABLE', 1, false],
      ['AUTH_STORE_UNAVAILABLE', 2, false],
    ]);
    expect(events.sessionExpired).toEqual([]);
    expect((await api('/me')).status).toBe(200);
  });

  it('honours Retry-After and gives up after maxRefreshAttempts without logging the user out', async () => {
    const { api, rec, events } = clients.create({ proactiveRefresh: false, maxRefreshAttempts: 3 });
    await api.login(BOB);
    rec.fault = (_request, path) => (path === '/auth/refresh' ? errorResponse(503, 'AUTH_STORE_UNAVAILABLE', { 'retry-after': '0' }) : undefined);
    expect(await api.refresh()).toBe(false);
    expect(rec.count('POST', '/auth/refresh')).toBe(3);
    expect(events.refreshError.map((e) => [e.attempt, e.retryInMs, e.final])).toEqual([
      [1, 0, false],
      [2, 0, false],
      [3, undefined, true],
    ]);
    expect(api.isAuthenticated()).toBe(true);
    expect(events.sessionExpired).toEqual([]);
  });

  it('never loops against a server that keeps answering TOKEN_EXPIRED', async () => {
    const { api, rec, events } = clients.create({ proactiveRefresh: false, maxConsecutiveRefreshes: 3 });
    await api.login(ALICE);
    rec.fault = (_request, path) => (path === '/me' ? errorResponse(401, 'TOKEN_EXPIRED') : undefined);
    for (let i = 0; i < 6; i++) expect((await api('/me')).status).toBe(401);
    // Three requests refreshed and retried once each; the fourth tripped the guard; then no session.
    expect(rec.count('POST', '/auth/refresh')).toBe(3);
    expect(rec.count('GET', '/me')).toBe(3 * 2 + 3);
    expect(events.sessionExpired).toEqual([expect.objectContaining({ reason: 'REFRESH_LOOP' })]);
  });

  it('sends the bearer token only to URLs under baseUrl', async () => {
    const { api, rec } = clients.create({ proactiveRefresh: false });
    await api.login(BOB);
    const otherOrigin = sample.url.replace('127.0.0.1', 'localhost');
    expect((await api(`${otherOrigin}/me`)).status).toBe(401);
    expect(rec.calls.at(-1)!.authorization).toBeNull();
    expect((await api(`${sample.url}/me`)).status).toBe(200);
  });

  it('logs out: revokes the session on the server, forgets the tokens, emits logout', async () => {
    const { api, rec, events } = clients.create({ proactiveRefresh: false });
    await api.login(ALICE);
    const token = api.getAccessToken()!;
    await api.logout();
    expect(rec.count('POST', '/auth/logout', 204)).toBe(1);
    expect(events.logout).toEqual([{ everywhere: false }]);
    expect(events.sessionExpired).toEqual([]);
    expect(api.getAccessToken()).toBeNull();
    const res = await fetch(`${sample.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { code: string }).code).toBe('TOKEN_REVOKED');
  });
});

describe('client against the sample with no reuse grace', () => {
  let sample: RunningSample;
  const clients = new ClientFactory(() => sample.url);

  beforeAll(async () => {
    sample = await startTestSample({ REFRESH_REUSE_GRACE: '0' });
  });
  afterEach(() => clients.disposeAll());
  afterAll(() => sample.close());

  it('ends the session with REFRESH_TOKEN_REUSED when a rotated-out token is presented', async () => {
    const storage = new MemoryTokenStorage();
    const { api, events } = clients.create({ proactiveRefresh: false, storage });
    await api.login(BOB);
    const old = storage.get()!.refreshToken;
    expect(await api.refresh()).toBe(true);
    await sleep(1100); // past the (zero-second) grace window, whatever the rounding
    storage.set({ ...storage.get()!, refreshToken: old });
    expect(await api.refresh()).toBe(false);
    expect(events.sessionExpired).toEqual([expect.objectContaining({ reason: 'REFRESH_TOKEN_REUSED', status: 401 })]);
    expect(api.isAuthenticated()).toBe(false);
  });
});
