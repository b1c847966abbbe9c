// Builds the demo page's script once, at build time: sample/demo/page/demo-page.ts and the client it imports
// (lib/client) bundled into one browser ES module, dist/demo/demo-page.js. `npm run build` runs it, and so does
// Jest's globalSetup, so the sample serves a fresh file under tests too. Plain JavaScript: it runs before any TypeScript.
import { build, stop } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Writes dist/demo/demo-page.js; resolves when it is on disk. */
export async function buildDemoScript(root = ROOT) {
  try {
    await build({
      entryPoints: [join(root, 'sample/demo/page/demo-page.ts')],
      outfile: join(root, 'dist/demo/demo-page.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      legalComments: 'none',
      logLevel: 'warning',
    });
  } finally {
    // esbuild's service process would otherwise outlive the build: under Jest on Node 24 it kept Jest from exiting.
    await stop();
  }
}

// Jest calls its globalSetup with its own arguments; the root stays the default.
export default () => buildDemoScript();

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildDemoScript().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
