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
