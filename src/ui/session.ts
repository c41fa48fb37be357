// Which sandbox the page runs: the persistence choice and the last persisted id live in
// localStorage, so a reload reopens the same files with Sandbox.open.
import { Sandbox, SandboxError, type SandboxOptions } from '../api/index';

export const PERSISTENCE_KINDS = ['memory', 'opfs', 'indexeddb', 'auto'] as const;
export type Persistence = (typeof PERSISTENCE_KINDS)[number];

const KIND_KEY = 'sandpit.persistence';
const ID_KEY = 'sandpit.lastId';

export function savedPersistence(): Persistence {
  const v = localStorage.getItem(KIND_KEY);
  return (PERSISTENCE_KINDS as readonly string[]).includes(v ?? '') ? (v as Persistence) : 'memory';
}

/** Remembers the choice; a persisted sandbox's id is kept for the next load. */
export function remember(kind: Persistence, sb: Sandbox): void {
  localStorage.setItem(KIND_KEY, kind);
  if (kind === 'memory') localStorage.removeItem(ID_KEY);
  else localStorage.setItem(ID_KEY, sb.id);
}

/** Base options every sandbox of the page gets (asset URLs under the deploy base path). */
export function baseOptions(onProgress?: SandboxOptions['onProgress']): SandboxOptions {
  const base = import.meta.env.BASE_URL;
  return {
    assetsUrl: `${base}wasm/`,
    sdkUrl: `${base}vendor/wasmer-sdk/dist/index.js`,
    ...(onProgress ? { onProgress } : {}),
  };
}

export interface Initial {
  sb: Sandbox;
  persistence: Persistence;
  /** False when another tab holds the remembered sandbox: this tab must not forget it. */
  remember: boolean;
}

/** The sandbox to show on load: the last persisted one if it still exists, else a new one. */
export async function openInitial(
  kind: Persistence,
  onProgress: SandboxOptions['onProgress'],
  onNote: (msg: string) => void,
): Promise<Initial> {
  const options = baseOptions(onProgress);
  const last = localStorage.getItem(ID_KEY);
  if (kind !== 'memory' && last) {
    try {
      const sb = await Sandbox.open(last, options);
      // Another tab owns it: this one is attached (its calls run in that tab's sandbox).
      if (sb.attached) onNote('Your saved sandbox is open in another tab; this tab works on it there.');
      return { sb, persistence: kind, remember: true };
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      if (err.code === 'LOCKED') {
        // Open already in this page: work in memory here and keep pointing at that sandbox.
        onNote('Your saved sandbox is open in another tab; this tab uses a temporary one.');
        return {
          sb: await Sandbox.create({ ...options, persistence: 'memory' }),
          persistence: 'memory',
          remember: false,
        };
      }
      if (!['NOT_FOUND', 'CORRUPT'].includes(err.code)) throw err;
      onNote(`Could not reopen ${last} (${err.code}); started a new sandbox.`);
    }
  }
  return { sb: await Sandbox.create({ ...options, persistence: kind }), persistence: kind, remember: true };
}
