#!/usr/bin/env bash
# Builds public/wasm/mujs.wasm from Debian's mujs source package: the library as one unit
# (one.c) plus our own main.c (adds -e and stdin scripts). MuJS's try/catch is
# setjmp/longjmp, done with wasm exception handling like Lua (see ../lua/README.md).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
ensure_toolchain
VER=1.3.2-1
src=$(fetch_source mujs "$VER")
obj="$BUILD_ROOT/mujs"
rm -rf "$obj" && mkdir -p "$obj"
sjlj="$here/../lua/sjlj"

# Our compat library (cwd start-up sync, poll_oneoff zero-timeout wrap) when it has been built.
compat_ld=() compat_cc=()
if [ -f "$BUILD_ROOT/compat/link-flags" ]; then
  read -r -a compat_ld < "$BUILD_ROOT/compat/link-flags"
  compat_cc=(-DSANDPIT_COMPAT)
else
  echo "note: $BUILD_ROOT/compat not built; linking without it (cwd option ignored)" >&2
fi

# MuJS's default limits (256 stack values, 128 nested calls) stop plain recursion early;
# 1024 calls fit the 1 MiB wasm stack set below.
cflags=(-I"$sjlj" -I"$src" -mllvm -wasm-enable-sjlj -DJS_STACKSIZE=8192 -DJS_ENVLIMIT=1024
  "${compat_cc[@]}")
# shellcheck disable=SC2086
$CC $WASM_CFLAGS "${cflags[@]}" -c "$src/one.c" -o "$obj/one.o"
# shellcheck disable=SC2086
$CC $WASM_CFLAGS "${cflags[@]}" -Wall -Wextra -c "$here/main.c" -o "$obj/main.o"
# shellcheck disable=SC2086
$CC $WASM_CFLAGS "${cflags[@]}" -c "$sjlj/sjlj-rt.c" -o "$obj/sjlj-rt.o"
# 1 MiB stack (default 64 KiB): the parser and interpreter recurse.
# Compat before $WASM_LDFLAGS (its README): its getpid/signal win over wasi-emulated ones.
# shellcheck disable=SC2086
$CC -Wl,-z,stack-size=1048576 "$obj/main.o" "$obj/one.o" "$obj/sjlj-rt.o" "${compat_ld[@]}" \
  $WASM_LDFLAGS -lm -o "$obj/mujs.wasm"
# Stripping drops the target_features section, so name the features clang-19 emits.
optimise "$obj/mujs.wasm" "$OUT_DIR/mujs.wasm" --enable-mutable-globals --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-exception-handling

mkdir -p "$OUT_DIR/licenses/mujs"
cp "$src/COPYING" "$OUT_DIR/licenses/mujs/COPYING"
cp "$src/debian/copyright" "$OUT_DIR/licenses/mujs/copyright"
ls -l "$OUT_DIR/mujs.wasm"
