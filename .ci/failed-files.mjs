// Prints the test files a Jest --json report marks as failed, space-separated, relative to the repository;
// exits 1 when the report is missing or names none (then the failure was not a test's, and is not rerun).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

let report;
try {
  report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
} catch {
  process.exit(1);
}
const failed = [...new Set(report.testResults.filter((r) => r.status === 'failed').map((r) => relative(process.cwd(), r.name)))];
if (failed.length === 0 || failed.length > 5) process.exit(1); // more than a few is a real break, not a flake
console.log(failed.join(' '));
