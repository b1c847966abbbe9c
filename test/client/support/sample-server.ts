import { startSample } from '../../../sample/start-sample.js';

/** Contract variables the client tests use: short-lived access tokens, no clock leeway, so expiry happens within a test. */
export const SHORT_TTL_ENV = { ACCESS_TOKEN_TTL: '3s', CLOCK_TOLERANCE: '0', REFRESH_REUSE_GRACE: '10' } as const;

export type RunningSample = Awaited<ReturnType<typeof startSample>>;

/** Starts the real sample on a free loopback port with a fixed secret (so runs are reproducible) and no logs. */
export function startTestSample(env: Record<string, string | undefined> = {}): Promise<RunningSample> {
  return startSample({ JWT_SECRET: 'client-tests-secret-that-is-long-enough-0123456789', ...SHORT_TTL_ENV, ...env }, { port: 0, logger: false });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 25 ms; fails loudly after `timeoutMs` instead of hanging the suite. */
export async function waitFor(predicate: () => boolean, timeoutMs = 8000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
