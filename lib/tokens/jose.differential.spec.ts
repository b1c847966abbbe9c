import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import * as jose from 'jose';
import { constants, createHmac, createSecretKey, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';
import { AuthException } from '../errors/auth.exception.js';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';
import { AccessTokenService } from './access-token.service.js';
import { JWT_ALGORITHMS, JwtAlgorithm } from './jws-algorithms.js';

/*
 * Independent assurance for the JWS code: panva/jose and AccessTokenService
 * judge the same tokens under the same policy (pinned algorithm, `typ: at+jwt`,
 * no `crit`, `exp`/`sub`/`sid` required, issuer, audience, 30 s tolerance, one
 * fixed instant). Where we are deliberately stricter than jose, the rule is
 * named below (`STRICTER`); the one place we are laxer is `LAXER`. Any other
 * disagreement fails. Inputs are signed with node:crypto directly, by neither
 * implementation under test.
 */

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0); // a whole second: jose counts in whole seconds
const NOW_S = NOW / 1000;
const TOLERANCE = 30;
const ISSUER = 'https://issuer.test';
const AUDIENCE = ['api', 'admin'];
const KID = 'k1';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// Curve orders (SEC 2 §2.4), written out here rather than imported, so the low-S rule is checked independently.
const ORDER: Record<string, bigint> = {
  ES256: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  ES384: BigInt('0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
  ES512: BigInt(
    '0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
  ),
};

interface Fixture {
  alg: JwtAlgorithm;
  signingKey: KeyObject;
  verificationKey: KeyObject;
  ours: AccessTokenService;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pairs: Record<string, { privateKey: KeyObject; publicKey: KeyObject }> = {
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  EdDSA: generateKeyPairSync('ed25519'),
};
const HMAC_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

function fixture(alg: JwtAlgorithm): Fixture {
  const policy = { clockTolerance: TOLERANCE, issuer: ISSUER, audience: AUDIENCE };
  if (alg.startsWith('HS')) {
    const secret = randomBytes(HMAC_BYTES[alg]);
    const ours = new AccessTokenService(resolveAuthOptions({ ...policy, keys: [{ kid: KID, algorithm: alg, secret }] }));
    return { alg, signingKey: createSecretKey(secret), verificationKey: createSecretKey(secret), ours };
  }
  const pair = pairs[alg] ?? rsa;
  const ours = new AccessTokenService(resolveAuthOptions({ ...policy, keys: [{ kid: KID, algorithm: alg, privateKey: pair.privateKey }] }));
  return { alg, signingKey: pair.privateKey, verificationKey: pair.publicKey, ours };
}

const FIXTURES = Object.fromEntries(JWT_ALGORITHMS.map((alg) => [alg, fixture(alg)])) as Record<JwtAlgorithm, Fixture>;

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const digestOf = (alg: string) => (alg === 'EdDSA' ? null : `sha${alg.slice(2)}`);

/** A signature by node:crypto alone; ECDSA comes back as the library made it, high or low S. */
function rawSignature(fx: Fixture, input: string): Buffer {
  const { alg, signingKey: key } = fx;
  if (alg.startsWith('HS')) return createHmac(digestOf(alg)!, key).update(input).digest();
  if (alg.startsWith('PS')) {
    return sign(digestOf(alg), Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  }
  if (alg.startsWith('ES')) return sign(digestOf(alg), Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return sign(digestOf(alg), Buffer.from(input), key);
}

function signed(fx: Fixture, header: unknown, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${rawSignature(fx, input).toString('base64url')}`;
}

const sOf = (signature: Buffer) => BigInt(`0x${signature.toString('hex', Math.floor(signature.length / 2)) || '0'}`);
const isLowS = (alg: string, signature: Buffer) => sOf(signature) <= ORDER[alg] / 2n;

/** The other valid ECDSA signature of the same message: `(r, n − s)`. */
function twin(alg: string, token: string): string {
  const [h, p, s] = token.split('.');
  const signature = Buffer.from(s, 'base64url');
  const half = signature.length / 2;
  const other = (ORDER[alg] - sOf(signature)).toString(16).padStart(half * 2, '0');
  return `${h}.${p}.${Buffer.concat([signature.subarray(0, half), Buffer.from(other, 'hex')]).toString('base64url')}`;
}

async function joseAccepts(fx: Fixture, token: string): Promise<{ ok: boolean; code?: string }> {
  try {
    await jose.jwtVerify(
      token,
      // The same key selection as our key ring: no kid, or the one kid we know.
      async (header) => {
        if (header.kid === undefined || header.kid === KID) return fx.verificationKey;
        throw new Error('unknown kid');
      },
      {
        algorithms: [fx.alg],
        typ: 'at+jwt',
        currentDate: new Date(NOW),
        clockTolerance: TOLERANCE,
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp', 'sub', 'sid'],
      },
    );
    return { ok: true };
  } catch (err) {
    return { ok: false, code: (err as { code?: string }).code };
  }
}

function oursAccepts(fx: Fixture, token: string): boolean {
  const result = fx.ours.tryVerify(token, NOW);
  return !(result instanceof AuthException);
}

function decoded(segment: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isTimeInRange = (v: unknown) => typeof v !== 'number' || Math.abs(v) < 8.64e12;

/** Rules we apply on top of jose's; the reason when `token` breaks one, else `null`. */
function STRICTER(alg: JwtAlgorithm, token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  // One token, one string: jose decodes padding, whitespace and stray low bits; we refuse them.
  if (!parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p) && Buffer.from(p, 'base64url').toString('base64url') === p)) {
    return 'not canonical unpadded base64url';
  }
  const header = decoded(parts[0]);
  const payload = decoded(parts[1]);
  if (!header || !payload) return null;
  // We implement no extension, so any `crit` is refused; jose understands `b64`.
  if (header.crit !== undefined) return 'crit header';
  if (['jku', 'jwk', 'x5u', 'x5c'].some((name) => header[name] !== undefined)) return 'key-bearing header';
  if (typeof payload.sub !== 'string' || payload.sub === '') return 'sub not a non-empty string';
  if (typeof payload.sid !== 'string' || payload.sid === '') return 'sid not a non-empty string';
  if (!['exp', 'nbf', 'iat'].every((claim) => isTimeInRange(payload[claim]))) return 'time beyond Date range';
  if (typeof payload.iat === 'number' && payload.iat > NOW_S + TOLERANCE) return 'iat in the future';
  if (alg.startsWith('ES') && !isLowS(alg, Buffer.from(parts[2], 'base64url'))) return 'high-S ECDSA signature';
  return null;
}

/**
 * Where we accept and jose does not: exactly at `exp + tolerance` (our tested
 * edge is inclusive, jose's `exp <= now - tolerance` exclusive). jose reports
 * ERR_JWT_EXPIRED only after every other check passed.
 */
function LAXER(token: string, joseCode: string | undefined): boolean {
  return joseCode === 'ERR_JWT_EXPIRED' && decoded(token.split('.')[1])?.exp === NOW_S - TOLERANCE;
}

/** How often each verdict came up: a property that only ever saw refusals would prove little. */
type Tally = Record<'bothAccept' | 'bothRefuse' | 'stricter' | 'laxer', number>;
const newTally = (): Tally => ({ bothAccept: 0, bothRefuse: 0, stricter: 0, laxer: 0 });

async function expectSameVerdict(fx: Fixture, token: string, tally: Tally = newTally()): Promise<void> {
  const theirs = await joseAccepts(fx, token);
  const stricter = STRICTER(fx.alg, token);
  const laxer = !theirs.ok && LAXER(token, theirs.code);
  const expected = stricter === null && (theirs.ok || laxer);
  const ours = oursAccepts(fx, token);
  tally[theirs.ok && stricter !== null ? 'stricter' : laxer && ours ? 'laxer' : ours ? 'bothAccept' : 'bothRefuse']++;
  if (ours !== expected) {
    throw new Error(`${fx.alg}: ours ${ours ? 'accepts' : 'refuses'}, jose ${theirs.ok ? 'accepts' : `refuses (${theirs.code})`}, stricter rule: ${stricter}; token ${token}`);
  }
}

// ---------- generators ----------

const time = fc.oneof(
  fc.constantFrom(NOW_S - TOLERANCE - 1, NOW_S - TOLERANCE, NOW_S - TOLERANCE + 1, NOW_S, NOW_S + TOLERANCE, NOW_S + TOLERANCE + 1),
  fc.integer({ min: NOW_S - 7200, max: NOW_S + 7200 }),
  fc.constantFrom(0, -1, 1e13, 1e300, 0.5 + NOW_S, '1767225600', null, true),
);
const validHeader = (fx: Fixture) =>
  fc.record(
    {
      alg: fc.constant(fx.alg),
      typ: fc.constantFrom('at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/At+Jwt'),
      kid: fc.constant(KID),
    },
    { requiredKeys: ['alg', 'typ'] },
  );
/** Up to `n` single-field edits (a field set to `undefined` is dropped from the JSON), applied over a base object. */
const edits = (fields: Record<string, fc.Arbitrary<unknown>>, n = 2) =>
  fc
    .array(fc.oneof(...Object.entries(fields).map(([name, value]) => value.map((v) => ({ [name]: v })))), { maxLength: n })
    .map((list) => Object.assign({}, ...list) as Record<string, unknown>);
const headerEdits = (fx: Fixture) =>
  edits({
    alg: fc.constantFrom(fx.alg, ...JWT_ALGORITHMS, 'none', fx.alg.toLowerCase(), 7, undefined),
    typ: fc.constantFrom('at+jwt', 'JWT', 'application/jwt', '', 'at+jwt ', null, undefined),
    kid: fc.constantFrom(KID, 'k2', '', 1, null, undefined),
    crit: fc.constantFrom(['b64'], ['exp'], [], 'b64', null),
    b64: fc.constantFrom(true, false),
    jku: fc.constant('http://127.0.0.1:9/jwks'),
    x5c: fc.constant(['MIIB']),
    cty: fc.constantFrom('JWT', 'x'),
  });
const validPayload = fc.record(
  {
    sub: fc.string({ minLength: 1, maxLength: 12 }),
    sid: fc.string({ minLength: 1, maxLength: 12 }),
    exp: fc.integer({ min: NOW_S + 1, max: NOW_S + 3600 }),
    iat: fc.integer({ min: NOW_S - 3600, max: NOW_S }),
    iss: fc.constant(ISSUER),
    aud: fc.constantFrom('api', 'admin', ['x', 'api']),
    role: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: ['sub', 'sid', 'exp', 'iss', 'aud'] },
);
const payloadEdits = edits({
  sub: fc.constantFrom('', 5, null, ['a'], undefined, 'bob'),
  sid: fc.constantFrom('', 5, null, undefined, 'S2'),
  exp: fc.oneof(time, fc.constant(undefined)),
  nbf: time,
  iat: fc.oneof(time, fc.constant(undefined)),
  iss: fc.constantFrom(ISSUER, `${ISSUER}/`, 'evil', 1, undefined),
  aud: fc.constantFrom('api', 'admin', 'nope', ['nope', 'admin'], ['nope'], [], 5, [5], undefined),
  extra: fc.jsonValue({ maxDepth: 1 }),
});

/** Edits of a signed token's text: its signature, its encoding, its structure. */
const mutation = fc.oneof(
  fc.constant({ kind: 'none' as const, at: 0, char: '' }),
  fc.record({ kind: fc.constantFrom('substitute' as const, 'insert' as const, 'delete' as const), at: fc.nat(), char: fc.constantFrom(...ALPHABET, '=', '+', '/', ' ', '.') }),
  fc.record({
    kind: fc.constantFrom(
      'pad-signature' as const,
      'pad-payload' as const,
      'low-bits' as const,
      'swap-payload' as const,
      'truncate-signature' as const,
      'drop-signature' as const,
      'extra-segment' as const,
      'twin' as const,
      'whitespace' as const,
      'standard-alphabet' as const,
    ),
    at: fc.nat(),
    char: fc.constant(''),
  }),
);

function mutate(alg: string, token: string, m: { kind: string; at: number; char: string }): string {
  const [h, p, s] = token.split('.');
  const i = m.at % (token.length + 1);
  switch (m.kind) {
    case 'substitute':
      return token.slice(0, i) + m.char + token.slice(i + 1);
    case 'insert':
      return token.slice(0, i) + m.char + token.slice(i);
    case 'delete':
      return token.slice(0, i) + token.slice(i + 1);
    case 'pad-signature':
      return `${h}.${p}.${s}=`;
    case 'pad-payload':
      return `${h}.${p}=.${s}`;
    case 'low-bits': {
      // Same bytes, other spelling: flip an unused low bit of the last character, when it has one.
      const last = ALPHABET.indexOf(s.at(-1)!);
      return `${h}.${p}.${s.slice(0, -1)}${ALPHABET[last ^ 1]}`;
    }
    case 'swap-payload':
      return `${h}.${b64({ sub: 'mallory', sid: 'S', exp: NOW_S + 60, iss: ISSUER, aud: 'api' })}.${s}`;
    case 'truncate-signature':
      return `${h}.${p}.${s.slice(0, Math.max(1, s.length - 1 - (m.at % 8)))}`;
    case 'drop-signature':
      return `${h}.${p}.`;
    case 'extra-segment':
      return `${token}.${s}`;
    case 'twin':
      return alg.startsWith('ES') ? twin(alg, token) : token;
    case 'whitespace':
      return `${h}.${p}.${s.slice(0, 4)} ${s.slice(4)}`;
    case 'standard-alphabet':
      return `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}`;
    default:
      return token;
  }
}

// ---------- tests ----------

describe('AccessTokenService against jose (differential)', () => {
  it.each(JWT_ALGORITHMS)('%s: our tokens verify with jose, with the claims we signed', async (alg) => {
    const fx = FIXTURES[alg];
    for (let i = 0; i < 4; i++) {
      const { token, claims } = fx.ours.sign({ sub: `user-${i}`, sid: `S${i}`, role: 'admin' }, NOW);
      const { payload, protectedHeader } = await jose.jwtVerify(token, fx.verificationKey, {
        algorithms: [alg],
        typ: 'at+jwt',
        currentDate: new Date(NOW),
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      expect(payload).toEqual(JSON.parse(JSON.stringify(claims)));
      expect(protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: KID });
    }
  });

  it.each(JWT_ALGORITHMS)("%s: jose's tokens verify with ours (ECDSA: exactly those with a low S, and every high-S one's twin)", async (alg) => {
    const fx = FIXTURES[alg];
    const seen = { low: 0, high: 0 };
    for (let i = 0; i < (alg.startsWith('ES') ? 48 : 4); i++) {
      const token = await new jose.SignJWT({ sub: `user-${i}`, sid: `S${i}`, scope: 'read' })
        .setProtectedHeader({ alg, typ: 'at+jwt', kid: KID })
        .setIssuer(ISSUER)
        .setAudience('api')
        .setIssuedAt(NOW_S)
        .setExpirationTime(NOW_S + 300)
        .setJti(`j${i}`)
        .sign(fx.signingKey);
      const low = !alg.startsWith('ES') || isLowS(alg, Buffer.from(token.split('.')[2], 'base64url'));
      seen[low ? 'low' : 'high']++;
      const result = fx.ours.tryVerify(token, NOW);
      if (low) {
        expect(result).toMatchObject({ sub: `user-${i}`, sid: `S${i}`, scope: 'read', jti: `j${i}` });
      } else {
        expect(result).toMatchObject({ code: 'INVALID_TOKEN' });
        expect(fx.ours.tryVerify(twin(alg, token), NOW)).toMatchObject({ sub: `user-${i}` });
      }
    }
    // 48 signatures all on one side of n/2 would happen once in 2^47 runs.
    if (alg.startsWith('ES')) expect(Math.min(seen.low, seen.high)).toBeGreaterThan(0);
  });

  it('gives the same verdict as jose on random valid tokens and on mutations of their signature, encoding and structure', async () => {
    const tally = newTally();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...JWT_ALGORITHMS).chain((alg) =>
          fc.tuple(fc.constant(FIXTURES[alg]), validHeader(FIXTURES[alg]), validPayload, mutation),
        ),
        async ([fx, header, payload, edit]) => {
          await expectSameVerdict(fx, mutate(fx.alg, signed(fx, header, payload), edit), tally);
        },
      ),
      { numRuns: 600 },
    );
    expect(tally.bothAccept).toBeGreaterThan(30);
    expect(tally.bothRefuse).toBeGreaterThan(30);
    expect(tally.stricter).toBeGreaterThan(10);
  });

  it('gives the same verdict as jose on arbitrary headers and claims signed with the real key', async () => {
    const tally = newTally();
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...JWT_ALGORITHMS)
          .chain((alg) =>
            fc.tuple(fc.constant(FIXTURES[alg]), validHeader(FIXTURES[alg]), headerEdits(FIXTURES[alg]), validPayload, payloadEdits),
          ),
        async ([fx, header, headerEdit, payload, payloadEdit]) => {
          await expectSameVerdict(fx, signed(fx, { ...header, ...headerEdit }, { ...payload, ...payloadEdit }), tally);
        },
      ),
      { numRuns: 700 },
    );
    expect(tally.bothAccept).toBeGreaterThan(50);
    expect(tally.bothRefuse).toBeGreaterThan(100);
    expect(tally.stricter).toBeGreaterThan(10);
  });

  it('agrees on payload segments that are not JSON objects, and on non-UTF-8 bytes, signed with the real key', async () => {
    const segment = fc.oneof(
      fc.constantFrom('[]', '"text"', '42', 'null', '{"sub":"a",', '{"sub":"a","sid":"b","exp":1e400}').map((s) => b64(s)),
      fc.uint8Array({ minLength: 1, maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...JWT_ALGORITHMS), segment, async (alg, payloadSegment) => {
        const fx = FIXTURES[alg];
        const input = `${b64({ alg, typ: 'at+jwt' })}.${payloadSegment}`;
        await expectSameVerdict(fx, `${input}.${rawSignature(fx, input).toString('base64url')}`);
      }),
      { numRuns: 200 },
    );
  });
});

describe('where the verdicts differ by design', () => {
  it('exp + tolerance is still accepted by us (inclusive edge) and refused by jose; one second later by both', async () => {
    const fx = FIXTURES.HS256;
    const at = (exp: number) => signed(fx, { alg: 'HS256', typ: 'at+jwt' }, { sub: 'a', sid: 'S', exp, iss: ISSUER, aud: 'api' });
    const edge = at(NOW_S - TOLERANCE);
    expect(oursAccepts(fx, edge)).toBe(true);
    expect(await joseAccepts(fx, edge)).toEqual({ ok: false, code: 'ERR_JWT_EXPIRED' });
    await expectSameVerdict(fx, edge);
    expect(oursAccepts(fx, at(NOW_S - TOLERANCE - 1))).toBe(false);
    await expectSameVerdict(fx, at(NOW_S - TOLERANCE - 1));
  });

  it.each([
    ['a crit jose understands', { crit: ['b64'], b64: true }, {}],
    ['a jku header', { jku: 'http://127.0.0.1:9/' }, {}],
    ['an iat in the future', {}, { iat: NOW_S + TOLERANCE + 1 }],
    ['a numeric sub', {}, { sub: 7 }],
  ])('jose accepts %s and we refuse it', async (_name, header, payload) => {
    const fx = FIXTURES.HS256;
    const token = signed(fx, { alg: 'HS256', typ: 'at+jwt', ...header }, { sub: 'a', sid: 'S', exp: NOW_S + 60, iss: ISSUER, aud: 'api', ...payload });
    expect((await joseAccepts(fx, token)).ok).toBe(true);
    expect(fx.ours.tryVerify(token, NOW)).toMatchObject({ code: 'INVALID_TOKEN' });
  });
});

describe('ECDSA low-S', () => {
  it.each(['ES256', 'ES384', 'ES512'] as const)('%s: we only sign low-S, and the (r, n − s) twin of a valid token is refused INVALID_TOKEN', async (alg) => {
    const fx = FIXTURES[alg];
    for (let i = 0; i < 24; i++) {
      const { token } = fx.ours.sign({ sub: 'alice', sid: `S${i}` }, NOW);
      expect(isLowS(alg, Buffer.from(token.split('.')[2], 'base64url'))).toBe(true);
      const other = twin(alg, token);
      expect(other).not.toBe(token);
      // The twin is a genuine signature: jose accepts it, so only the low-S rule can refuse it.
      expect((await joseAccepts(fx, other)).ok).toBe(true);
      expect(fx.ours.tryVerify(other, NOW)).toMatchObject({ code: 'INVALID_TOKEN' });
      expect(fx.ours.tryVerify(token, NOW)).toMatchObject({ sub: 'alice' });
    }
  });
});
