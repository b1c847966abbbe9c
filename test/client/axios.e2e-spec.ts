import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachAuthClient } from '../../lib/client/axios/index.js';
import { ALICE, AlwaysFreshStorage, BOB, ClientFactory, revokeBehindTheClientsBack } from './support/clients.js';
import { sleep, startTestSample, type RunningSample } from './support/sample-server.js';

// The sample issues 3-second access tokens with no clock tolerance: past this, the server refuses them.
const PAST_SERVER_EXPIRY = 3300;

/**
 * A second API next to the sample: it echoes what it got, and answers
 * TOKEN_EXPIRED to the tokens a test lists (the way a server whose clock is
 * ahead would), so retries can be watched exactly.
 */
class EchoApi {
  readonly expired = new Set<string>();
  readonly seen: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.seen.push({ path: req.url ?? '', headers: req.headers, body });
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        res.setHeader('content-type', 'application/json');
        if (req.url === '/step-up') {
          // What RecentLoginGuard answers a login older than the route allows.
          res.statusCode = 401;
          res.end(JSON.stringify({ statusCode: 401, code: 'LOGIN_REQUIRED', message: 'A more recent login is required', authTime: '2026-03-05T12:00:00.000Z', maxAge: 300 }));
          return;
        }
        if (req.url === '/always-expired' || (token && this.expired.has(token))) {
          res.statusCode = 401;
          res.end(JSON.stringify({ statusCode: 401, code: 'TOKEN_EXPIRED', message: 'Token has expired' }));
          return;
        }
        res.end(JSON.stringify({ authorization: req.headers.authorization ?? null, body }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('axios adapter (attachAuthClient) against the sample', () => {
  let sample: RunningSample;
  const echo = new EchoApi();
  const clients = new ClientFactory(() => sample.url);
  const detach: (() => void)[] = [];

  beforeAll(async () => {
    sample = await startTestSample();
    await echo.start();
  });
  afterEach(() => {
    clients.disposeAll();
    for (const off of detach.splice(0)) off();
    echo.expired.clear();
    echo.seen.length = 0;
  });
  afterAll(async () => {
    await sample.close();
    await echo.close();
  });

  /** A client whose API is the sample plus the echo server, and an axios instance wired to it. */
  function wired(options: Parameters<ClientFactory['create']>[0] = {}) {
    const apiOrigins = new Set([new URL(sample.url).origin, echo.url]);
    const client = clients.create({ proactiveRefresh: false, isApiUrl: (url) => apiOrigins.has(url.origin), ...options });
    const http: AxiosInstance = axios.create({ baseURL: sample.url });
    // Counts every answer axios sees before the adapter handles it (interceptors run in the order added).
    const statuses: number[] = [];
    http.interceptors.response.use(
      (res) => (statuses.push(res.status), res),
      (error: AxiosError) => (statuses.push(error.response?.status ?? 0), Promise.reject(error)),
    );
    detach.push(attachAuthClient(http, client.api));
    return { ...client, http, statuses };
  }

  it('LOGIN_REQUIRED: emits loginRequired with the URL and the server’s details, keeps the session, refreshes nothing', async () => {
    const { api, http, rec, events } = wired();
    await api.login(ALICE);
    const error = await http.get(`${echo.url}/step-up`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(events.loginRequired).toEqual([{ url: `${echo.url}/step-up`, authTime: '2026-03-05T12:00:00.000Z', maxAge: 300 }]);
    expect(events.sessionExpired).toEqual([]);
    expect(rec.count('POST', '/auth/refresh')).toBe(0);
    expect(echo.seen).toHaveLength(1);
    expect(api.isAuthenticated()).toBe(true);
    expect((await http.get('/me')).status).toBe(200);
  });

  it('sends the bearer token to the API and to no other origin', async () => {
    const { api, http } = wired({ isApiUrl: (url) => url.origin === new URL(sample.url).origin });
    await api.login(ALICE);
    const me = await http.get('/me');
    expect(me.data.user.sub).toBe('alice');
    const other = await http.get(`${echo.url}/elsewhere`);
    expect(other.data.authorization).toBeNull();
  });

  it('refreshes a token known to be expired before sending: no 401 at all', async () => {
    const { api, http, rec, statuses } = wired();
    await api.login(BOB);
    await sleep(PAST_SERVER_EXPIRY);
    const answers = await Promise.all(Array.from({ length: 5 }, () => http.get('/me')));
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(200));
    expect(statuses).toEqual(Array(5).fill(200));
    expect(rec.count('POST', '/auth/refresh')).toBe(1);
  });

  it('concurrent TOKEN_EXPIRED answers: one refresh, each request retried exactly once', async () => {
    const { api, http, rec, statuses } = wired({ storage: new AlwaysFreshStorage() });
    await api.login(ALICE);
    await sleep(PAST_SERVER_EXPIRY);
    const answers = await Promise.all(Array.from({ length: 6 }, () => http.get('/me')));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(rec.count('POST', '/auth/refresh')).toBe(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(6);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(new Set(answers.map((a) => a.config.headers.Authorization))).toEqual(new Set([`Bearer ${api.getAccessToken()}`]));
  });

  it('replays the body on the retry, with the new token', async () => {
    const { api, http, rec } = wired();
    await api.login(ALICE);
    const old = api.getAccessToken()!;
    echo.expired.add(old);
    const answer = await http.post(`${echo.url}/notes`, { note: 'sent twice' });
    expect(answer.status).toBe(200);
    expect(rec.count('POST', '/auth/refresh')).toBe(1);
    expect(answer.data).toEqual({ authorization: `Bearer ${api.getAccessToken()}`, body: JSON.stringify({ note: 'sent twice' }) });
    expect(echo.seen.map((s) => [s.headers.authorization, s.body])).toEqual([
      [`Bearer ${old}`, '{"note":"sent twice"}'],
      [`Bearer ${api.getAccessToken()}`, '{"note":"sent twice"}'],
    ]);
  });

  it('retries once only: a second TOKEN_EXPIRED rejects without another refresh', async () => {
    const { api, http, rec } = wired();
    await api.login(ALICE);
    const error = (await http.get(`${echo.url}/always-expired`).catch((e: unknown) => e)) as AxiosError;
    expect(error).toBeInstanceOf(AxiosError);
    expect(error.response?.status).toBe(401);
    expect(echo.seen.filter((s) => s.path === '/always-expired')).toHaveLength(2);
    expect(rec.count('POST', '/auth/refresh')).toBe(1);
    expect(api.isAuthenticated()).toBe(true);
  });

  it('ends the session with the server code when it was revoked, and rejects with the 401', async () => {
    const { api, http, events } = wired();
    await api.login(BOB);
    await revokeBehindTheClientsBack(sample.url, api.getAccessToken()!);
    const error = (await http.get('/me').catch((e: unknown) => e)) as AxiosError<{ code: string }>;
    expect(error.response?.status).toBe(401);
    expect(error.response?.data.code).toBe('TOKEN_REVOKED');
    expect(events.sessionExpired).toEqual([expect.objectContaining({ reason: 'TOKEN_REVOKED', source: 'this-tab' })]);
    expect(api.isAuthenticated()).toBe(false);
  });

  it('ends the session when the refresh is refused, and rejects with the original 401', async () => {
    const { api, http, events, rec } = wired({ storage: new AlwaysFreshStorage() });
    await api.login(ALICE);
    // Log out on the server only: the refresh token dies with the session, the client does not know yet.
    await revokeBehindTheClientsBack(sample.url, api.getAccessToken()!);
    echo.expired.add(api.getAccessToken()!);
    const error = (await http.get(`${echo.url}/data`).catch((e: unknown) => e)) as AxiosError<{ code: string }>;
    expect(error.response?.data.code).toBe('TOKEN_EXPIRED');
    expect(rec.count('POST', '/auth/refresh', 401)).toBe(1);
    expect(events.sessionExpired).toEqual([expect.objectContaining({ reason: 'REFRESH_TOKEN_REVOKED' })]);
  });

  it('detaching removes the interceptors', async () => {
    const { api, http } = wired();
    await api.login(ALICE);
    for (const off of detach.splice(0)) off();
    expect((await http.get(`${echo.url}/plain`)).data.authorization).toBeNull();
  });
});
