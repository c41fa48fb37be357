// What the runtime needs to give one sandbox its host calls: the stub registered under the
// extension names and `curl` (a small per-sandbox package), and the call mount.
import type { CurlFiles } from './curl';
import { createCallHandler, type HostCallSpec } from './handler';
import { CallMount } from './mount';
import { pythonLib } from './python';

/** Guest path of the call mount. */
export const CALL_DIR = '/run/sandpit';
/** sandpit_http.py and the sitecustomize.py that patches urllib (also installed in dist-packages). */
export const PYTHON_LIB_DIR = `${CALL_DIR}/lib`;
/** The stub's module name in the per-sandbox package. */
const MODULE = 'hostcall';

/** The stub: from the loaded manifest binaries, else fetched beside them (manifest not regenerated yet). */
export async function loadHostcallModule(
  assetsUrl: string,
  loaded: { entry: { name: string }; module: Uint8Array }[],
): Promise<Uint8Array | undefined> {
  const known = loaded.find((b) => b.entry.name === MODULE);
  if (known) return known.module;
  try {
    const res = await fetch(new URL(`${MODULE}.wasm`, assetsUrl));
    return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
}

/** Command names the stub answers to in a sandbox. */
export function hostCallCommands(spec: HostCallSpec): string[] {
  return [...new Set(['curl', ...spec.extensions])];
}

/** Python's site directory (Debian's site.py: dist-packages under PYTHONHOME=/usr/local), whatever PYTHONPATH says. */
const SITE_PACKAGES = '/usr/local/lib/python3.11/dist-packages';

/** `packages.create` input registering the stub under every host-call command name. */
export function hostCallPackage(module: Uint8Array, spec: HostCallSpec) {
  return {
    modules: { [MODULE]: module },
    commands: Object.fromEntries(hostCallCommands(spec).map((c) => [c, { module: MODULE }])),
    files: Object.fromEntries(Object.entries(pythonLib()).map(([name, bytes]) => [`${SITE_PACKAGES}/${name}`, bytes])),
  };
}

export function hostCallMount(spec: HostCallSpec, files: CurlFiles): CallMount {
  return new CallMount(createCallHandler(spec, files), pythonLib(), undefined, new Set(spec.noStdin ?? []));
}
