import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { AuthException } from '../errors/auth.exception.js';
import type { AuthModuleOptions } from '../options/auth-options.interface.js';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';
import { AccessTokenService } from './access-token.service.js';
import { parseCompactJws } from '../../test/support/parse-compact-jws.js';

/*
 * Properties of the parser and the verifier over generated input. Run counts
 * are bounded so the whole file stays within a few seconds on two cores; a
 * failure prints fast-check's seed and shrunk counterexample for replay.
 */

const MAX = 8192;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SECRET = 'property-test-secret-of-at-least-32-bytes';
const NOW = Date.UTC(2026, 2, 1);
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const isCanonical = (segment: string) => Buffer.from(segment, 'base64url').toString('base64url') === segment;

const service = (options: AuthModuleOptions) => new AccessTokenService(resolveAuthOptions(options));
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ed = generateKeyPairSync('ed25519');
const SERVICES: Record<string, AccessTokenService> = {
  HS256: service({ secret: SECRET }),
  HS512: service({ keys: [{ kid: 'h5', algorithm: 'HS512', secret: 'x'.repeat(64) }] }),
  RS256: service({ keys: [{ algorithm: 'RS256', privateKey: rsa.privateKey }] }),
  PS256: service({ keys: [{ kid: 'p', algorithm: 'PS256', privateKey: rsa.privateKey }] }),
  ES256: service({ keys: [{ kid: 'e', algorithm: 'ES256', privateKey: ec.privateKey }] }),
  EdDSA: service({ keys: [{ kid: 'd', algorithm: 'EdDSA', privateKey: ed.privateKey }] }),
};
const hs = SERVICES.HS256;

/** Runs `fn` and returns the code of the `AuthException` it threw, `'PASSED'`, or rethrows anything else. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'PASSED';
  } catch (err) {
    if (err instanceof AuthException) return err.code;
    throw err;
  }
}

// Strings that look like tokens often enough to get past the first checks.
const segmentArb = fc.string({ unit: fc.constantFrom(...ALPHABET, '=', '+', '/', ' ', '.'), maxLength: 40 });
const tokenShaped = fc.array(segmentArb, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
const anyInput = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), tokenShaped);
/** Any bytes as three canonically encoded segments. */
const byteToken = fc
  .tuple(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ minLength: 1, maxLength: 60 }))
  .map(([h, p, s]) => `${b64(h)}.${b64(p)}.${b64(s)}`);
/** JSON objects of any shape, as header or payload. */
const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });

