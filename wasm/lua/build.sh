#!/usr/bin/env bash
# Builds public/wasm/lua.wasm (the lua 5.4 interpreter) from Debian's lua5.4 source package.
# Compiled by hand: every src/*.c but luac.c, plus port.c and the setjmp runtime in sjlj/.
# Lua's errors are setjmp/longjmp; they become wasm exception handling (see README.md).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
ensure_toolchain
VER=5.4.4-3+deb12u1
src=$(fetch_source lua5.4 "$VER")/src
obj="$BUILD_ROOT/lua/obj"
rm -rf "$obj" && mkdir -p "$obj/gen"
# Debian's module-path patch includes a generated header naming the multiarch triplet.
echo '#define DEB_HOST_MULTIARCH "wasm32-wasi"' > "$obj/gen/lua5.4-deb-multiarch.h"

# Our compat library (cwd start-up sync, poll_oneoff zero-timeout wrap) when it has been built.
compat_ld=() compat_cc=() port_cc=()
if [ -f "$BUILD_ROOT/compat/link-flags" ]; then
  read -r -a compat_ld < "$BUILD_ROOT/compat/link-flags"
  compat_cc=(-DSANDPIT_COMPAT)
  # port.c's os.execute/io.popen use its posix_spawn and waitpid.
  port_cc=(-I"$here/../compat/include")
else
  echo "note: $BUILD_ROOT/compat not built; linking without it (cwd option ignored)" >&2
fi

# Plain ISO C configuration (no LUA_USE_POSIX: no popen, mkstemp or sys/wait.h in wasi-libc).
cflags=(-I"$here/sjlj" -I"$obj/gen" -include "$here/port.h" -mllvm -wasm-enable-sjlj
  -DLUA_COMPAT_5_3 "${compat_cc[@]}")
objs=()
for f in "$src"/*.c "$here/port.c" "$here/sjlj/sjlj-rt.c"; do
  b=$(basename "${f%.c}")
  [ "$b" = luac ] && continue
  extra=(); [ "$b" = port ] && extra=("${port_cc[@]}")
  # shellcheck disable=SC2086
  $CC "${extra[@]}" $WASM_CFLAGS "${cflags[@]}" -c "$f" -o "$obj/$b.o"
  objs+=("$obj/$b.o")
done
# A 1 MiB stack: wasm-ld's 64 KiB default is tight for Lua's 200 nested C calls.
# Compat before $WASM_LDFLAGS (its README): its getpid/signal win over wasi-emulated ones.
# shellcheck disable=SC2086
$CC -Wl,-z,stack-size=1048576 "${objs[@]}" "${compat_ld[@]}" $WASM_LDFLAGS -lm -o "$obj/lua.wasm"
# Stripping drops the target_features section, so name the features clang-19 emits.
optimise "$obj/lua.wasm" "$OUT_DIR/lua.wasm" --enable-mutable-globals --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-exception-handling

mkdir -p "$OUT_DIR/licenses/lua"
# The licence is the notice at the end of lua.h.
sed -n '/^\* Copyright (C) 1994/,/^\*\*\*\*\*/p' "$src/lua.h" | sed '$d; s/^\* \{0,1\}//' > "$OUT_DIR/licenses/lua/LICENSE"
cp "$(dirname "$src")/debian/copyright" "$OUT_DIR/licenses/lua/copyright"
ls -l "$OUT_DIR/lua.wasm"
