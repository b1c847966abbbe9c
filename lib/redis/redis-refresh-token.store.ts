import { Cluster } from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';
import type { RefreshSession, RevocationReason, RotationUpdate } from '../refresh/refresh-session.interface.js';
import { SESSION_RETENTION_MS, sessionRetainUntil } from '../refresh/refresh-session.interface.js';
import type { CreateSessionOptions, CreateSessionResult, RefreshTokenStore, SubjectRevocation } from '../refresh/refresh-token.store.js';
import type { RevocationListener, RevocationNotice } from '../refresh/revocation-notice.interface.js';
import { ConnectionReadiness } from './redis-connection.readiness.js';
import { closeClient, openClient } from './redis-connection.js';
import { RedisKeys, sessionIdFor, subjectTag } from './redis-refresh-token.keys.js';
import { REDIS_STORE_DEFAULT_KEY_PREFIX } from './redis-refresh-token.options.js';
import type { RedisRefreshTokenStoreCommonOptions, RedisRefreshTokenStoreConnectionOptions, RedisRefreshTokenStoreOptions } from './redis-refresh-token.options.js';
import { CONFIRM, CREATE, GET, LIST, LuaScript, REVOKE, REVOKE_SUBJECT, ROTATE, UPDATE_CLAIMS } from './redis-refresh-token.scripts.js';
import { RevocationSubscriber } from './redis-revocation.subscriber.js';
import { replicaWait, ScriptRunner } from './redis-script.runner.js';
import { createReply, decodeSession, encodeSession, getReply, listReply } from './redis-session.codec.js';

type LooseOptions = RedisRefreshTokenStoreCommonOptions & Omit<RedisRefreshTokenStoreConnectionOptions, 'client'> & { client?: Redis | Cluster };

