import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Cluster, RedisOptions } from 'ioredis';
import type { RefreshSession, RevocationReason, RotationUpdate } from '../refresh/refresh-session.interface.js';
import { SESSION_RETENTION_MS, sessionRetainUntil } from '../refresh/refresh-session.interface.js';
import type { RefreshTokenStore } from '../refresh/refresh-token.store.js';

/** Options shared by both ways of building the Redis store. @publicApi */
export interface RedisRefreshTokenStoreCommonOptions {
  /**
   * Prepended to every key the store writes, so several apps (or environments) can share one Redis.
   * Must not contain `{` or `}`: those would move the Redis Cluster hash tag.
   * Default `'njr:'`. Example: `'myapp:auth:'`.
   */
  keyPrefix?: string;
  /**
   * How long, in milliseconds, an operation waits for the very first connection to become ready
   * (an application's first requests can arrive while the connection is still being set up).
   * Once the connection has been ready, operations never wait: they fail at once while Redis is away.
   * Default `3000`.
   */
  readyTimeoutMs?: number;
}

/**
 * Use a client you created and own. The store never closes it, and does not change its settings:
 * configure it to fail fast (see the store's JSDoc) and give it an `'error'` listener.
 * @publicApi
 */
export interface RedisRefreshTokenStoreClientOptions extends RedisRefreshTokenStoreCommonOptions {
  /** A connected (or connecting) ioredis `Redis` or `Cluster` instance. */
  client: Redis | Cluster;
  url?: never;
  redisOptions?: never;
}

/** Let the store open, own and close its connection. @publicApi */
export interface RedisRefreshTokenStoreConnectionOptions extends RedisRefreshTokenStoreCommonOptions {
  client?: never;
  /**
   * Connection URL (`redis://`, `rediss://` for TLS); what it states wins over `redisOptions`.
   * Default: the host and port in `redisOptions`, else `127.0.0.1:6379`.
   * Example: `'redis://:secret@redis.internal:6379/2'`.
   */
  url?: string;
  /**
   * ioredis options, applied over the store's fail-fast defaults:
   * `enableOfflineQueue: false`, `maxRetriesPerRequest: 0`, `autoResendUnfulfilledCommands: false`,
   * `commandTimeout: 2000` (ms), `connectTimeout: 3000` (ms) and a `retryStrategy` that reconnects
   * forever, waiting 100 ms more after each failed attempt, at most 2000 ms.
   * Example: `{ password: process.env.REDIS_PASSWORD, db: 2 }`.
   */
  redisOptions?: RedisOptions;
  /**
   * Receives the connection's `'error'` events (refused connections while Redis is away, etc.).
   * The store always listens, so such an event never crashes the process; operations still reject.
   * Default: the events are dropped.
   */
  onConnectionError?: (error: Error) => void;
}

/** @publicApi */
export type RedisRefreshTokenStoreOptions = RedisRefreshTokenStoreClientOptions | RedisRefreshTokenStoreConnectionOptions;

/** Key prefix used when none is given. @publicApi */
export const REDIS_STORE_DEFAULT_KEY_PREFIX = 'njr:';

/**
 * The store's defaults for a connection it opens. Without them ioredis queues commands while
 * disconnected and replays them on reconnect: requests would hang instead of failing, and a rotation
 * a client already saw fail (503) could still be applied minutes later, turning its retry into "reuse".
 */
const FAIL_FAST_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  // 0: commands in flight when the socket drops are rejected at once, not kept for a reconnect.
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // Bounds a command sent to a Redis that accepted the connection but stopped answering.
  commandTimeout: 2000,
  connectTimeout: 3000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
};

class LuaScript {
  readonly sha: string;
  constructor(readonly body: string) {
    this.sha = createHash('sha1').update(body).digest('hex');
  }
}

// Field names are short because a deployment keeps one hash per session, possibly millions.
// Optional fields (p, r, ip, ua, x, xr) are absent rather than empty so null/undefined survive the round trip.

