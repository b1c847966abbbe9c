import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';
import type { AccessTokenClaims } from './access-token-claims.interface.js';
import { AccessTokenService } from './access-token.service.js';
import { VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH, VerifiedTokenCache } from './verified-token.cache.js';

// Every clock in this file is an explicit argument: nothing here depends on when or how fast it runs.
const secret = 'verified-token-cache-spec-secret-32b+';
const T0 = Date.UTC(2026, 0, 1);
const TOLERANCE = 30;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A token signed by hand, so its claims can be anything (no `iat`, an `nbf`…). */
const hs256 = (payload: object) => {
  const input = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};
const newService = () => new AccessTokenService(resolveAuthOptions({ secret, clockTolerance: TOLERANCE, accessTokenTtl: 900 }));

type Outcome = { claims: AccessTokenClaims } | { error: string; code: unknown; response: unknown };
function outcome(fn: () => AccessTokenClaims): Outcome {
  try {
    return { claims: fn() };
  } catch (err) {
    const e = err as { name: string; code?: unknown; getResponse?: () => unknown };
    return { error: e.constructor.name, code: e.code, response: e.getResponse?.() };
  }
}

/** The reference: the same service with its cache emptied before every call, i.e. the uncached path. */
function uncached(service: AccessTokenService, token: string, now: number): Outcome {
  service.verifiedTokens.clear();
  return outcome(() => service.verify(token, now));
}

const S = 1000;
/** Instants around every edge a token has: before iat, iat, nbf, exp, exp + tolerance, each ±1 ms. */
function instantsAround(claims: { iat?: number; nbf?: number; exp: number }): number[] {
  const edges = [claims.exp * S, (claims.exp + TOLERANCE) * S];
  if (claims.iat !== undefined) edges.push(claims.iat * S, (claims.iat - TOLERANCE) * S);
  if (claims.nbf !== undefined) edges.push(claims.nbf * S, (claims.nbf - TOLERANCE) * S);
  const out = new Set<number>();
  for (const edge of edges) for (const d of [-60_000, -1001, -1000, -1, 0, 1, 999, 1000, 60_000]) out.add(edge + d);
  return [...out].sort((a, b) => a - b);
}

