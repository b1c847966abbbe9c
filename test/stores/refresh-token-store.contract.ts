import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { RefreshSession, RotationUpdate } from '../../lib/refresh/refresh-session.interface.js';
import { SESSION_RETENTION_MS } from '../../lib/refresh/refresh-session.interface.js';
import type { RefreshTokenStore } from '../../lib/refresh/refresh-token.store.js';

/** A fresh store plus the clock it judges retention by. */
export interface StoreHarness {
  store: RefreshTokenStore;
  /** The time, in ms since the epoch, as the store sees it. */
  now(): number;
  /** Lets `ms` milliseconds pass for the store: a fake clock jumps, a real one sleeps. */
  elapse(ms: number): Promise<void>;
  /** Releases anything the harness opened besides the store (which the suite closes itself). */
  dispose?(): Promise<void>;
}

export interface ContractOptions {
  /**
   * How far in the future a session's retention is set when a test needs it to lapse. With a real
   * clock it must comfortably cover a few store round trips on a busy machine. Default `1000`.
   */
  retentionMarginMs?: number;
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export function newSid(): string {
  return randomBytes(16).toString('base64url');
}

function hash(): string {
  return randomBytes(32).toString('base64url');
}

/** A live session, every field set, that a test can override. */
export function makeSession(now: number, overrides: Partial<RefreshSession> = {}): RefreshSession {
  return {
    sid: newSid(),
    sub: 'alice',
    claims: { role: 'admin', tenant: { id: 42, name: 'Ünïcødé ✓' }, scopes: ['a', 'b'], flag: false, none: null },
    generation: 3,
    tokenHash: hash(),
    previousTokenHash: hash(),
    rotatedAt: now - 1000,
    createdAt: now - 5000,
    expiresAt: now + 7 * DAY,
    absoluteExpiresAt: now + 30 * DAY,
    lastUsedAt: now - 1000,
    lastIp: '203.0.113.7',
    lastUserAgent: 'Mozilla/5.0 (X11; Linux x86_64) "quoted" \\ back',
    revokedAt: null,
    ...overrides,
  };
}

/** A session as it is right after login: the nullable fields null, the optional ones absent. */
export function makeFreshSession(now: number, overrides: Partial<RefreshSession> = {}): RefreshSession {
  const session: RefreshSession = {
    sid: newSid(),
    sub: 'bob',
    claims: {},
    generation: 0,
    tokenHash: hash(),
    previousTokenHash: null,
    rotatedAt: null,
    createdAt: now,
    expiresAt: now + 7 * DAY,
    absoluteExpiresAt: now + 30 * DAY,
    lastUsedAt: now,
    revokedAt: null,
    ...overrides,
  };
  return session;
}

function updateFor(session: RefreshSession, now: number, overrides: Partial<RotationUpdate> = {}): RotationUpdate {
  return {
    generation: session.generation + 1,
    tokenHash: hash(),
    previousTokenHash: session.tokenHash,
    rotatedAt: now,
    expiresAt: now + 7 * DAY,
    lastUsedAt: now,
    lastIp: '198.51.100.1',
    lastUserAgent: 'curl/8.5.0',
    ...overrides,
  };
}

function expected(session: RefreshSession): { generation: number; tokenHash: string } {
  return { generation: session.generation, tokenHash: session.tokenHash };
}

const bySid = (a: RefreshSession, b: RefreshSession) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0);

/**
 * Registers the tests every RefreshTokenStore must pass. Call it inside a spec file with a factory
 * that returns a fresh, empty store (or one whose other contents cannot collide: sids are random).
 */
