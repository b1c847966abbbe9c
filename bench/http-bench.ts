import { ChildProcess, fork } from 'node:child_process';
import autocannon from 'autocannon';
import type { AppReady, AppSpec } from './apps/app-spec.js';
import { pin } from './cpu-pinning.js';
import type { BenchSettings } from './settings.js';
import { median, pairedRatio } from './stats.js';

type Platform = AppSpec['platform'];

/** One measured load: a route of one app, with one token. */
export interface Scenario {
  name: string;
  label: string;
  app: AppSpec['kind'];
  algorithm: AppSpec['algorithm'];
  token: 'none' | 'valid' | 'tampered';
  path: string;
  expect: number;
}

export const ALL_SCENARIOS: Scenario[] = [
  { name: 'ping', label: 'ping (no guard)', app: 'ping', algorithm: 'HS256', token: 'none', path: '/ping', expect: 200 },
  { name: 'floor', label: 'floor (guard checks nothing)', app: 'floor', algorithm: 'HS256', token: 'valid', path: '/guarded', expect: 200 },
  { name: 'floorReject', label: 'floor, guard throws 401', app: 'floor', algorithm: 'HS256', token: 'valid', path: '/denied', expect: 401 },
  { name: 'floorRejectBare', label: 'floor, stackless 401', app: 'floor', algorithm: 'HS256', token: 'valid', path: '/denied-bare', expect: 401 },
  { name: 'recipeHs256', label: 'recipe HS256', app: 'recipe', algorithm: 'HS256', token: 'valid', path: '/guarded', expect: 200 },
  { name: 'oursHs256', label: 'ours HS256', app: 'ours', algorithm: 'HS256', token: 'valid', path: '/guarded', expect: 200 },
  { name: 'rejectHs256', label: 'ours HS256 tampered (401)', app: 'ours', algorithm: 'HS256', token: 'tampered', path: '/guarded', expect: 401 },
  { name: 'sessionHs256', label: 'ours HS256 + session check', app: 'ours-session', algorithm: 'HS256', token: 'valid', path: '/guarded', expect: 200 },
  { name: 'recipeEs256', label: 'recipe ES256', app: 'recipe', algorithm: 'ES256', token: 'valid', path: '/guarded', expect: 200 },
  { name: 'oursEs256', label: 'ours ES256', app: 'ours', algorithm: 'ES256', token: 'valid', path: '/guarded', expect: 200 },
  { name: 'rejectEs256', label: 'ours ES256 tampered (401)', app: 'ours', algorithm: 'ES256', token: 'tampered', path: '/guarded', expect: 401 },
];

/** Ratios the issue asks for, then a few more; each is `numerator / denominator` of median req/s. */
export const RATIOS: Record<string, [string, string]> = {
  oursVsPing: ['oursHs256', 'ping'],
  oursVsRecipe: ['oursHs256', 'recipeHs256'],
  rejectVsPing: ['rejectHs256', 'ping'],
  recipeVsPing: ['recipeHs256', 'ping'],
  floorVsPing: ['floor', 'ping'],
  oursVsFloor: ['oursHs256', 'floor'],
  floorRejectVsPing: ['floorReject', 'ping'],
  rejectVsFloorReject: ['rejectHs256', 'floorReject'],
  floorRejectBareVsPing: ['floorRejectBare', 'ping'],
  rejectVsFloorRejectBare: ['rejectHs256', 'floorRejectBare'],
  sessionVsPing: ['sessionHs256', 'ping'],
  es256OursVsPing: ['oursEs256', 'ping'],
  es256OursVsRecipe: ['oursEs256', 'recipeEs256'],
  es256RejectVsPing: ['rejectEs256', 'ping'],
};

export interface RoundResult {
  reqPerSec: number;
  /** CPU time (user + system) the app process spent per answered request, in microseconds. */
  cpuUsPerRequest: number;
  p99Ms: number;
  meanLatencyMs: number;
  /** Responses with another status than expected, plus socket errors and timeouts. */
  unexpected: number;
  statusCodes: Record<string, number>;
}

