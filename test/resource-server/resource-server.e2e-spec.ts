import { afterEach, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import { MemoryRefreshTokenStore } from '../../lib/index.js';
import type { AuthKeyOptions } from '../../lib/index.js';
import { PLATFORMS } from '../support/create-app.js';
import { ACCESS_TOKEN_TTL, AUDIENCE, CLOCK_TOLERANCE, ISSUER, Running, startIssuer, startResourceServer, TestClock } from './apps.js';

const T0 = Date.UTC(2026, 2, 5, 12, 0, 0);

function ecKey(kid: string): AuthKeyOptions & { privateKey: KeyObject } {
  return { kid, algorithm: 'ES256', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
}

// P-256's group order. The verifier takes only low-S ECDSA signatures (our issuer signs them so);
// jose leaves S as it comes, so half its signatures would be refused for that reason alone.
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A jose-signed ES256 token with its signature's S made low, as our issuer's are. */
async function lowS(signing: Promise<string>): Promise<string> {
  const [header, payload, signature] = (await signing).split('.');
  const bytes = Buffer.from(signature, 'base64url');
  const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  if (s <= P256_ORDER / 2n) return `${header}.${payload}.${signature}`;
  const low = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([bytes.subarray(0, 32), low]).toString('base64url')}`;
}

const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;

/**
 * One request on a connection of its own: the issuer is restarted on the same port mid-test, and a pooled
 * keep-alive socket to the old process would fail the test client, not the code under test.
 */
function send(url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Headers; body: any }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const h = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') h.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers: h, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const call = (server: Running, path: string, token?: string) =>
  send(server.url + path, 'GET', token === undefined ? {} : { authorization: `Bearer ${token}` });

const post = (server: Running, path: string, json: unknown, token?: string) =>
  send(server.url + path, 'POST', { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }, JSON.stringify(json));

describe.each(PLATFORMS)('a resource server on %s verifying through the issuer’s JWKS, over real HTTP', (platform) => {
  const started: Running[] = [];
  afterEach(async () => {
    while (started.length) await started.pop()!.app.close();
  });
  const track = (running: Running) => (started.push(running), running);

  function setup() {
    const clock = new TestClock(T0);
    const store = new MemoryRefreshTokenStore({ now: () => clock.now });
    const counter = { jwks: 0 };
    return { clock, store, counter };
  }

  const resourceServer = (issuer: Running | string, clock: TestClock, extra: Record<string, unknown> = {}) =>
    startResourceServer(platform, {
      jwksUrl: `${typeof issuer === 'string' ? issuer : issuer.url}/.well-known/jwks.json`,
      issuer: ISSUER,
      audience: AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE,
      jwksMaxAge: 60,
      jwksCooldown: 5,
      clock: () => clock.now,
      ...extra,
    }).then(track);

  it('keeps serving through a scheduled key rotation and an issuer redeploy: no request fails', async () => {
    const { clock, store, counter } = setup();
    const k1 = ecKey('k1');
    let issuer = await startIssuer([k1], clock, store, 0, counter);
    const port = Number(new URL(issuer.url).port);
    const rs = await resourceServer(issuer, clock);
    let pair = (await post(issuer, '/auth/login', { user: 'alice' })).body;
    expect((await call(rs, '/orders', pair.accessToken)).status).toBe(200);

    // Redeploy the issuer with the next key, scheduled to sign 10 minutes from now (published from now on).
    clock.advance(60);
    await issuer.app.close();
    const takeover = clock.now + 10 * 60_000;
    const k2 = ecKey('k2');
    issuer = await startIssuer([k1, { ...k2, activeFrom: takeover }], clock, store, port, counter);
    started.push(issuer);

    const failures: string[] = [];
    const kids: string[] = [];
    let previous = pair.accessToken;
    for (let step = 0; step < 60; step++) {
      clock.advance(20);
      const rotated = await post(issuer, '/auth/refresh', { refreshToken: pair.refreshToken });
      if (rotated.status !== 200) throw new Error(`the issuer refused a refresh: ${JSON.stringify(rotated.body)}`);
      pair = rotated.body;
      kids.push(kidOf(pair.accessToken));
      // The new token and the one before it (20 s old, signed by the other key right after the takeover).
      for (const token of [pair.accessToken, previous]) {
        const reply = await call(rs, '/orders', token);
        if (reply.status !== 200) failures.push(`step ${step} (${kidOf(token)}): ${reply.status} ${reply.body?.code}`);
      }
      previous = pair.accessToken;
    }
    expect(failures).toEqual([]);
    expect(kids[0]).toBe('k1');
    expect(kids.at(-1)).toBe('k2');
    expect(kids.indexOf('k2')).toBe(kids.findIndex((_k, i) => T0 + 60_000 + (i + 1) * 20_000 >= takeover));
    // Refetched because of age (every 60 s at most), never once per request: 120 verifications, a handful of fetches.
    expect(counter.jwks).toBeGreaterThan(1);
    expect(counter.jwks).toBeLessThanOrEqual(1 + Math.ceil((20 * 60) / 60) + 1);

    // 21 minutes on, k1's last token expired long ago: the issuer unpublished it and the resource server followed.
    const jwks = await call(issuer, '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual(['k2']);
    const late = (key: KeyObject, kid: string) =>
      lowS(
        new SignJWT({ sub: 'alice', sid: 'S', iss: ISSUER, aud: AUDIENCE })
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
          .setIssuedAt(Math.floor(clock.now / 1000))
          .setExpirationTime(Math.floor(clock.now / 1000) + 60)
          .sign(key),
      );
    const lateK1 = await late(k1.privateKey, 'k1');
    // The same token by the live key passes: what refuses lateK1 is k1's retirement alone.
    expect((await call(rs, '/orders', await late(k2.privateKey, 'k2'))).status).toBe(200);
    clock.advance(60);
    expect((await call(rs, '/orders', lateK1)).body.code).toBe('INVALID_TOKEN');
  });

  it('learns a key it has never seen by refetching on its kid, at most once per cooldown however many unknown kids arrive', async () => {
    const { clock, store, counter } = setup();
    const issuer = track(await startIssuer([ecKey('k1')], clock, store, 0, counter));
    const rs = await resourceServer(issuer, clock, { jwksMaxAge: 3600 });
    const port = Number(new URL(issuer.url).port);
    expect(counter.jwks).toBe(1);
    // An (ill-advised) immediate switch to a new key: the first k3 token makes the resource server fetch and wait.
    await started.shift()!.app.close();
    clock.advance(10);
    const k3 = ecKey('k3');
    const next = track(await startIssuer([k3], clock, store, port, counter));
    const login = (await post(next, '/auth/login', { user: 'bob' })).body;
    expect(kidOf(login.accessToken)).toBe('k3');
    expect((await call(rs, '/orders', login.accessToken)).status).toBe(200);
    expect(counter.jwks).toBe(2);
    // A flood of made-up kids, at one instant: refused, and not one more fetch.
    const forged = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        lowS(
          new SignJWT({ sub: 'mallory', sid: 'S', iss: ISSUER, aud: AUDIENCE })
            .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: `made-up-${i}` })
            .setIssuedAt(Math.floor(clock.now / 1000))
            .setExpirationTime(Math.floor(clock.now / 1000) + 60)
            .sign(k3.privateKey),
        ),
      ),
    );
    const codes = await Promise.all(forged.map(async (token) => (await call(rs, '/orders', token)).body.code));
    expect(new Set(codes)).toEqual(new Set(['INVALID_TOKEN']));
    expect(counter.jwks).toBe(2);
    // After the cooldown one more unknown kid may cause one more fetch, no more.
    clock.advance(5);
    await call(rs, '/orders', forged[0]);
    await call(rs, '/orders', forged[1]);
    expect(counter.jwks).toBe(3);
  });

  it('fails closed with 503 JWKS_UNAVAILABLE while the JWKS is unreachable and no key is cached, then recovers', async () => {
    const { clock, store, counter } = setup();
    // Reserve a port, then free it: nothing answers there yet.
    const placeholder = await startIssuer([ecKey('k0')], clock, store);
    const port = Number(new URL(placeholder.url).port);
    await placeholder.app.close();
    const rs = await resourceServer(`http://127.0.0.1:${port}`, clock);
    const k1 = ecKey('k1');
    const token = await lowS(
      new SignJWT({ sub: 'alice', sid: 'S', iss: ISSUER, aud: AUDIENCE })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
        .setIssuedAt(Math.floor(clock.now / 1000))
        .setExpirationTime(Math.floor(clock.now / 1000) + 600)
        .sign(k1.privateKey),
    );
    const down = await call(rs, '/orders', token);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'JWKS_UNAVAILABLE', retryAfter: 5 });
    expect(down.headers.get('retry-after')).toBe('5');
    expect((await call(rs, '/open')).status).toBe(200);

    const issuer = track(await startIssuer([k1], clock, store, port, counter));
    // Within the cooldown nothing is fetched: still closed.
    expect((await call(rs, '/orders', token)).status).toBe(503);
    clock.advance(5);
    expect((await call(rs, '/orders', token)).status).toBe(200);

    // The issuer goes away again: the cached key keeps verifying, even when the set is due a refetch.
    await started.pop()!.app.close();
    void issuer;
    clock.advance(120);
    expect((await call(rs, '/orders', token)).status).toBe(200);
  });

  it('answers the codes of the README’s resource-server table', async () => {
    const { clock, store } = setup();
    const k1 = ecKey('k1');
    const issuer = track(await startIssuer([k1], clock, store));
    const rs = await resourceServer(issuer, clock);
    const now = () => Math.floor(clock.now / 1000);
    const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, key: KeyObject = k1.privateKey) =>
      lowS(
        new SignJWT({ sub: 'alice', sid: 'S', iss: ISSUER, aud: AUDIENCE, ...claims })
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1', ...header } as never)
          .setIssuedAt(now())
          .setExpirationTime(now() + 600)
          .sign(key),
      );
    const codeOf = async (token?: string) => {
      const reply = await call(rs, '/orders', token);
      expect(reply.status).toBe(401);
      return reply.body.code;
    };

    const login = (await post(issuer, '/auth/login', { user: 'alice' })).body;
    expect((await call(rs, '/orders', login.accessToken)).body.user).toMatchObject({ sub: 'alice', scope: 'orders:read' });
    // A token made with jose the way our issuer makes them passes: each refusal below has one cause.
    expect((await call(rs, '/orders', await sign({}))).status).toBe(200);
    const noToken = await call(rs, '/orders');
    expect([noToken.status, noToken.body.code, noToken.headers.get('www-authenticate')]).toEqual([401, 'NO_TOKEN', 'Bearer realm="api"']);

    expect(await codeOf(await sign({}, {}, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))).toBe('INVALID_TOKEN');
    expect(await codeOf(await sign({ iss: 'https://evil.test' }))).toBe('INVALID_TOKEN');
    expect(await codeOf(await sign({ aud: 'another-api' }))).toBe('INVALID_TOKEN');
    expect(await codeOf(await sign({}, { typ: 'JWT' }))).toBe('INVALID_TOKEN');
    // alg confusion: an HS256 token keyed with the published public key.
    const published = await call(issuer, '/.well-known/jwks.json');
    expect(published.headers.get('cache-control')).toBe('public, max-age=60');
    const jwk = published.body.keys[0];
    const hs = await new SignJWT({ sub: 'alice', sid: 'S', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expect(await codeOf(hs)).toBe('INVALID_TOKEN');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'k1' })).toString('base64url')}.${login.accessToken.split('.')[1]}.`;
    expect(await codeOf(none)).toBe('INVALID_TOKEN');
    expect(await codeOf('not.a.jwt')).toBe('INVALID_TOKEN');

    const notYet = await sign({ nbf: now() + 120 });
    const notActive = await call(rs, '/orders', notYet);
    expect(notActive.body).toMatchObject({ code: 'TOKEN_NOT_ACTIVE', notBefore: new Date((now() + 120) * 1000).toISOString() });

    // Step-up works the same: auth_time is in the issuer's tokens.
    expect((await call(rs, '/orders/export', login.accessToken)).status).toBe(200);
    clock.advance(5 * 60 + 1);
    const stepUp = await call(rs, '/orders/export', login.accessToken);
    expect(stepUp.body).toMatchObject({ code: 'LOGIN_REQUIRED', maxAge: 300, authTime: new Date(T0).toISOString() });
    expect(stepUp.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"');

    clock.advance(ACCESS_TOKEN_TTL + CLOCK_TOLERANCE);
    const expired = await call(rs, '/orders', login.accessToken);
    expect(expired.body).toMatchObject({ code: 'TOKEN_EXPIRED', expiredAt: new Date((T0 / 1000 + ACCESS_TOKEN_TTL) * 1000).toISOString() });
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('has no session check: a token logged out at the issuer keeps working here until its exp', async () => {
    const { clock, store } = setup();
    const issuer = track(await startIssuer([ecKey('k1')], clock, store));
    const rs = await resourceServer(issuer, clock);
    const login = (await post(issuer, '/auth/login', { user: 'alice' })).body;
    expect((await post(issuer, '/auth/logout', {}, login.accessToken)).status).toBe(204);
    expect((await call(issuer, '/auth/me', login.accessToken)).body.code).toBe('TOKEN_REVOKED');
    expect((await call(rs, '/orders', login.accessToken)).status).toBe(200);
    clock.advance(ACCESS_TOKEN_TTL + CLOCK_TOLERANCE + 1);
    expect((await call(rs, '/orders', login.accessToken)).body.code).toBe('TOKEN_EXPIRED');
  });

  it('is configured through forRootAsync the same way', async () => {
    const { clock, store } = setup();
    const issuer = track(await startIssuer([ecKey('k1')], clock, store));
    const rs = track(
      await startResourceServer(
        platform,
        { jwksUrl: `${issuer.url}/.well-known/jwks.json`, issuer: ISSUER, audience: AUDIENCE, clock: () => clock.now },
        true,
      ),
    );
    const login = (await post(issuer, '/auth/login', { user: 'alice' })).body;
    expect((await call(rs, '/orders', login.accessToken)).body.user.sub).toBe('alice');
    expect((await call(rs, '/orders')).body.code).toBe('NO_TOKEN');
  });

  it('refuses bad options at start-up, naming them', async () => {
    const { clock } = setup();
    await expect(resourceServer('http://jwks.example.com', clock)).rejects.toThrow('"jwksUrl" must use https:');
    await expect(resourceServer('https://jwks.example.com', clock, { algorithms: ['HS256'] })).rejects.toThrow('"algorithms"');
    await expect(resourceServer('https://jwks.example.com', clock, { secret: 'x'.repeat(32) })).rejects.toThrow('"secret" is not a resource-server option');
    await expect(resourceServer('https://jwks.example.com', clock, { jwksCooldown: 0 })).rejects.toThrow('"jwksCooldown"');
  });
});