/**
 * Sessions in Redis or a Redis Cluster, shared by every instance of the application and kept across restarts.
 *
 * Every key of one subject carries the subject's hash tag (the session ids this store makes begin with
 * it), so a subject's sessions, its index and its revocation epoch share one Cluster slot, and each
 * login, rotation, revocation and log-out-everywhere is one Lua script: atomic across instances, on one
 * Redis or a Cluster. Every key expires at its session's end plus one day (the index and the epoch at
 * the latest of theirs). Revocations are announced on `<keyPrefix>revocations` for the session check.
 *
 * Built from a `url`, `redisOptions` or `cluster`, the store owns the connection, configures it to fail
 * fast and closes it in `close()`. Given your own `client`, configure it yourself, or requests hang while
 * Redis is away: `enableOfflineQueue: false`, `maxRetriesPerRequest: 0`,
 * `autoResendUnfulfilledCommands: false`, a `commandTimeout` (e.g. `2000`), a `retryStrategy` that
 * keeps reconnecting, and an `'error'` listener (for a Cluster see the README).
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
  private readonly keys: RedisKeys;
  private readonly channel: string;
  private readonly readiness: ConnectionReadiness;
  private readonly scripts: ScriptRunner;
  private readonly listeners = new Set<RevocationListener>();
  // The module hands its clock over (useClock): key expiries are set relative to it, never to Redis's clock.
  private now: () => number = Date.now;
  private subscriber: RevocationSubscriber | undefined;
  private closed = false;

  constructor(options: RedisRefreshTokenStoreOptions = {}) {
    // Read as one loose shape: plain-JavaScript callers can pass both variants at once.
    const o = options as LooseOptions;
    if (o.client && (o.url !== undefined || o.redisOptions !== undefined || o.cluster !== undefined)) {
      throw new Error('RedisRefreshTokenStore: pass either "client" or "url"/"redisOptions"/"cluster", not both.');
    }
    if (o.cluster && (o.url !== undefined || o.redisOptions !== undefined)) {
      throw new Error('RedisRefreshTokenStore: "cluster" takes its node options in "cluster.options.redisOptions", not "url"/"redisOptions".');
    }
    const keyPrefix = o.keyPrefix ?? REDIS_STORE_DEFAULT_KEY_PREFIX;
    if (/[{}]/.test(keyPrefix)) {
      throw new Error(
        `RedisRefreshTokenStore: "keyPrefix" must not contain "{" or "}" (they would break Redis Cluster hash tags); got "${keyPrefix}".`,
      );
    }
    const readyTimeoutMs = o.readyTimeoutMs ?? 3000;
    if (!(readyTimeoutMs >= 0) || !Number.isFinite(readyTimeoutMs)) {
      throw new Error(`RedisRefreshTokenStore: "readyTimeoutMs" must be a non-negative number of milliseconds; got ${o.readyTimeoutMs}.`);
    }
    const wait = replicaWait(o.waitForReplicas);
    if (o.client) {
      this.client = o.client;
      this.ownsClient = false;
    } else {
      this.client = openClient(o.url, o.redisOptions, o.cluster);
      this.ownsClient = true;
      const onError = o.onConnectionError;
      // ioredis emits 'error' for each failed reconnection; a listener keeps that from reaching the process.
      this.client.on('error', (error: Error) => onError?.(error));
    }
    this.keys = new RedisKeys(keyPrefix);
    // What scripts prepend to the keys they build themselves: ioredis adds a client's own keyPrefix only to KEYS.
    const scriptPrefix = (clientOptions(this.client).keyPrefix ?? '') + keyPrefix;
    // '' tells the scripts not to publish: without announcements nobody subscribes either.
    this.channel = o.announceRevocations === false ? '' : `${scriptPrefix}revocations`;
    if (o.announceRevocations === false) this.onRevocation = undefined;
    this.readiness = new ConnectionReadiness(this.client, readyTimeoutMs, o.checkEvictionPolicy !== false);
    this.scripts = new ScriptRunner(this.client, scriptPrefix, this.channel, wait);
  }

  /** 16 bytes: the subject's 24-bit tag (placing the session on the subject's slot), then 104 random bits. */
  newSessionId(sub: string): string {
    return sessionIdFor(sub);
  }

  useClock(clock: () => number): void {
    this.now = clock;
  }

  async create(session: RefreshSession, options: CreateSessionOptions = {}): Promise<CreateSessionResult> {
    const tag = subjectTag(session.sub);
    if (session.sid.slice(0, 4) !== tag) {
      throw new Error('RedisRefreshTokenStore: the session id was not made by this store\'s newSessionId() for the session\'s subject.');
    }
    const cap = options.maxSessionsPerSubject ?? 0;
    const reply = await this.run(CREATE, [this.keys.session(session.sid), this.keys.subject(session.sub)], [
      String(this.now()),
      String(Math.ceil(sessionRetainUntil(session))),
      String(cap),
      session.sid,
      session.sub,
      String(session.createdAt),
      String(session.lastUsedAt),
      session.revokedAt === null ? '0' : '1',
      ...encodeSession(session),
    ]);
    return { evicted: createReply(reply) };
  }

  async get(sid: string): Promise<RefreshSession | null> {
    const key = this.keys.session(sid);
    const reply = getReply(await this.run(GET, [key], ['0', sid], false));
    return reply && decodeSession(sid, reply.fields, key, reply.epoch);
  }

  async rotate(sid: string, expected: { generation: number; tokenHash: string }, update: RotationUpdate): Promise<boolean> {
    const reply = await this.run(ROTATE, [this.keys.session(sid)], [
      String(update.rotatedAt),
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
      sid,
    ]);
    return reply === 1;
  }

  async revoke(sid: string, reason: RevocationReason, at: number, sub?: string): Promise<boolean> {
    const reply = await this.run(REVOKE, [this.keys.session(sid)], [String(at), String(at), reason, sid, sub ?? '']);
    return reply === 1;
  }

  async updateClaims(sid: string, claims: Record<string, unknown>): Promise<boolean> {
    // ARGV[3] is every script's "now"; this one does not read it.
    const reply = await this.run(UPDATE_CLAIMS, [this.keys.session(sid)], ['0', JSON.stringify(claims), sid]);
    return reply === 1;
  }

  /** With `waitForReplicas`: makes the session as read durable (see RefreshTokenStore.confirm); without it, trusts the read. */
  async confirm(sid: string, expected: { generation: number; tokenHash: string }): Promise<boolean> {
    if (!this.scripts.waitsForReplicas) return true;
    const reply = await this.run(CONFIRM, [this.keys.session(sid)], ['0', String(expected.generation), expected.tokenHash, sid]);
    return reply === 1;
  }

  async revokeSubject(sub: string, revocation: SubjectRevocation): Promise<number> {
    const { at, reason, keepUntil, exceptSid } = revocation;
    const reply = await this.run(REVOKE_SUBJECT, [this.keys.subject(sub), this.keys.epoch(sub)], [
      String(at),
      String(at),
      reason,
      String(Math.ceil(keepUntil)),
      exceptSid ?? '',
      sub,
    ]);
    if (typeof reply !== 'number') throw new Error(`RedisRefreshTokenStore: unexpected reply from the revokeSubject script: ${JSON.stringify(reply)}.`);
    return reply;
  }

  async listBySubject(sub: string): Promise<RefreshSession[]> {
    const reply = listReply(await this.run(LIST, [this.keys.subject(sub), this.keys.epoch(sub)], ['0', sub], false));
    const sessions: RefreshSession[] = [];
    for (const { sid, fields } of reply.sessions) {
      const session = decodeSession(sid, fields, this.keys.session(sid), reply.epoch);
      if (session) sessions.push(session);
    }
    return sessions;
  }

  /** Subscribes (on first use) to the revocations every instance announces. */
  onRevocation?(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    if (!this.subscriber && !this.closed) {
      this.subscriber = new RevocationSubscriber(() => this.endpoints(), this.channel, (notice) => this.announce(notice));
      this.subscriber.start();
    }
    return () => this.listeners.delete(listener);
  }

  /** Closes the connections the store opened; a client you passed is left open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.subscriber?.stop();
    if (this.ownsClient) await closeClient(this.client);
  }

  private announce(notice: RevocationNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch {
        // One listener's failure must not keep the others from hearing of a revocation.
      }
    }
  }

  /** Refuses once closed, gives a first connection its chance to come up, then runs the script. */
  private async run(script: LuaScript, keys: string[], args: string[], durable = true): Promise<unknown> {
    if (this.closed) throw new Error('RedisRefreshTokenStore: the store is closed.');
    await this.readiness.whenReady();
    return this.scripts.run(script, keys, args, durable);
  }

  /** Where the subscriber may connect: this Redis, or any node of the Cluster (PUBLISH reaches them all). */
  private endpoints(): RedisOptions[] {
    if (!(this.client instanceof Cluster)) return [this.client.options];
    const nodes = this.client.nodes('all').map((node) => node.options);
    return nodes.length > 0 ? nodes : ((this.client as unknown as { startupNodes: RedisOptions[] }).startupNodes ?? []);
  }
}

function clientOptions(client: Redis | Cluster): { keyPrefix?: string } {
  return client instanceof Cluster ? (client.options as { keyPrefix?: string }) : client.options;
}