export function refreshTokenStoreContract(makeHarness: () => Promise<StoreHarness>, options: ContractOptions = {}): void {
  const margin = options.retentionMarginMs ?? 1000;

  describe('RefreshTokenStore contract', () => {
    let h: StoreHarness;
    let store: RefreshTokenStore;
    // Subjects unique to each test, so stores sharing a backend across tests never see each other's sessions.
    let alice: string;
    let bob: string;

    beforeEach(async () => {
      h = await makeHarness();
      store = h.store;
      alice = `alice-${newSid()}`;
      bob = `bob-${newSid()}`;
    });

    afterEach(async () => {
      await store.close?.();
      await h.dispose?.();
    });

    describe('create and get', () => {
      it('round-trips every field of a rotated session exactly', async () => {
        const session = makeSession(h.now(), { sub: alice, revokedAt: h.now() - 10, revokedReason: 'logout' });
        await store.create(session);
        expect(await store.get(session.sid)).toStrictEqual(session);
      });

      it('round-trips a fresh session: nulls stay null, absent optional fields stay absent', async () => {
        const session = makeFreshSession(h.now(), { sub: alice });
        await store.create(session);
        const got = await store.get(session.sid);
        expect(got).toStrictEqual(session);
        expect(got).not.toHaveProperty('lastIp');
        expect(got).not.toHaveProperty('lastUserAgent');
        expect(got).not.toHaveProperty('revokedReason');
        expect(got!.previousTokenHash).toBeNull();
        expect(got!.rotatedAt).toBeNull();
        expect(got!.revokedAt).toBeNull();
      });

      it('keeps empty strings, zeros and non-integer numbers as they are', async () => {
        const now = h.now();
        const session = makeSession(now, { sub: alice, lastIp: '', lastUserAgent: '', generation: 0, rotatedAt: 0, lastUsedAt: now + 0.5 });
        await store.create(session);
        expect(await store.get(session.sid)).toStrictEqual(session);
      });

      it('answers null for an unknown sid', async () => {
        expect(await store.get(newSid())).toBeNull();
      });

      it('is not changed by mutating what was passed in or what was returned', async () => {
        const session = makeSession(h.now(), { sub: alice });
        const original = structuredClone(session);
        await store.create(session);
        session.generation = 99;
        (session.claims.tenant as { id: number }).id = 7;
        const got = (await store.get(session.sid))!;
        got.tokenHash = 'changed';
        (got.claims as { scopes: string[] }).scopes.push('c');
        expect(await store.get(session.sid)).toStrictEqual(original);
      });

      it('replaces a session created again under the same sid, even for another subject', async () => {
        const first = makeSession(h.now(), { sub: alice });
        const second = makeFreshSession(h.now(), { sid: first.sid, sub: alice });
        await store.create(first);
        await store.create(second);
        expect(await store.get(first.sid)).toStrictEqual(second);
        expect(await store.listBySubject(alice)).toStrictEqual([second]);

        const third = makeFreshSession(h.now(), { sid: first.sid, sub: bob });
        await store.create(third);
        expect(await store.listBySubject(bob)).toStrictEqual([third]);
        expect(await store.listBySubject(alice)).toStrictEqual([]);
      });
    });

    describe('rotate', () => {
      it('applies the update only with the right generation and token hash', async () => {
        const session = makeSession(h.now(), { sub: alice });
        await store.create(session);
        const update = updateFor(session, h.now());

        expect(await store.rotate(session.sid, { generation: session.generation + 1, tokenHash: session.tokenHash }, update)).toBe(false);
        expect(await store.rotate(session.sid, { generation: session.generation, tokenHash: hash() }, update)).toBe(false);
        expect(await store.rotate(session.sid, { generation: session.generation - 1, tokenHash: session.previousTokenHash! }, update)).toBe(false);
        expect(await store.get(session.sid)).toStrictEqual(session);

        expect(await store.rotate(session.sid, expected(session), update)).toBe(true);
        expect(await store.get(session.sid)).toStrictEqual({ ...session, ...update });
      });

      it('refuses the same expectation twice, and chains with the new one', async () => {
        const session = makeFreshSession(h.now(), { sub: alice });
        await store.create(session);
        const first = updateFor(session, h.now());
        expect(await store.rotate(session.sid, expected(session), first)).toBe(true);
        expect(await store.rotate(session.sid, expected(session), updateFor(session, h.now()))).toBe(false);

        const rotated = (await store.get(session.sid))!;
        expect(rotated.generation).toBe(1);
        expect(rotated.previousTokenHash).toBe(session.tokenHash);
        const second = updateFor(rotated, h.now());
        expect(await store.rotate(session.sid, { generation: 1, tokenHash: first.tokenHash }, second)).toBe(true);
        expect(await store.get(session.sid)).toStrictEqual({ ...rotated, ...second });
      });

      it('gives the same answers when the caller passes the session it read, as the refresh service does', async () => {
        const session = makeFreshSession(h.now(), { sub: alice });
        await store.create(session);
        const first = updateFor(session, h.now());
        expect(await store.rotate(session.sid, expected(session), first, session)).toBe(true);
        // A stale expectation still loses, whatever the caller says it read.
        expect(await store.rotate(session.sid, expected(session), updateFor(session, h.now()), session)).toBe(false);
        const rotated = (await store.get(session.sid))!;
        expect(rotated).toStrictEqual({ ...session, ...first });
        const second = updateFor(rotated, h.now());
        expect(await store.rotate(session.sid, expected(rotated), second, rotated)).toBe(true);
        expect(await store.get(session.sid)).toStrictEqual({ ...rotated, ...second });
        expect(await store.listBySubject(alice)).toStrictEqual([{ ...rotated, ...second }]);
      });

      it('leaves every field the update does not name untouched', async () => {
        const session = makeSession(h.now(), { sub: alice });
        await store.create(session);
        await store.rotate(session.sid, expected(session), updateFor(session, h.now()));
        const got = (await store.get(session.sid))!;
        expect(got.sub).toBe(session.sub);
        expect(got.claims).toStrictEqual(session.claims);
        expect(got.createdAt).toBe(session.createdAt);
        expect(got.absoluteExpiresAt).toBe(session.absoluteExpiresAt);
        expect(got.revokedAt).toBeNull();
        expect(got).not.toHaveProperty('revokedReason');
      });

      it('writes lastIp and lastUserAgent as the update has them: absent means the request had none', async () => {
        const session = makeSession(h.now(), { sub: alice });
        await store.create(session);
        const update = updateFor(session, h.now());
        delete update.lastIp;
        delete update.lastUserAgent;
        expect(await store.rotate(session.sid, expected(session), update)).toBe(true);
        const got = (await store.get(session.sid))!;
        expect(got).not.toHaveProperty('lastIp');
        expect(got).not.toHaveProperty('lastUserAgent');
        const { lastIp: _ip, lastUserAgent: _ua, ...rest } = session;
        expect(got).toStrictEqual({ ...rest, ...update });
      });

      it('refuses an unknown session', async () => {
        const ghost = makeSession(h.now(), { sub: alice });
        expect(await store.rotate(ghost.sid, expected(ghost), updateFor(ghost, h.now()))).toBe(false);
        expect(await store.get(ghost.sid)).toBeNull();
      });

      it('refuses a revoked session even with the right expectation', async () => {
        const session = makeSession(h.now(), { sub: alice });
        await store.create(session);
        expect(await store.revoke(session.sid, 'logout', h.now())).toBe(true);
        expect(await store.rotate(session.sid, expected(session), updateFor(session, h.now()))).toBe(false);
        const got = (await store.get(session.sid))!;
        expect(got.generation).toBe(session.generation);
        expect(got.tokenHash).toBe(session.tokenHash);
      });

      it('lets exactly one of 50 concurrent rotations with the same expectation win', async () => {
        const session = makeFreshSession(h.now(), { sub: alice });
        await store.create(session);
        const updates = Array.from({ length: 50 }, () => updateFor(session, h.now()));
        const results = await Promise.all(updates.map((u) => store.rotate(session.sid, expected(session), u)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = updates[results.indexOf(true)];
        expect(await store.get(session.sid)).toStrictEqual({ ...session, ...winner });
      });
    });

    describe('revoke', () => {
      it('revokes a live session once; the second call answers false and changes nothing', async () => {
        const session = makeSession(h.now(), { sub: alice });
        await store.create(session);
        const at = h.now();
        expect(await store.revoke(session.sid, 'reuse_detected', at)).toBe(true);
        expect(await store.revoke(session.sid, 'logout', at + 1000)).toBe(false);
        expect(await store.get(session.sid)).toStrictEqual({ ...session, revokedAt: at, revokedReason: 'reuse_detected' });
      });

      it('answers false for an unknown session', async () => {
        expect(await store.revoke(newSid(), 'logout', h.now())).toBe(false);
      });

      it('reports exactly one of 20 concurrent revocations', async () => {
        const session = makeFreshSession(h.now(), { sub: alice });
        await store.create(session);
        const results = await Promise.all(Array.from({ length: 20 }, () => store.revoke(session.sid, 'logout_all', h.now())));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('wins or loses against a concurrent rotation, but the session always ends revoked', async () => {
        const session = makeFreshSession(h.now(), { sub: alice });
        await store.create(session);
        const [rotated, revoked] = await Promise.all([
          store.rotate(session.sid, expected(session), updateFor(session, h.now())),
          store.revoke(session.sid, 'logout', h.now()),
        ]);
        expect(revoked).toBe(true);
        const got = (await store.get(session.sid))!;
        expect(got.revokedAt).not.toBeNull();
        expect(got.generation).toBe(rotated ? 1 : 0);
      });
    });

    describe('listBySubject', () => {
      it('lists every session of the subject, revoked ones included, and nobody else’s', async () => {
        const now = h.now();
        const a1 = makeSession(now, { sub: alice });
        const a2 = makeFreshSession(now, { sub: alice });
        const a3 = makeSession(now, { sub: alice });
        const b1 = makeSession(now, { sub: bob });
        for (const s of [a1, a2, b1, a3]) await store.create(s);
        await store.revoke(a2.sid, 'logout', now);
        await store.rotate(a3.sid, expected(a3), updateFor(a3, now));

        const listed = (await store.listBySubject(alice)).sort(bySid);
        const want = [a1, { ...a2, revokedAt: now, revokedReason: 'logout' as const }, (await store.get(a3.sid))!].sort(bySid);
        expect(listed).toStrictEqual(want);
        expect(await store.listBySubject(bob)).toStrictEqual([b1]);
        expect(await store.listBySubject(`carol-${newSid()}`)).toStrictEqual([]);
      });

      it('treats subjects as exact strings', async () => {
        const s = makeSession(h.now(), { sub: `${alice}{x}:*` });
        await store.create(s);
        expect(await store.listBySubject(`${alice}{x}:*`)).toStrictEqual([s]);
        expect(await store.listBySubject(alice)).toStrictEqual([]);
        expect(await store.listBySubject(`${alice}{x}:`)).toStrictEqual([]);
      });
    });

    describe('retention', () => {
      it('forgets a session after its end plus the retention day, and stops listing it', async () => {
        const now = h.now();
        // Retained until `now + margin`: ended (sliding expiry) one day ago, give or take the margin.
        const ending = makeSession(now, { sub: alice, expiresAt: now - SESSION_RETENTION_MS + margin });
        // Ended by its absolute limit instead: same retention rule.
        const capped = makeFreshSession(now, { sub: alice, absoluteExpiresAt: now - SESSION_RETENTION_MS + margin });
        const lasting = makeSession(now, { sub: alice });
        for (const s of [ending, capped, lasting]) await store.create(s);
        expect(await store.get(ending.sid)).toStrictEqual(ending);
        expect(await store.get(capped.sid)).toStrictEqual(capped);

        await h.elapse(margin + 500);
        expect(await store.get(ending.sid)).toBeNull();
        expect(await store.get(capped.sid)).toBeNull();
        expect(await store.rotate(ending.sid, expected(ending), updateFor(ending, h.now()))).toBe(false);
        expect(await store.revoke(ending.sid, 'logout', h.now())).toBe(false);
        expect(await store.get(lasting.sid)).toStrictEqual(lasting);
        expect(await store.listBySubject(alice)).toStrictEqual([lasting]);
      });

      it('keeps a revoked session until its retention, then forgets it', async () => {
        const now = h.now();
        const session = makeSession(now, { sub: alice, expiresAt: now - SESSION_RETENTION_MS + margin });
        await store.create(session);
        expect(await store.revoke(session.sid, 'logout', now)).toBe(true);
        expect((await store.get(session.sid))?.revokedReason).toBe('logout');
        await h.elapse(margin + 500);
        expect(await store.get(session.sid)).toBeNull();
        expect(await store.listBySubject(alice)).toStrictEqual([]);
      });

      it('extends retention when a rotation slides the expiry, for the session and the subject listing', async () => {
        const now = h.now();
        const session = makeSession(now, { sub: alice, expiresAt: now - SESSION_RETENTION_MS + margin });
        await store.create(session);
        const update = updateFor(session, now, { expiresAt: now + HOUR });
        expect(await store.rotate(session.sid, expected(session), update)).toBe(true);
        await h.elapse(margin + 500);
        const kept = { ...session, ...update };
        expect(await store.get(session.sid)).toStrictEqual(kept);
        expect(await store.listBySubject(alice)).toStrictEqual([kept]);
      });

      it('never keeps a session past its absolute end plus a day, whatever a rotation says', async () => {
        const now = h.now();
        const session = makeSession(now, { sub: alice, absoluteExpiresAt: now - SESSION_RETENTION_MS + margin });
        await store.create(session);
        expect(await store.rotate(session.sid, expected(session), updateFor(session, now, { expiresAt: now + 7 * DAY }))).toBe(true);
        await h.elapse(margin + 500);
        expect(await store.get(session.sid)).toBeNull();
        expect(await store.listBySubject(alice)).toStrictEqual([]);
      });

      it('does not keep a session created already past its retention', async () => {
        const now = h.now();
        const session = makeSession(now, { sub: alice, expiresAt: now - 2 * DAY, absoluteExpiresAt: now - DAY - 1 });
        await store.create(session);
        expect(await store.get(session.sid)).toBeNull();
        expect(await store.listBySubject(alice)).toStrictEqual([]);
      });
    });
  });
}
