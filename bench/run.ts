// `npm run bench`: our guard beside the NestJS docs recipe and an unguarded
// route, on Express and Fastify, plus rotation and memory figures. Prints a
// table and writes bench/results/latest.json. Knobs: see settings.ts.
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { parseArgs } from 'node:util';
import { benchPlatform, PlatformResult } from './http-bench.js';
import type { InprocTask, MemoryFigure, RotationFigure } from './inproc.js';
import { planCpus } from './cpu-pinning.js';
import type { PostgresFigure, PostgresTask } from './postgres-rotation.js';
import { ensureRedis } from './redis-check.js';
import { printRevocation, revocationFigures } from './revocation.js';
import { readSettings, SETTINGS_HELP } from './settings.js';
import { pairedRatio } from './stats.js';

const TARGETS: Array<{ path: string; label: string; op: '>=' | '<='; value: number }> = [
  { path: 'express.ratio.oursVsPing', label: 'Express oursVsPing (valid HS256)', op: '>=', value: 0.9 },
  { path: 'fastify.ratio.oursVsPing', label: 'Fastify oursVsPing', op: '>=', value: 0.75 },
  { path: 'express.ratio.oursVsRecipe', label: 'Express oursVsRecipe', op: '>=', value: 3 },
  { path: 'fastify.ratio.oursVsRecipe', label: 'Fastify oursVsRecipe', op: '>=', value: 6 },
  { path: 'express.ratio.rejectVsPing', label: 'Express rejectVsPing (tampered)', op: '>=', value: 0.6 },
  { path: 'fastify.ratio.rejectVsPing', label: 'Fastify rejectVsPing (tampered)', op: '>=', value: 0.6 },
  { path: 'rotation.memoryPerSec', label: 'memory-store rotations/s', op: '>=', value: 100_000 },
  { path: 'rotation.redisPerSec', label: 'Redis rotations/s, 50 in flight', op: '>=', value: 20_000 },
  { path: 'memory.bytesPerSession', label: 'memory per session (bytes)', op: '<=', value: 400 },
];

const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);

function runInproc(task: InprocTask): Promise<RotationFigure | MemoryFigure> {
  const child = fork(new URL('./inproc.ts', import.meta.url), [JSON.stringify(task)], {
    execArgv: ['--expose-gc', '--import', new URL('./register.mjs', import.meta.url).href],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (msg: { result?: RotationFigure | MemoryFigure; error?: string }) =>
      msg.result ? resolve(msg.result) : reject(new Error(msg.error)),
    );
    child.once('exit', (code) => code !== 0 && reject(new Error(`in-process task ${JSON.stringify(task)} exited with ${code}`)));
  });
}

/** The PostgreSQL row, in a child of its own like the other in-process figures; null (with the reason) when PostgreSQL is not reachable. */
function runPostgres(task: PostgresTask): Promise<PostgresFigure> {
  const child = fork(new URL('./postgres-rotation.ts', import.meta.url), [JSON.stringify(task)], {
    execArgv: ['--import', new URL('./register.mjs', import.meta.url).href],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (msg: { result?: PostgresFigure; error?: string }) => (msg.result ? resolve(msg.result) : reject(new Error(msg.error))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`PostgreSQL benchmark exited with ${code}`)));
  });
}

function get(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function machine() {
  const cpu = cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (lib/ has uncommitted changes)';
  } catch {
    // not a git checkout: fine
  }
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
    commit,
  };
}

function printPlatform(name: string, r: PlatformResult): void {
  const ping = r.scenarios.ping;
  console.log(`\n${name}  (req/s, p99 and CPU: medians over rounds; "vs ping": median of each round's ratio)`);
  console.log(`  ${'scenario'.padEnd(30)} ${'req/s'.padStart(8)} ${'p99 ms'.padStart(7)} ${'vs ping'.padStart(8)} ${'CPU µs/req'.padStart(11)} ${'CPU vs ping'.padStart(12)}`);
  for (const s of Object.values(r.scenarios)) {
    const vs = ping ? pairedRatio(s.rounds.map((x) => x.reqPerSec), ping.rounds.map((x) => x.reqPerSec)) : NaN;
    const cpuVs = ping ? pairedRatio(ping.rounds.map((x) => x.cpuUsPerRequest), s.rounds.map((x) => x.cpuUsPerRequest)) : NaN;
    console.log(
      `  ${s.label.padEnd(30)} ${String(s.reqPerSec).padStart(8)} ${String(s.p99Ms).padStart(7)} ${fixed2(vs).padStart(8)} ${String(s.cpuUsPerRequest).padStart(11)} ${fixed2(cpuVs).padStart(12)}${s.invalid ? `  INVALID: ${s.invalid}` : ''}`,
    );
  }
  console.log(`  ratios (req/s, paired by round): ${Object.entries(r.ratio).map(([k, v]) => `${k} ${v ?? 'n/a'}`).join(', ')}`);
  console.log(`  ratios (of median req/s):        ${Object.entries(r.ratioOfMedians).map(([k, v]) => `${k} ${v ?? 'n/a'}`).join(', ')}`);
  console.log(`  ratios (CPU cost, paired):       ${Object.entries(r.cpuRatio).map(([k, v]) => `${k} ${v ?? 'n/a'}`).join(', ')}`);
}

function fixed2(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : '-';
}

