"""Adjusts the staged stdlib (argv[1] = its root) for python.wasm on WASIX.

- subprocess.py refuses to start processes on WASI; with libsandpit-compat ours can, through
  the posix_spawn-based _posixsubprocess (posixsubprocess_wasix.c): decide by that module.
- asyncio's event loop wakes itself through socket.socketpair(), which WASI lacks; a pipe
  does the same job, so asyncio.run() works."""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])


def patch(rel, old, new):
    p = root / rel
    s = p.read_text()
    assert old in s, f"{rel} changed: update wasm/python/patch-stdlib.py"
    p.write_text(s.replace(old, new, 1))


old = '_can_fork_exec = sys.platform not in {"emscripten", "wasi"}\n'
patch("subprocess.py", old,
      "try:  # sandpit: WASIX python has a posix_spawn-based _posixsubprocess\n"
      "    import _posixsubprocess\n"
      "    _can_fork_exec = True\n"
      "except ImportError:\n"
      "    " + old)

patch("asyncio/selector_events.py",
      "        self._ssock, self._csock = socket.socketpair()\n",
      "        try:\n"
      "            self._ssock, self._csock = socket.socketpair()\n"
      "        except OSError:  # sandpit: no sockets on WASI; a pipe wakes the loop too\n"
      "            r, w = os.pipe()\n"
      "            self._ssock, self._csock = _PipeEnd(r), _PipeEnd(w)\n")
patch("asyncio/selector_events.py",
      "import collections\n",
      "import collections\nimport os\n")
patch("asyncio/selector_events.py",
      "\ndef _test_selector_event(",
      '''
class _PipeEnd:
    """The socket methods the self-pipe uses, on one end of an os.pipe() (sandpit)."""

    def __init__(self, fd):
        self._fd = fd

    def fileno(self):
        return self._fd

    def setblocking(self, flag):
        os.set_blocking(self._fd, flag)

    def recv(self, n):
        return os.read(self._fd, n)

    def send(self, data):
        return os.write(self._fd, data)

    def close(self):
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

''' + "\ndef _test_selector_event(")
