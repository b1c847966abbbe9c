import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryTokenStorage } from '../../lib/client/index.js';
import { ALICE, ClientFactory } from './support/clients.js';
import { sleep, startTestSample, type RunningSample } from './support/sample-server.js';

const SKEW = 5 * 60_000;

// A tab that did not witness its token's issue (body mode: handed over by the tab holding the
// refresh token) knows only `exp`, on the server's clock. With the local clock off by minutes that
// is minutes off, unless the client learns the offset from the server's answers (Date, serverTime).
describe('clock skew: a handed-over token expires on time on a clock five minutes slow', () => {
  let sample: RunningSample;
  const clients = new ClientFactory(() => sample.url);

  beforeAll(async () => {
    sample = await startTestSample({ ACCESS_TOKEN_TTL: '10s' });
  });
  afterEach(() => clients.disposeAll());
  afterAll(() => sample.close());

  it('corrects the expiry (and the timer) from the Date header of its first answer', async () => {
    const crossTab = { name: `skew-tests-${process.pid}`, mechanism: 'broadcast-channel' as const };
    const holder = clients.create({ crossTab, proactiveRefresh: false, storage: new MemoryTokenStorage() });
    await holder.api.login(ALICE);
    // The token is 4 s into its 10 s life when the slow tab gets it.
    await sleep(4000);
    const slowClock = () => Date.now() - SKEW;
    const slow = clients.create({ crossTab, clock: slowClock, storage: new MemoryTokenStorage() });
    expect(await slow.api.resume()).toBe(true);
    expect((await slow.api('/me')).status).toBe(200);
    // The holder measured its expiry on the true clock; on the slow one it is the same instant minus the skew.
    const truth = holder.api.getExpiresAt()! - SKEW;
    expect(Math.abs(slow.api.getExpiresAt()! - truth)).toBeLessThan(1500);
    expect(slow.api.getExpiresAt()!).toBeGreaterThan(slowClock());
  });
});
