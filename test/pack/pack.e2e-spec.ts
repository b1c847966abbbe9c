import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { smokeAppSource } from './smoke-app.js';
import type { ModuleSystem } from './smoke-app.js';
import { makeTemplateApp, readmeBlocks, TEMPLATES } from './template-apps.js';
import type { Template } from './template-apps.js';

/**
 * Packs the library as npm would publish it, installs the tarball into two
 * throwaway apps and runs them: an ESM Nest 12 app and a CommonJS Nest 11 app
 * (which loads the ESM package through Node's require(esm)); then into the apps
 * `nest new` generates for Nest 11 (Jest) and Nest 12 (Vitest), with the README's
 * examples added, and runs each one's own test and build commands. Needs the npm
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

/** `run` with extra environment variables, returning stdout and stderr together (Vitest and Jest print their summary on either). */
async function runWith(extra: Record<string, string>, cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(cmd, args, { cwd, timeout: 4 * MINUTE, env: { ...childEnv, ...extra, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}\n${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${(e.stderr ?? '').slice(-4000)}\n${(e.stdout ?? '').slice(-4000)}`);
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
  const dirs: Partial<Record<ModuleSystem | Template, string>> = {};
  const results: Partial<Record<ModuleSystem, Smoke>> = {};

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'njr-pack-'));
    await run('npm run build', 'npm', ['run', 'build'], ROOT, 3 * MINUTE);
    const packed = JSON.parse(await run('npm pack', 'npm', ['pack', '--json', '--pack-destination', work], ROOT, 2 * MINUTE)) as [
      { filename: string; files: { path: string }[] },
    ];
    tarball = join(work, packed[0].filename);
    files = packed[0].files.map((f) => f.path);
    // The installs are independent; running them side by side shortens the wait.
    const install = async (template: Template) => {
      const dir = await makeTemplateApp(template, tarball);
      await run(`npm install of the ${template} app`, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir, 8 * MINUTE);
      return dir;
    };
    const [esm, cjs, nest11, nest12] = await Promise.all([makeApp('esm', tarball), makeApp('cjs', tarball), install('nest11-jest'), install('nest12-vitest')]);
    Object.assign(dirs, { esm, cjs, 'nest11-jest': nest11, 'nest12-vitest': nest12 });
  }, 15 * MINUTE);

  afterAll(async () => {
    if (process.env.KEEP_SMOKE_APPS) return;
    // Four installed apps: removing their node_modules takes a while on a busy machine.
    await Promise.all([work, ...Object.values(dirs)].map((dir) => dir && rm(dir, { recursive: true, force: true })));
  }, 3 * MINUTE);

  it('ships the built entry points, their types, the LICENSE, the CHANGELOG, and no specs, sources or source maps', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('CHANGELOG.md');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const entry of ['index', 'redis/index', 'postgres/index', 'testing/index', 'client/index', 'client/axios/index', 'swagger/index']) {
      expect(files).toContain(`dist/lib/${entry}.js`);
      expect(files).toContain(`dist/lib/${entry}.d.ts`);
    }
    expect(files.filter((f) => /\.spec\.|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('dist/lib/') && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f))).toEqual([]);
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
    for (const entry of ['redis', 'client', 'client/axios', 'swagger']) {
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

  it('the README marks every file the template apps get', async () => {
    const targets = (await readmeBlocks()).map((b) => `${b.template ?? 'both'} ${b.target}`);
    expect(targets.sort()).toEqual(
      ['both src/app.module.ts', 'both src/auth.controller.ts', 'both src/me.controller.ts', 'both test/app.e2e-spec.ts',
        'both test/session-store.e2e-spec.ts', 'nest11-jest jest-config'].sort(),
    );
  });

  describe.each(TEMPLATES)('the %s app (as nest new generates it, with the README examples)', (template) => {
    const env = { JWT_SECRET: 'template-app-secret-of-at-least-32-bytes!!' };
    const npm = (script: string) => run(`${script} in the ${template} app`, 'npm', ['run', script], dirs[template]!, 4 * MINUTE);

    it('runs on the Nest major and the runner its template has', async () => {
      const core = JSON.parse(await readFile(join(dirs[template]!, 'node_modules/@nestjs/core/package.json'), 'utf8')) as { version: string };
      expect(core.version.split('.')[0]).toBe(template === 'nest11-jest' ? '11' : '12');
      const pkg = JSON.parse(await readFile(join(dirs[template]!, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      expect(pkg.scripts.test).toBe(template === 'nest11-jest' ? 'jest' : 'vitest run');
    });

    it('passes its own unit tests (npm test)', async () => {
      await npm('test');
    }, 5 * MINUTE);

    it('passes its own e2e tests (npm run test:e2e): the README test session and the store contract', async () => {
      const out = await runWith(env, 'npm', ['run', 'test:e2e'], dirs[template]!);
      expect(out).toMatch(/app\.e2e-spec\.ts/);
      expect(out).toMatch(/session-store\.e2e-spec\.ts/);
      // Both runners print the count of passed tests: the app's 3 and the contract's.
      expect(out).toMatch(template === 'nest11-jest' ? /Tests:\s+\d+ passed, \d+ total/ : /Tests\s+\d+ passed/);
      expect(out).not.toMatch(/failed/);
    }, 5 * MINUTE);

    it('builds (nest build) and type-checks its tests against the shipped declarations', async () => {
      await npm('build');
      await run(`tsc in the ${template} app`, process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json'], dirs[template]!, 3 * MINUTE);
    }, 6 * MINUTE);
  });
});
