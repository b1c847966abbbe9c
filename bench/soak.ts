// The soak: two sample instances on one Redis, thousands of sessions rotating across both for a
// bounded time, loopback only. Run with `npm run soak` (SOAK_SECONDS, SOAK_SESSIONS,
// SOAK_CONCURRENCY, REDIS_URL...; see docs/soak.md). Prints its figures and exits non-zero when
// an invariant broke: a reuse or revocation the client did not provoke, a 5xx, a forked session,
// an answer outside the contract, a crash, or a live heap that keeps growing.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SoakDriver } from './soak/driver.js';
import { SoakInstance } from './soak/instances.js';
import { SoakRedis } from './soak/redis.js';
import { fmt, memoryTrend, percentile, signed, table } from './soak/report.js';
import { readSoakSettings } from './soak/settings.js';

const log = (line = '') => process.stdout.write(`${line}\n`);

let ownRedis: SoakRedis | undefined;
const instances: SoakInstance[] = [];
let aborted = false;

// Whatever happens, nothing the soak started outlives it.
process.on('exit', () => {
  for (const instance of instances) instance.kill();
  ownRedis?.kill();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (aborted) {
      log(`\n${signal} again: killing everything now.`);
      process.exit(130);
    }
    aborted = true;
    log(`\n${signal}: stopping after the requests in flight (again to kill at once).`);
  });
}

async function redisFigures(client: Redis): Promise<{ keys: number; usedMb: number; clients: number }> {
  const [keys, memory, clients] = await Promise.all([client.dbsize(), client.info('memory'), client.client('LIST') as Promise<string>]);
  const used = Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? NaN);
  return { keys, usedMb: used / 1024 / 1024, clients: clients.split('\n').filter((l) => l.trim()).length };
}

