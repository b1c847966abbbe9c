import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ALICE, ClientFactory } from './support/clients.js';
import { sleep, startTestSample, type RunningSample } from './support/sample-server.js';

describe('client: LOGIN_REQUIRED (step-up) against the sample', () => {
  let sample: RunningSample;
  const clients = new ClientFactory(() => sample.url);

  beforeAll(async () => {
    sample = await startTestSample({ FRESH_LOGIN_MAX_AGE: '3', ACCESS_TOKEN_TTL: '30s' });
  });
  afterEach(() => clients.disposeAll());
  afterAll(() => sample.close());

  it('emits loginRequired with the server’s details, keeps the session, and serves the route after a new login', async () => {
    const { api, rec, events } = clients.create({ proactiveRefresh: false });
    await api.login(ALICE);
    expect((await api('/me/fresh')).status).toBe(200);
    // auth_time has whole seconds, so a login's age reads up to 1 s high: 3 s leaves a slow machine room for the first call, 4.1 s is past it for certain.
    await sleep(4100);
    const calls = rec.calls.length;
    const refused = await api('/me/fresh');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('LOGIN_REQUIRED');
    // No refresh, no retry: a refresh keeps the login time, so it could not help.
    expect(rec.calls.length).toBe(calls + 1);
    expect(events.loginRequired).toEqual([{ url: `${sample.url}/me/fresh`, authTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), maxAge: 3 }]);
    expect(events.sessionExpired).toEqual([]);
    expect(api.isAuthenticated()).toBe(true);
    expect((await api('/me')).status).toBe(200);

    await api.login(ALICE);
    expect((await api('/me/fresh')).status).toBe(200);
    expect(events.loginRequired).toHaveLength(1);
  });
});
