import { expect } from '@jest/globals';

/**
 * The promise for a request whose headers exceed the runtime's limit: no handler ever sees it, so the answer is
 * never a 200 and never a 5xx. Node 20 and 22 answer 431; Node 24 may reset the connection while the client is
 * still sending, which is the runtime's own refusal. Either is accepted; anything a handler could produce is not.
 */
export async function expectRefusedBeforeAnyHandler(send: () => PromiseLike<{ status: number }>): Promise<void> {
  const outcome = await Promise.resolve(send()).then(
    (res) => ({ status: res.status, error: undefined }),
    (err: NodeJS.ErrnoException) => ({ status: undefined, error: err.code ?? String(err) }),
  );
  if (outcome.status !== undefined) {
    expect(outcome.status).toBeGreaterThanOrEqual(400);
    expect(outcome.status).toBeLessThan(500);
  } else {
    expect(['ECONNRESET', 'EPIPE']).toContain(outcome.error);
  }
}
