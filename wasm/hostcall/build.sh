#!/usr/bin/env bash
# Builds public/wasm/hostcall.wasm: our stub that turns a guest command (an extension, curl)
# into a call to host code through the /run/sandpit mount (src/worker/engine/hostcall/).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
ensure_toolchain
obj="$BUILD_ROOT/hostcall"
rm -rf "$obj" && mkdir -p "$obj"
# The compat library: cwd start-up sync and exit codes >= 79 (build it first if missing).
[ -f "$BUILD_ROOT/compat/link-flags" ] || "$here/../compat/build.sh"
read -r -a compat_ld < "$BUILD_ROOT/compat/link-flags"
# shellcheck disable=SC2086
$CC $WASM_CFLAGS -Wall -Wextra -I"$here/../compat/include" -c "$here/stub.c" -o "$obj/stub.o"
# shellcheck disable=SC2086
$CC "$obj/stub.o" "${compat_ld[@]}" $WASM_LDFLAGS -o "$obj/hostcall.wasm"
optimise "$obj/hostcall.wasm" "$OUT_DIR/hostcall.wasm" --enable-mutable-globals --enable-sign-ext \
  --enable-bulk-memory
mkdir -p "$OUT_DIR/licenses/hostcall"
cat > "$OUT_DIR/licenses/hostcall/LICENSE" <<'TXT'
hostcall.wasm is sandpit's own code (wasm/hostcall/stub.c), MIT licence, linked with
sandpit's compat library (wasm/compat, MIT) and Debian's wasi-libc (see its copyright).
TXT
ls -l "$OUT_DIR/hostcall.wasm"
