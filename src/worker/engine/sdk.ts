// Loads @wasmer/sdk at run time from its own URL. Bundling breaks it (its nested workers and
// wasm are resolved relative to its own module URL), so the build copies dist/ and pkg/
// unchanged and we import them here; only the types come from the package.
import type * as WasmerSdk from '@wasmer/sdk/browser';

export type Sdk = typeof WasmerSdk;

let loading: Promise<Sdk> | undefined;

export function loadSdk(url: string): Promise<Sdk> {
  loading ??= import(/* @vite-ignore */ url) as Promise<Sdk>;
  return loading;
}

/**
 * The SDK's own wasm memory: one shared memory for the page's engine (its scheduler, its
 * workers' runtime state, pipes and buffers). The SDK initialised it already, so its
 * initialiser just hands back the exports.
 */
export async function sdkMemory(url: string): Promise<WebAssembly.Memory | undefined> {
  try {
    const pkg = (await import(/* @vite-ignore */ new URL('../pkg/wasmer_sdk_js.js', url).href)) as {
      default: () => Promise<{ memory?: WebAssembly.Memory }>;
    };
    return (await pkg.default()).memory;
  } catch {
    return undefined;
  }
}
