import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ALICE, AlwaysFreshStorage, BOB, ClientFactory } from './support/clients.js';
import { CookieJarFetch } from './support/cookie-jar-fetch.js';
import { HostileChannel } from './support/hostile-channel.js';
import { RecordingFetch } from './support/recording-fetch.js';
import { sleep, startTestSample, waitFor, type RunningSample } from './support/sample-server.js';

// Cookie mode in Node needs a fetch with a cookie jar, which Node's fetch lacks;
// the client takes one through its `fetch` option. These tests use a small
// browser-like jar and check what actually crosses the wire.
describe('cookie mode against the sample with REFRESH_COOKIE=1', () => {
  let sample: RunningSample;
  const clients = new ClientFactory(() => sample.url);

  beforeAll(async () => {
    sample = await startTestSample({ REFRESH_COOKIE: '1' });
  });
  afterEach(() => clients.disposeAll());
  afterAll(() => sample.close());

  /** A browser-like wire: the jar adds cookies, the recorder under it sees what is really sent. */
  function browserLikeWire() {
    const rec = new RecordingFetch();
    return { rec, jar: new CookieJarFetch(rec.fetch) };
  }

  function cookieClient(wire = browserLikeWire(), options = {}) {
    return { ...wire, ...clients.create({ mode: 'cookie', proactiveRefresh: false, fetch: wire.jar.fetch, ...options }, wire.rec) };
  }

  it('never stores the refresh token and refreshes with the cookie alone', async () => {
    const { api, rec, jar, storage } = cookieClient();
    await api.login(ALICE);
    expect(storage.get()!.refreshToken).toBeUndefined();
    expect(jar.names()).toEqual(['refresh_token']);
    const before = api.getAccessToken();
    expect(await api.refresh()).toBe(true);
    const refresh = rec.calls.find((c) => c.path === '/auth/refresh')!;
    expect(refresh.body).toBe('{}');
    expect(refresh.cookie).toMatch(/^refresh_token=/);
    expect(api.getAccessToken()).not.toBe(before);
    // The cookie is scoped to /auth: API calls don't carry it.
    await api('/me');
    expect(rec.calls.at(-1)!.cookie).toBeNull();
  });

  it('concurrent TOKEN_EXPIRED answers cause one cookie refresh', async () => {
    const { api, rec } = cookieClient(undefined, { storage: new AlwaysFreshStorage() });
    await api.login(BOB);
    await sleep(3300);
    const responses = await Promise.all(Array.from({ length: 6 }, () => api('/me')));
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(rec.count('POST', '/auth/refresh')).toBe(1);
  });

  it('resume() restores the session after a reload from the cookie', async () => {
    const wire = browserLikeWire();
    const first = cookieClient(wire);
    await first.api.login(ALICE);
    first.api.dispose();
    const reloaded = cookieClient(wire);
    expect(reloaded.api.isAuthenticated()).toBe(false);
    expect(await reloaded.api.resume()).toBe(true);
    expect((await reloaded.api('/me')).status).toBe(200);
  });

  it('logout clears the cookie; resume() then finds no session and reports nothing', async () => {
    const wire = browserLikeWire();
    const { api } = cookieClient(wire);
    await api.login(BOB);
    await api.logout();
    expect(wire.jar.names()).toEqual([]);
    const reloaded = cookieClient(wire);
    expect(await reloaded.api.resume()).toBe(false);
    expect(reloaded.events.sessionExpired).toEqual([]);
  });

  it('another tab\'s login is picked up from the cookie, and a flood of such hints costs at most one refresh per tab', async () => {
    const crossTab = { name: `cookie-tabs-${process.pid}-${Date.now()}`, mechanism: 'broadcast-channel' as const };
    const wire = browserLikeWire();
    const idle = cookieClient(wire, { crossTab });
    const a = cookieClient(wire, { crossTab });
    await a.api.login(ALICE);
    await waitFor(() => idle.api.isAuthenticated(), 2000, 'the idle tab to pick up the login');
    expect(idle.events.login).toEqual([expect.objectContaining({ source: 'other-tab' })]);
    const hostile = new HostileChannel(crossTab.name);
    try {
      const before = wire.rec.count('POST', '/auth/refresh');
      // Spaced out, so that each hint would find no refresh in flight to join.
      for (let i = 0; i < 10; i++) {
        hostile.post({ type: 'session-started', sid: `forged-${i}` });
        await sleep(60);
      }
      await sleep(100);
      expect(wire.rec.count('POST', '/auth/refresh') - before).toBeLessThanOrEqual(2);
      expect((await idle.api('/me')).status).toBe(200);
    } finally {
      hostile.close();
    }
  });

  it("with Node's plain fetch (no cookie jar) the refresh cannot work, and the client says why", async () => {
    const { api, events } = clients.create({ mode: 'cookie', proactiveRefresh: false });
    await api.login(ALICE);
    expect(await api.refresh()).toBe(false);
    expect(events.sessionExpired).toEqual([expect.objectContaining({ reason: 'REFRESH_TOKEN_MISSING' })]);
  });
});