/** Writes a whole session, replacing whatever was under the key, and its expiry. */
const CREATE = new LuaScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
`);

/**
 * The compare-and-swap. Redis runs a script without interleaving any other command, so between the
 * checks and the writes no other request, on any instance, can rotate the same session.
 * Returns nil when the session is unknown, revoked or no longer as the caller read it;
 * else { sub, new expiry } so the caller can move the subject index to the same expiry.
 */
const ROTATE = new LuaScript(`
local s = redis.call('HMGET', KEYS[1], 'g', 'h', 'x', 'a', 'u')
if not s[1] or s[3] then return nil end
if s[1] ~= ARGV[1] or s[2] ~= ARGV[2] then return nil end
redis.call('HSET', KEYS[1], 'g', ARGV[3], 'h', ARGV[4], 'p', ARGV[5], 'r', ARGV[6], 'e', ARGV[7], 'l', ARGV[8])
if ARGV[10] == '1' then redis.call('HSET', KEYS[1], 'ip', ARGV[11]) else redis.call('HDEL', KEYS[1], 'ip') end
if ARGV[12] == '1' then redis.call('HSET', KEYS[1], 'ua', ARGV[13]) else redis.call('HDEL', KEYS[1], 'ua') end
local retain = string.format('%.0f', math.ceil(math.min(tonumber(ARGV[7]), tonumber(s[4])) + tonumber(ARGV[9])))
redis.call('PEXPIREAT', KEYS[1], retain)
return { s[5], retain }
`);

/** Revokes only a live session, so exactly one of several concurrent revocations reports it. */
const REVOKE = new LuaScript(`
local s = redis.call('HMGET', KEYS[1], 'g', 'x')
if not s[1] or s[2] then return 0 end
redis.call('HSET', KEYS[1], 'x', ARGV[1], 'xr', ARGV[2])
return 1
`);

/**
 * Maintains a subject's index: a sorted set of sids scored by each session's retention, so the
 * set's own expiry can always be the latest of them and it never outlives its last session by more
 * than the retention day. 'add' inserts, 'touch' follows a rotation (only if the sid is still
 * indexed, and only ever raising its score: touches of concurrent rotations may arrive in any
 * order), 'prune' drops sids whose session is gone.
 */
const INDEX = new LuaScript(`
if ARGV[1] == 'add' then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
elseif ARGV[1] == 'touch' then
  local score = redis.call('ZSCORE', KEYS[1], ARGV[3])
  if score and tonumber(ARGV[2]) > tonumber(score) then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3]) end
else
  redis.call('ZREM', KEYS[1], unpack(ARGV, 3))
