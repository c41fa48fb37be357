// Property test: random sequences of file operations against the kernel's FileService over a
// Vfs, compared step by step with a plain model of a filesystem (a map from path to file or
// directory). Every operation either matches the model's result exactly, or fails with a known
// error code that the model also predicts, leaving the tree unchanged.
// Runs: PROP_RUNS (default 400 in CI; 5,000 measured locally, see docs/reliability.md).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from './errors';
import { FileService } from './files';
import { Vfs } from './vfs';

type Node = { type: 'file'; data: string } | { type: 'dir' };
type Model = Map<string, Node>;
type Op =
  | { op: 'write'; path: string; data: string }
  | { op: 'mkdir'; path: string; recursive: boolean }
  | { op: 'remove'; path: string; recursive: boolean }
  | { op: 'rename'; from: string; to: string }
  | { op: 'read'; path: string }
  | { op: 'list'; path: string };
/** The model's prediction: a result, or a set of acceptable error codes. */
type Outcome = { ok: true; value?: unknown } | { ok: false; codes: string[] };

const KNOWN = ['ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'ENOSPC', 'EINVAL', 'EACCES'];
const RUNS = Number(process.env.PROP_RUNS ?? 400);

const parent = (p: string) => (p.lastIndexOf('/') <= 0 ? '/' : p.slice(0, p.lastIndexOf('/')));
const ancestors = (p: string) => {
  const out: string[] = [];
  for (let q = parent(p); q !== '/'; q = parent(q)) out.unshift(q);
  return out;
};
const under = (p: string, base: string) => p.startsWith(base + '/');
const fail = (...codes: string[]): Outcome => ({ ok: false, codes });

/** Why a path cannot be walked to: a missing or non-directory ancestor. */
function walkError(m: Model, p: string): Outcome | null {
  for (const a of ancestors(p)) {
    const n = m.get(a);
    if (!n) return fail('ENOENT');
    if (n.type !== 'dir') return fail('ENOTDIR');
  }
  return null;
}

function apply(m: Model, o: Op): Outcome {
  switch (o.op) {
    case 'read': {
      const w = walkError(m, o.path);
      if (w) return w;
      const n: Node | undefined = o.path === '/' ? { type: 'dir' } : m.get(o.path);
      if (!n) return fail('ENOENT');
      if (n.type === 'dir') return fail('EISDIR');
      return { ok: true, value: n.data };
    }
    case 'list': {
      const w = walkError(m, o.path);
      if (w) return w;
      const n = o.path === '/' ? { type: 'dir' } : m.get(o.path);
      if (!n) return fail('ENOENT');
      if (n.type !== 'dir') return fail('ENOTDIR');
      const names = [...m.keys()].filter((k) => parent(k) === o.path).map((k) => k.slice(k.lastIndexOf('/') + 1));
      return { ok: true, value: names.sort() };
    }
    case 'write': {
      // Missing parents are created; an ancestor that is a file cannot be walked through.
      for (const a of ancestors(o.path)) if (m.get(a)?.type === 'file') return fail('ENOTDIR', 'EEXIST');
      if (m.get(o.path)?.type === 'dir') return fail('EISDIR');
      for (const a of ancestors(o.path)) m.set(a, { type: 'dir' });
      m.set(o.path, { type: 'file', data: o.data });
      return { ok: true };
    }
    case 'mkdir': {
      const n = m.get(o.path);
      if (o.recursive) {
        for (const a of ancestors(o.path)) if (m.get(a)?.type === 'file') return fail('ENOTDIR', 'EEXIST');
        if (n?.type === 'file') return fail('EEXIST', 'ENOTDIR');
        for (const a of ancestors(o.path)) m.set(a, { type: 'dir' });
        m.set(o.path, { type: 'dir' });
        return { ok: true };
      }
      const w = walkError(m, o.path);
      if (w) return w;
      if (n) return fail('EEXIST');
      m.set(o.path, { type: 'dir' });
      return { ok: true };
    }
    case 'remove': {
      const w = walkError(m, o.path);
      if (w) return w;
      if (o.path === '/') return fail('EACCES', 'EINVAL', 'EISDIR');
      const n = m.get(o.path);
      if (!n) return fail('ENOENT');
      const kids = [...m.keys()].filter((k) => under(k, o.path));
      if (n.type === 'dir' && kids.length > 0 && !o.recursive) return fail('ENOTEMPTY');
      for (const k of kids) m.delete(k);
      m.delete(o.path);
      return { ok: true };
    }
    case 'rename': {
      const w = walkError(m, o.from);
      if (w) return w;
      const src = m.get(o.from);
      if (!src) return fail('ENOENT');
      if (o.from === o.to) return { ok: true };
      if (src.type === 'dir' && under(o.to, o.from)) return fail('EINVAL', 'ENOTDIR', 'ENOENT');
      const wt = walkError(m, o.to);
      if (wt) return wt;
      const dst = m.get(o.to);
      if (dst) {
        if (dst.type === 'dir') {
          if (src.type !== 'dir') return fail('EISDIR');
          if ([...m.keys()].some((k) => under(k, o.to))) return fail('ENOTEMPTY', 'EINVAL');
        } else if (src.type === 'dir') return fail('ENOTDIR');
      }
      const moved = [...m.entries()].filter(([k]) => k === o.from || under(k, o.from));
      for (const [k] of moved) m.delete(k);
      if (dst) m.delete(o.to);
      for (const [k, v] of moved) m.set(o.to + k.slice(o.from.length), v);
      return { ok: true };
    }
  }
}

/** The whole tree as path → node, read back through the FileService. */
function snapshot(fs: FileService): Model {
  const out: Model = new Map();
  for (const e of fs.list('/', 64)) {
    out.set(
      e.path,
      e.type === 'dir' ? { type: 'dir' } : { type: 'file', data: new TextDecoder().decode(fs.read(e.path)) },
    );
  }
  return out;
}

const sorted = (m: Model) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const name = fc.constantFrom('a', 'b', 'c');
const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => '/' + p.join('/'));
const anyPath = fc.oneof({ weight: 9, arbitrary: path }, { weight: 1, arbitrary: fc.constant('/') });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('write' as const), path, data: fc.string({ maxLength: 8 }) }),
  fc.record({ op: fc.constant('mkdir' as const), path, recursive: fc.boolean() }),
  fc.record({ op: fc.constant('remove' as const), path: anyPath, recursive: fc.boolean() }),
  fc.record({ op: fc.constant('rename' as const), from: path, to: path }),
  fc.record({ op: fc.constant('read' as const), path: anyPath }),
  fc.record({ op: fc.constant('list' as const), path: anyPath }),
);

