import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { RunningSample } from '../../sample/start-sample.js';
import { sampleWith, SampleClient } from '../sample/sample-http.js';

/**
 * Garbage at the login and refresh endpoints of the sample, over real HTTP:
 * whatever the body, the answer is a 400 (or the parser's 413/415) or a coded
 * 401, never a 5xx and never a 200. Prototype-pollution keys must not change
 * how later requests are handled (checked by a clean login afterwards).
 */

const AUTH_CODES = new Set(['REFRESH_TOKEN_MISSING', 'REFRESH_TOKEN_INVALID', 'INVALID_CREDENTIALS']);
const POLLUTING = ['__proto__', 'constructor', 'prototype'];

// JSON text, not values: `__proto__` only survives as an own key when written literally.
const pollutedBody = fc
  .tuple(fc.constantFrom(...POLLUTING), fc.jsonValue({ maxDepth: 2 }), fc.option(fc.string({ maxLength: 120 })))
  .map(([key, value, token]) => `{"${key}": ${JSON.stringify(value)}${token === null ? '' : `, "refreshToken": ${JSON.stringify(token)}`}}`);
const anyJson = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
const bigString = fc.integer({ min: 1_000, max: 12_000 }).map((n) => JSON.stringify({ refreshToken: 'A'.repeat(n), username: 'é'.repeat(n / 2), password: '\u0000'.repeat(8) }));
const wrongTypes = fc
  .oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.dictionary(fc.string(), fc.string()))
  .map((v) => JSON.stringify({ refreshToken: v, username: v, password: v }));
const notJson = fc.string({ maxLength: 200 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
});
const body = fc.oneof(anyJson, pollutedBody, bigString, wrongTypes, notJson);

describe.each(['express', 'fastify'] as const)('garbage bodies at /auth on %s', (platform) => {
  let sample: RunningSample;
  let http: SampleClient;

  beforeAll(async () => {
    ({ sample, http } = await sampleWith({}, { platform }));
  });
  afterAll(() => sample.close());

  it('answers 400/413/415 or a coded 401, never 5xx or 200', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('/auth/refresh', '/auth/login'), async (raw, path) => {
        const reply = await http.request('POST', path, { raw });
        expect(reply.status).not.toBe(200);
        expect(reply.status).toBeLessThan(500);
        expect([400, 401, 413, 415]).toContain(reply.status);
        if (reply.status === 401) expect(AUTH_CODES.has(reply.body.code)).toBe(true);
      }),
      { numRuns: 120 },
    );
    // Nothing above polluted a prototype: a normal login still works and a plain object is still plain.
    expect((await http.login()).status).toBe(200);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers a body that is not JSON at all (wrong content type) without a 5xx', async () => {
    for (const [type, raw] of [
      ['text/plain', 'refreshToken=abc'],
      ['application/x-www-form-urlencoded', 'refreshToken=abc'],
      ['application/xml', '<refreshToken>abc</refreshToken>'],
      ['application/json; charset=utf-16', '{"refreshToken":"abc"}'],
    ]) {
      const reply = await http.request('POST', '/auth/refresh', { raw, headers: { 'content-type': type } });
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
    }
  });
});
