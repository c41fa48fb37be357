// Test support for the store tests (Node only, not part of the worker build).
import type { Vfs } from '../vfs/vfs';
import type { PersistedState } from './repository';

/** Dump a tree as path → mode, mtime and content / symlink target / directory, for comparing states. */
export function dump(v: Vfs): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    for (const name of v.readdir(p).sort()) {
      const c = p === '/' ? '/' + name : p + '/' + name;
      const st = v.lstat(c);
      if (st.type === 'dir') {
        out[c] = `dir ${st.mode.toString(8)}`;
        walk(c);
      } else if (st.type === 'symlink') out[c] = `-> ${v.readlink(c)}`;
      else out[c] = `${st.mode.toString(8)} ${st.mtimeMs} ${v.readText(c)}`;
    }
  };
  walk('/');
  return out;
}

/** The live tree of `v` as a commit's state, without snapshots. */
export function stateOf(v: Vfs, meta?: unknown): PersistedState {
  return { root: v.snapshot().root, snapshots: [], meta };
}

/** The error code `p` rejects with (undefined: it resolved). */
export async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}
