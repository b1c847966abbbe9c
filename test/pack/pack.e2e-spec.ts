import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CJS_JEST_CONFIG, CJS_JEST_SPEC, CJS_TS_CHECK, CJS_TSCONFIG, smokeAppSource } from './smoke-app.js';
import type { ModuleSystem } from './smoke-app.js';

/**
 * Packs the library as npm would publish it, installs the tarball into two
 * throwaway apps and runs them: an ESM Nest 12 app and a CommonJS Nest 11 app
 * (which loads the ESM package through Node's require(esm)). Needs the npm
 * registry (or a warm npm cache) and takes a few minutes.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MINUTE = 60_000;

// A child npm must not inherit the settings of an `npm test` run, nor Jest's VM-modules flag.
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') && key !== 'NODE_OPTIONS'),
) as NodeJS.ProcessEnv;

async function run(what: string, cmd: string, args: string[], cwd: string, timeout: number): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(cmd, args, { cwd, timeout, env: childEnv, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { code?: unknown; signal?: unknown; stdout?: string; stderr?: string; message: string };
    const tail = (s = '') => s.split('\n').slice(-40).join('\n');
    throw new Error(
      `${what} failed (${cmd} ${args.join(' ')} in ${cwd}; exit ${String(e.code)}${e.signal ? `, signal ${String(e.signal)}` : ''}).\n` +
        `--- stderr ---\n${tail(e.stderr)}\n--- stdout ---\n${tail(e.stdout)}`,
    );
  }
}

/** Nest majors and the versions of the app's own dependencies. */
const APPS: Record<ModuleSystem, { nest: string; packageType?: 'module'; main: string }> = {
  esm: { nest: '12.5.1', packageType: 'module', main: 'main.mjs' },
  cjs: { nest: '11.2.10', main: 'main.cjs' },
};

async function makeApp(system: ModuleSystem, tarball: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `njr-smoke-${system}-`));
  const { nest, packageType } = APPS[system];
  const pkg = {
    name: `smoke-${system}`,
    private: true,
    version: '0.0.0',
    ...(packageType && { type: packageType }),
    dependencies: {
      '@nestjs/common': nest,
      '@nestjs/core': nest,
      '@nestjs/platform-express': nest,
      'nestjs-jwt-refresh': `file:${tarball}`,
      'reflect-metadata': '0.2.2',
      rxjs: '7.8.2',
    },
  };
  if (system === 'cjs') {
    // The CommonJS app also runs its own Jest suite and type-checks a TypeScript file (see the README section "Using nestjs-jwt-refresh from a CommonJS app").
    Object.assign(pkg, { devDependencies: { jest: '30.5.2', 'ts-jest': '29.4.15', typescript: '6.0.3' } });
    await writeFile(join(dir, 'jest.config.js'), CJS_JEST_CONFIG);
    await mkdir(join(dir, 'test'));
    await writeFile(join(dir, 'test/app.test.js'), CJS_JEST_SPEC);
    await writeFile(join(dir, 'tsconfig.json'), CJS_TSCONFIG);
    await writeFile(join(dir, 'check.ts'), CJS_TS_CHECK);
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  await writeFile(join(dir, APPS[system].main), smokeAppSource(system));
  await run(`npm install of the ${system} app`, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir, 5 * MINUTE);
  return dir;
}

type Smoke = {
  nodeVersion: string;
  noToken: { status: number; body: Record<string, unknown> };
  me: { status: number; body: Record<string, unknown> };
  refresh: { status: number; rotated: boolean; keys: string[] };
  meAfterRefresh: { status: number; body: Record<string, unknown> };
  invalidRefresh: { status: number; body: Record<string, unknown> };
  clientExports: string[];
  subpaths: Record<string, string>;
};

async function runApp(system: ModuleSystem, dir: string): Promise<Smoke> {
  const stdout = await run(`the ${system} app`, process.execPath, [APPS[system].main], dir, MINUTE);
  const line = stdout.split('\n').find((l) => l.startsWith('SMOKE '));
  if (!line) throw new Error(`the ${system} app printed no result:\n${stdout}`);
  return JSON.parse(line.slice('SMOKE '.length)) as Smoke;
}

