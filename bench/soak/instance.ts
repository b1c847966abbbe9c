// One sample instance of the soak, in its own process. The parent forks it with the
// contract environment (AUTH_STORE=redis, REDIS_URL, JWT_SECRET, ...) and talks to it
// over IPC: it reports its URL, answers memory probes, and closes the app when told to.
// It then drops the IPC channel and must exit on its own: a process that lingers
// after app.close() has left a handle (timer, socket) open, and the parent reports it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startSample } from '../../sample/start-sample.js';
import type { ChildMessage, ParentMessage } from './protocol.js';

const send = (message: ChildMessage) => {
  if (process.connected) process.send!(message);
};

// The terminal's Ctrl-C reaches the whole process group: let the parent decide how to stop.
process.on('SIGINT', () => undefined);

// Counted by the parent as faults; exiting here would hide the rest of the run.
process.on('unhandledRejection', (reason) => {
  send({ type: 'fault', kind: 'unhandledRejection', error: (reason as Error)?.stack ?? String(reason) });
});
process.on('uncaughtException', (error) => {
  send({ type: 'fault', kind: 'uncaughtException', error: error.stack ?? String(error) });
});

const gc = (globalThis as { gc?: () => void }).gc;
// Event-loop stalls, reported with each memory sample: a stall longer than the Redis store's
// command timeout fails commands Redis answered in time, so a 503 can be told from a slow Redis.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

async function main(): Promise<void> {
  const sample = await startSample(process.env, { port: 0, logger: ['error', 'warn'] });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const started = Date.now();
      await sample.close();
      loop.disable();
      send({ type: 'closed', ms: Date.now() - started });
      if (process.connected) process.disconnect();
    })());

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'memory') {
      const gcStart = performance.now();
      gc?.();
      const gcMs = performance.now() - gcStart;
      const m = process.memoryUsage();
      const loopMaxMs = loop.max / 1e6;
      const loopP99Ms = loop.percentile(99) / 1e6;
      loop.reset();
      send({
        type: 'memory',
        id: message.id,
        sample: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, afterGc: gc !== undefined, gcMs, loopMaxMs, loopP99Ms },
      });
    } else if (message.type === 'stop') {
      void close();
    }
  });
  // The parent went away without asking (killed): don't outlive it.
  process.on('disconnect', () => void close());
  send({ type: 'ready', url: sample.url, pid: process.pid });
}

main().catch((error: Error) => {
  send({ type: 'failed', error: error.stack ?? String(error) });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
