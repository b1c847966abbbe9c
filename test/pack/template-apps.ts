import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The apps `nest new` generated (see templates/README.md). */
export const TEMPLATES = ['nest11-jest', 'nest12-vitest'] as const;
export type Template = (typeof TEMPLATES)[number];

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A fenced block of the README marked `<!-- pack-test: <target> [template] -->` just above it. */
export interface ReadmeBlock {
  target: string;
  /** The one template it is for; absent: both. */
  template?: Template;
  code: string;
}

/** The README's blocks marked for the pack test, so the examples a user copies are the ones tested. */
export async function readmeBlocks(): Promise<ReadmeBlock[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const blocks: ReadmeBlock[] = [];
  for (const m of readme.matchAll(/<!-- pack-test: (\S+)(?: (\S+))? -->\n```\w*\n([\s\S]*?)```/g)) {
    blocks.push({ target: m[1], template: m[2] as Template | undefined, code: m[3] });
  }
  return blocks;
}

// The Quick start leaves checking passwords to the app ("yours"); the test app's is a fixed user.
const CHECK_PASSWORD = `
async function checkPassword(username?: string, password?: string) {
  return username === 'alice' && password === 'wonderland' ? { id: 'alice', role: 'admin' } : null;
}
`;

/**
 * Copies a template into a fresh folder and adds the README's files to it: the Quick start's
 * sources, the two tests of "Testing your app", and (for Nest 11) the Jest settings merged into both
 * of its Jest configurations. The tarball becomes a dependency; nothing is installed yet.
 */
export async function makeTemplateApp(template: Template, tarball: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `njr-${template}-`));
  await cp(join(ROOT, 'test/pack/templates', template), dir, { recursive: true });
  const blocks = (await readmeBlocks()).filter((b) => b.template === undefined || b.template === template);
  for (const block of blocks) {
    if (block.target === 'jest-config') {
      const settings = JSON.parse(block.code) as Record<string, unknown>;
      const pkgPath = join(dir, 'package.json');
      const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { jest: Record<string, unknown> };
      Object.assign(pkg.jest, settings);
      await writeFile(pkgPath, JSON.stringify(pkg, null, 2));
      const e2ePath = join(dir, 'test/jest-e2e.json');
      await writeFile(e2ePath, JSON.stringify({ ...JSON.parse(await readFile(e2ePath, 'utf8')), ...settings }, null, 2));
      continue;
    }
    const code = block.target === 'src/auth.controller.ts' ? block.code + CHECK_PASSWORD : block.code;
    await writeFile(join(dir, block.target), code);
  }
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { dependencies: Record<string, string> };
  pkg.dependencies['nestjs-jwt-refresh'] = `file:${tarball}`;
  await writeFile(pkgPath, JSON.stringify(pkg, null, 2));
  return dir;
}
