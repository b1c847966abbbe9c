import { expect } from '@jest/globals';
import { SampleClient, sleep } from './sample-http.js';

/**
 * One store, two sample instances (any store): a token rotated on B and presented again on A after the
 * sample's 1 s grace is reuse, which ends the session on both. The Redis and PostgreSQL suites share it.
 */
export async function expectReuseDetectedAcrossInstances(a: SampleClient, b: SampleClient): Promise<void> {
  const login = (await a.login()).body;
  const rotated = await b.refresh(login.refreshToken);
  expect(rotated.status).toBe(200);
  await sleep(1300);
  const reuse = await a.refresh(login.refreshToken);
  expect(reuse.status).toBe(401);
  expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
  expect((await b.refresh(rotated.body.refreshToken)).body.code).toBe('REFRESH_TOKEN_REVOKED');
  expect((await a.me(rotated.body.accessToken)).body.code).toBe('TOKEN_REVOKED');
}