async function main(): Promise<void> {
  // Settings come from the environment (BENCH_*); the command line only asks for help.
  const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) return console.log(SETTINGS_HELP);
  const settings = readSettings();
  const cpuPlan = planCpus(settings.pin);
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: machine(),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    settings: { ...settings, parts: [...settings.parts] },
    cpuPlan,
  };
  log(`settings: ${settings.rounds} rounds x ${settings.duration} s, ${settings.warmup} s warm-up, ${settings.connections} connections (--help lists the knobs)`);
  log(
    cpuPlan.app
      ? `cores: autocannon and in-process figures on CPU ${cpuPlan.loadGenerator}, each app on CPU ${cpuPlan.app}`
      : `cores: not pinned (${cpuPlan.reason})`,
  );

  if (settings.parts.has('http')) {
    for (const platform of settings.platforms) {
      result[platform] = await benchPlatform(platform, settings, log, cpuPlan.app);
      printPlatform(platform, result[platform] as PlatformResult);
    }
  }

  const rotation: Record<string, unknown> = {};
  if (settings.parts.has('rotation')) {
    const seconds = settings.rotationSeconds;
    log('rotations: memory store, one at a time');
    const memSerial = (await runInproc({ kind: 'rotation', store: 'memory', inFlight: 1, seconds })) as RotationFigure;
    log('rotations: memory store, 50 in flight');
    const mem50 = (await runInproc({ kind: 'rotation', store: 'memory', inFlight: 50, seconds })) as RotationFigure;
    Object.assign(rotation, { memoryPerSec: memSerial.perSec, memory50PerSec: mem50.perSec, memorySerial: memSerial, memory50: mem50 });
    const redis = await ensureRedis(settings.redisUrl, log);
    if (redis.ok) {
      log('rotations: Redis store, one at a time');
      const serial = (await runInproc({ kind: 'rotation', store: 'redis', inFlight: 1, seconds, redisUrl: settings.redisUrl })) as RotationFigure;
      log('rotations: Redis store, 50 in flight');
      const r50 = (await runInproc({ kind: 'rotation', store: 'redis', inFlight: 50, seconds, redisUrl: settings.redisUrl })) as RotationFigure;
      Object.assign(rotation, { redisPerSec: r50.perSec, redisSerialPerSec: serial.perSec, redisSerial: serial, redis50: r50 });
    } else {
      console.log(`\nSKIPPED the Redis rows: ${redis.reason}.`);
      Object.assign(rotation, { redisPerSec: null, redisSerialPerSec: null, redisSkipped: redis.reason });
    }
    log('rotations: PostgreSQL store, 50 in flight, and a raw pg conditional UPDATE at the same concurrency');
    try {
      const pgFigure = await runPostgres({ adminUrl: settings.postgresUrl, inFlight: 50, seconds });
      Object.assign(rotation, { postgresPerSec: pgFigure.storePerSec, postgresRawUpdatePerSec: pgFigure.rawUpdatePerSec, postgresVsRawUpdate: pgFigure.ratio, postgres50: pgFigure });
    } catch (error) {
      console.log(`\nSKIPPED the PostgreSQL row: ${(error as Error).message.split('\n')[0]}.`);
      Object.assign(rotation, { postgresPerSec: null, postgresSkipped: (error as Error).message.split('\n')[0] });
    }
    result.rotation = rotation;
    console.log('\nrotations/s (RefreshService.rotate, in process)');
    console.log(`  memory store  one at a time ${String(rotation.memoryPerSec).padStart(8)}   50 in flight ${String(rotation.memory50PerSec).padStart(8)}`);
    console.log(`  Redis store   one at a time ${String(rotation.redisSerialPerSec ?? 'skipped').padStart(8)}   50 in flight ${String(rotation.redisPerSec ?? 'skipped').padStart(8)}`);
    console.log(
      `  PostgreSQL store                    50 in flight ${String(rotation.postgresPerSec ?? 'skipped').padStart(8)}` +
        `   raw pg conditional UPDATE ${String(rotation.postgresRawUpdatePerSec ?? '-').padStart(8)}   ratio ${String(rotation.postgresVsRawUpdate ?? '-')}`,
    );
  }

  if (settings.parts.has('memory')) {
    log(`memory: ${settings.sessions} sessions in the memory store`);
    const mem = (await runInproc({ kind: 'memory', store: 'memory', sessions: settings.sessions })) as MemoryFigure;
    result.memory = mem;
    console.log(`\nmemory store: ${mem.bytesPerSession} bytes per session (${mem.sessions} sessions, heap grew ${(mem.heapDeltaBytes / 2 ** 20).toFixed(1)} MiB)`);
  }

  if (settings.parts.has('revocation')) {
    log('revocation: propagation across two instances (Redis, PostgreSQL), per-subject cost, Redis bytes per session');
    const redis = await ensureRedis(settings.redisUrl, log);
    const urls = { redis: redis.ok ? settings.redisUrl : null, postgres: settings.postgresUrl };
    const figures = await revocationFigures(urls, Number(process.env.BENCH_REVOCATIONS || 1000));
    result.revocation = figures;
    printRevocation(figures);
    if (!redis.ok) console.log(`  SKIPPED the Redis rows: ${redis.reason}.`);
  }

  result.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  result.durationSeconds = Math.round((Date.now() - started) / 1000);
  const targets = TARGETS.map((t) => {
    const value = get(result, t.path);
    const met = typeof value === 'number' ? (t.op === '>=' ? value >= t.value : value <= t.value) : null;
    return { ...t, actual: typeof value === 'number' ? value : null, met };
  });
  result.targets = targets;

  console.log('\ntargets');
  for (const t of targets) {
    const verdict = t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED';
    console.log(`  ${t.label.padEnd(36)} ${t.op} ${String(t.value).padEnd(7)} actual ${String(t.actual ?? '-').padStart(8)}  ${verdict}`);
  }

  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.json', dir), JSON.stringify(result, null, 2) + '\n');
  log(`wrote bench/results/latest.json (load average ${(result.loadAverageAtStart as number[])[0]} at start, ${(result.loadAverageAtEnd as number[])[0]} at end)`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
