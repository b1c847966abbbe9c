import { describe, expect, it } from '@jest/globals';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { AuthModuleOptions } from '../options/auth-options.interface.js';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';
import { AuthException } from '../errors/auth.exception.js';
import { InvalidTokenException } from '../errors/access-token.exceptions.js';
import { AccessTokenService } from './access-token.service.js';

const secret = 'k'.repeat(32);
const service = (options: AuthModuleOptions = { secret }) => new AccessTokenService(resolveAuthOptions(options));
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'PASSED';
};
const hs256 = (header: object, payload: object, key: string | Buffer = secret) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
};

describe('AccessTokenService', () => {
  const s = service();
  const now = Date.UTC(2026, 0, 1);

  it('signs a verifiable token with typ at+jwt and the contract claims', () => {
    const { token, claims, expiresIn } = s.sign({ sub: 'alice', sid: 'S1', role: 'admin' }, now);
    expect(expiresIn).toBe(900);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(s.verify(token, now)).toEqual(claims);
    expect(claims).toMatchObject({ sub: 'alice', sid: 'S1', role: 'admin', iat: now / 1000, exp: now / 1000 + 900 });
    expect(claims.jti).toMatch(/^[\w-]{22}$/);
  });

  it('refuses custom claims that would overwrite reserved ones', () => {
    expect(() => s.sign({ sub: 'a', sid: 'b', exp: 1 })).toThrow(/"exp"/);
    expect(() => s.sign(JSON.parse('{"sub":"a","sid":"b","__proto__":{"admin":true}}'))).toThrow(/__proto__/);
  });

  it('writes the claims in a fixed order, custom ones first, with iss and aud when configured', () => {
    const withIss = new AccessTokenService(resolveAuthOptions({ secret: 'x'.repeat(32), issuer: 'https://id.example', audience: ['api'] }));
    const { token } = withIss.sign({ role: 'admin', sub: 'alice', sid: 'S1', tier: 2 }, now);
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(Object.keys(payload)).toEqual(['role', 'tier', 'sub', 'sid', 'jti', 'iat', 'exp', 'auth_time', 'iss', 'aud']);
    expect(payload).toMatchObject({ iss: 'https://id.example', aud: 'api' });
    expect(withIss.verify(token, now)).toEqual(payload);
  });

  it('honours the clock tolerance at its edges', () => {
    const { token } = s.sign({ sub: 'a', sid: 'b' }, now);
    const expiry = now + 900_000;
    expect(code(() => s.verify(token, expiry + 29_000))).toBe('PASSED');
    expect(code(() => s.verify(token, expiry + 31_000))).toBe('TOKEN_EXPIRED');
  });

  it('reports expiredAt and the server time', () => {
    const { token } = s.sign({ sub: 'a', sid: 'b' }, now);
    try {
      s.verify(token, now + 2_000_000);
      throw new Error('should have failed');
    } catch (err) {
      expect((err as { getResponse(): object }).getResponse()).toMatchObject({
        code: 'TOKEN_EXPIRED',
        expiredAt: new Date(now + 900_000).toISOString(),
        serverTime: new Date(now + 2_000_000).toISOString(),
      });
    }
  });

  it('answers TOKEN_NOT_ACTIVE for a future nbf and INVALID_TOKEN for a future iat', () => {
    const t = now / 1000;
    expect(code(() => s.verify(hs256({ alg: 'HS256', typ: 'at+jwt' }, { sub: 'a', sid: 'b', exp: t + 900, nbf: t + 100 }), now))).toBe('TOKEN_NOT_ACTIVE');
    expect(code(() => s.verify(hs256({ alg: 'HS256', typ: 'at+jwt' }, { sub: 'a', sid: 'b', exp: t + 900, iat: t + 100 }), now))).toBe('INVALID_TOKEN');
    expect(code(() => s.verify(hs256({ alg: 'HS256', typ: 'at+jwt' }, { sub: 'a', sid: 'b', exp: t + 900, iat: t + 20 }), now))).toBe('PASSED');
  });

  it.each([
    ['missing exp', { alg: 'HS256', typ: 'at+jwt' }, { sub: 'a', sid: 'b' }],
    ['missing sid', { alg: 'HS256', typ: 'at+jwt' }, { sub: 'a', exp: 9e9 }],
    ['missing sub', { alg: 'HS256', typ: 'at+jwt' }, { sid: 'a', exp: 9e9 }],
    ['string exp', { alg: 'HS256', typ: 'at+jwt' }, { sub: 'a', sid: 'b', exp: '9999999999' }],
    ['wrong typ', { alg: 'HS256', typ: 'JWT' }, { sub: 'a', sid: 'b', exp: 9e9 }],
    ['no typ', { alg: 'HS256' }, { sub: 'a', sid: 'b', exp: 9e9 }],
    ['crit', { alg: 'HS256', typ: 'at+jwt', crit: ['exp'] }, { sub: 'a', sid: 'b', exp: 9e9 }],
    ['embedded jwk', { alg: 'HS256', typ: 'at+jwt', jwk: {} }, { sub: 'a', sid: 'b', exp: 9e9 }],
    ['HS512 on an HS256 deployment', { alg: 'HS512', typ: 'at+jwt' }, { sub: 'a', sid: 'b', exp: 9e9 }],
    ['unknown kid', { alg: 'HS256', typ: 'at+jwt', kid: 'nope' }, { sub: 'a', sid: 'b', exp: 9e9 }],
  ])('refuses a token with %s as INVALID_TOKEN', (_name, header, payload) => {
    expect(code(() => s.verify(hs256(header, payload), now))).toBe('INVALID_TOKEN');
  });

  it('refuses alg none in any casing', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      expect(code(() => s.verify(`${b64({ alg, typ: 'at+jwt' })}.${b64({ sub: 'a', sid: 'b', exp: 9e9 })}.`, now))).toBe('INVALID_TOKEN');
    }
  });

  it('refuses an HS256 token signed with the public key of an RS256 deployment (alg confusion)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs = service({ keys: [{ algorithm: 'RS256', privateKey }] });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const forged = hs256({ alg: 'HS256', typ: 'at+jwt' }, { sub: 'a', sid: 'b', exp: 9e9 }, pem);
    expect(code(() => rs.verify(forged, now))).toBe('INVALID_TOKEN');
    expect(code(() => rs.verify(rs.sign({ sub: 'a', sid: 'b' }, now).token, now))).toBe('PASSED');
  });

  it('keeps verifying tokens of a rotated-out signing key until it is removed', () => {
    const old = service({ keys: [{ kid: 'k1', secret }] });
    const rotated = service({ keys: [{ kid: 'k1', secret }, { kid: 'k2', secret: 'n'.repeat(32) }], signingKeyId: 'k2' });
    const removed = service({ keys: [{ kid: 'k2', secret: 'n'.repeat(32) }] });
    const oldToken = old.sign({ sub: 'a', sid: 'b' }, now).token;
    expect(code(() => rotated.verify(oldToken, now))).toBe('PASSED');
    expect(code(() => removed.verify(oldToken, now))).toBe('INVALID_TOKEN');
    expect(JSON.parse(Buffer.from(rotated.sign({ sub: 'a', sid: 'b' }).token.split('.')[0], 'base64url').toString()).kid).toBe('k2');
  });

  it('checks issuer and audience when configured', () => {
    const strict = service({ secret, issuer: 'https://auth.example', audience: ['api', 'admin'] });
    const token = strict.sign({ sub: 'a', sid: 'b' }, now).token;
    expect(code(() => strict.verify(token, now))).toBe('PASSED');
    expect(code(() => strict.verify(s.sign({ sub: 'a', sid: 'b' }, now).token, now))).toBe('INVALID_TOKEN');
    const otherAud = service({ secret, issuer: 'https://auth.example', audience: 'web' });
    expect(code(() => otherAud.verify(token, now))).toBe('INVALID_TOKEN');
  });

  it.each(['ES256', 'PS256', 'EdDSA'] as const)('signs and verifies %s', (algorithm) => {
    const pair =
      algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : algorithm === 'PS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519');
    const svc = service({ keys: [{ algorithm, privateKey: pair.privateKey }] });
    expect(svc.verify(svc.sign({ sub: 'a', sid: 'b' }, now).token, now).sub).toBe('a');
  });

  it('tryVerify returns what verify throws, and the claims when verify returns them', () => {
    const { token, claims } = s.sign({ sub: 'alice', sid: 'S1' }, now);
    expect(s.tryVerify(token, now)).toEqual(claims);
    const tampered = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    for (const [input, at, expected] of [
      [tampered, now, 'INVALID_TOKEN'],
      [token, now + 3_600_000, 'TOKEN_EXPIRED'],
      ['not-a-token', now, 'INVALID_TOKEN'],
    ] as const) {
      const result = s.tryVerify(input, at);
      expect(result).toBeInstanceOf(AuthException);
      expect((result as AuthException).code).toBe(expected);
      expect(code(() => s.verify(input, at))).toBe(expected);
    }
  });

  it('checks the signature before decoding the payload: a forged token with a garbage payload is refused as badly signed', () => {
    const header = b64({ alg: 'HS256', typ: 'at+jwt' });
    const forged = `${header}.${Buffer.from('{not json').toString('base64url')}.${'A'.repeat(43)}`;
    expect((s.tryVerify(forged, now) as InvalidTokenException).reason).toBe('bad signature');
    // Signed by us with the same garbage, it gets as far as the payload.
    const input = forged.split('.').slice(0, 2).join('.');
    const signed = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect((s.tryVerify(signed, now) as InvalidTokenException).reason).toBe('payload is not a JSON object');
  });

  it('still checks key and signature for tokens whose header it has seen before', () => {
    const own = service({ keys: [{ kid: 'a', secret: 'a'.repeat(32) }, { kid: 'b', secret: 'b'.repeat(32) }], signingKeyId: 'a' });
    const { token } = own.sign({ sub: 'alice', sid: 'S1' }, now);
    expect(code(() => own.verify(token, now))).toBe('PASSED');
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    // The same header segment, signed with the other key of the ring: the known header changes nothing.
    expect(code(() => own.verify(hs256(header, { sub: 'alice', sid: 'S1', exp: now / 1000 + 60 }, 'b'.repeat(32)), now))).toBe('INVALID_TOKEN');
    // A header it never saw still goes through every check.
    expect(code(() => own.verify(hs256({ ...header, kid: 'zz' }, { sub: 'alice', sid: 'S1', exp: now / 1000 + 60 }, 'a'.repeat(32)), now))).toBe('INVALID_TOKEN');
    expect(code(() => own.verify(hs256({ ...header, kid: 'b' }, { sub: 'alice', sid: 'S1', exp: now / 1000 + 60 }, 'b'.repeat(32)), now))).toBe('PASSED');
  });

  it('refuses an oversized token before parsing it', () => {
    expect(code(() => s.verify('a'.repeat(1_000_000), now))).toBe('INVALID_TOKEN');
  });
});

describe('the verifiedTokenCache option', () => {
  it('caches verified tokens by default, up to maxEntries, and not at all when off', () => {
    const on = service();
    const bounded = service({ secret, verifiedTokenCache: { maxEntries: 2 } });
    const off = service({ secret, verifiedTokenCache: false });
    for (const s of [on, bounded, off]) {
      for (let i = 0; i < 3; i++) s.verify(s.sign({ sub: 'alice', sid: `s${i}` }).token);
    }
    expect(on.verifiedTokens.size).toBe(3);
    expect(bounded.verifiedTokens.size).toBe(2);
    expect(off.verifiedTokens.size).toBe(0);
  });

  it('refuses a negative or fractional size at start-up', () => {
    expect(() => service({ secret, verifiedTokenCache: { maxEntries: -1 } })).toThrow(/"verifiedTokenCache"/);
    expect(() => service({ secret, verifiedTokenCache: { maxEntries: 1.5 } })).toThrow(/"verifiedTokenCache"/);
  });
});
