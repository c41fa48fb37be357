"""Adjusts the staged stdlib (argv[1] = its root) for python.wasm built with libsandpit-compat.

subprocess.py refuses to start processes on WASI; ours can, through the posix_spawn-based
_posixsubprocess (posixsubprocess_wasix.c), so let it decide by that module's presence."""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
p = root / "subprocess.py"
s = p.read_text()
old = '_can_fork_exec = sys.platform not in {"emscripten", "wasi"}\n'
new = (
    "try:  # sandpit: WASIX python has a posix_spawn-based _posixsubprocess\n"
    "    import _posixsubprocess\n"
    "    _can_fork_exec = True\n"
    "except ImportError:\n"
    "    " + old
)
assert old in s, "subprocess.py changed: update wasm/python/patch-stdlib.py"
p.write_text(s.replace(old, new))
