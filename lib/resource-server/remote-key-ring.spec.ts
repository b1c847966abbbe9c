import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AuthException } from '../errors/auth.exception.js';
import { RemoteKeyRing } from './remote-key-ring.js';

// A JWKS server whose answer each test sets.
let server: Server;
let base: string;
let answer: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: '{"keys":[]}' };
let hits = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ecJwk = (kid: string, extra: Record<string, unknown> = {}) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg: 'ES256', use: 'sig', ...extra };
};

function ring(url = `${base}/jwks`) {
  return new RemoteKeyRing({ url, algorithms: ['ES256', 'EdDSA'], cooldownMs: 5000, maxAgeMs: 60_000, timeoutMs: 2000, maxTokenLength: 8192 });
}

const serve = (keys: unknown[], status = 200) => (answer = { status, body: JSON.stringify({ keys }) });

describe('RemoteKeyRing', () => {
  it('imports only public, signing keys of an accepted alg, pinned to that alg', async () => {
    const withPrivate = ecJwk('ec-with-d'); // a private member published by mistake: only the public half is taken
    const edPublic = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    serve([
      withPrivate,
      { ...edPublic, kid: 'ed', alg: 'EdDSA' },
      ecJwk('enc', { use: 'enc' }),
      ecJwk('rs-not-accepted', { alg: 'RS256' }),
      ecJwk('no-alg', { alg: undefined }),
      { kty: 'oct', k: 'c2VjcmV0', kid: 'hs', alg: 'HS256' },
      ecJwk('lies-about-alg', { alg: 'EdDSA' }),
      'not an object',
    ]);
    const r = ring();
    await r.warmUp(0);
    expect(r.liveAt().map((k) => [k.kid, k.algorithm]).sort()).toEqual([
      ['ec-with-d', 'ES256'],
      ['ed', 'EdDSA'],
    ]);
    const imported = r.select('ec-with-d')!;
    expect(imported.signingKey).toBeNull();
    expect(imported.verificationKey.type).toBe('public');
  });

  it('fails closed when the first fetch fails, then holds on to what a later fetch gave', async () => {
    answer = { status: 500, body: 'oops' };
    const r = ring();
    await r.warmUp(0);
    const refusal = await r.prepare('a.b.c', 1000)!.catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AuthException);
    expect((refusal as AuthException).code).toBe('JWKS_UNAVAILABLE');
    serve([ecJwk('k1')]);
    await r.prepare('a.b.c', 5000);
    expect(r.select('k1')).not.toBeNull();
    // The issuer breaks: a due refresh fails, and k1 stays.
    answer = { status: 503, body: '' };
    await r.prepare('a.b.c', 70_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.select('k1')).not.toBeNull();
  });

  it.each([
    ['a redirect', { status: 302, body: '', headers: { location: '/elsewhere' } }],
    ['a body over 512 KB', { status: 200, body: JSON.stringify({ keys: [], pad: 'x'.repeat(600 * 1024) }) }],
    ['a body over 512 KB sent without a length', { status: 200, body: JSON.stringify({ keys: [], pad: 'x'.repeat(600 * 1024) }), headers: { 'transfer-encoding': 'chunked' } }],
    ['a body that is not a JWK Set', { status: 200, body: '{"keys":{}}' }],
    ['a body that is not JSON', { status: 200, body: '<html>' }],
    ['a set with no usable key', { status: 200, body: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', alg: 'HS256' }] }) }],
  ])('refuses %s (and stays closed)', async (_what, reply) => {
    answer = reply;
    const r = ring();
    await r.warmUp(0);
    expect(r.liveAt()).toEqual([]);
    await expect(r.prepare('a.b.c', 1)!).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
  });

  it('keeps at most 100 keys of a set', async () => {
    const jwk = ecJwk('x');
    serve(Array.from({ length: 150 }, (_, i) => ({ ...jwk, kid: `k${i}` })));
    const r = ring();
    await r.warmUp(0);
    expect(r.liveAt()).toHaveLength(100);
  });

  it('joins a fetch under way instead of starting another', async () => {
    serve([ecJwk('k1')]);
    const r = ring();
    hits = 0;
    await Promise.all([r.warmUp(0), r.warmUp(0), r.prepare('a.b.c', 0)]);
    expect(hits).toBe(1);
  });

  it('gives up on a JWKS server that never answers after the timeout, and stays closed', async () => {
    const silent = createServer(() => undefined); // accepts, never replies
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/jwks`;
      const r = new RemoteKeyRing({ url, algorithms: ['ES256'], cooldownMs: 5000, maxAgeMs: 60_000, timeoutMs: 300, maxTokenLength: 8192 });
      const started = Date.now();
      await r.warmUp(0);
      expect(Date.now() - started).toBeLessThan(3000);
      await expect(r.prepare('a.b.c', 1)!).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses to sign', () => {
    expect(() => ring().signingAt()).toThrow('only verifies');
  });
});