export interface ScenarioResult {
  label: string;
  expectStatus: number;
  /** Median over rounds. */
  reqPerSec: number;
  /** Median over rounds of each round's p99 latency. */
  p99Ms: number;
  /** Median over rounds of the app's CPU microseconds per request. */
  cpuUsPerRequest: number;
  rounds: RoundResult[];
  /** Set when a round answered with the wrong status: the figure is then meaningless. */
  invalid?: string;
}

export interface PlatformResult {
  /**
   * Each ratio is the median over rounds of that round's numerator req/s over
   * its denominator's (see `pairedRatio`): the figures the targets are read from.
   */
  ratio: Record<string, number | null>;
  /** The same ratios as the quotient of the two rows' median req/s, for comparison: more exposed to slow drifts of the machine. */
  ratioOfMedians: Record<string, number | null>;
  /**
   * The same ratios from CPU cost instead of throughput: CPU µs per request of
   * the denominator over the numerator's, paired by round as `ratio` is. What each app could serve with a
   * core to itself, and much less sensitive to other load on the machine.
   */
  cpuRatio: Record<string, number | null>;
  ratioOf: Record<string, [string, string]>;
  scenarios: Record<string, ScenarioResult>;
}

interface RunningApp {
  child: ChildProcess;
  ready: AppReady;
}

function appKey(s: { app: string; algorithm: string }): string {
  return s.app === 'ping' || s.app === 'floor' ? s.app : `${s.app}-${s.algorithm}`;
}

