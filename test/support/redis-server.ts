import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/**
 * The environment for a redis-server child: ours, less libfaketime. CI runs the suite once under
 * `faketime` (clock a year ahead) and redis-server's jemalloc cannot start under that preload, so
 * Redis keeps the real clock, as a Redis on another host whose clock differs from the app's would.
 */
export function redisServerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env.LD_PRELOAD?.includes('faketime')) {
    env.LD_PRELOAD = env.LD_PRELOAD.split(/[:\s]+/).filter((lib) => !lib.includes('faketime')).join(':');
    if (env.LD_PRELOAD === '') delete env.LD_PRELOAD;
  }
  for (const name of Object.keys(env)) if (name.startsWith('FAKETIME')) delete env[name];
  return env;
}

/** A free loopback port, picked by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway redis-server owned by one test file, so a test can kill and
 * restart Redis without touching the machine's shared server. It writes an
 * append-only file synced on every write, so a `kill -9` and a restart keep the
 * data, as a production Redis with persistence would.
 */
export class TestRedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'njr-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[] = [],
  ) {}

  /** `extraArgs` are passed to redis-server as they are, e.g. `['--replicaof', '127.0.0.1', '6390']`. */
  static async start(extraArgs: string[] = []): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort(), extraArgs);
    await server.restart();
    return server;
  }

  /** The server process's id, for signals a test sends itself (SIGSTOP, SIGCONT). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and data directory, resolving once it answers PING. */
  async restart(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir, ...this.extraArgs],
      { stdio: 'ignore', env: redisServerEnv() },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        client.disconnect();
      }
    }
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A plain client for inspecting keys. */
  client(): Redis {
    const client = new Redis({ port: this.port, host: '127.0.0.1' });
    client.on('error', () => undefined);
    return client;
  }
}
