import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import axios, { AxiosError } from 'axios';
import { attachAuthClient } from '../../lib/client/axios/index.js';
import { ALICE, ClientFactory } from './support/clients.js';
import { sleep, startTestSample, type RunningSample } from './support/sample-server.js';

// LOGIN_REQUIRED (a route wanting a recent login) is not a session end and no refresh can cure it
// (auth_time survives rotation): the client hands the 401 to the app and keeps the session.
describe('LOGIN_REQUIRED leaves the session alone', () => {
  let sample: RunningSample;
  const clients = new ClientFactory(() => sample.url);

  beforeAll(async () => {
    sample = await startTestSample({ FRESH_LOGIN_MAX_AGE: '1s', ACCESS_TOKEN_TTL: '60s' });
  });
  afterEach(() => clients.disposeAll());
  afterAll(() => sample.close());

  it('through fetch and through axios: the 401 reaches the caller, no refresh, no sessionExpired', async () => {
    const { api, rec, events } = clients.create({ proactiveRefresh: false });
    await api.login(ALICE);
    expect((await api('/me/fresh')).status).toBe(200);
    await sleep(2100);
    const res = await api('/me/fresh');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('LOGIN_REQUIRED');

    const http = axios.create({ baseURL: sample.url });
    const detach = attachAuthClient(http, api);
    try {
      const error = (await http.get('/me/fresh').catch((e: unknown) => e)) as AxiosError<{ code: string }>;
      expect(error.response?.data.code).toBe('LOGIN_REQUIRED');
    } finally {
      detach();
    }
    expect(rec.count('POST', '/auth/refresh')).toBe(0);
    expect(events.sessionExpired).toEqual([]);
    expect(api.isAuthenticated()).toBe(true);
    expect((await api('/me')).status).toBe(200);
  });
});