describe('parseCompactJws (properties)', () => {
  it('never throws, whatever the input, and answers a reason string or a parsed token', () => {
    fc.assert(
      fc.property(fc.oneof(anyInput, byteToken), (input) => {
        const parsed = parseCompactJws(input, MAX);
        if (typeof parsed === 'string') {
          expect(parsed.length).toBeGreaterThan(0);
        } else {
          expect(parsed.header).toBeInstanceOf(Object);
          expect(Array.isArray(parsed.header) || Array.isArray(parsed.payload)).toBe(false);
          expect(Buffer.isBuffer(parsed.signature)).toBe(true);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('accepts only canonical, unpadded base64url segments of JSON objects', () => {
    const objectToken = fc
      .tuple(jsonObject, jsonObject, fc.uint8Array({ minLength: 1, maxLength: 70 }))
      .map(([h, p, s]) => `${b64(JSON.stringify(h))}.${b64(JSON.stringify(p))}.${b64(s)}`);
    fc.assert(
      fc.property(fc.oneof(anyInput, byteToken, objectToken), (input) => {
        const parsed = parseCompactJws(input, MAX);
        if (typeof parsed === 'string') return;
        const segments = input.split('.');
        expect(segments).toHaveLength(3);
        for (const segment of segments) {
          expect(segment).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(isCanonical(segment)).toBe(true);
        }
        expect(parsed.signingInput).toBe(`${segments[0]}.${segments[1]}`);
        expect(parsed.signature.toString('base64url')).toBe(segments[2]);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every other spelling of a segment: padding, dangling characters, unused bits set', () => {
    const respell = fc.constantFrom('pad', 'dangle', 'bits');
    fc.assert(
      fc.property(jsonObject, jsonObject, fc.uint8Array({ minLength: 1, maxLength: 70 }), fc.nat(2), respell, fc.nat(), (h, p, s, which, how, pick) => {
        const segments = [b64(JSON.stringify(h)), b64(JSON.stringify(p)), b64(s)];
        const original = segments[which];
        const unusedBits = (original.length * 6) % 8;
        if (how === 'bits') fc.pre(unusedBits > 0);
        const last = ALPHABET.indexOf(original[original.length - 1]);
        segments[which] =
          how === 'pad'
            ? `${original}=`
            : how === 'dangle'
              ? // Always leaves a length of 1 mod 4: six bits that cannot make a byte.
                `${original}${ALPHABET[pick % 64].repeat(original.length % 4 === 0 ? 1 : 5 - (original.length % 4))}`
              : original.slice(0, -1) + ALPHABET[last ^ (1 + (pick % ((1 << unusedBits) - 1)))];
        expect(typeof parseCompactJws(segments.join('.'), MAX)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every token the signer produces, for every algorithm', () => {
    const claimName = fc.string({ minLength: 1, maxLength: 8 }).filter((n) => !['sub', 'sid', 'jti', 'iat', 'exp', 'nbf', 'iss', 'aud'].includes(n));
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(SERVICES)),
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
        fc.dictionary(claimName, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        (alg, sub, sid, custom) => {
          const s = SERVICES[alg];
          const { token, claims } = s.sign({ ...custom, sub, sid }, NOW);
          const parsed = parseCompactJws(token, Number.MAX_SAFE_INTEGER);
          if (typeof parsed === 'string') throw new Error(`the parser refused a signed token: ${parsed}`);
          expect(parsed.header.alg).toBe(alg);
          expect(parsed.header.typ).toBe('at+jwt');
          expect(parsed.payload).toEqual(JSON.parse(JSON.stringify(claims)));
          expect(`${parsed.signingInput}.${parsed.signature.toString('base64url')}`).toBe(token);
          expect(s.verify(token, NOW)).toEqual(parsed.payload);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('AccessTokenService.verify (properties)', () => {
  it('rejects any single-character substitution, bit flip, insertion or deletion of a valid token as INVALID_TOKEN', () => {
    const replacement = fc.constantFrom(...ALPHABET, '.', '=', '+', '/', ' ', '\u00e9', '\u0000');
    // Half the edits land in the last four characters, where base64url keeps its unused bits.
    const position = fc.oneof(fc.nat(), fc.integer({ min: -4, max: -1 }));
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('substitute' as const), at: position, char: replacement, bit: fc.constant(0) }),
      fc.record({ kind: fc.constant('flip' as const), at: position, char: fc.constant(''), bit: fc.nat(5) }),
      fc.record({ kind: fc.constant('insert' as const), at: position, char: replacement, bit: fc.constant(0) }),
      fc.record({ kind: fc.constant('delete' as const), at: position, char: fc.constant(''), bit: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(SERVICES)), fc.string({ minLength: 1, maxLength: 12 }), edit, (alg, sub, { kind, at, char, bit }) => {
        const s = SERVICES[alg];
        const { token } = s.sign({ sub, sid: 'S' }, NOW);
        const span = token.length + (kind === 'insert' ? 1 : 0);
        const i = at < 0 ? span + at : at % span;
        const flipped = () => {
          const value = ALPHABET.indexOf(token[i]);
          // Dots are not alphabet characters: flipping one turns it into a letter, still a single-character edit.
          return value < 0 ? 'A' : ALPHABET[value ^ (1 << bit)];
        };
        const mutated =
          kind === 'substitute' || kind === 'flip'
            ? token.slice(0, i) + (kind === 'flip' ? flipped() : char) + token.slice(i + 1)
            : kind === 'insert'
              ? token.slice(0, i) + char + token.slice(i)
              : token.slice(0, i) + token.slice(i + 1);
        fc.pre(mutated !== token);
        expect(outcome(() => s.verify(mutated, NOW))).toBe('INVALID_TOKEN');
      }),
      { numRuns: 600 },
    );
  });

  it('throws only coded AuthExceptions on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(anyInput, byteToken), (input) => {
        expect(outcome(() => hs.verify(input, NOW))).toBe('INVALID_TOKEN');
      }),
      { numRuns: 700 },
    );
  });

  it('answers only known codes for arbitrary headers and claims signed with the real key, and passes only sound claims', () => {
    const time = fc.oneof(
      fc.integer({ min: NOW / 1000 - 7200, max: NOW / 1000 + 7200 }),
      fc.double(),
      fc.constantFrom(1e300, -1, 0, 8.64e12, '1767225600', true, null, {}, []),
    );
    const header = fc.tuple(
      fc.record(
        {
          alg: fc.constantFrom('HS256', 'HS384', 'none', 'NONE', 'RS256', 'hs256', 7),
          typ: fc.constantFrom('at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', '', null),
          kid: fc.constantFrom('k', '../../dev/null', '__proto__', 0),
          crit: fc.constantFrom(['exp'], [], 'x'),
          jku: fc.constant('http://127.0.0.1:9/'),
        },
        { requiredKeys: [] },
      ),
      jsonObject,
    ).map(([known, extra]) => ({ ...extra, ...known }));
    const claims = fc.tuple(
      fc.record(
        { sub: fc.oneof(fc.string({ maxLength: 6 }), fc.jsonValue()), sid: fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), exp: time, nbf: time, iat: time },
        { requiredKeys: [] },
      ),
      jsonObject,
    ).map(([known, extra]) => ({ ...extra, ...known }));
    const known = new Set(['PASSED', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'TOKEN_NOT_ACTIVE']);
    fc.assert(
      fc.property(header, claims, (h, c) => {
        const input = `${b64(JSON.stringify(h))}.${b64(JSON.stringify(c))}`;
        const token = `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
        const result = outcome(() => hs.verify(token, NOW));
        expect(known.has(result)).toBe(true);
        if (result !== 'PASSED') return;
        const parsedHeader = JSON.parse(JSON.stringify(h));
        const parsedClaims = JSON.parse(JSON.stringify(c));
        expect(parsedHeader.alg).toBe('HS256');
        expect(['at+jwt', 'application/at+jwt']).toContain(String(parsedHeader.typ).toLowerCase());
        expect(parsedHeader.kid).toBeUndefined();
        expect(parsedHeader.crit).toBeUndefined();
        expect(parsedHeader.jku).toBeUndefined();
        expect(typeof parsedClaims.sub === 'string' && parsedClaims.sub.length > 0).toBe(true);
        expect(typeof parsedClaims.sid === 'string' && parsedClaims.sid.length > 0).toBe(true);
        expect(Number.isFinite(parsedClaims.exp) && parsedClaims.exp >= NOW / 1000 - 30).toBe(true);
      }),
      { numRuns: 700 },
    );
  });
});
