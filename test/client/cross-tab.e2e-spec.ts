import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryTokenStorage } from '../../lib/client/index.js';
import { ALICE, ClientFactory, revokeBehindTheClientsBack } from './support/clients.js';
import { RecordingFetch } from './support/recording-fetch.js';
import { sleep, startTestSample, waitFor, type RunningSample } from './support/sample-server.js';

// Node 20 has BroadcastChannel but no Web Locks: two clients on one channel
// behave like two tabs of a browser without Web Locks, i.e. the fallback
// mutex. (The Web Locks path is exercised in Chromium by test/browser.)
describe('cross-tab coordination over BroadcastChannel (two clients as two tabs)', () => {
  let sample: RunningSample;
  const clients = new ClientFactory(() => sample.url);
  let channel = 0;

  beforeAll(async () => {
    sample = await startTestSample();
  });
  afterEach(() => clients.disposeAll());
  afterAll(() => sample.close());

  function twoTabs() {
    const crossTab = { name: `client-tests-${process.pid}-${++channel}` };
    const wire = new RecordingFetch(); // one recorder: counts the calls of both tabs
    const a = clients.create({ crossTab, proactiveRefresh: false, storage: new MemoryTokenStorage() }, wire);
    const b = clients.create({ crossTab, proactiveRefresh: false, storage: new MemoryTokenStorage() }, wire);
    return { a, b, wire };
  }

  it('uses the BroadcastChannel fallback here', () => {
    const { a } = twoTabs();
    expect(a.api.coordination).toBe('broadcast-channel');
  });

  it('a tab picks up the tokens of a login in another tab', async () => {
    const { a, b } = twoTabs();
    await a.api.login(ALICE);
    await waitFor(() => b.api.isAuthenticated(), 2000, 'tab B to receive the tokens');
    expect(b.api.getAccessToken()).toBe(a.api.getAccessToken());
    expect(b.events.login).toEqual([expect.objectContaining({ source: 'other-tab' })]);
    expect((await b.api('/me')).status).toBe(200);
  });

  it('a tab opened later gets the tokens from the open ones with resume()', async () => {
    const crossTab = { name: `client-tests-${process.pid}-${++channel}` };
    const a = clients.create({ crossTab, proactiveRefresh: false });
    await a.api.login(ALICE);
    const late = clients.create({ crossTab, proactiveRefresh: false });
    expect(await late.api.resume()).toBe(true);
    expect(late.api.getAccessToken()).toBe(a.api.getAccessToken());
  });

  it('both tabs hitting expiry at the same moment cause one refresh, and both end up with its tokens', async () => {
    const { a, b, wire } = twoTabs();
    await a.api.login(ALICE);
    await waitFor(() => b.api.isAuthenticated(), 2000, 'tab B to receive the tokens');
    await sleep(3300);
    const responses = await Promise.all([...Array.from({ length: 4 }, () => a.api('/me')), ...Array.from({ length: 4 }, () => b.api('/me'))]);
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(wire.count('POST', '/auth/refresh')).toBe(1);
    // The refresh token travelled too: the tab that did not refresh can rotate next time without reuse.
    expect(b.storage.get()!.refreshToken).toBe(a.storage.get()!.refreshToken);
    expect(b.api.getAccessToken()).toBe(a.api.getAccessToken());
    const refreshedHere = a.events.refresh.filter((e) => e.source === 'this-tab').length + b.events.refresh.filter((e) => e.source === 'this-tab').length;
    expect(refreshedHere).toBe(1);
  });

  it('logging out in one tab ends the session in the other with LOGGED_OUT', async () => {
    const { a, b } = twoTabs();
    await a.api.login(ALICE);
    await waitFor(() => b.api.isAuthenticated(), 2000, 'tab B to receive the tokens');
    await a.api.logout();
    await waitFor(() => b.events.sessionExpired.length > 0, 2000, 'tab B to hear about the logout');
    expect(b.events.sessionExpired).toEqual([expect.objectContaining({ reason: 'LOGGED_OUT', source: 'other-tab' })]);
    expect(b.api.isAuthenticated()).toBe(false);
    expect(a.events.sessionExpired).toEqual([]);
  });

  it('a session end one tab discovers reaches the other with the server code', async () => {
    const { a, b } = twoTabs();
    await a.api.login(ALICE);
    await waitFor(() => b.api.isAuthenticated(), 2000, 'tab B to receive the tokens');
    await revokeBehindTheClientsBack(sample.url, a.api.getAccessToken()!);
    expect((await a.api('/me')).status).toBe(401);
    await waitFor(() => b.events.sessionExpired.length > 0, 2000, 'tab B to hear about the session end');
    expect(b.events.sessionExpired).toEqual([expect.objectContaining({ reason: 'TOKEN_REVOKED', source: 'other-tab' })]);
  });
});
