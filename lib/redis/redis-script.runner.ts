import type { Cluster, Redis } from 'ioredis';
import type { RedisRefreshTokenStoreCommonOptions } from './redis-refresh-token.options.js';
import type { LuaScript } from './redis-refresh-token.scripts.js';

/** How many replicas each write waits for, and for how long (`waitForReplicas`, validated). */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

/** Validates `waitForReplicas` and fills in its default timeout; `undefined` when off. */
export function replicaWait(value: RedisRefreshTokenStoreCommonOptions['waitForReplicas']): ReplicaWait | undefined {
  if (value === undefined) return undefined;
  const replicas = value?.replicas;
  const timeoutMs = value?.timeoutMs ?? 1000;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(`RedisRefreshTokenStore: "waitForReplicas.replicas" must be a positive integer; got ${String(replicas)}.`);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new Error(`RedisRefreshTokenStore: "waitForReplicas.timeoutMs" must be a positive integer of milliseconds; got ${String(timeoutMs)}.`);
  }
  return { replicas, timeoutMs };
}

/** Sends the store's Lua scripts: EVALSHA, EVAL when Redis lost its script cache, then WAIT when asked to. */
export class ScriptRunner {
  constructor(
    private readonly client: Redis | Cluster,
    // Prepended by the scripts to the keys they build beyond KEYS (the store works it out).
    private readonly prefix: string,
    // '' tells the scripts not to publish.
    private readonly channel: string,
    private readonly wait: ReplicaWait | undefined,
  ) {}

  get waitsForReplicas(): boolean {
    return this.wait !== undefined;
  }

  /**
   * Runs a script with ARGV = [prefix, channel, now, ...args]. Writes (`durable`) wait for the replicas
   * `waitForReplicas` asks for, in one pipeline so WAIT goes to the master that ran the script.
   */
  async run(script: LuaScript, keys: string[], args: string[], durable: boolean): Promise<unknown> {
    const argv = [this.prefix, durable ? this.channel : '', ...args];
    try {
      return await this.send(script.sha, false, keys, argv, durable);
    } catch (error) {
      // The script cache is empty after a restart or failover. On a Cluster the error arrives wrapped
      // ("Too many Cluster redirections. Last error: ReplyError: NOSCRIPT ..."), hence includes, not startsWith.
      if (error instanceof Error && error.message.includes('NOSCRIPT')) return this.send(script.body, true, keys, argv, durable);
      throw error;
    }
  }

  private async send(script: string, body: boolean, keys: string[], argv: string[], durable: boolean): Promise<unknown> {
    const wait = durable ? this.wait : undefined;
    if (!wait) return body ? this.client.eval(script, keys.length, ...keys, ...argv) : this.client.evalsha(script, keys.length, ...keys, ...argv);
    const pipeline = this.client.pipeline();
    if (body) pipeline.eval(script, keys.length, ...keys, ...argv);
    else pipeline.evalsha(script, keys.length, ...keys, ...argv);
    pipeline.wait(wait.replicas, wait.timeoutMs);
    const results = (await pipeline.exec()) ?? [];
    const [[scriptError, reply] = [], [waitError, acknowledged] = []] = results;
    if (scriptError) throw scriptError;
    if (waitError) throw waitError;
    if (typeof acknowledged !== 'number' || acknowledged < wait.replicas) {
      throw new Error(
        `RedisRefreshTokenStore: the write reached ${String(acknowledged)} of ${wait.replicas} replicas within ${wait.timeoutMs} ms ("waitForReplicas").`,
      );
    }
    return reply;
  }
}
