import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

/** Bytes of randomness in a generated secret when `--bytes` is not given: 512 bits, the HS512 minimum. */
export const DEFAULT_SECRET_BYTES = 64;
/** Fewest bytes `--bytes` accepts: 256 bits, the HS256 minimum the module enforces at start-up. */
export const MIN_SECRET_BYTES = 32;
/** Most bytes `--bytes` accepts; beyond this a secret only costs header and environment space. */
export const MAX_SECRET_BYTES = 4096;

/** Where the CLI writes; the bin passes process streams, tests pass collectors. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes: 0 done, 2 bad usage (the shell convention for a command line it cannot parse). */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

export const USAGE = `Usage: nestjs-jwt-refresh <command> [options]

Commands:
  secret            Print a random secret for AuthModule's "secret" option (JWT_SECRET in the sample)

Options of "secret":
  --bytes <n>       Random bytes before encoding, ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} (default ${DEFAULT_SECRET_BYTES})

  -h, --help        Show this help
`;

/** A base64url string of `bytes` bytes from the OS CSPRNG. */
export function generateSecret(bytes: number = DEFAULT_SECRET_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(`bytes must be a whole number from ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}; got ${bytes}.`);
  }
  return randomBytes(bytes).toString('base64url');
}

function usageError(out: CliOutput, message: string): number {
  out.stderr(`nestjs-jwt-refresh: ${message}\n\n${USAGE}`);
  return EXIT_USAGE;
}

/** Runs the CLI on `argv` (without node and the script path) and returns the exit code. */
export function runCli(argv: readonly string[], out: CliOutput): number {
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help' || command === 'help') {
    out.stdout(USAGE);
    return EXIT_OK;
  }
  if (command === undefined) return usageError(out, 'no command given.');
  if (command !== 'secret') return usageError(out, `unknown command "${command}".`);

  // Not strict, with tokens: unknown options and missing values come back as tokens, so the messages stay ours.
  const { tokens } = parseArgs({
    args: [...rest],
    options: { bytes: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  let bytes = DEFAULT_SECRET_BYTES;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') return usageError(out, `unknown option "${token.value}" for "secret".`);
    if (token.name === 'help') {
      out.stdout(USAGE);
      return EXIT_OK;
    }
    if (token.name !== 'bytes') return usageError(out, `unknown option "${token.rawName}" for "secret".`);
    const value = typeof token.value === 'string' ? token.value : undefined;
    // Digits only: Number() would also take '0x40', '1e2' and ' 64 ', which nobody means as a byte count.
    if (value === undefined || !/^\d{1,6}$/.test(value) || Number(value) < MIN_SECRET_BYTES || Number(value) > MAX_SECRET_BYTES) {
      return usageError(
        out,
        `--bytes needs a whole number from ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}; got ${value === undefined ? 'nothing' : `"${value}"`}. ` +
          `Fewer than ${MIN_SECRET_BYTES} bytes is too weak for HS256.`,
      );
    }
    bytes = Number(value);
  }
  out.stdout(`${generateSecret(bytes)}\n`);
  return EXIT_OK;
}
