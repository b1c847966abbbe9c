import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/** Options shared by every way of building the Redis store. @publicApi */
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
  /**
   * Announce every revocation on a pub/sub channel (`<keyPrefix>revocations`) and let each instance's
   * session check subscribe, so an access token of a revoked session is refused on every instance at
   * once rather than after `sessionCheck.cacheTtl`. Costs one extra connection per instance.
   * Default `true`.
   */
  announceRevocations?: boolean;
  /**
   * At connect, read `maxmemory-policy` on every master and log a warning when Redis may evict the
   * store's keys (anything but `noeviction`). Default `true`.
   */
  checkEvictionPolicy?: boolean;
  /**
   * Make each login, rotation and revocation wait until this many replicas acknowledged it (Redis
   * `WAIT`) before it answers, and fail (503, the client retries) when they do not within `timeoutMs`.
   * Without it replication is asynchronous: a master that dies loses its last writes, so an
   * acknowledged rotation can vanish (the user is refused on the next refresh) and an acknowledged
   * revocation can be undone (the session comes back). Default: off.
   * Example: `{ replicas: 1, timeoutMs: 500 }`.
   */
  waitForReplicas?: { replicas: number; timeoutMs?: number };
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
  cluster?: never;
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
   * Connect to a Redis Cluster instead: its seed nodes, and ioredis Cluster options applied over the
   * store's fail-fast Cluster defaults (those above for each node, plus `slotsRefreshInterval: 2000`,
   * run by the store's own timer, which `close()` stops,
   * `scaleReads: 'master'`, `enableAutoPipelining: false`). Example:
   * `{ nodes: [{ host: '10.0.0.1', port: 6379 }, { host: '10.0.0.2', port: 6379 }] }`.
   */
  cluster?: { nodes: ClusterNode[]; options?: ClusterOptions };
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
