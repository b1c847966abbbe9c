import { execFile, spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, redisServerEnv } from './redis-server.js';

const run = promisify(execFile);

/** One redis-server of the test cluster, started and stopped by pid. */
export interface ClusterNodeProcess {
  port: number;
  process: ChildProcess;
}

/**
 * A real six-node Redis Cluster on loopback (three masters, a replica each), owned by one test file.
 * `cluster-node-timeout` is 5000 ms so a failover takes seconds, not the default's ~19 s.
 */
export class TestRedisCluster {
  readonly nodes: ClusterNodeProcess[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'njr-cluster-'));

  static async start(): Promise<TestRedisCluster> {
    const cluster = new TestRedisCluster();
    try {
      for (let i = 0; i < 6; i++) cluster.nodes.push(await cluster.spawn(await freePort()));
      for (const node of cluster.nodes) await waitForPing(node.port);
      await run('redis-cli', ['--cluster', 'create', ...cluster.nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
        timeout: 30_000,
        env: redisServerEnv(),
      });
      await cluster.waitUntilOk();
      await cluster.waitForReplicas();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Seed nodes as ioredis takes them. */
  get seeds(): Array<{ host: string; port: number }> {
    return this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  /** The comma-separated `REDIS_URL` of the sample. */
  get url(): string {
    return this.nodes.map((n) => `redis://127.0.0.1:${n.port}`).join(',');
  }

  /** Port of the master serving `key`'s slot, and of its replica. */
  async roles(key: string): Promise<{ master: number; replica: number }> {
    const client = this.client(this.alive()[0].port);
    try {
      const slot = Number(await client.cluster('KEYSLOT', key));
      const shards = await client.cluster('SLOTS');
      const shard = shards.find(([from, to]) => slot >= from && slot <= to)!;
      // Just after a failover the new master has no replica yet: -1.
      return { master: shard[2][1] as number, replica: (shard[3]?.[1] as number | undefined) ?? -1 };
    } finally {
      client.disconnect();
    }
  }

  node(port: number): ClusterNodeProcess {
    return this.nodes.find((n) => n.port === port)!;
  }

  /** SIGKILL by pid: a crash. */
  async kill(port: number): Promise<void> {
    const node = this.node(port);
    if (node.process.exitCode !== null || node.process.signalCode !== null) return;
    const exited = new Promise((resolve) => node.process.once('exit', resolve));
    node.process.kill('SIGKILL');
    await exited;
  }

  /** Starts a killed node again on its port and config file: it rejoins, as a replica if it was failed over. */
  async restart(port: number): Promise<void> {
    const index = this.nodes.findIndex((n) => n.port === port);
    this.nodes[index] = await this.spawn(port);
    await waitForPing(port);
  }

  pause(port: number): void {
    this.node(port).process.kill('SIGSTOP');
  }

  resume(port: number): void {
    this.node(port).process.kill('SIGCONT');
  }

  /** Waits until every live node says `cluster_state:ok` and sees the same masters. */
  async waitUntilOk(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(
        this.alive().map(async (n) => {
          const client = this.client(n.port);
          try {
            return (await client.cluster('INFO')) as string;
          } catch {
            return '';
          } finally {
            client.disconnect();
          }
        }),
      );
      if (states.every((info) => /cluster_state:ok/.test(info))) return;
      if (Date.now() > deadline) throw new Error('the test cluster did not reach cluster_state:ok');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Waits until every shard lists its replica and the replica is in sync (a failover needs one). */
  async waitForReplicas(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = this.client(this.alive()[0].port);
      try {
        const shards = (await client.cluster('SLOTS')) as unknown[][];
        if (shards.length > 0 && shards.every((shard) => shard.length >= 4)) return;
      } catch {
        // Asked again below.
      } finally {
        client.disconnect();
      }
      if (Date.now() > deadline) throw new Error('the test cluster never listed a replica for every shard');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) {
      if (node.process.exitCode === null && node.process.signalCode === null) {
        node.process.kill('SIGCONT');
        const exited = new Promise((resolve) => node.process.once('exit', resolve));
        node.process.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  client(port: number): Redis {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => null, commandTimeout: 2000 });
    client.on('error', () => undefined);
    return client;
  }

  private alive(): ClusterNodeProcess[] {
    return this.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  }

  private async spawn(port: number): Promise<ClusterNodeProcess> {
    const process = spawn(
      'redis-server',
      [
        '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no', '--dir', this.dir,
      ],
      { stdio: 'ignore', env: redisServerEnv() },
    );
    return { port, process };
  }
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      client.disconnect();
    }
  }
}
