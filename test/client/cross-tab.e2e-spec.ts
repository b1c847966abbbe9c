import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryTokenStorage } from '../../lib/client/index.js';
import { ALICE, BOB, ClientFactory, revokeBehindTheClientsBack } from './support/clients.js';
import { HostileChannel } from './support/hostile-channel.js';
import { RecordingFetch } from './support/recording-fetch.js';
import { sleep, startTestSample, waitFor, type RunningSample } from './support/sample-server.js';

// Two clients on one channel behave like two tabs. The mechanism is pinned to
// the BroadcastChannel mutex: Node 24 has Web Locks and Node 20 has not, and
// these tests must not depend on which one the runtime offers (Web Locks are
// exercised in Chromium by test/browser).
describe('cross-tab coordination in body mode (two clients as two tabs)', () => {
  let sample: RunningSample;
  const clients = new ClientFactory(() => sample.url);
  const hostiles: HostileChannel[] = [];
  let channel = 0;

  beforeAll(async () => {
    sample = await startTestSample();
  });
  afterEach(() => {
    clients.disposeAll();
    for (const hostile of hostiles.splice(0)) hostile.close();
  });
  afterAll(() => sample.close());

  function tabs(options: { lockLease?: number } = {}) {
    const crossTab = { name: `client-tests-${process.pid}-${++channel}`, mechanism: 'broadcast-channel' as const, ...options };
    const wire = new RecordingFetch(); // one recorder: counts the calls of both tabs
    const open = () => clients.create({ crossTab, proactiveRefresh: false, storage: new MemoryTokenStorage() }, wire);
    const hostile = new HostileChannel(crossTab.name);
    hostiles.push(hostile);
    return { a: open(), b: open(), open, wire, hostile, name: crossTab.name };
  }

  async function loggedInPair(options?: { lockLease?: number }) {
    const t = tabs(options);
    await t.a.api.login(ALICE);
    expect(await t.b.api.resume()).toBe(true);
    return t;
  }

  const sidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid as string;

  it('uses the mechanism it was pinned to', () => {
    expect(tabs().a.api.coordination).toBe('broadcast-channel');
  });

  it('a tab opened later gets an access token, never the refresh token, with resume()', async () => {
    const { a, b, hostile } = tabs();
    await a.api.login(ALICE);
    // A login elsewhere installs nothing here by itself: the tab resumes when the page asks it to.
    await sleep(100);
    expect(b.api.isAuthenticated()).toBe(false);
    expect(await b.api.resume()).toBe(true);
    expect(b.api.getAccessToken()).toBe(a.api.getAccessToken());
    expect(b.storage.get()!.refreshToken).toBeUndefined();
    expect((await b.api('/me')).status).toBe(200);
    expect(hostile.transcript).not.toContain(a.storage.get()!.refreshToken!);
  });

  it('both tabs hitting expiry at once: the holding tab refreshes once, the other gets the access token only', async () => {
    const { a, b, wire, hostile } = await loggedInPair();
    const refreshTokens = new Set([a.storage.get()!.refreshToken!]);
    await sleep(3300);
    const responses = await Promise.all([...Array.from({ length: 4 }, () => a.api('/me')), ...Array.from({ length: 4 }, () => b.api('/me'))]);
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(wire.count('POST', '/auth/refresh')).toBe(1);
    refreshTokens.add(a.storage.get()!.refreshToken!);
    expect(b.api.getAccessToken()).toBe(a.api.getAccessToken());
    expect(b.storage.get()!.refreshToken).toBeUndefined();
    expect(a.events.refresh.filter((e) => e.source === 'this-tab')).toHaveLength(1);
    expect(b.events.refresh.filter((e) => e.source === 'this-tab')).toHaveLength(0);
    for (const token of refreshTokens) expect(hostile.transcript).not.toContain(token);
  });

  it('a tab without the refresh token that meets TOKEN_EXPIRED asks the holding tab, and retries once', async () => {
    const { a, b, wire } = await loggedInPair();
    await sleep(3300);
    expect((await b.api('/me')).status).toBe(200);
    expect(wire.count('POST', '/auth/refresh')).toBe(1);
    expect(a.events.refresh).toEqual([expect.objectContaining({ trigger: 'peer', source: 'this-tab' })]);
    expect(b.api.getAccessToken()).toBe(a.api.getAccessToken());
  });

  it('when the holding tab is gone, the other ends the session with REFRESH_TAB_CLOSED instead of looping', async () => {
    const { a, b, wire } = await loggedInPair();
    a.api.dispose();
    await sleep(3300);
    expect((await b.api('/me')).status).toBe(401);
    expect(b.events.sessionExpired).toEqual([expect.objectContaining({ reason: 'REFRESH_TAB_CLOSED', source: 'this-tab' })]);
    expect(wire.count('POST', '/auth/refresh')).toBe(0);
  });

  it('logging out in one tab ends the session in the other with LOGGED_OUT', async () => {
    const { a, b } = await loggedInPair();
    await a.api.logout();
    await waitFor(() => b.events.sessionExpired.length > 0, 2000, 'tab B to hear about the logout');
    expect(b.events.sessionExpired).toEqual([expect.objectContaining({ reason: 'LOGGED_OUT', source: 'other-tab' })]);
    expect(b.api.isAuthenticated()).toBe(false);
    expect(a.events.sessionExpired).toEqual([]);
  });

  it('a session end one tab discovers reaches the other with the server code', async () => {
    const { a, b } = await loggedInPair();
    await revokeBehindTheClientsBack(sample.url, a.api.getAccessToken()!);
    expect((await a.api('/me')).status).toBe(401);
    await waitFor(() => b.events.sessionExpired.length > 0, 2000, 'tab B to hear about the session end');
    expect(b.events.sessionExpired).toEqual([expect.objectContaining({ reason: 'TOKEN_REVOKED', source: 'other-tab' })]);
  });

  describe('a hostile script on the channel', () => {
    it('asking for a sync gets an access token at most, never a refresh token', async () => {
      const { a, hostile } = await loggedInPair();
      hostile.post({ type: 'sync-request' });
      await waitFor(() => hostile.seen.some((m) => (m as { body?: { reason?: string } }).body?.reason === 'sync'), 2000, 'a sync answer');
      expect(hostile.transcript).toContain(a.api.getAccessToken()!);
      expect(hostile.transcript).not.toContain(a.storage.get()!.refreshToken!);
      expect(hostile.transcript).not.toContain('refreshToken');
    });

    it('cannot install its own session in a tab, logged in or not', async () => {
      const { a, b, open, hostile } = await loggedInPair();
      const idle = open();
      const mallory = (await (await fetch(`${sample.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BOB) })).json()) as { accessToken: string };
      for (const reason of ['refresh', 'sync', 'login']) {
        for (const to of [undefined, 'hostile-tab']) {
          hostile.post({ type: 'tokens', accessToken: mallory.accessToken, expiresAt: Date.now() + 3_600_000, receivedAt: Date.now() + 3_600_000, reason, to });
        }
      }
      hostile.post({ type: 'session-started', sid: sidOf(mallory.accessToken) });
      await sleep(300);
      expect(idle.api.isAuthenticated()).toBe(false);
      for (const tab of [a, b]) {
        expect(sidOf(tab.api.getAccessToken()!)).not.toBe(sidOf(mallory.accessToken));
        const me = (await (await tab.api('/me')).json()) as { user: { sub: string } };
        expect(me.user.sub).toBe('alice');
      }
      // The far-future timestamps blocked nothing: the next real rotation still reaches the other tab.
      expect(await a.api.refresh()).toBe(true);
      await waitFor(() => b.api.getAccessToken() === a.api.getAccessToken(), 2000, 'tab B to take the new token');
    });

    it('cannot end a session it does not know, and a forged token of ours is refreshed away, not obeyed', async () => {
      const { a, b, hostile } = await loggedInPair();
      hostile.post({ type: 'logout', sid: 'not-their-session' });
      hostile.post({ type: 'session-ended', sid: 'not-their-session', reason: 'TOKEN_REVOKED' });
      // A token with the victim's sid (readable from any shared access token) but a forged signature.
      const [header, , ] = a.api.getAccessToken()!.split('.');
      const claims = Buffer.from(JSON.stringify({ sub: 'alice', sid: sidOf(a.api.getAccessToken()!), iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
      hostile.post({ type: 'tokens', accessToken: `${header}.${claims}.forged`, expiresAt: Date.now() + 3_600_000, reason: 'refresh' });
      await sleep(200);
      expect(b.events.sessionExpired).toEqual([]);
      expect((await b.api('/me')).status).toBe(200);
      expect(b.events.sessionExpired).toEqual([]);
      expect(a.events.sessionExpired).toEqual([]);
    });

    it('holding the lock for ever delays a refresh by one lease at most', async () => {
      const { a, hostile } = await loggedInPair({ lockLease: 600 });
      const spam = setInterval(() => hostile.post({ type: 'lock-held' }), 20);
      try {
        const started = Date.now();
        expect(await a.api.refresh()).toBe(true);
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        clearInterval(spam);
      }
    });
  });
});