function startApp(spec: AppSpec, cores: string | null): Promise<RunningApp> {
  const child = fork(new URL('./apps/server.ts', import.meta.url), [JSON.stringify(spec)], {
    execArgv: ['--import', new URL('./register.mjs', import.meta.url).href],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Before it has started any worker thread, so every thread it makes inherits the cores.
  if (cores !== null && !pin(child.pid!, cores)) throw new Error(`could not pin app ${JSON.stringify(spec)} to CPU ${cores}`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app ${JSON.stringify(spec)} did not start within 60 s`)), 60_000);
    child.once('message', (msg: { ready?: AppReady; error?: string }) => {
      clearTimeout(timer);
      if (msg.ready) resolve({ child, ready: msg.ready });
      else reject(new Error(`app ${JSON.stringify(spec)} failed to start:\n${msg.error}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app ${JSON.stringify(spec)} exited with code ${code} before it was ready`));
    });
  });
}

function stopApp(app: RunningApp): Promise<void> {
  return new Promise((resolve) => {
    if (app.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 5000);
    app.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    app.child.disconnect();
  });
}

function cpuTime(app: RunningApp): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (msg: { cpu?: NodeJS.CpuUsage }) => {
      if (!msg.cpu) return;
      app.child.off('message', onMessage);
      resolve(msg.cpu.user + msg.cpu.system);
    };
    app.child.on('message', onMessage);
    app.child.send('cpu');
  });
}

async function load(app: RunningApp, scenario: Scenario, seconds: number, connections: number): Promise<RoundResult> {
  const cpuBefore = await cpuTime(app);
  const result = await cannon(app, scenario, seconds, connections);
  const cpu = (await cpuTime(app)) - cpuBefore;
  return { ...result, cpuUsPerRequest: result.answered ? Math.round((cpu / result.answered) * 10) / 10 : NaN };
}

function cannon(app: RunningApp, scenario: Scenario, seconds: number, connections: number): Promise<Omit<RoundResult, 'cpuUsPerRequest'> & { answered: number }> {
  const token = scenario.token === 'none' ? '' : app.ready[scenario.token];
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${app.ready.port}${scenario.path}`,
        connections,
        duration: seconds,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (err, result) => {
        if (err) return reject(err);
        const statusCodes: Record<string, number> = {};
        let wrong = 0;
        for (const [code, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
          statusCodes[code] = count;
          if (Number(code) !== scenario.expect) wrong += count;
        }
        resolve({
          answered: result.requests.total,
          reqPerSec: result.requests.average,
          p99Ms: result.latency.p99,
          meanLatencyMs: result.latency.average,
          unexpected: wrong + result.errors + result.timeouts,
          statusCodes,
        });
      },
    );
  });
}

/**
 * Runs every scenario of one platform. All its apps are started first and
 * stay up; each round then visits every scenario in turn, starting one
 * further along each time, so slow drifts of a shared machine spread over
 * all scenarios instead of landing on one.
 */
export async function benchPlatform(
  platform: Platform,
  settings: BenchSettings,
  log: (line: string) => void,
  appCores: string | null = null,
): Promise<PlatformResult> {
  const apps = new Map<string, RunningApp>();
  const SCENARIOS = ALL_SCENARIOS.filter((s) => !settings.scenarios || settings.scenarios.has(s.name));
  try {
    for (const s of SCENARIOS) {
      const key = appKey(s);
      if (!apps.has(key)) apps.set(key, await startApp({ kind: s.app, platform, algorithm: s.algorithm }, appCores));
    }
    log(`${platform}: ${apps.size} apps up; warming up ${settings.warmup} s per scenario`);
    for (const s of SCENARIOS) await load(apps.get(appKey(s))!, s, settings.warmup, settings.connections);
    const rounds = new Map<string, RoundResult[]>(SCENARIOS.map((s) => [s.name, []]));
    for (let round = 0; round < settings.rounds; round++) {
      for (let i = 0; i < SCENARIOS.length; i++) {
        const s = SCENARIOS[(i + round) % SCENARIOS.length];
        const r = await load(apps.get(appKey(s))!, s, settings.duration, settings.connections);
        rounds.get(s.name)!.push(r);
        log(`${platform} round ${round + 1}/${settings.rounds} ${s.label.padEnd(28)} ${Math.round(r.reqPerSec).toString().padStart(7)} req/s  p99 ${String(r.p99Ms).padStart(4)} ms  ${String(r.cpuUsPerRequest).padStart(6)} µs CPU/req${r.unexpected ? `  (${r.unexpected} unexpected answers)` : ''}`);
      }
    }
    const scenarios: Record<string, ScenarioResult> = {};
    for (const s of SCENARIOS) {
      const rs = rounds.get(s.name)!;
      const bad = rs.find((r) => r.unexpected > 0);
      scenarios[s.name] = {
        label: s.label,
        expectStatus: s.expect,
        reqPerSec: Math.round(median(rs.map((r) => r.reqPerSec))),
        p99Ms: median(rs.map((r) => r.p99Ms)),
        cpuUsPerRequest: Math.round(median(rs.map((r) => r.cpuUsPerRequest)) * 10) / 10,
        rounds: rs.map(({ answered: _, ...r }: RoundResult & { answered?: number }) => ({ ...r, reqPerSec: Math.round(r.reqPerSec) })),
        ...(bad ? { invalid: `expected only ${s.expect}, got ${JSON.stringify(bad.statusCodes)} (${bad.unexpected} unexpected)` } : {}),
      };
    }
    const ratio: Record<string, number | null> = {};
    const ratioOfMedians: Record<string, number | null> = {};
    const cpuRatio: Record<string, number | null> = {};
    for (const [name, [num, den]] of Object.entries(RATIOS)) {
      const a = scenarios[num];
      const b = scenarios[den];
      const usable = a && b && !a.invalid && !b.invalid;
      ratio[name] = usable ? round2OrNull(pairedRatio(a.rounds.map((r) => r.reqPerSec), b.rounds.map((r) => r.reqPerSec))) : null;
      ratioOfMedians[name] = usable && b.reqPerSec > 0 ? round2(a.reqPerSec / b.reqPerSec) : null;
      cpuRatio[name] = usable ? round2OrNull(pairedRatio(b.rounds.map((r) => r.cpuUsPerRequest), a.rounds.map((r) => r.cpuUsPerRequest))) : null;
    }
    return { ratio, ratioOfMedians, cpuRatio, ratioOf: RATIOS, scenarios };
  } finally {
    await Promise.all([...apps.values()].map(stopApp));
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round2OrNull(x: number): number | null {
  return Number.isFinite(x) ? round2(x) : null;
}
