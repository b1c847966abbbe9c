import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` (and Jest's globalSetup) writes the page's bundled script, relative to the project root. */
export const DEMO_SCRIPT_PATH = 'dist/demo/demo-page.js';

/**
 * The demo page's files, read once at start: the HTML and the script that
 * `sample/demo/build-demo-script.mjs` bundled at build time (the page and the
 * client from `lib/client`). Nothing is compiled on request, and no request
 * path ever reaches the file system.
 */
export class DemoAssets {
  private readonly html: string;
  readonly script: string;

  constructor(root: string = findProjectRoot()) {
    const script = join(root, DEMO_SCRIPT_PATH);
    if (!existsSync(script)) throw new Error(`The demo page's script ${script} is missing: run "npm run build".`);
    this.script = readFileSync(script, 'utf8');
    this.html = readFileSync(join(root, 'sample/demo/page/index.html'), 'utf8');
  }

  /** The page, with the server's refresh-token mode filled in. */
  page(mode: 'body' | 'cookie'): string {
    return this.html.replace('__REFRESH_MODE__', mode);
  }
}

/** The folder holding this project's package.json, found upwards from this file (works from `sample/` and from `dist/sample/`). */
export function findProjectRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'nestjs-jwt-refresh') return dir;
    if (dirname(dir) === dir) throw new Error(`The demo page could not find the nestjs-jwt-refresh project above ${start}.`);
  }
}