async function main(): Promise<number> {
  const settings = readSoakSettings();
  log(
    `soak: ${settings.seconds} s, ${settings.sessions} sessions, concurrency ${settings.concurrency}, ` +
      `grace ${settings.reuseGrace}, memory sampled every ${settings.sampleSeconds} s`,
  );

  let redisUrl = settings.redisUrl;
  if (!redisUrl) {
    ownRedis = await SoakRedis.start();
    redisUrl = ownRedis.url;
    log(`redis: throwaway redis-server on ${redisUrl}`);
  } else {
    log(`redis: ${redisUrl} (given; sessions are left under the prefix "njr:" and expire on their own)`);
  }
  // A plain client for figures; with our own server it is the only other connection.
  const { Redis } = await import('ioredis');
  const admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  const redisBefore = await redisFigures(admin);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_STORE: 'redis',
    REDIS_URL: redisUrl,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    REFRESH_REUSE_GRACE: settings.reuseGrace,
    PORT: '0',
    HOST: '127.0.0.1',
    NO_COLOR: '1',
  };
  delete env.REFRESH_COOKIE;
  delete env.NODE_OPTIONS;
  const started = await Promise.allSettled(['A', 'B'].map((name) => SoakInstance.start(`instance ${name}`, env)));
  for (const s of started) if (s.status === 'fulfilled') instances.push(s.value);
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  log(`instances: ${instances.map((i) => `${i.name} ${i.url} (pid ${i.child.pid})`).join(', ')}`);

  const t0 = Date.now();
  const deadline = t0 + settings.seconds * 1000;
  const driver = new SoakDriver({
    urls: instances.map((i) => i.url),
    sessions: settings.sessions,
    concurrency: settings.concurrency,
    deadline,
    aborted: () => aborted,
  });
  const c = driver.counters;

  await Promise.all(instances.map((i) => i.sampleMemory(0)));
  let sampling = false;
  const sampler = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void Promise.all(instances.map((i) => i.sampleMemory(Date.now() - t0))).finally(() => (sampling = false));
  }, settings.sampleSeconds * 1000);
  let lastRequests = 0;
  const progress = setInterval(() => {
    const elapsed = (Date.now() - t0) / 1000;
    const anomalies = c.falseReuse + c.falseRevoked + c.serverErrors + c.forks + c.unexpected + c.transportErrors;
    log(
      `  ${fmt(elapsed, 0).padStart(4)} s  ${c.requests} requests (${fmt((c.requests - lastRequests) / 10, 0)}/s), ` +
        `${c.rotations} rotations, ${c.logins} logins, ${anomalies} anomalies`,
    );
    lastRequests = c.requests;
  }, 10_000);

  await driver.run();
  const drivenMs = Date.now() - t0;
  clearInterval(progress);
  clearInterval(sampler);
  while (sampling) await new Promise((r) => setTimeout(r, 20));
  await Promise.all(instances.map((i) => i.sampleMemory(Date.now() - t0)));

  const redisAfter = await redisFigures(admin);
  await Promise.all(instances.map((i) => i.stop()));
  // Each instance closed its app and exited: with our own server, only `admin` may still be connected.
  const leftover = ownRedis ? (await redisFigures(admin)).clients - 1 : 0;
  await admin.quit();

  // ---------------------------------------------------------------- report
  const seconds = drivenMs / 1000;
  log(`\nran ${fmt(seconds, 1)} s${aborted ? ' (interrupted)' : ''}`);
  const latencies = [...c.latenciesMs].sort((a, b) => a - b);
  log(
    '\n' +
      table([
        ['traffic', 'value'],
        ['requests', c.requests],
        ['requests/s', fmt(c.requests / seconds, 0)],
        ['latency p50 / p99 / max (ms)', `${fmt(percentile(latencies, 50))} / ${fmt(percentile(latencies, 99))} / ${fmt(latencies.at(-1) ?? NaN)}`],
        ['logins', c.logins],
        ['rotations', c.rotations],
        ['grace replays (parallel + retried)', `${c.graceReplays} (${c.parallelPairs} pairs, ${c.retriedRefreshes} retries)`],
        ['/me calls', c.meCalls],
        ['logouts', c.logouts],
        ['provoked reuse (detected)', `${c.provokedReuse} (${c.provokedReuseDetected})`],
        ['provoked revocation answers', c.provokedRevocations],
      ]),
  );
  log(
    '\n' +
      table([
        ['endpoint status code', 'count'],
        ...[...c.statuses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v]),
      ]),
  );

  const warmupMs = Math.min(15_000, drivenMs * 0.25);
  const memoryRows: (string | number)[][] = [
    ['memory (MB)', 'samples', 'first', 'last', 'max', 'slope MB/min', `slope after ${fmt(warmupMs / 1000, 0)} s`, 'growth after warm-up'],
  ];
  const memoryFailures: string[] = [];
  for (const i of instances) {
    for (const field of ['rss', 'heapUsed'] as const) {
      const t = memoryTrend(i.samples, field, warmupMs);
      const label = `${i.name} ${field === 'heapUsed' ? `heap${i.samples[0]?.afterGc ? ' (after GC)' : ''}` : 'rss'}`;
      memoryRows.push([label, i.samples.length, fmt(t.first), fmt(t.last), fmt(t.max), signed(t.slopeAll), signed(t.slopeSteady), signed(t.steadyGrowth)]);
      const steadySamples = i.samples.filter((s) => s.t >= warmupMs).length;
      if (field === 'heapUsed' && steadySamples >= 3 && t.steadyGrowth > settings.maxHeapGrowthMb) {
        memoryFailures.push(`${i.name}: live heap grew ${fmt(t.steadyGrowth)} MB after the warm-up (limit ${settings.maxHeapGrowthMb} MB)`);
      }
    }
  }
  log('\n' + table(memoryRows));
  log(
    '\n' +
      table([
        ['event loop (ms)', 'max delay', 'window ending at (s)', 'worst p99 per sample', 'longest forced GC'],
        ...instances.map((i) => {
          const worst = i.samples.reduce((w, s) => (s.loopMaxMs > w.loopMaxMs ? s : w), i.samples[0]);
          return [
            i.name,
            fmt(worst?.loopMaxMs ?? NaN, 0),
            fmt((worst?.t ?? NaN) / 1000, 0),
            fmt(Math.max(...i.samples.map((s) => s.loopP99Ms)), 0),
            fmt(Math.max(...i.samples.map((s) => s.gcMs)), 0),
          ];
        }),
      ]),
  );
  log(
    `\nredis: ${redisBefore.keys} → ${redisAfter.keys} keys, used memory ${fmt(redisBefore.usedMb)} → ${fmt(redisAfter.usedMb)} MB` +
      (ownRedis ? `, connections left by the instances after close: ${leftover}` : ''),
  );
  log(
    `shutdown: ${instances
      .map((i) => `${i.name} closed in ${i.closeMs ?? 'n/a'} ms, ${i.exitedCleanly ? 'exited on its own' : 'had to be killed'}`)
      .join('; ')}`,
  );

  const invariants: [string, boolean, string][] = [
    ['false reuse detections', c.falseReuse === 0, String(c.falseReuse)],
    ['false revocations', c.falseRevoked === 0, String(c.falseRevoked)],
    ['5xx answers', c.serverErrors === 0, String(c.serverErrors)],
    ['forked sessions', c.forks === 0, String(c.forks)],
    ['answers outside the contract', c.unexpected === 0, String(c.unexpected)],
    ['transport errors', c.transportErrors === 0, String(c.transportErrors)],
    ['provoked reuse all detected', c.provokedReuse === c.provokedReuseDetected, `${c.provokedReuseDetected}/${c.provokedReuse}`],
    ['rotations happened', c.rotations > 0, String(c.rotations)],
    ['instance crashes, unhandled errors', instances.every((i) => !i.crashed && i.faults.length === 0), instances.map((i) => i.crashed ?? i.faults.length).join(', ')],
    ['ERROR lines logged by instances', instances.every((i) => !i.logCounts.get('ERROR') && !i.logCounts.get('FATAL')), instances.map((i) => i.logCounts.get('ERROR') ?? 0).join(', ')],
    ['live heap flat after warm-up', memoryFailures.length === 0, memoryFailures.length ? 'grew' : 'yes'],
    ['instances closed and exited on their own', instances.every((i) => i.exitedCleanly), instances.map((i) => (i.exitedCleanly ? 'yes' : 'no')).join(', ')],
    ['redis connections left after close', leftover === 0, String(leftover)],
  ];
  log('\n' + table([['invariant', 'ok', 'value'], ...invariants.map(([name, ok, value]) => [name, ok ? 'ok' : 'BROKEN', value])]));

  const notes = [
    ...c.anomalies.map((a) => `client: ${a}`),
    ...memoryFailures,
    ...instances.flatMap((i) => [
      ...(i.crashed ? [`${i.name} ${i.crashed}`] : []),
      ...i.faults.slice(0, 3).map((f) => `${i.name} ${f.slice(0, 400)}`),
      ...i.firstErrors.map((e) => `${i.name} logged: ${e}`),
    ]),
  ];
  for (const i of instances) {
    const stall = Math.max(...i.samples.map((s) => s.loopMaxMs));
    // The Redis store's default command timeout: a longer stall of the app's own event loop makes the
    // timer fire before the (already received) reply is read, so the command fails though Redis answered.
    if (stall > 2000 && c.serverErrors > 0) {
      notes.push(`${i.name}'s event loop stalled ${fmt(stall, 0)} ms, longer than the Redis store's 2000 ms command timeout: its "Command timed out" 503s may come from the stall, not from Redis`);
    }
  }
  if (notes.length) log(`\nfirst anomalies:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
  const ok = invariants.every(([, pass]) => pass);
  log(`\n${ok ? 'soak passed' : 'soak FAILED'}${aborted ? ' (interrupted run)' : ''}`);
  if (!ok) return 1;
  return aborted ? 130 : 0;
}

main().then(
  async (code) => {
    await ownRedis?.stop();
    process.exit(code);
  },
  async (err: Error) => {
    log(`soak could not run: ${err.stack ?? String(err)}`);
    await Promise.all(instances.map((i) => i.stop(5000)));
    await ownRedis?.stop();
    process.exit(2);
  },
);
