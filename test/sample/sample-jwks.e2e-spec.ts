import { afterAll, describe, expect, it } from '@jest/globals';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { RunningSample } from '../../sample/start-sample.js';
import { sampleWith } from './sample-http.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

describe('sample: JWT_ALGORITHM, JWT_PRIVATE_KEY and GET /.well-known/jwks.json', () => {
  const running: RunningSample[] = [];
  const start = async (env: Record<string, string>) => {
    const started = await sampleWith(env);
    running.push(started.sample);
    return started;
  };
  afterAll(async () => {
    for (const sample of running) await sample.close();
  });

  it.each(['ES256', 'EdDSA', 'RS256'])('with %s: publishes the public key, cacheable, and a JWKS client verifies the tokens with it', async (alg) => {
    const { sample, http } = await start({ JWT_ALGORITHM: alg });
    const jwks = await http.request('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    expect(jwks.body.keys).toHaveLength(1);
    const [key] = jwks.body.keys;
    expect(key).toMatchObject({ kty: expect.any(String), kid: expect.any(String), alg, use: 'sig' });
    for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);

    const login = (await http.login()).body;
    expect(headerOf(login.accessToken)).toEqual({ alg, typ: 'at+jwt', kid: key.kid });
    const { payload } = await jwtVerify(login.accessToken, createRemoteJWKSet(new URL(`${sample.url}/.well-known/jwks.json`)), {
      typ: 'at+jwt',
      algorithms: [alg],
    });
    expect(payload).toMatchObject({ sub: 'alice', name: 'Alice' });
    expect((await http.me(login.accessToken)).status).toBe(200);
  });

  it('answers 404 with HS256: an HMAC secret is never published', async () => {
    const { http } = await start({});
    const reply = await http.request('GET', '/.well-known/jwks.json');
    expect(reply.status).toBe(404);
    expect(JSON.stringify(reply.body)).not.toContain('sample-e2e-secret');
  });

  it('signs with JWT_PRIVATE_KEY (PEM, with \\n escapes as env files hold them) under a kid every instance agrees on', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = (privateKey.export({ format: 'pem', type: 'pkcs8' }) as string).replace(/\n/g, '\\n');
    const a = await start({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: pem });
    const b = await start({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: pem });
    const kidA = (await a.http.request('GET', '/.well-known/jwks.json')).body.keys[0].kid;
    expect((await b.http.request('GET', '/.well-known/jwks.json')).body.keys[0].kid).toBe(kidA);
    const token = (await a.http.login()).body.accessToken;
    expect(headerOf(token).kid).toBe(kidA);
    const { payload } = await jwtVerify(token, createPublicKey(publicKey.export({ format: 'pem', type: 'spki' })), { algorithms: ['ES256'] });
    expect(payload.sub).toBe('alice');
  });

  it.each([
    ['an unknown JWT_ALGORITHM', { JWT_ALGORITHM: 'none' }, 'JWT_ALGORITHM must be one of HS256, ES256, EdDSA, RS256'],
    ['a JWT_PRIVATE_KEY that is not PEM', { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: 'not a key' }, 'JWT_PRIVATE_KEY is not a PEM private key'],
    [
      'a JWT_PRIVATE_KEY of another type',
      { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string },
      'JWT_PRIVATE_KEY is a ed25519 key; JWT_ALGORITHM=ES256 needs an EC P-256 key',
    ],
  ])('refuses %s at start-up, naming the variable', async (_what, env, message) => {
    await expect(sampleWith(env as Record<string, string>)).rejects.toThrow(message);
  });
});
