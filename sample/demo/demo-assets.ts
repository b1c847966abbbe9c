import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders whose TypeScript the page loads as browser ES modules, relative to the project root. */
const SCRIPT_FOLDERS = ['lib/client', 'sample/demo/page'];

/**
 * The demo page's files. The browser gets the client straight from
 * `lib/client/*.ts`, transpiled to plain ES modules on first use with
 * TypeScript's `transpileModule`: the sample runs both from `dist/` (`npm
 * start`) and from Jest (where `dist/` may be missing or stale), and the
 * sources exist in both cases. Without TypeScript (a production install) it
 * falls back to the compiled files in `dist/`. Scripts are served from a
 * fixed map built at start, so no request path ever reaches the file system.
 */
export class DemoAssets {
  private scripts: Promise<Map<string, string>> | undefined;

  constructor(private readonly root: string = findProjectRoot()) {}

  /** The page, with the server's refresh-token mode filled in. */
  async page(mode: 'body' | 'cookie'): Promise<string> {
    const html = await readFile(join(this.root, 'sample/demo/page/index.html'), 'utf8');
    return html.replace('__REFRESH_MODE__', mode);
  }

  /** The JavaScript of `path` (e.g. `lib/client/index.js`), or `undefined` when it is not one of the page's scripts. */
  async script(path: string): Promise<string | undefined> {
    this.scripts ??= this.build().catch((error: unknown) => {
      this.scripts = undefined; // let a later request try again
      throw error;
    });
    return (await this.scripts).get(path);
  }

  private async build(): Promise<Map<string, string>> {
    let ts: typeof import('typescript') | undefined;
    try {
      ts = (await import('typescript')).default;
    } catch {
      ts = undefined;
    }
    const out = new Map<string, string>();
    for (const folder of SCRIPT_FOLDERS) {
      if (ts) {
        for (const file of readdirSync(join(this.root, folder))) {
          if (!file.endsWith('.ts') || file.endsWith('.spec.ts') || file.endsWith('.d.ts')) continue;
          const source = readFileSync(join(this.root, folder, file), 'utf8');
          const { outputText } = ts.transpileModule(source, {
            fileName: file,
            compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, removeComments: false },
          });
          out.set(`${folder}/${file.replace(/\.ts$/, '.js')}`, outputText);
        }
      } else {
        const compiled = join(this.root, 'dist', folder);
        if (!existsSync(compiled)) throw new Error(`The demo page needs either the "typescript" package or a build in ${compiled} (run "npm run build").`);
        for (const file of readdirSync(compiled)) {
          if (file.endsWith('.js')) out.set(`${folder}/${file}`, readFileSync(join(compiled, file), 'utf8'));
        }
      }
    }
    return out;
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
