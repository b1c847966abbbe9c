import { describe, expect, it } from '@jest/globals';
import { resolveAuthOptions } from '../options/resolve-auth-options.js';
import { DEFAULT_SECRET_BYTES, EXIT_OK, EXIT_USAGE, generateSecret, runCli } from './secret.command.js';

/** Runs the CLI in-process and collects what it wrote. */
function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const decodedLength = (secret: string) => Buffer.from(secret, 'base64url').length;

describe('generateSecret', () => {
  it('returns 64 random bytes as canonical base64url by default', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodedLength(secret)).toBe(DEFAULT_SECRET_BYTES);
    expect(Buffer.from(secret, 'base64url').toString('base64url')).toBe(secret);
  });

  it('never repeats itself', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => generateSecret(32)));
    expect(secrets.size).toBe(200);
  });

  it.each([31, 0, -64, 32.5, Number.NaN, 4097])('refuses %p bytes', (bytes) => {
    expect(() => generateSecret(bytes)).toThrow(RangeError);
  });

  it('produces secrets AuthModule accepts, for HS256 and HS512', () => {
    expect(() => resolveAuthOptions({ secret: generateSecret(32) })).not.toThrow();
    expect(() => resolveAuthOptions({ secret: generateSecret(), algorithm: 'HS512' })).not.toThrow();
  });
});

describe('runCli', () => {
  it('"secret" prints one line holding a 64-byte secret', () => {
    const { code, stdout, stderr } = run('secret');
    expect({ code, stderr }).toEqual({ code: EXIT_OK, stderr: '' });
    expect(stdout).toMatch(/^[A-Za-z0-9_-]{86}\n$/);
    expect(decodedLength(stdout.trim())).toBe(64);
  });

  it.each([
    [['secret', '--bytes', '32'], 32],
    [['secret', '--bytes=48'], 48],
    [['secret', '--bytes', '4096'], 4096],
  ])('%j prints a secret of %i bytes', (argv, bytes) => {
    const { code, stdout } = run(...argv);
    expect(code).toBe(EXIT_OK);
    expect(decodedLength(stdout.trim())).toBe(bytes);
  });

  it.each([
    [['secret', '--bytes', '31'], '"31"'],
    [['secret', '--bytes', 'abc'], '"abc"'],
    [['secret', '--bytes'], 'nothing'],
    [['secret', '--bytes', '0x40'], '"0x40"'],
    [['secret', '--bytes', '1e2'], '"1e2"'],
    [['secret', '--bytes=-64'], '"-64"'],
    [['secret', '--bytes', '99999999'], '"99999999"'],
  ])('%j exits 2 naming --bytes and the value', (argv, shown) => {
    const { code, stdout, stderr } = run(...argv);
    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toContain('--bytes needs a whole number from 32 to 4096');
    expect(stderr).toContain(shown);
    expect(stderr).toContain('Usage: nestjs-jwt-refresh');
  });

  it.each([
    [['generate'], 'unknown command "generate"'],
    [[], 'no command given'],
    [['secret', '--verbose'], 'unknown option "--verbose"'],
    [['SECRET'], 'unknown command "SECRET"'],
  ])('%j exits 2 with the reason and the usage on stderr', (argv, reason) => {
    const { code, stdout, stderr } = run(...argv);
    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toContain(reason);
    expect(stderr).toContain('Usage: nestjs-jwt-refresh <command>');
  });

  it.each([[['--help']], [['-h']], [['help']], [['secret', '--help']]])('%j prints the usage on stdout and exits 0', (argv) => {
    const { code, stdout, stderr } = run(...argv);
    expect({ code, stderr }).toEqual({ code: EXIT_OK, stderr: '' });
    expect(stdout).toContain('Usage: nestjs-jwt-refresh <command>');
    expect(stdout).toContain('--bytes <n>');
  });
});
