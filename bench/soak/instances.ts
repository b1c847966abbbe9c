import { ChildProcess, fork } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ChildMessage, MemorySample, ParentMessage } from './protocol.js';

/** A sample instance running in a child process, as the parent sees it. */
export class SoakInstance {
  readonly samples: MemorySample[] = [];
  readonly faults: string[] = [];
  /** Log lines the instance wrote, by Nest level (ERROR, WARN, ...), plus the first few error lines. */
  readonly logCounts = new Map<string, number>();
  readonly firstErrors: string[] = [];
  url = '';
  /** Set when the process ended before it was asked to stop. */
  crashed: string | undefined;
  /** Milliseconds `app.close()` took, when it finished. */
  closeMs: number | undefined;
  /** Whether the process exited on its own after closing (no open handles kept it alive). */
  exitedCleanly = false;
  private stopping = false;
  private probe = 0;
  private readonly pending = new Map<number, (sample: Omit<MemorySample, 't'>) => void>();

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {}

  /** Forks `instance.ts` with the given environment and resolves once it listens. */
  static start(name: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<SoakInstance> {
    const child = fork(new URL('./instance.ts', import.meta.url), [], {
      env,
      // The same loader as the parent, and a callable gc() so memory probes read the live heap.
      execArgv: ['--import', new URL('../register.mjs', import.meta.url).href, '--expose-gc'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const instance = new SoakInstance(name, child);
    instance.collectLogs(child.stdout!);
    instance.collectLogs(child.stderr!);
    child.on('message', (message: ChildMessage) => instance.onMessage(message));
    child.on('exit', (code, signal) => {
      if (!instance.stopping) instance.crashed = `exited with ${signal ?? `code ${code}`}`;
      for (const resolve of instance.pending.values()) resolve({ rss: NaN, heapUsed: NaN, heapTotal: NaN, external: NaN, afterGc: false, gcMs: NaN, loopMaxMs: NaN, loopP99Ms: NaN });
      instance.pending.clear();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          child.off('message', onMessage);
          instance.url = message.url;
          resolve(instance);
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`${name} failed to start:\n${message.error}`));
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (code ${code}) before it was ready${instance.firstErrors.length ? `:\n${instance.firstErrors.join('\n')}` : ''}`));
      });
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Asks the child for its memory figures (after a GC) and records them at time `t`. */
  async sampleMemory(t: number): Promise<void> {
    if (!this.alive || !this.child.connected) return;
    const id = ++this.probe;
    const reading = await new Promise<Omit<MemorySample, 't'> | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, 10_000);
      this.pending.set(id, (sample) => {
        clearTimeout(timer);
        resolve(sample);
      });
      this.send({ type: 'memory', id });
    });
    if (reading && Number.isFinite(reading.rss)) this.samples.push({ t, ...reading });
  }

  /**
   * Asks the app to close, then waits for the process to exit by itself. Kills it (SIGKILL) if it
   * has not exited after `graceMs`; `exitedCleanly` tells which happened.
   */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([exited.then(() => 'exited' as const), killed]);
    clearTimeout(timer);
    if (outcome === 'exited') {
      this.exitedCleanly = this.child.exitCode === 0;
      return;
    }
    this.kill();
    await exited;
  }

  /** Last resort, synchronous (usable from an 'exit' handler). */
  kill(): void {
    this.stopping = true;
    if (this.alive) this.child.kill('SIGKILL');
  }

  private send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  private onMessage(message: ChildMessage): void {
    if (message.type === 'memory') {
      this.pending.get(message.id)?.(message.sample);
      this.pending.delete(message.id);
    } else if (message.type === 'fault') {
      this.faults.push(`${message.kind}: ${message.error}`);
    } else if (message.type === 'closed') {
      this.closeMs = message.ms;
    }
  }

  private collectLogs(stream: Readable): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) this.onLogLine(line);
    });
    stream.on('end', () => rest && this.onLogLine(rest));
  }

  private onLogLine(line: string): void {
    if (!line.trim()) return;
    // Nest's console logger: "[Nest] <pid>  - <date>   ERROR [Context] message".
    const level = /\b(ERROR|WARN|LOG|DEBUG|VERBOSE|FATAL)\b/.exec(line)?.[1] ?? 'OTHER';
    this.logCounts.set(level, (this.logCounts.get(level) ?? 0) + 1);
    if (level !== 'WARN' && level !== 'LOG' && this.firstErrors.length < 5) this.firstErrors.push(line.slice(0, 300));
  }
}
