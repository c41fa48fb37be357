#!/usr/bin/env bash
# Builds public/wasm/jq.wasm (jq 1.6) from Debian's jq source package, with regular
# expressions from Debian's libonig (oniguruma 6.9.8), both through their autotools builds.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
ensure_toolchain
# Debian's jq and libonig sources ship configure.ac only.
for p in autoconf automake libtool; do
  dpkg -s "$p" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$p"
done
JQ_VER=1.6-2.1+deb12u2
ONIG_VER=6.9.8-1
jq_src=$(fetch_source jq "$JQ_VER")
onig_src=$(fetch_source libonig "$ONIG_VER")
work="$BUILD_ROOT/jq"
prefix="$work/prefix"
rm -rf "$work" && mkdir -p "$work"
cross=(--host=wasm32-wasi --disable-shared --enable-static CC="$CC" AR="$AR" RANLIB="$RANLIB"
  CFLAGS="$WASM_CFLAGS" LDFLAGS="$WASM_LDFLAGS")

# oniguruma: only the library (src/), installed into a private prefix.
cp -a "$onig_src" "$work/onig"
(cd "$work/onig" && autoreconf -fi >/dev/null 2>&1 && ./configure "${cross[@]}" --prefix="$prefix" >/dev/null &&
  make -j2 -C src >/dev/null && make -C src install >/dev/null)

# jq: configure finds the wasi-libc features; Debian drops the vendored oniguruma.
cp -a "$jq_src" "$work/jq"
cd "$work/jq"
rm -rf modules/oniguruma
autoreconf -fi >/dev/null 2>&1
./configure "${cross[@]}" --disable-docs --disable-maintainer-mode --disable-valgrind \
  --with-oniguruma="$prefix" >/dev/null
# include/: the pthread_once and pwd.h jq asks for; port.h: realpath and NO_COLOR.
# HAVE_MKSTEMP: skip jq's unused fallback mkstemp, which needs mktemp (absent too).
base_cflags=$(sed -n 's/^CFLAGS = //p' Makefile)
make -j2 src/builtin.inc src/version.h >/dev/null
make -j2 libjq.la src/main.o >/dev/null \
  CFLAGS="$base_cflags -DHAVE_MKSTEMP=1 -I$here/include -include $here/port.h"

# Our compat library (cwd start-up sync, poll_oneoff zero-timeout wrap) when it has been built.
compat_ld=() compat_cc=()
if [ -f "$BUILD_ROOT/compat/link-flags" ]; then
  read -r -a compat_ld < "$BUILD_ROOT/compat/link-flags"
  compat_cc=(-DSANDPIT_COMPAT)
else
  echo "note: $BUILD_ROOT/compat not built; linking without it (cwd option ignored)" >&2
fi
# shellcheck disable=SC2086
$CC $WASM_CFLAGS "${compat_cc[@]}" -c "$here/port.c" -o "$work/port.o"
# Linked by hand: libtool will not mix our objects into its link. 1 MiB stack (default
# 64 KiB) for the recursive printer and parser on deeply nested JSON.
# Compat before $WASM_LDFLAGS (its README): its getpid/signal win over wasi-emulated ones.
# shellcheck disable=SC2086
$CC -Wl,-z,stack-size=1048576 src/main.o .libs/libjq.a "$prefix/lib/libonig.a" \
  "$work/port.o" "${compat_ld[@]}" $WASM_LDFLAGS -lm -o "$work/jq.wasm"
# Stripping drops the target_features section, so name the features clang-19 emits.
optimise "$work/jq.wasm" "$OUT_DIR/jq.wasm" --enable-mutable-globals --enable-sign-ext \
  --enable-reference-types --enable-multivalue

mkdir -p "$OUT_DIR/licenses/jq"
cp "$jq_src/COPYING" "$OUT_DIR/licenses/jq/COPYING"
cp "$jq_src/debian/copyright" "$OUT_DIR/licenses/jq/copyright"
cp "$onig_src/COPYING" "$OUT_DIR/licenses/jq/oniguruma-COPYING"
cp "$onig_src/debian/copyright" "$OUT_DIR/licenses/jq/oniguruma-copyright"
ls -l "$OUT_DIR/jq.wasm"
