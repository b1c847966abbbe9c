import { spawn, ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../test/support/redis-server.js';

/**
 * A throwaway redis-server for one soak run: loopback, a free port, no persistence (the
 * soak measures the app, not the disk; test/support's server fsyncs every write).
 */
export class SoakRedis {
  private constructor(
    readonly port: number,
    private readonly process: ChildProcess,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<SoakRedis> {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
      // Its own process group, so the terminal's Ctrl-C reaches only the soak, which then drains
      // the requests in flight before stopping this server (an 'exit' handler kills it otherwise).
      detached: true,
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`could not run redis-server (is it installed?): ${err.message}`)));
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} before answering`)));
    });
    failed.catch(() => undefined);
    const server = new SoakRedis(port, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      try {
        await Promise.race([client.connect(), failed]);
        if ((await client.ping()) === 'PONG') return server;
      } catch (err) {
        if (child.exitCode !== null || Date.now() > deadline) {
          server.kill();
          throw err instanceof Error && child.exitCode !== null ? err : new Error(`redis-server did not answer on port ${port}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        client.disconnect();
      }
    }
  }

  /** A client for reading figures (key count, connected clients). The caller quits it. */
  client(): Redis {
    const client = new Redis({ port: this.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    return client;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  /** Last resort, synchronous (usable from an 'exit' handler). */
  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }
}
