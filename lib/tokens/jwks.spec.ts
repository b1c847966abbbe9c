import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { AuthModuleOptions } from '../options/auth-options.interface.js';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';
import { AuthException } from '../errors/auth.exception.js';
import { AccessTokenService } from './access-token.service.js';
import type { AuthKeyOptions } from './key-ring.js';

const T0 = Date.UTC(2026, 2, 5, 12);
const REFRESH_SECRET = 'r'.repeat(32);
const service = (options: AuthModuleOptions) => new AccessTokenService(resolveAuthOptions({ clock: () => T0, ...options }));
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

function keyOf(algorithm: 'ES256' | 'EdDSA' | 'RS256', kid: string, extra: Partial<AuthKeyOptions> = {}): AuthKeyOptions {
  const pair =
    algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : algorithm === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, algorithm, privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, ...extra };
}

const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

describe('AccessTokenService.jwks', () => {
  it.each(['ES256', 'EdDSA', 'RS256'] as const)('publishes the %s public key with kty, kid, alg and use, and jose verifies our tokens with it', async (alg) => {
    const s = service({ keys: [keyOf(alg, `${alg}-1`)] });
    const set = s.jwks();
    expect(set.keys).toHaveLength(1);
    const [jwk] = set.keys;
    expect(jwk).toMatchObject({ kid: `${alg}-1`, alg, use: 'sig', kty: alg === 'RS256' ? 'RSA' : alg === 'ES256' ? 'EC' : 'OKP' });
    for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    const { token } = s.sign({ sub: 'alice', sid: 'S1' }, T0);
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(set as never), {
      typ: 'at+jwt',
      algorithms: [alg],
      currentDate: new Date(T0),
    });
    expect(protectedHeader.kid).toBe(`${alg}-1`);
    expect(payload).toMatchObject({ sub: 'alice', sid: 'S1', auth_time: T0 / 1000 });
  });

  it('never publishes an HMAC secret, alone or beside asymmetric keys', () => {
    expect(service({ secret: 's'.repeat(32) }).jwks()).toEqual({ keys: [] });
    const mixed = service({ keys: [keyOf('ES256', 'ec'), { kid: 'hs', secret: 's'.repeat(32) }] });
    expect(mixed.jwks().keys.map((k) => k.kid)).toEqual(['ec']);
    expect(JSON.stringify(mixed.jwks())).not.toContain(Buffer.from('s'.repeat(32)).toString('base64url'));
  });
});

describe('scheduled key rotation', () => {
  const TTL = 600; // s
  const TOLERANCE = 30; // s
  const TAKEOVER = T0 + 3600_000;

  function scheduled() {
    const options: AuthModuleOptions = {
      keys: [keyOf('ES256', 'k1'), keyOf('ES256', 'k2', { activeFrom: new Date(TAKEOVER).toISOString() })],
      accessTokenTtl: TTL,
      clockTolerance: TOLERANCE,
      refreshTokenSecret: REFRESH_SECRET,
    };
    return service(options);
  }

  it('publishes the next key before it signs, signs with it from activeFrom, and keeps the old one until its last token expired', () => {
    const s = scheduled();
    expect(s.jwks(T0).keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    const before = s.sign({ sub: 'alice', sid: 'S1' }, TAKEOVER - 1);
    expect(headerOf(before.token).kid).toBe('k1');
    const after = s.sign({ sub: 'alice', sid: 'S1' }, TAKEOVER);
    expect(headerOf(after.token).kid).toBe('k2');
    // The last k1 token lives until TAKEOVER + TTL (+ tolerance): k1 is accepted and published until then.
    const lastK1Valid = TAKEOVER - 1 + TTL * 1000;
    expect(s.verify(before.token, lastK1Valid).sub).toBe('alice');
    expect(s.jwks(TAKEOVER + (TTL + TOLERANCE) * 1000 - 1).keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    const gone = TAKEOVER + (TTL + TOLERANCE) * 1000;
    expect(s.jwks(gone).keys.map((k) => k.kid)).toEqual(['k2']);
    const refused = s.tryVerify(before.token, gone);
    expect(refused).toBeInstanceOf(AuthException);
    expect((refused as AuthException).code).toBe('INVALID_TOKEN');
    expect(s.verify(after.token, gone).sub).toBe('alice');
  });

  it('chains several takeovers in activeFrom order, whatever the order of the keys', () => {
    const s = service({
      keys: [
        keyOf('EdDSA', 'k3', { activeFrom: TAKEOVER + 7200_000 }),
        keyOf('EdDSA', 'k1'),
        keyOf('EdDSA', 'k2', { activeFrom: new Date(TAKEOVER) }),
      ],
      accessTokenTtl: TTL,
      clockTolerance: TOLERANCE,
      refreshTokenSecret: REFRESH_SECRET,
    });
    const kidAt = (t: number) => headerOf(s.sign({ sub: 'a', sid: 's' }, t).token).kid;
    expect([kidAt(T0), kidAt(TAKEOVER), kidAt(TAKEOVER + 7200_000)]).toEqual(['k1', 'k2', 'k3']);
  });

  it('lets the earliest key sign before its activeFrom when every key has one: something always signs', () => {
    const s = service({
      keys: [keyOf('ES256', 'k1', { activeFrom: TAKEOVER }), keyOf('ES256', 'k2', { activeFrom: TAKEOVER + 3600_000 })],
      refreshTokenSecret: REFRESH_SECRET,
    });
    expect(headerOf(s.sign({ sub: 'a', sid: 's' }, T0).token).kid).toBe('k1');
    expect(headerOf(s.sign({ sub: 'a', sid: 's' }, TAKEOVER + 3600_000).token).kid).toBe('k2');
  });

  it.each([
    ['without refreshTokenSecret', { refreshTokenSecret: undefined }, /refreshTokenSecret/],
    ['with signingKeyId', { signingKeyId: 'k1' }, /signingKeyId.*activeFrom/],
  ])('refuses a schedule %s at start-up', (_what, extra, message) => {
    const keys = [keyOf('ES256', 'k1'), keyOf('ES256', 'k2', { activeFrom: TAKEOVER })];
    expect(() => service({ keys, refreshTokenSecret: REFRESH_SECRET, ...extra })).toThrow(message);
  });

  it('refuses an activeFrom that is not a time, on a key without kid, or on a key that cannot sign', () => {
    const pub = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const base = { refreshTokenSecret: REFRESH_SECRET };
    expect(() => service({ ...base, keys: [keyOf('ES256', 'k1'), keyOf('ES256', 'k2', { activeFrom: 'next tuesday' })] })).toThrow(
      'keys[1].activeFrom must be a Date',
    );
    expect(() => service({ ...base, keys: [keyOf('ES256', 'k1'), { ...keyOf('ES256', 'x'), kid: undefined, activeFrom: TAKEOVER }] })).toThrow(
      'needs a "kid"',
    );
    expect(() => service({ ...base, keys: [keyOf('ES256', 'k1'), { kid: 'p', algorithm: 'ES256', publicKey: pub, activeFrom: TAKEOVER }] })).toThrow(
      'no private key',
    );
  });
});
