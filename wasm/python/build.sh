#!/usr/bin/env bash
# CPython 3.11 (Debian source python3.11) for wasm32-wasi, run under Wasmer/WASIX.
# Writes public/wasm/python.wasm (interpreter, zlib/bz2/lzma/sqlite3 statically linked) and
# public/wasm/python311.zip (the stdlib as .pyc only, mounted at /usr/local/lib/python311.zip).
# Cross build: Debian's own python3.11 (same 3.11.2 sources) is the build python, so no host
# build of CPython is needed.
# Usage: bash wasm/python/build.sh   (re-runnable; CLEAN=1 reconfigures from scratch)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
ensure_toolchain

PY_VER=3.11.2-6+deb12u8
BUILD_PY=/usr/bin/python3.11
[ -x "$BUILD_PY" ] || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3.11 zip
command -v zip >/dev/null || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq zip
command -v pkg-config >/dev/null || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq pkg-config

bash "$here/../libs/build.sh"
PREFIX="$BUILD_ROOT/prefix"
src=$(fetch_source python3.11 "$PY_VER")
# libsandpit-compat (wasm/compat: pipe/dup/posix_spawn/waitpid/kill on WASIX, the poll and cwd
# fixes, deterministic mode) is always linked; _posixsubprocess is our posix_spawn-based
# fork_exec. SANDPIT_COMPAT_DIR points at another compat build (one made from a clean checkout
# while wasm/compat is being edited).
COMPAT_DIR="${SANDPIT_COMPAT_DIR:-$BUILD_ROOT/compat}"
[ -e "$COMPAT_DIR/libsandpit-compat.a" ] || bash "$here/../compat/build.sh"
B="$BUILD_ROOT/python/build-wasi-compat"
COMPAT_INC="-I$here/include -I$ROOT_DIR/wasm/compat/include"
# Python's own additions (growmem.c): malloc's sbrk grows the memory in big steps; and reads of
# /dev/urandom are seeded in deterministic mode (wasm/compat/src/wrap_determ.c) when these
# wraps are on the link line.
PY_OBJ="$BUILD_ROOT/python/growmem.o"
# shellcheck disable=SC2086
$CC $WASM_CFLAGS -Wall -Wextra -c "$here/growmem.c" -o "$PY_OBJ"
PY_WRAPS="-Wl,--wrap=sbrk -Wl,--wrap=__wasi_path_open -Wl,--wrap=__wasi_fd_read -Wl,--wrap=__wasi_fd_close -Wl,--wrap=__wasi_fd_renumber"
link_flags() { echo "$(cat "$COMPAT_DIR/link-flags") $PY_WRAPS $WASM_LDFLAGS -L$PREFIX/lib $PY_OBJ"; }
[ "${CLEAN:-0}" = 1 ] && rm -rf "$B"
mkdir -p "$B/Modules"
# makesetup wants sources under Modules/ of the source tree.
for f in posixsubprocess_wasix.c fcntl_locks.c; do
  cmp -s "$here/$f" "$src/Modules/_sandpit_$f" || cp "$here/$f" "$src/Modules/_sandpit_$f"
done
# subprocess on WASIX posix_spawn; pwd/grp on compat's one-user tables; fcntl (locks granted); termios.
printf '*static*\n_posixsubprocess _sandpit_posixsubprocess_wasix.c\npwd pwdmodule.c\ngrp grpmodule.c\nfcntl fcntlmodule.c _sandpit_fcntl_locks.c -DSANDPIT_FCNTL_LOCKS\ntermios termios.c\n' \
  >"$B/Setup.local.new"
# Rewriting Setup.local would make the Makefile regenerate on every run.
cmp -s "$B/Setup.local.new" "$B/Modules/Setup.local" || mv "$B/Setup.local.new" "$B/Modules/Setup.local"
cat "$here/config.site-compat" >"$B/config.site.extra"