function run(fs: FileService, o: Op): unknown {
  switch (o.op) {
    case 'write':
      return fs.write(o.path, new TextEncoder().encode(o.data));
    case 'mkdir':
      return fs.mkdir(o.path, o.recursive);
    case 'remove':
      return fs.remove(o.path, o.recursive);
    case 'rename':
      return fs.rename(o.from, o.to);
    case 'read':
      return new TextDecoder().decode(fs.read(o.path));
    case 'list':
      return fs
        .list(o.path, 1)
        .map((e) => e.name)
        .sort();
  }
}

describe('FileService + Vfs against a model filesystem', () => {
  it(`random operation sequences (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const vfs = new Vfs({ sortedReaddir: true });
        const fs = new FileService((p) => ({ vfs, path: p }));
        const model: Model = new Map();
        for (const o of ops) {
          const before = new Map(model);
          const want = apply(model, o);
          let got: { ok: true; value: unknown } | { ok: false; code: string };
          try {
            got = { ok: true, value: run(fs, o) };
          } catch (e) {
            // Every failure is a coded KernelError, never a raw exception.
            expect(e, `${JSON.stringify(o)} threw a non-kernel error: ${String(e)}`).toBeInstanceOf(KernelError);
            got = { ok: false, code: (e as KernelError).code };
          }
          const ctx = `${JSON.stringify(o)} after ${JSON.stringify(sorted(before))}`;
          if (want.ok) {
            expect(got, ctx).toEqual({ ok: true, value: want.value });
          } else {
            expect(got.ok, ctx).toBe(false);
            const code = (got as { code: string }).code;
            expect(KNOWN, ctx).toContain(code);
            expect(want.codes, ctx).toContain(code);
            // A failed operation leaves the model unchanged.
            expect(sorted(model)).toEqual(sorted(before));
          }
          expect(sorted(snapshot(fs)), ctx).toEqual(sorted(model));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('the file-count quota fails with ENOSPC and keeps the tree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 60 }), (maxFiles, n) => {
        const vfs = new Vfs({ maxFiles });
        const fs = new FileService((p) => ({ vfs, path: p }));
        let made = 0;
        for (let i = 0; i < n; i++) {
          try {
            fs.write(`/f${i}`, new Uint8Array([i]));
            made++;
          } catch (e) {
            expect((e as KernelError).code).toBe('ENOSPC');
          }
        }
        expect(made).toBe(Math.min(n, maxFiles));
        expect(fs.list('/', 1).length).toBe(made);
      }),
      { numRuns: Math.max(50, RUNS / 4) },
    );
  });

  it('hostile paths give coded errors, never an escape or a raw exception', () => {
    const seg = fc.oneof(
      fc.constantFrom('..', '.', '', 'a', '\0', 'x\0y', '\uD800', 'é', 'a'.repeat(300)),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), fc.boolean(), (parts, abs) => {
        const vfs = new Vfs();
        vfs.mkdir('/home/user', { recursive: true });
        vfs.writeFile('/secret', 'top');
        const fs = new FileService((p) => ({ vfs, path: p }));
        const p = (abs ? '/' : '') + parts.join('/');
        for (const f of [() => fs.read(p), () => fs.stat(p), () => fs.list(p, 1)]) {
          try {
            f();
          } catch (e) {
            expect(e).toBeInstanceOf(KernelError);
            expect(KNOWN).toContain((e as KernelError).code);
          }
        }
        try {
          fs.write(p, new Uint8Array([1]));
        } catch (e) {
          expect(e).toBeInstanceOf(KernelError);
          expect(KNOWN).toContain((e as KernelError).code);
        }
        // `..` never climbs above the root: nothing outside the tree exists to be reached.
        expect(vfs.readText('/secret')).toBe('top');
      }),
      { numRuns: Math.max(100, RUNS / 2) },
    );
  });
});
