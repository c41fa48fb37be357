// Starts one of the SDK's pool workers while the kernel creates the package of the first
// binaries: a guest process runs in a pool worker, and the pool starts its first worker only
// when the first process is spawned (a new Worker, its script, the SDK's wasm instantiated in
// it: ~100-300 ms measured on 2 busy cores). Running a no-op guest as soon as the client is
// ready starts that worker beside the package's creation; the first command then finds it idle.
import type { Sdk } from './sdk';

type Wasmer = InstanceType<Sdk['Wasmer']>;

/** `(module (memory (export "memory") 1) (func (export "_start") i32.const 0 call $proc_exit))`. */
export const NOOP = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  // types: (i32) -> (), () -> ()
  0x01,
  0x08,
  0x02,
  0x60,
  0x01,
  0x7f,
  0x00,
  0x60,
  0x00,
  0x00,
  // import wasi_snapshot_preview1.proc_exit : type 0
  0x02,
  0x24,
  0x01,
  0x16,
  ...ascii('wasi_snapshot_preview1'),
  0x09,
  ...ascii('proc_exit'),
  0x00,
  0x00,
  // one function of type 1
  0x03,
  0x02,
  0x01,
  0x01,
  // memory: 1 page
  0x05,
  0x03,
  0x01,
  0x00,
  0x01,
  // exports: memory, _start
  0x07,
  0x13,
  0x02,
  0x06,
  ...ascii('memory'),
  0x02,
  0x00,
  0x06,
  ...ascii('_start'),
  0x00,
  0x01,
  // code: i32.const 0; call 0; end
  0x0a,
  0x08,
  0x01,
  0x06,
  0x00,
  0x41,
  0x00,
  0x10,
  0x00,
  0x0b,
]);

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

/** Runs a no-op guest in a throwaway SDK sandbox; never fails (it only saves time). */
export async function warmPool(wasmer: Wasmer): Promise<void> {
  try {
    const pkg = await wasmer.packages.create({ modules: { noop: NOOP }, commands: { noop: { module: 'noop' } } });
    const sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
    try {
      await sandbox.command('noop').run({ check: false, timeoutMs: 10_000 });
    } finally {
      await sandbox.close();
    }
  } catch {
    // The first command starts its worker itself, as without this.
  }
}
