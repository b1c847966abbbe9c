// Module hooks (run on Node's loader thread): resolve `./x.js` to `./x.ts`
// when only the TypeScript source exists, and compile `.ts` files per file
// with ts.transpileModule, using the compiler options of tsconfig.json that
// matter for emit (decorators with metadata, ES2022). Output is cached in
// os.tmpdir() by content hash, so the child apps start in well under a second.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsVersion = JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
const cacheDir = join(tmpdir(), `nestjs-jwt-refresh-bench-${process.getuid?.() ?? 'u'}`);
let ts; // loaded on the first cache miss only: it takes a second or more

const compilerOptions = {
  module: 'ES2022',
  target: 'ES2022',
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  isolatedModules: true,
  useDefineForClassFields: true,
  inlineSourceMap: true,
  inlineSources: false,
};

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent && parent.startsWith('file:') && parent.endsWith('.ts') && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const candidate = new URL(specifier.slice(0, -3) + '.ts', parent);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = readFileSync(fileName, 'utf8');
  const hash = createHash('sha256').update(`${tsVersion}\0${JSON.stringify(compilerOptions)}\0${fileName}\0${source}`).digest('hex');
  const cached = join(cacheDir, `${hash}.js`);
  if (existsSync(cached)) return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  ts ??= (await import('typescript')).default;
  const options = ts.convertCompilerOptionsFromJson(compilerOptions, process.cwd()).options;
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions: options,
    fileName,
    reportDiagnostics: true,
  });
  if (diagnostics?.length) {
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => process.cwd(),
      getNewLine: () => '\n',
    });
    throw new SyntaxError(`TypeScript could not compile ${fileName}:\n${text}`);
  }
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename: several processes may compile the same file at once.
  const partial = `${cached}.${process.pid}.tmp`;
  writeFileSync(partial, outputText);
  renameSync(partial, cached);
  return { format: 'module', source: outputText, shortCircuit: true };
}
