// Keeps docs/api.md true: every ```js block there runs in the built playground page, as the
// body of an async function with the package's exports in scope. A line
// `console.log(EXPR); // → JSON` is checked: JSON.stringify(EXPR) must equal JSON. A block
// marked `// known issue: …` documents intended behaviour that a bug breaks; it is skipped
// with that reason (and listed in the test report) until the bug is fixed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, ready } from './fixtures';

interface Block {
  title: string;
  line: number;
  code: string;
  knownIssue?: string;
}

function blocks(md: string): Block[] {
  const out: Block[] = [];
  const lines = md.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^#{1,4} /.test(l)) heading = l.replace(/^#+ /, '');
    if (l.trim() !== '```js') continue;
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    const code = body.join('\n');
    const issue = /\/\/ known issue: (.*)/.exec(code)?.[1];
    out.push({
      title: `${heading} (docs/api.md:${start})`,
      line: start,
      code,
      ...(issue ? { knownIssue: issue } : {}),
    });
  }
  return out;
}

/** Turns `console.log(EXPR); // → JSON` lines into checks; other lines stay as they are. */
function instrument(b: Block): string {
  const body = b.code
    .split('\n')
    .map((l, k) => {
      const m = /^(\s*)console\.log\((.*)\);\s*\/\/ → (.*)$/.exec(l);
      if (!m) return l;
      return `${m[1]}__check(${m[2]}, ${JSON.stringify(m[3]!.trim())}, ${b.line + k + 1});`;
    })
    .join('\n');
  return [
    'const { Sandbox, Volume, SandboxError, CommandExitError, CommandHandle, PtyHandle } = globalThis.sandpit;',
    'const __check = (value, expected, line) => {',
    '  const got = JSON.stringify(value);',
    '  if (got !== expected) throw new Error(`docs/api.md:${line}: expected ${expected}, got ${got}`);',
    '};',
    body,
  ].join('\n');
}

const md = readFileSync(resolve(process.cwd(), 'docs/api.md'), 'utf8');
const all = blocks(md);

test('docs/api.md has examples', () => {
  expect(all.length).toBeGreaterThan(10);
  for (const b of all) expect(b.code, b.title).toContain('destroy(');
});

for (const b of all) {
  test(b.title, async ({ page }) => {
    test.skip(b.knownIssue !== undefined, `known issue: ${b.knownIssue}`);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await ready(page);
    const src = instrument(b);
    const failure = await page.evaluate(async (source) => {
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
        body: string,
      ) => () => Promise<void>;
      try {
        await new AsyncFunction(source)();
        return null;
      } catch (e) {
        const err = e as { name?: string; code?: string; message?: string };
        return `${err?.name ?? 'Error'}${err?.code ? ` [${err.code}]` : ''}: ${err?.message ?? String(e)}`;
      }
    }, src);
    expect(failure, `example at docs/api.md:${b.line} threw`).toBeNull();
  });
}
