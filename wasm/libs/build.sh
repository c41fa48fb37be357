#!/usr/bin/env bash
# Static wasm32-wasi libraries from Debian sources: zlib, bzip2 (libbz2), xz-utils (liblzma),
# sqlite3. Installed into $BUILD_ROOT/prefix (include/, lib/, lib/pkgconfig/) for python and
# any other binary that links them; their licence texts go to public/wasm/licenses/<lib>/.
# Usage: bash wasm/libs/build.sh   (re-runnable; a lib already in the prefix is skipped)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
ensure_toolchain

ZLIB_VER=1:1.2.13.dfsg-1
BZIP2_VER=1.0.8-5
XZ_VER=5.4.1-1+deb12u1
SQLITE_VER=3.40.1-2+deb12u2

PREFIX="$BUILD_ROOT/prefix"
WORK="$BUILD_ROOT/libs"
mkdir -p "$PREFIX/include" "$PREFIX/lib/pkgconfig" "$WORK"
CFLAGS_LIB="$WASM_CFLAGS -O2"

licence() { # licence NAME FILE...: copy licence texts to public/wasm/licenses/NAME/
  local name=$1; shift
  mkdir -p "$OUT_DIR/licenses/$name"
  for f in "$@"; do cp "$f" "$OUT_DIR/licenses/$name/"; done
}

pcfile() { # pcfile NAME VERSION LIBS
  printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: %s\nDescription: %s (wasm32-wasi, static)\nVersion: %s\nLibs: -L${libdir} %s\nCflags: -I${includedir}\n' \
    "$PREFIX" "$1" "$1" "$2" "$3" >"$PREFIX/lib/pkgconfig/$1.pc"
}

# Compile a list of C files (relative to the current dir) into one static archive.
archive() { # archive OUT.a CFLAGS... -- FILES...
  local out=$1; shift
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done; shift
  local objs=()
  for f in "$@"; do
    local o="$WORK/obj/$(basename "$out" .a)/${f%.c}.o"
    mkdir -p "$(dirname "$o")"
    $CC $CFLAGS_LIB "${flags[@]}" -c "$f" -o "$o"
    objs+=("$o")
  done
  rm -f "$out"; $AR rcs "$out" "${objs[@]}"
}

build_zlib() {
  [ -e "$PREFIX/lib/libz.a" ] && return 0
  local src; src=$(fetch_source zlib "$ZLIB_VER")
  cd "$src"
  archive "$PREFIX/lib/libz.a" -DHAVE_UNISTD_H -DHAVE_STDARG_H -D_LARGEFILE64_SOURCE=1 -- \
    adler32.c crc32.c deflate.c infback.c inffast.c inflate.c inftrees.c trees.c zutil.c \
    compress.c uncompr.c gzclose.c gzlib.c gzread.c gzwrite.c
  cp zlib.h zconf.h "$PREFIX/include/"
  pcfile zlib 1.2.13 -lz
  licence zlib debian/copyright
  sed -n '/Copyright notice/,$p' README >"$OUT_DIR/licenses/zlib/LICENSE"
}

build_bzip2() {
  [ -e "$PREFIX/lib/libbz2.a" ] && return 0
  local src; src=$(fetch_source bzip2 "$BZIP2_VER")
  cd "$src"
  archive "$PREFIX/lib/libbz2.a" -D_FILE_OFFSET_BITS=64 -- \
    blocksort.c huffman.c crctable.c randtable.c compress.c decompress.c bzlib.c
  cp bzlib.h "$PREFIX/include/"
  pcfile bzip2 1.0.8 -lbz2
  licence bzip2 LICENSE debian/copyright
}

build_xz() {
  [ -e "$PREFIX/lib/liblzma.a" ] && return 0
  local src; src=$(fetch_source xz-utils "$XZ_VER")
  rm -rf "$WORK/xz" && mkdir -p "$WORK/xz" && cd "$WORK/xz"
  # mythread.h defines an (unused without threads) sigprocmask wrapper; WASI has neither.
  CFLAGS="$CFLAGS_LIB -include $here/xz-wasi.h" LDFLAGS="$WASM_LDFLAGS" "$src/configure" --host=wasm32-unknown-wasi \
    --prefix="$PREFIX" --enable-static --disable-shared --disable-threads --disable-nls \
    --disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo --disable-lzma-links \
    --disable-scripts --disable-doc >configure.log
  make -j2 -C src/liblzma >make.log
  make -C src/liblzma install >>make.log
  licence xz "$src/COPYING" "$src/debian/copyright"
}

build_sqlite() {
  [ -e "$PREFIX/lib/libsqlite3.a" ] && return 0
  local src; src=$(fetch_source sqlite3 "$SQLITE_VER")
  # The Debian source is the full tree: make the amalgamation with a native configure (tclsh).
  command -v tclsh >/dev/null || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq tcl
  mkdir -p "$WORK/sqlite-amalg" && cd "$WORK/sqlite-amalg"
  [ -e sqlite3.c ] || { CC=gcc "$src/configure" >configure.log && make sqlite3.c >make.log; }
  # wasi-libc has no fcntl record locks: sandpit_sqlite_fcntl turns them into no-ops (one
  # writer per sandbox), and WAL (shared-memory mmap) is left out.
  $CC $CFLAGS_LIB -c "$here/sqlite-fcntl.c" -o sqlite-fcntl.o
  $CC $CFLAGS_LIB -include "$here/sqlite-wasi.h" \
    -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL \
    -DSQLITE_MAX_MMAP_SIZE=0 -DSQLITE_DEFAULT_MEMSTATUS=0 \
    -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1 -DSQLITE_ENABLE_MATH_FUNCTIONS \
    -DHAVE_USLEEP=1 -DHAVE_FCHOWN=0 -DHAVE_READLINK=1 -DHAVE_LSTAT=1 \
    -c sqlite3.c -o sqlite3.o
  rm -f "$PREFIX/lib/libsqlite3.a"; $AR rcs "$PREFIX/lib/libsqlite3.a" sqlite3.o sqlite-fcntl.o
  cp sqlite3.h sqlite3ext.h "$PREFIX/include/"
  pcfile sqlite3 3.40.1 -lsqlite3
  licence sqlite "$src/LICENSE.md" "$src/debian/copyright"
}

build_zlib
build_bzip2
build_xz
build_sqlite
ls -l "$PREFIX/lib"/*.a
