// Extensions are the user's explicit choice: one named like a binary's command (`jq`, `ls`,
// `python3`) runs instead of that binary, from a shell and as an argv spawn, before and after
// the late binaries (runtime.ts) are installed. What the SDK does with one command name in
// several packages (measured, @wasmer/sdk 0.16.0, Node and Chromium):
// - in a guest's shell the package installed last wins: at build the host-call package comes
//   after the binaries' packages, but the late binaries are installed after it;
// - installing a package the sandbox already has changes nothing: to come out on top again a
//   package must be a new one (its own hash);
// - `sandbox.command(name)` fails ("command `jq` is ambiguous"); a package's `command(name)`
//   (a CommandRef) picks one.

/** The part of an SDK package used here: a reference to one of its commands. */
export interface CommandSource<Ref> {
  command(name: string): Ref;
}

/** Extension names that binary commands installed after the extensions would shadow. */
export function shadowedExtensions(extensions: readonly string[], later: readonly string[]): string[] {
  const names = new Set(later);
  return extensions.filter((e) => names.has(e));
}

/**
 * `packages.create` input that puts the host-call stub back under `names`, to install after the
 * late binaries. It differs from the sandbox's host-call package (no `curl`, no files), so the
 * SDK installs it rather than finding it already there.
 */
export function extensionsOnTop(stub: Uint8Array, names: readonly string[]) {
  return {
    modules: { hostcall: stub },
    commands: Object.fromEntries(names.map((c) => [c, { module: 'hostcall' }])),
  };
}

/**
 * Which package `sandbox.command(name)` takes for names several packages provide: an
 * extension's from the host-call package, and the kernel's shell from the binaries' package
 * (an extension named `bash` is for guests' scripts; commands still run in the real shell).
 */
export function commandPins<Ref>(o: {
  extensions: readonly string[];
  /** Every command name the binaries provide. */
  binaryCommands: readonly string[];
  shell: string;
  binaries: CommandSource<Ref>;
  calls: CommandSource<Ref>;
}): Map<string, Ref> {
  const pins = new Map<string, Ref>();
  for (const name of shadowedExtensions(o.extensions, o.binaryCommands)) pins.set(name, o.calls.command(name));
  if (pins.has(o.shell)) pins.set(o.shell, o.binaries.command(o.shell));
  return pins;
}

/** Make `sandbox.command` resolve the pinned names to their package's command (nothing pinned: unchanged). */
export function pinCommands<Ref, S extends { command(selector: string | Ref, ...rest: never[]): unknown }>(
  sandbox: S,
  pins: ReadonlyMap<string, Ref>,
): S {
  if (pins.size === 0) return sandbox;
  const command = sandbox.command.bind(sandbox) as (selector: string | Ref, ...rest: unknown[]) => unknown;
  const pinned = (selector: string | Ref, ...rest: unknown[]) =>
    command(typeof selector === 'string' ? (pins.get(selector) ?? selector) : selector, ...rest);
  Object.defineProperty(sandbox, 'command', { value: pinned, configurable: true, writable: true });
  return sandbox;
}