describe('VerifiedTokenCache inside AccessTokenService.verify', () => {
  it('gives, at every instant around every edge, exactly what the uncached verify gives', () => {
    const iat = T0 / S;
    const tokens = [
      newService().sign({ sub: 'alice', sid: 'S1', roles: ['admin'], profile: { org: 'acme' } }, T0).token,
      hs256({ sub: 'bob', sid: 'S2', jti: 'j2', exp: iat + 900 }), // no iat (GHSA-x937-hj6v-793p)
      hs256({ sub: 'carol', sid: 'S3', jti: 'j3', iat, nbf: iat + 120, exp: iat + 900 }),
      hs256({ sub: 'dan', sid: 'S4', jti: 'j4', iat, exp: iat + 1 }), // lives one second
    ];
    const cached = newService();
    const reference = newService();
    let compared = 0;
    for (const token of tokens) {
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat?: number; nbf?: number; exp: number };
      // Prime the cache at an instant where the token is valid, then ask at every instant, in both directions of time.
      const valid = Math.max(claims.iat ?? 0, claims.nbf ?? 0) * S;
      const instants = instantsAround(claims);
      for (const now of [...instants, ...[...instants].reverse()]) {
        cached.verify(token, valid);
        expect(cached.verifiedTokens.size).toBeGreaterThan(0);
        expect(outcome(() => cached.verify(token, now))).toEqual(uncached(reference, token, now));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('never serves a token past exp + clockTolerance, even one without iat, and drops the entry', () => {
    const service = newService();
    const exp = T0 / S + 900;
    const token = hs256({ sub: 'bob', sid: 'S2', jti: 'j', exp });
    expect(service.verify(token, T0).sub).toBe('bob');
    expect(service.verifiedTokens.size).toBe(1);
    // The last accepted millisecond, then the first refused one.
    expect(service.verify(token, (exp + TOLERANCE) * S).sub).toBe('bob');
    expect(outcome(() => service.verify(token, (exp + TOLERANCE) * S + 1))).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(service.verifiedTokens.size).toBe(0);
    // The cache alone refuses it too, whatever the caller does next.
    service.verifiedTokens.set(token, { sub: 'bob', sid: 'S2', jti: 'j', iat: 0, exp }, T0);
    expect(service.verifiedTokens.get(token, (exp + TOLERANCE) * S + 1, TOLERANCE)).toBeUndefined();
    expect(service.verifiedTokens.get(token, (exp + TOLERANCE) * S + 1, 0)).toBeUndefined();
  });

  it('hands every caller its own copy: changing one result never changes the next', () => {
    const service = newService();
    const { token, claims } = service.sign({ sub: 'alice', sid: 'S1', roles: ['reader'] }, T0);
    const first = service.verify(token, T0);
    (first.roles as string[]).push('admin');
    first.sub = 'mallory';
    const second = service.verify(token, T0);
    expect(second).toEqual(claims);
    expect(second).not.toBe(first);
    expect({ claims: service.verify(token, T0) }).toEqual(uncached(newService(), token, T0));
  });

  it('copies flat claims too, and keeps a "__proto__" claim an own property as JSON.parse does', () => {
    const service = newService();
    const { token, claims } = service.sign({ sub: 'alice', sid: 'S1', role: 'reader' }, T0);
    const first = service.verify(token, T0);
    first.role = 'admin';
    expect(service.verify(token, T0)).toEqual(claims);

    const exp = T0 / S + 900;
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${Buffer.from(`{"sub":"eve","sid":"S9","jti":"j","exp":${exp},"__proto__":"x"}`).toString('base64url')}`;
    const odd = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const reference = uncached(newService(), odd, T0) as { claims: AccessTokenClaims };
    service.verify(odd, T0);
    const hit = service.verify(odd, T0);
    expect(Object.getPrototypeOf(hit)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(hit)).toEqual(Object.getOwnPropertyNames(reference.claims));
    expect(Object.getOwnPropertyDescriptor(hit, '__proto__')?.value).toBe('x');
  });

  it('caches only tokens that passed: a tampered or expired token leaves no entry', () => {
    const service = newService();
    const { token } = service.sign({ sub: 'alice', sid: 'S1' }, T0);
    const dot = token.lastIndexOf('.');
    const tampered = token.slice(0, dot + 5) + (token[dot + 5] === 'A' ? 'B' : 'A') + token.slice(dot + 6);
    expect(outcome(() => service.verify(tampered, T0))).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(outcome(() => service.verify(token, T0 + 3_600_000))).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(service.verifiedTokens.size).toBe(0);
  });

  it('never lends a cached entry to another token carrying the same signature', () => {
    const service = newService();
    const { token } = service.sign({ sub: 'alice', sid: 'S1', role: 'reader' }, T0);
    service.verify(token, T0);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory', role: 'admin' })).toString('base64url');
    const forged = `${header}.${forgedPayload}.${signature}`;
    expect(outcome(() => service.verify(forged, T0))).toMatchObject({ code: 'INVALID_TOKEN' });
    // A different header with the same payload and signature is refused as well.
    const otherHeader = `${b64({ alg: 'HS256', typ: 'AT+JWT' })}.${payload}.${signature}`;
    expect(outcome(() => service.verify(otherHeader, T0))).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(service.verifiedTokens.get(forged, T0, 0)).toBeUndefined();
    // Forgetting the forgery leaves the real token's entry alone.
    expect(service.verifiedTokens.delete(forged)).toBe(false);
    expect(service.verifiedTokens.get(token, T0, 0)?.sub).toBe('alice');
    expect(service.verify(token, T0).role).toBe('reader');
  });

  it('forgets a session, a subject or one token on revocation', () => {
    const service = newService();
    const a1 = service.sign({ sub: 'alice', sid: 'A1' }, T0).token;
    const a2 = service.sign({ sub: 'alice', sid: 'A2' }, T0).token;
    const b1 = service.sign({ sub: 'bob', sid: 'B1' }, T0).token;
    for (const t of [a1, a2, b1]) service.verify(t, T0);
    expect(service.verifiedTokens.size).toBe(3);
    expect(service.verifiedTokens.dropSession('A1')).toBe(1);
    expect(service.verifiedTokens.get(a1, T0, TOLERANCE)).toBeUndefined();
    expect(service.verifiedTokens.dropSubject('alice')).toBe(1);
    expect(service.verifiedTokens.get(a2, T0, TOLERANCE)).toBeUndefined();
    expect(service.verifiedTokens.delete(b1)).toBe(true);
    expect(service.verifiedTokens.size).toBe(0);
    // Dropped tokens are still verified in full, not refused: revocation itself is the session check's job.
    expect(service.verify(a1, T0).sid).toBe('A1');
  });
});

describe('VerifiedTokenCache', () => {
  const claims = (i: number, exp = T0 / S + 900): AccessTokenClaims => ({ sub: `u${i}`, sid: `s${i}`, jti: `j${i}`, iat: T0 / S, exp });

  it('holds at most maxEntries, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache(3);
    for (let i = 0; i < 5; i++) cache.set(`t${i}`, claims(i), T0);
    expect(cache.size).toBe(3);
    expect(cache.get('t0', T0, 0)).toBeUndefined();
    expect(cache.get('t1', T0, 0)).toBeUndefined();
    expect(cache.get('t4', T0, 0)).toEqual(claims(4));
  });

  it('drops exactly a session’s or a subject’s entries, evicted and replaced ones accounted for', () => {
    const cache = new VerifiedTokenCache(1000);
    const of = (sid: string, sub: string, i: number): AccessTokenClaims => ({ sub, sid, jti: `j${i}`, iat: T0 / S, exp: T0 / S + 900 });
    for (let i = 0; i < 990; i++) cache.set(`other${i}`, of(`s${i}`, `u${i}`, i), T0);
    for (let i = 0; i < 5; i++) cache.set(`a${i}`, of('sa', 'alice', i), T0);
    for (let i = 0; i < 5; i++) cache.set(`b${i}`, of(`sb${i}`, 'alice', i), T0);
    // Pushes out the two oldest "other" entries, then re-sets one token: the indexes follow both.
    cache.set('late1', of('sl', 'bob', 1), T0);
    cache.set('late2', of('sl', 'bob', 2), T0);
    cache.set('a0', of('sa', 'alice', 0), T0);
    expect(cache.dropSession('s0')).toBe(0);
    expect(cache.dropSession('sa')).toBe(5);
    expect(cache.dropSession('sa')).toBe(0);
    expect(cache.dropSubject('alice')).toBe(5);
    expect(cache.dropSubject('bob')).toBe(2);
    expect(cache.size).toBe(988);
    expect(cache.get('other2', T0, 0)).toEqual(of('s2', 'u2', 2));
  });

    it('drops expired entries before live ones when full', () => {
    const cache = new VerifiedTokenCache(3);
    cache.set('live-old', claims(0), T0);
    cache.set('short', claims(1, T0 / S + 10), T0);
    cache.set('live', claims(2), T0);
    cache.set('new', claims(3), T0 + 20_000);
    expect(cache.get('live-old', T0 + 20_000, 0)).toEqual(claims(0));
    expect(cache.get('short', T0, 0)).toBeUndefined();
  });

  it('is off with maxEntries 0 and skips very long tokens', () => {
    const off = new VerifiedTokenCache(0);
    off.set('t', claims(0), T0);
    expect(off.size).toBe(0);
    const cache = new VerifiedTokenCache(10);
    cache.set('x'.repeat(VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH + 1), claims(0), T0);
    expect(cache.size).toBe(0);
    expect(() => new VerifiedTokenCache(-1)).toThrow(/maxEntries/);
    expect(() => new VerifiedTokenCache(1.5)).toThrow(/maxEntries/);
  });

  it('refuses to serve with a clock that is not a number', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t', claims(0), T0);
    expect(cache.get('t', Number.NaN, TOLERANCE)).toBeUndefined();
  });
});
