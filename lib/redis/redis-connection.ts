import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import { ClusterSlotRefresh } from './cluster-slot-refresh.js';

/**
 * The store's defaults for a connection it opens. Without them ioredis queues commands while
 * disconnected and replays them on reconnect: requests would hang instead of failing, and a rotation
 * a client already saw fail (503) could still be applied minutes later, turning its retry into "reuse".
 */
export const FAIL_FAST_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  // 0: commands in flight when the socket drops are rejected at once, not kept for a reconnect.
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // Bounds a command sent to a Redis that accepted the connection but stopped answering.
  commandTimeout: 2000,
  connectTimeout: 3000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
};

/**
 * The same for a Cluster, plus what a Cluster needs to get through a failover by itself:
 * - `slotsRefreshInterval`: without it a hung master's slots keep timing out long after its replica took over;
 * - `enableAutoPipelining` stays off: it routes EVALSHA by the script's sha, not its key (ioredis #2109);
 * - `scaleReads: 'master'`: a replica may not have a rotation yet, and reading it would call the next one reuse.
 */
export const CLUSTER_FAIL_FAST_OPTIONS: ClusterOptions = {
  enableOfflineQueue: false,
  enableAutoPipelining: false,
  scaleReads: 'master',
  slotsRefreshInterval: 2000,
  slotsRefreshTimeout: 1000,
  retryDelayOnFailover: 100,
  retryDelayOnClusterDown: 100,
  retryDelayOnTryAgain: 100,
  maxRedirections: 16,
  clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
  // The Cluster reconnects its nodes itself: the nodes get no retryStrategy of ours.
  redisOptions: nodeOptions(),
};

function nodeOptions(): RedisOptions {
  const { retryStrategy: _cluster, ...rest } = FAIL_FAST_OPTIONS;
  return rest;
}

const slotRefreshes = new WeakMap<Cluster, ClusterSlotRefresh>();

/** Opens a client with the store's fail-fast defaults under the caller's own options. */
export function openClient(
  url: string | undefined,
  redisOptions: RedisOptions | undefined,
  cluster: { nodes: ClusterNode[]; options?: ClusterOptions } | undefined,
): Redis | Cluster {
  if (cluster) {
    const options = cluster.options ?? {};
    const interval = options.slotsRefreshInterval ?? CLUSTER_FAIL_FAST_OPTIONS.slotsRefreshInterval!;
    const client = new Cluster(cluster.nodes, {
      ...CLUSTER_FAIL_FAST_OPTIONS,
      ...options,
      // The store refreshes the slots itself (ClusterSlotRefresh says why) and stops that in closeClient().
      slotsRefreshInterval: 0,
      redisOptions: { ...CLUSTER_FAIL_FAST_OPTIONS.redisOptions, ...options.redisOptions },
    });
    if (interval > 0) slotRefreshes.set(client, new ClusterSlotRefresh(client, interval));
    return client;
  }
  const options = { ...FAIL_FAST_OPTIONS, ...redisOptions };
  // Without a url, pass the options alone: ioredis lets a url's host and port override the options'.
  return url === undefined ? new Redis(options) : new Redis(url, options);
}

/**
 * Closes a client the store opened. QUIT lets pending replies arrive first; its reply comes before
 * the socket is really closed, so wait for 'end' too (shutdown hooks expect nothing left open), with
 * disconnect() as the backstop.
 */
export async function closeClient(client: Redis | Cluster): Promise<void> {
  if (client instanceof Cluster) slotRefreshes.get(client)?.stop();
  if (client.status === 'end') return;
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
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
  await ended;
}

// Every key the store writes carries a TTL, so any volatile-* policy may evict it, as may allkeys-*.
const SAFE_POLICY = 'noeviction';

/**
 * Reads `maxmemory-policy` on every master and warns when Redis may evict the store's keys: an evicted
 * session hash forgets a revocation or a rotation, an evicted epoch forgets a log-out-everywhere.
 * Managed Redis services often refuse CONFIG: then nothing is said (the README says what to check).
 */
export async function warnIfEvicting(client: Redis | Cluster, logger: Logger): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const policies = await Promise.all(
    nodes.map((node) =>
      (node.config('GET', 'maxmemory-policy') as Promise<unknown>).then(
        (reply) => (Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined),
        () => undefined,
      ),
    ),
  );
  const unsafe = [...new Set(policies.filter((p): p is string => p !== undefined && p !== SAFE_POLICY))];
  if (unsafe.length > 0) {
    logger.warn(
      `Redis "maxmemory-policy" is ${unsafe.join(', ')}: when memory runs out Redis may evict session keys, which brings ` +
        `revoked sessions back or logs users out. Set "maxmemory-policy noeviction" (writes then fail with a 503 instead), ` +
        `or pass "checkEvictionPolicy: false" to RedisRefreshTokenStore if this Redis is sized so that it never fills.`,
    );
  }
  return unsafe;
}
