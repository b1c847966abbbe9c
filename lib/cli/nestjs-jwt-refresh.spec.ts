import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/*
 * Runs the real bin as a child process. Node 20 cannot run TypeScript, and a
 * full `tsc` build takes the whole tree (and fails while anyone's file is
 * half-written), so the two CLI files are transpiled on their own into a
 * temporary ESM folder, the same JavaScript `npm run build` emits for them.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
let dir: string;
let bin: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nestjs-jwt-refresh-cli-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  for (const name of ['nestjs-jwt-refresh', 'secret.command']) {
    const source = readFileSync(join(here, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: `${name}.ts`,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(dir, `${name}.js`), outputText);
  }
  bin = join(dir, 'nestjs-jwt-refresh.js');
  // npm marks bins executable on install; do the same so the shebang line is what starts node.
  chmodSync(bin, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(bin, args, { encoding: 'utf8', timeout: 20_000 });

describe('nestjs-jwt-refresh bin (child process)', () => {
  it('starts with a node shebang', () => {
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('"secret" prints a 64-byte base64url secret and exits 0', () => {
    const res = run('secret');
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
    expect(res.stdout).toMatch(/^[A-Za-z0-9_-]{86}\n$/);
  });

  it('"secret --bytes 32" prints a 32-byte secret', () => {
    const res = run('secret', '--bytes', '32');
    expect(res.status).toBe(0);
    expect(Buffer.from(res.stdout.trim(), 'base64url')).toHaveLength(32);
  });

  it('an unknown command exits non-zero with the usage on stderr and nothing on stdout', () => {
    const res = run('rotate');
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('unknown command "rotate"');
    expect(res.stderr).toContain('Usage: nestjs-jwt-refresh');
  });

  it('"--bytes 16" is refused with exit 2', () => {
    const res = run('secret', '--bytes', '16');
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--bytes');
  });

  it('"--help" prints the usage and exits 0', () => {
    const res = run('--help');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('Usage: nestjs-jwt-refresh <command>');
  });
});