if [ ! -e "$B/Makefile" ]; then
  (
    cd "$B"
    # configure loads one site file: CPython's WASI answers, then ours.
    cat "$src/Tools/wasm/config.site-wasm32-wasi" "$here/config.site" config.site.extra >config.site
    export CONFIG_SITE="$B/config.site"
    export PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR=""
    # --target in CC so that configure's preprocessor checks see wasi-libc, not host headers.
    # No -O in configure's CFLAGS: an -O link makes clang run wasm-opt, which chokes on the
    # signature-mismatch stubs of every AC_CHECK_FUNCS probe (all would read "no"). The
    # Makefile's OPT adds -O3 for the real compiles; links stay without -O.
    CC="$CC --target=$WASM_TARGET --sysroot=$SYSROOT $COMPAT_INC" \
    CPP="$CC --target=$WASM_TARGET --sysroot=$SYSROOT $COMPAT_INC -E" \
    CFLAGS="${WASM_CFLAGS//-O2/} -I$PREFIX/include" \
    LDFLAGS="$(link_flags)" READELF=true \
      "$src/configure" --host=wasm32-unknown-wasi --build="$("$src/config.guess")" \
        --with-build-python="$BUILD_PY" --prefix=/usr/local \
        --disable-test-modules --with-ensurepip=no \
        >configure.log 2>&1 || { tail -40 configure.log; exit 1; }
  )
fi

# The link flags are given again at make time: configure froze the ones of its day, and the
# compat library gains wraps. python.wasm is relinked every run (its rule does not see them).
rm -f "$B/python.wasm"
make -C "$B" -j2 CONFIGURE_LDFLAGS="$(link_flags)" >"$B/make.log" 2>&1 || { grep -E 'error:|Error ' "$B/make.log" | cut -c1-300 | tail -30; exit 1; }
grep -A30 'The necessary bits' "$B/make.log" | head -40 || true

# binaryen 108 must be told the features clang 19 uses by default.
optimise "$B/python.wasm" "$OUT_DIR/python.wasm" --strip-debug --strip-producers \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types
ls -l "$B/python.wasm" "$OUT_DIR/python.wasm"

# The stdlib as a .pyc-only zip (what `import` needs; tests, GUI and build tooling left out).
Z="$BUILD_ROOT/python/zip"
rm -rf "$Z" && mkdir -p "$Z/lib"
(cd "$src/Lib" && tar cf - --exclude=__pycache__ --exclude='test' --exclude='tests' \
   --exclude=idlelib --exclude=tkinter --exclude=turtledemo --exclude=ensurepip \
   --exclude=lib2to3 --exclude=venv --exclude=pydoc_data --exclude=site-packages \
   --exclude=distutils/command/'*.exe' --exclude='*.exe' \
   --exclude=turtle.py --exclude=ctypes/macholib --exclude='*.txt' .) | tar xf - -C "$Z/lib"
"$BUILD_PY" "$here/patch-stdlib.py" "$Z/lib"
sysconf=$(cat "$B/pybuilddir.txt")
cp "$B/$sysconf"/_sysconfigdata_*.py "$Z/lib/"
# Debian's multiarch patch names it _sysconfigdata__wasi_wasm32-wasi; sysconfig looks up
# _sysconfigdata__wasm32-wasi on the target.
for f in "$Z/lib"/_sysconfigdata__wasi_*.py; do
  [ -e "$f" ] && cp "$f" "$Z/lib/_sysconfigdata__${f##*_sysconfigdata__wasi_}"
done
"$BUILD_PY" - "$Z/lib" <<'EOF'
import compileall, pathlib, sys
root = pathlib.Path(sys.argv[1])
ok = compileall.compile_dir(root, quiet=1, legacy=True, ddir="/usr/local/lib/python311.zip",
                            invalidation_mode=__import__("py_compile").PycInvalidationMode.UNCHECKED_HASH)
for p in root.rglob("*.py"):
    p.unlink()
sys.exit(0 if ok else 1)
EOF
find "$Z/lib" -exec touch -h -t 202001010000 {} +   # stable zip bytes across rebuilds
rm -f "$OUT_DIR/python311.zip"
(cd "$Z/lib" && find . -type f | LC_ALL=C sort | TZ=UTC zip -q -X -9 -D "$OUT_DIR/python311.zip" -@)
ls -l "$OUT_DIR/python311.zip"

mkdir -p "$OUT_DIR/licenses/python"
cp "$src/LICENSE" "$src/debian/copyright" "$OUT_DIR/licenses/python/"
