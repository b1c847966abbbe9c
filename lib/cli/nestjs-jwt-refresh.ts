#!/usr/bin/env node
// The `nestjs-jwt-refresh` bin: all logic lives in secret.command.ts, so it can be tested without a process.
import { runCli } from './secret.command.js';

process.exitCode = runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