describe('the packed tarball', () => {
  let work: string;
  let tarball: string;
  let files: string[];
  const dirs: Partial<Record<ModuleSystem, string>> = {};
  const results: Partial<Record<ModuleSystem, Smoke>> = {};

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'njr-pack-'));
    await run('npm run build', 'npm', ['run', 'build'], ROOT, 3 * MINUTE);
    const packed = JSON.parse(await run('npm pack', 'npm', ['pack', '--json', '--pack-destination', work], ROOT, 2 * MINUTE)) as [
      { filename: string; files: { path: string }[] },
    ];
    tarball = join(work, packed[0].filename);
    files = packed[0].files.map((f) => f.path);
    // The two installs are independent; running them side by side halves the wait.
    const [esm, cjs] = await Promise.all([makeApp('esm', tarball), makeApp('cjs', tarball)]);
    Object.assign(dirs, { esm, cjs });
  }, 12 * MINUTE);

  afterAll(async () => {
    if (process.env.KEEP_SMOKE_APPS) return;
    for (const dir of [work, ...Object.values(dirs)]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships the built entry points, their types, and no specs or sources', () => {
    for (const entry of ['index', 'redis/index', 'client/index', 'swagger/index']) {
      expect(files).toContain(`dist/lib/${entry}.js`);
      expect(files).toContain(`dist/lib/${entry}.d.ts`);
    }
    expect(files.filter((f) => /\.spec\.|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('dist/lib/') && !['package.json', 'README.md', 'LICENSE'].includes(f))).toEqual([]);
  });

  it.each(['esm', 'cjs'] as const)('%s app boots, guards a route, logs in, refreshes and resolves the subpaths', async (system) => {
    const smoke = (results[system] = await runApp(system, dirs[system]!));
    expect(smoke.noToken).toEqual({ status: 401, body: expect.objectContaining({ code: 'NO_TOKEN' }) });
    expect(smoke.me).toEqual({ status: 200, body: { sub: 'alice', role: 'admin' } });
    expect(smoke.refresh).toEqual({
      status: 200,
      rotated: true,
      keys: ['accessToken', 'expiresIn', 'refreshExpiresIn', 'refreshToken', 'tokenType'],
    });
    expect(smoke.meAfterRefresh).toEqual({ status: 200, body: { sub: 'alice', role: 'admin' } });
    expect(smoke.invalidRefresh).toEqual({ status: 401, body: expect.objectContaining({ code: 'REFRESH_TOKEN_INVALID' }) });
    expect(smoke.clientExports.length).toBeGreaterThan(0);
    for (const entry of ['redis', 'client', 'swagger']) {
      expect(smoke.subpaths[`nestjs-jwt-refresh/${entry}`]).toBe(`node_modules/nestjs-jwt-refresh/dist/lib/${entry}/index.js`);
    }
  }, 2 * MINUTE);

  it('the CommonJS app really runs Nest 11 and loads the package with require()', async () => {
    const dir = dirs.cjs!;
    const core = JSON.parse(await readFile(join(dir, 'node_modules/@nestjs/core/package.json'), 'utf8')) as { version: string };
    expect(core.version).toMatch(/^11\./);
    expect(await readFile(join(dir, 'main.cjs'), 'utf8')).toContain("require('nestjs-jwt-refresh')");
    const probe = await run('require() probe', process.execPath, ['-e', "process.stdout.write(typeof require('nestjs-jwt-refresh').AuthModule)"], dir, MINUTE);
    expect(probe).toBe('function');
  }, MINUTE);

  it("the CommonJS app's own Jest run loads the package with the documented transform", async () => {
    const out = await run('the CommonJS app\'s Jest run', process.execPath, ['node_modules/jest/bin/jest.js', '--ci', '--json'], dirs.cjs!, 3 * MINUTE);
    const report = JSON.parse(out) as { numPassedTests: number; numFailedTests: number; success: boolean };
    expect(report).toMatchObject({ success: true, numPassedTests: 1, numFailedTests: 0 });
  }, 4 * MINUTE);

  it("a CommonJS app's TypeScript (module nodenext) type-checks against the shipped declarations", async () => {
    await run('tsc in the CommonJS app', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], dirs.cjs!, 2 * MINUTE);
  }, 3 * MINUTE);
});
