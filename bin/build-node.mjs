// Builds the JavaScript of the Node driver and the Playwright fixture (src/node, src/playwright)
// into .tsbuild/js by transpiling each file on its own (the sources are isolatedModules-clean);
// plain .mjs modules among them (shared with the .mjs harnesses) are copied as they are.
// No type checking here: `npm run typecheck` does that. Used by bin/sandpit.mjs when the output
// is missing or older than the sources; run it directly to prepare `import 'sandpit/node'`.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const outDir = join(root, '.tsbuild', 'js');
const stamp = join(outDir, '.stamp');
const SOURCES = ['src/node', 'src/playwright'];
// Single files of the page's API that the Node driver shares (its error classes).
const SHARED_FILES = ['src/api/errors.ts'];

function sources() {
  const files = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.mjs')) files.push(p);
      else if (e.name.endsWith('.ts') && !/\.(test|spec|d|config)\.ts$/.test(e.name)) files.push(p);
    }
  };
  for (const d of SOURCES) walk(join(root, d));
  for (const f of SHARED_FILES) files.push(join(root, f));
  return files;
}

export function isStale() {
  if (!existsSync(stamp)) return true;
  const t = statSync(stamp).mtimeMs;
  return sources().some((f) => statSync(f).mtimeMs > t);
}

export async function build() {
  const tsPath = join(root, 'node_modules', 'typescript', 'lib', 'typescript.js');
  if (!existsSync(tsPath)) throw new Error('TypeScript is not installed (npm install) to build the Node driver');
  const ts = (await import(pathToFileURL(tsPath).href)).default;
  for (const file of sources()) {
    const out = join(outDir, relative(join(root, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    if (file.endsWith('.mjs')) {
      copyFileSync(file, out);
      continue;
    }
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
        sourceMap: false,
      },
    });
    writeFileSync(out, outputText);
  }
  writeFileSync(stamp, '');
}

export async function ensureBuilt() {
  if (isStale()) await build();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await build();