end
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if top[2] then redis.call('PEXPIREAT', KEYS[1], top[2]) end
return 1
`);

/**
 * Sessions in Redis, shared by every instance of the application and kept across restarts.
 *
 * Each session is one hash, `<prefix>s:{<sid>}`, and each subject has a sorted set of its sids,
 * `<prefix>u:{<sub>}`. Every key expires at its session's end plus one day (the subject set at the
 * latest of its sessions', or a little after when a rotation lost a race). Rotation and revocation are
 * single Lua scripts, atomic across instances;
 * each script touches one key, so it also works on Redis Cluster.
 *
 * Built from a `url` (or `redisOptions`), the store owns the connection, configures it to fail fast
 * and closes it in `close()`. Given your own `client`, configure it yourself, or requests hang while
 * Redis is away: `enableOfflineQueue: false`, `maxRetriesPerRequest: 0`,
 * `autoResendUnfulfilledCommands: false`, a `commandTimeout` (e.g. `2000`), a `retryStrategy` that
 * keeps reconnecting, and an `'error'` listener.
 *
 * Any Redis error rejects the operation; the refresh service answers 503 `AUTH_STORE_UNAVAILABLE`.
 *
 * @example new RedisRefreshTokenStore({ url: process.env.REDIS_URL, keyPrefix: 'myapp:' })
 * @publicApi
 */
export class RedisRefreshTokenStore implements RefreshTokenStore {
  /** The connection the store uses (yours, or the one it opened). */
  readonly client: Redis | Cluster;
  private readonly ownsClient: boolean;
  private readonly keyPrefix: string;
  private readonly readyTimeoutMs: number;
  private wasReady = false;
  private firstConnection: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisRefreshTokenStoreOptions = {}) {
    // Read as one loose shape: plain-JavaScript callers can pass both variants at once.
    const o = options as RedisRefreshTokenStoreCommonOptions &
      Omit<RedisRefreshTokenStoreConnectionOptions, 'client'> & { client?: Redis | Cluster };
    if (o.client && (o.url !== undefined || o.redisOptions !== undefined)) {
      throw new Error('RedisRefreshTokenStore: pass either "client" or "url"/"redisOptions", not both.');
    }
    this.keyPrefix = o.keyPrefix ?? REDIS_STORE_DEFAULT_KEY_PREFIX;
    if (/[{}]/.test(this.keyPrefix)) {
      throw new Error(
        `RedisRefreshTokenStore: "keyPrefix" must not contain "{" or "}" (they would break Redis Cluster hash tags); got "${this.keyPrefix}".`,
      );
    }
    this.readyTimeoutMs = o.readyTimeoutMs ?? 3000;
    if (!(this.readyTimeoutMs >= 0) || !Number.isFinite(this.readyTimeoutMs)) {
      throw new Error(`RedisRefreshTokenStore: "readyTimeoutMs" must be a non-negative number of milliseconds; got ${o.readyTimeoutMs}.`);
    }
    if (o.client) {
      this.client = o.client;
      this.ownsClient = false;
    } else {
      const redisOptions = { ...FAIL_FAST_OPTIONS, ...o.redisOptions };
      // Without a url, pass the options alone: ioredis lets a url's host and port override the options'.
      this.client = o.url === undefined ? new Redis(redisOptions) : new Redis(o.url, redisOptions);
      this.ownsClient = true;
      const onError = o.onConnectionError;
      // ioredis emits 'error' for each failed reconnection; a listener keeps that from reaching the process.
      this.client.on('error', (error: Error) => onError?.(error));
    }
  }

  async create(session: RefreshSession): Promise<void> {
    const retainUntil = Math.ceil(sessionRetainUntil(session));
    await this.script(CREATE, this.sessionKey(session.sid), [String(retainUntil), ...encodeSession(session)]);
    // The session is written before it is indexed: a concurrent listBySubject that sees the sid in the
    // index but not its hash would prune it, and logout-all would then miss a live session.
    await this.script(INDEX, this.subjectKey(session.sub), ['add', String(retainUntil), session.sid]);
  }

  async get(sid: string): Promise<RefreshSession | null> {
    await this.whenReady();
    const hash = await this.client.hgetall(this.sessionKey(sid));
    return decodeSession(sid, hash, this.sessionKey(sid));
  }

  async rotate(
    sid: string,
    expected: { generation: number; tokenHash: string },
    update: RotationUpdate,
    current?: Pick<RefreshSession, 'sub' | 'absoluteExpiresAt'>,
  ): Promise<boolean> {
    const rotation = this.script(ROTATE, this.sessionKey(sid), [
      String(expected.generation),
      expected.tokenHash,
      String(update.generation),
      update.tokenHash,
      update.previousTokenHash,
      String(update.rotatedAt),
      String(update.expiresAt),
      String(update.lastUsedAt),
      String(SESSION_RETENTION_MS),
      update.lastIp === undefined ? '0' : '1',
      update.lastIp ?? '',
      update.lastUserAgent === undefined ? '0' : '1',
      update.lastUserAgent ?? '',
    ]);
    if (current) {
      // The caller knows the subject, so the index touch goes out with the rotation rather than after
      // its reply: one round trip less. If the rotation loses the race, the touch still raised the sid's
      // score to a retention this session may never reach: the set then outlives it a little, which
      // expiry and pruning already allow for; it can never end before the session (touch only raises).
      const retainUntil = Math.ceil(sessionRetainUntil({ expiresAt: update.expiresAt, absoluteExpiresAt: current.absoluteExpiresAt }));
      const touch = this.script(INDEX, this.subjectKey(current.sub), ['touch', String(retainUntil), sid]);
      const [rotated, touched] = await Promise.allSettled([rotation, touch]);
      if (rotated.status === 'rejected') throw rotated.reason;
      if (!rotationReply(rotated.value)) return false;
      // The rotation stands even if the touch failed; the error still surfaces, and the client's retry falls in the grace window.
      if (touched.status === 'rejected') throw touched.reason;
      return true;
    }
    const reply = rotationReply(await rotation);
    if (!reply) return false;
    // Not atomic with the rotation (the subject set may live on another Cluster slot). If this fails the
    // rotation stands and the error still surfaces; the client's retry falls in the grace window.
    await this.script(INDEX, this.subjectKey(reply.sub), ['touch', reply.retainUntil, sid]);
    return true;
  }

  async revoke(sid: string, reason: RevocationReason, at: number): Promise<boolean> {
    const reply = await this.script(REVOKE, this.sessionKey(sid), [String(at), reason]);
    return reply === 1;
  }

  async listBySubject(sub: string): Promise<RefreshSession[]> {
    await this.whenReady();
    const key = this.subjectKey(sub);
    const sids = await this.client.zrange(key, 0, -1);
    // One command per session rather than a pipeline: on a Cluster the sessions sit on different slots.
    const hashes = await Promise.all(sids.map((sid) => this.client.hgetall(this.sessionKey(sid))));
    const sessions: RefreshSession[] = [];
    const gone: string[] = [];
    sids.forEach((sid, i) => {
      const session = decodeSession(sid, hashes[i], this.sessionKey(sid));
      // A sid re-created for another subject still sits in this subject's set: it is gone from here.
      if (session && session.sub === sub) sessions.push(session);
      else gone.push(sid);
    });
    if (gone.length > 0) await this.script(INDEX, key, ['prune', '0', ...gone]);
    return sessions;
  }

  /** Closes the connection if the store opened it; a client you passed is left open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.ownsClient) return;
    const client = this.client;
    if (client.status === 'end') return;
    // QUIT lets pending replies arrive first; its reply comes before the socket is really closed, so
    // wait for 'end' too (shutdown hooks expect nothing left open), with disconnect() as the backstop.
    const ended = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.disconnect();
        resolve();
      }, 1000);
      timer.unref();
      client.once('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (client.status === 'ready') {
      await client.quit().catch(() => client.disconnect());
    } else {
      client.disconnect();
    }
    await ended;
  }

  private sessionKey(sid: string): string {
    // The braces make the sid the Cluster hash tag: whatever the prefix, every key derived from one
    // session lands on one slot, which is what lets a script touch several of them.
    return `${this.keyPrefix}s:{${sid}}`;
  }

  private subjectKey(sub: string): string {
    return `${this.keyPrefix}u:{${sub}}`;
  }

  private async script(script: LuaScript, key: string, args: string[]): Promise<unknown> {
    await this.whenReady();
    try {
      return await this.client.evalsha(script.sha, 1, key, ...args);
    } catch (error) {
      // The script cache is empty after a Redis restart or failover: send the body once, which caches it again.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return this.client.eval(script.body, 1, key, ...args);
      }
      throw error;
    }
  }

  /**
   * Gives the first connection a bounded chance to come up, so requests arriving during start-up are
   * served rather than refused. After the connection has once been ready this never waits: an outage
   * must fail requests at once.
   */
  private async whenReady(): Promise<void> {
    if (this.closed) throw new Error('RedisRefreshTokenStore: the store is closed.');
    const client = this.client;
    if (client.status === 'ready') {
      this.wasReady = true;
      return;
    }
    if (this.wasReady || !['wait', 'connecting', 'connect'].includes(client.status)) return;
    // One wait shared by every operation arriving meanwhile: a listener set per request would pile up.
    this.firstConnection ??= this.waitForFirstConnection().finally(() => {
      this.firstConnection = undefined;
    });
    await this.firstConnection;
  }

  private waitForFirstConnection(): Promise<void> {
    const client = this.client;
    if (client.status === 'wait') client.connect().catch(() => undefined);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        client.off('close', done);
        client.off('end', done);
        if (client.status === 'ready') this.wasReady = true;
        resolve();
      };
      const timer = setTimeout(done, this.readyTimeoutMs);
      timer.unref();
      client.on('ready', done);
      client.on('close', done);
      client.on('end', done);
    });
  }
}

function encodeSession(s: RefreshSession): string[] {
  const fields = [
    'u', s.sub,
    'c', JSON.stringify(s.claims ?? {}),
    'g', String(s.generation),
    'h', s.tokenHash,
    'ca', String(s.createdAt),
    'e', String(s.expiresAt),
    'a', String(s.absoluteExpiresAt),
    'l', String(s.lastUsedAt),
  ];
  if (s.previousTokenHash !== null) fields.push('p', s.previousTokenHash);
  if (s.rotatedAt !== null) fields.push('r', String(s.rotatedAt));
  if (s.lastIp !== undefined) fields.push('ip', s.lastIp);
  if (s.lastUserAgent !== undefined) fields.push('ua', s.lastUserAgent);
  if (s.revokedAt !== null) fields.push('x', String(s.revokedAt));
  if (s.revokedReason !== undefined) fields.push('xr', s.revokedReason);
  return fields;
}

const REQUIRED_FIELDS = ['u', 'c', 'g', 'h', 'ca', 'e', 'a', 'l'] as const;

function decodeSession(sid: string, h: Record<string, string>, key: string): RefreshSession | null {
  if (Object.keys(h).length === 0) return null;
  const missing = REQUIRED_FIELDS.filter((f) => h[f] === undefined);
  let claims: unknown;
  try {
    claims = missing.length === 0 ? JSON.parse(h.c) : undefined;
  } catch {
    claims = undefined;
  }
  if (missing.length > 0 || typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    // A foreign key under our prefix, or a writer of another version: refusing beats guessing a session.
    throw new Error(
      `RedisRefreshTokenStore: "${key}" does not hold a session written by this store` +
        (missing.length > 0 ? ` (missing ${missing.join(', ')})` : ' (claims are not a JSON object)') +
        '. Check that no other application writes under the same "keyPrefix".',
    );
  }
  const session: RefreshSession = {
    sid,
    sub: h.u,
    claims: claims as Record<string, unknown>,
    generation: Number(h.g),
    tokenHash: h.h,
    previousTokenHash: h.p ?? null,
    rotatedAt: h.r === undefined ? null : Number(h.r),
    createdAt: Number(h.ca),
    expiresAt: Number(h.e),
    absoluteExpiresAt: Number(h.a),
    lastUsedAt: Number(h.l),
    revokedAt: h.x === undefined ? null : Number(h.x),
  };
  if (h.ip !== undefined) session.lastIp = h.ip;
  if (h.ua !== undefined) session.lastUserAgent = h.ua;
  if (h.xr !== undefined) session.revokedReason = h.xr as RevocationReason;
  return session;
}

/** The rotation script's answer: `null` when the compare-and-swap failed, else the subject and the new retention. */
function rotationReply(reply: unknown): { sub: string; retainUntil: string } | null {
  if (reply === null) return null;
  if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[0] !== 'string' || typeof reply[1] !== 'string') {
    throw new Error(`RedisRefreshTokenStore: unexpected reply from the rotation script: ${JSON.stringify(reply)}.`);
  }
  return { sub: reply[0], retainUntil: reply[1] };
}
