import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AccessTokenService, RefreshService } from '../../lib/index.js';
import { createApp, PLATFORMS } from '../support/create-app.js';
import { expectRefusedBeforeAnyHandler } from '../support/oversized-request.js';
import { DEPLOYMENTS, HS_CURRENT, HS_PREVIOUS, SESSION_SECRET, sessionDeployment } from './app.module.js';
import { bait, Code, CORPUS, Deployment, wellFormed } from './corpus.js';
import { b64json, goodClaims, hmac, jws, unsigned } from './forge.js';
import { rawGet, RawResponse } from './raw-http.js';

/**
 * A corpus of forged and malformed access tokens thrown at a guarded route over
 * real HTTP. Each test name cites where the attack is documented. The positive
 * controls at the top use the same hand-rolled builder, so a rejection below
 * is caused by the one thing each forgery changes, not by the builder.
 */

const CHALLENGE = /^Bearer realm="api", error="invalid_token", error_description="[^"\\]*"$/;

// Requests that set off the header checks are single writes on one socket, so 10 s is generous for any machine.
const PROMPT_MS = 10_000;

/** Anything fetched from here would mean a `jku`/`x5u` header was followed. */
let baitServer: Server;
let baitHits = 0;

beforeAll(async () => {
  baitServer = createServer((_req, res) => {
    baitHits += 1;
    res.end('{}');
  });
  await new Promise<void>((resolve) => baitServer.listen(0, '127.0.0.1', resolve));
  bait.url = `http://127.0.0.1:${(baitServer.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => baitServer.close(() => resolve())));

const titled = CORPUS.map((c) => [`${c.deployment}: ${c.name} [${c.source}] -> ${c.code}`, c] as const);

describe.each(PLATFORMS)('hostile access tokens on %s', (platform) => {
  const apps = {} as Record<Deployment, INestApplication>;
  const server = (d: Deployment) => apps[d].getHttpServer();

  beforeAll(async () => {
    for (const d of Object.keys(DEPLOYMENTS) as Deployment[]) {
      apps[d] = await createApp(DEPLOYMENTS[d](), platform);
      // Listening on a real port lets the raw-socket cases reach the same server supertest uses.
      await apps[d].listen(0, '127.0.0.1');
    }
  });
  afterAll(async () => {
    for (const app of Object.values(apps)) await app.close();
  });

  async function expectCoded401(d: Deployment, token: string, code: Code) {
    const res = await request(server(d)).get('/me').set('Authorization', `Bearer ${token}`);
    // Status and code together, so a failure shows what came back instead of only "expected 401".
    expect({ status: res.status, code: res.body?.code }).toEqual({ status: 401, code });
    expect(res.headers['www-authenticate']).toMatch(CHALLENGE);
    expect(res.body.user).toBeUndefined();
  }

  describe('positive controls (the route is reachable, so the rejections below mean something)', () => {
    it.each(Object.keys(DEPLOYMENTS) as Deployment[])('%s: a token from AccessTokenService.sign() answers 200', async (d) => {
      const { token } = apps[d].get(AccessTokenService).sign({ sub: 'alice', sid: 's1' });
      const res = await request(server(d)).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(res.body.user).toMatchObject({ sub: 'alice', sid: 's1' });
    });

    it.each(Object.keys(DEPLOYMENTS) as Deployment[])('%s: a token hand-built by the corpus builder answers 200', async (d) => {
      const res = await request(server(d)).get('/me').set('Authorization', `Bearer ${wellFormed[d]()}`).expect(200);
      expect(res.body.user).toMatchObject({ sub: 'mallory', sid: 'session-1' });
    });

    it('HS256: a token of the previous key under its own kid answers 200 (rotation)', async () => {
      const token = jws({ alg: 'HS256', typ: 'at+jwt', kid: HS_PREVIOUS.kid }, goodClaims(), hmac('sha256', HS_PREVIOUS.secret));
      await request(server('HS256')).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('HS256: typ "application/at+jwt" answers 200 [RFC 9068 §4]', async () => {
      const token = jws({ alg: 'HS256', typ: 'application/at+jwt', kid: HS_CURRENT.kid }, goodClaims(), hmac('sha256', HS_CURRENT.secret));
      await request(server('HS256')).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    });
  });

  describe('corpus', () => {
    it.each(titled)('%s', async (_title, c) => {
      await expectCoded401(c.deployment, c.token(), c.code);
    });

    it('never fetched a jku or x5u URL [RFC 8725 §2.9, §3.10]', () => {
      // Runs after the corpus cases above (jest keeps declaration order within a file).
      expect(baitHits).toBe(0);
    });
  });

  describe('raw bytes in the Authorization header', () => {
    const get = (bytes: Buffer) => rawGet(server('HS256'), '/me', bytes, PROMPT_MS);
    const token = () => wellFormed.HS256();
    const insert = (text: string) => {
      const t = token();
      return `${t.slice(0, 20)}${text}${t.slice(20)}`;
    };
    const expect401 = (res: RawResponse, code = 'INVALID_TOKEN') => {
      expect({ status: res.status, code: JSON.parse(res.body || '{}').code }).toEqual({ status: 401, code });
      expect(res.headers['www-authenticate']).toMatch(CHALLENGE);
    };

    it('a valid token sent the raw way answers 200 (control)', async () => {
      expect((await get(Buffer.from(`Bearer ${token()}`))).status).toBe(200);
    });

    it.each([
      ['UTF-8 "é" inside the token', 'RFC 6750 §2.1 (b64token is ASCII)', '\u00e9'],
      ['zero-width space inside the token', 'RFC 6750 §2.1', '\u200b'],
      ['right-to-left override inside the token', 'RFC 6750 §2.1; Unicode bidi control', '\u202e'],
      ['emoji inside the token', 'RFC 6750 §2.1', '\u{1f511}'],
      ['Latin-1 byte 0xA0 (no-break space)', 'RFC 9110 §5.5 (obs-text)', '\u00a0'],
    ])('%s [%s] -> 401 INVALID_TOKEN', async (_name, _source, text) => {
      expect401(await get(Buffer.from(`Bearer ${insert(text)}`, 'utf8')));
    });

    it('fullwidth full stops (U+FF0E) as separators [RFC 7515 §7.1] -> 401 INVALID_TOKEN', async () => {
      expect401(await get(Buffer.from(`Bearer ${token().split('.').join('\uff0e')}`, 'utf8')));
    });

    it('Cyrillic "е" in the scheme [RFC 6750 §2.1] -> 401 NO_TOKEN, challenge without error (RFC 6750 §3.1)', async () => {
      const res = await get(Buffer.from(`B\u0435arer ${token()}`, 'utf8'));
      expect({ status: res.status, code: JSON.parse(res.body || '{}').code }).toEqual({ status: 401, code: 'NO_TOKEN' });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it.each([
      ['NUL byte', '\u0000'],
      ['bare CR', '\r'],
      ['bare LF', '\n'],
      ['DEL (0x7F)', '\u007f'],
      ['SOH (0x01)', '\u0001'],
      ['ESC (0x1B)', '\u001b'],
      ['obs-fold line continuation', '\r\n '],
    ])('%s inside the token [RFC 9110 §5.5; RFC 9112 §5.2] -> 400 from the HTTP parser', async (_name, text) => {
      const res = await get(Buffer.from(`Bearer ${insert(text)}`, 'latin1'));
      expect(res.status).toBe(400);
    });

    it('two Authorization headers, the forged one first [RFC 9110 §5.3] -> never 200', async () => {
      const forged = jws({ alg: 'none', typ: 'at+jwt' }, goodClaims(), () => Buffer.alloc(0));
      const res = await get(Buffer.from(`Bearer ${forged}\r\nAuthorization: Bearer ${token()}`));
      // Node keeps the first Authorization and drops the rest; either way the forged one must not be let through.
      expect(res.status).toBe(401);
    });

    it.each([
      ['100 KB', 100 * 1024],
      ['1 MB', 1024 * 1024],
    ])('a %s token [RFC 6585 §5; contract] -> 400/401/431, never 200 or 5xx, answered promptly', async (_name, size) => {
      const started = Date.now();
      const res = await get(Buffer.from(`Bearer ${token()}${'A'.repeat(size)}`));
      expect([400, 401, 431]).toContain(res.status);
      expect(Date.now() - started).toBeLessThan(PROMPT_MS);
    });

    it('a 100 KB token through supertest -> 4xx or a reset, never 5xx', async () => {
      await expectRefusedBeforeAnyHandler(() => request(server('RS256')).get('/me').set('Authorization', `Bearer ${'e'.repeat(100 * 1024)}`));
      expect((await request(server('RS256')).get('/me')).status).toBe(401);
    });
  });

  describe('forgeries naming a live session (session check on, as in the sample)', () => {
    let app: INestApplication;
    let live: { accessToken: string; sid: string };
    const real = hmac('sha256', SESSION_SECRET);
    const header = { alg: 'HS256', typ: 'at+jwt' };

    beforeAll(async () => {
      app = await createApp(sessionDeployment(), platform);
      const pair = await app.get(RefreshService).issue('alice');
      live = { accessToken: pair.accessToken, sid: app.get(AccessTokenService).verify(pair.accessToken).sid };
    });
    afterAll(() => app.close());

    const send = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

    it('the session\'s own access token answers 200 (control)', async () => {
      await send(live.accessToken).expect(200);
    });

    it.each([
      ['alg "none" with the live sid', 'RFC 8725 §2.1', () => jws({ alg: 'none', typ: 'at+jwt' }, goodClaims({ sid: live.sid }), unsigned)],
      ['HS256 with a guessed secret and the live sid', 'RFC 8725 §2.2', () => jws(header, goodClaims({ sid: live.sid }), hmac('sha256', 'secret'))],
      ['the live token with sub changed to "admin"', 'RFC 7515 §5.2', () => {
        const [h, p, s] = live.accessToken.split('.');
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
        return [h, b64json({ ...claims, sub: 'admin' }), s].join('.');
      }],
    ])('%s [%s] -> INVALID_TOKEN: verification comes before any session lookup', async (_name, _source, token) => {
      const res = await send(token());
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'INVALID_TOKEN' });
      expect(res.headers['www-authenticate']).toMatch(CHALLENGE);
    });

    it('a well-signed token for a session that never existed -> TOKEN_REVOKED [contract]', async () => {
      const res = await send(jws(header, goodClaims({ sid: 'no-such-session' }), real));
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
      expect(res.headers['www-authenticate']).toMatch(CHALLENGE);
    });
  });
});
