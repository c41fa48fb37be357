// Fetches public/wasm/manifest.json and the binaries it lists, checking each sha256, and
// reports bytes loaded so the page can show real progress.
import { KernelError } from '../errors';
import type { LoadProgress } from '../protocol';

export interface BinaryEntry {
  name: string;
  file: string;
  commands: string[];
  size: number;
  sha256: string;
  assets?: { file: string; guestPath: string }[];
  env?: Record<string, string>;
}

export interface Manifest {
  version: number;
  binaries: BinaryEntry[];
}

export interface LoadedBinary {
  entry: BinaryEntry;
  module: Uint8Array;
  assets: { guestPath: string; bytes: Uint8Array }[];
}

async function fetchBytes(url: string, onBytes: (n: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new KernelError('NOT_FOUND', `cannot load ${url}: HTTP ${res.status}`);
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.length;
    onBytes(value.length);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function loadManifest(assetsUrl: string): Promise<Manifest> {
  const res = await fetch(new URL('manifest.json', assetsUrl));
  if (!res.ok) throw new KernelError('NOT_FOUND', `no manifest.json under ${assetsUrl} (HTTP ${res.status})`);
  return (await res.json()) as Manifest;
}

export async function loadBinaries(
  assetsUrl: string,
  entries: BinaryEntry[],
  onProgress: (p: LoadProgress) => void,
): Promise<LoadedBinary[]> {
  const totalBytes = entries.reduce((n, b) => n + b.size, 0);
  let loadedBytes = 0;
  const tick = (n: number) => {
    loadedBytes += n;
    onProgress({ phase: 'binaries', loadedBytes, totalBytes });
  };
  return Promise.all(
    entries.map(async (entry) => {
      const module = await fetchBytes(new URL(entry.file, assetsUrl).href, tick);
      if ((await sha256Hex(module)) !== entry.sha256) {
        throw new KernelError('CORRUPT', `${entry.file} does not match its sha256 in manifest.json`);
      }
      const assets = await Promise.all(
        (entry.assets ?? []).map(async (a) => ({
          guestPath: a.guestPath,
          bytes: await fetchBytes(new URL(a.file, assetsUrl).href, () => undefined),
        })),
      );
      return { entry, module, assets };
    }),
  );
}
