#!/usr/bin/env bash
# Builds public/wasm/busybox.wasm from Debian's busybox source: allnoconfig plus the
# symbols in applets.txt, compiled with our wasi-libc headers (include/, bb-wasi.h) and
# linked by hand (busybox's trylink wants GNU ld's --start-group, which wasm-ld lacks).
# With wasm/compat built, links libsandpit-compat (fork/exec/spawn, setjmp) and also
# turns on applets-proc.txt; the module is then asyncify-instrumented for fork/setjmp.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
VERSION="1:1.35.0-4+deb12u1"
ensure_toolchain
src=$(fetch_source busybox "$VERSION")

work="$BUILD_ROOT/busybox"
# Kbuild cannot cope with the ':' of the epoch in fetch_source's path: build from a copy.
if [ ! -f "$work/src/.sandpit-$VERSION" ]; then
  rm -rf "$work/src" && mkdir -p "$work" && cp -a "$src" "$work/src"
  touch "$work/src/.sandpit-$VERSION"
fi
obj="$work/obj"
mkdir -p "$obj"
# Our own applets (applets/*.c, e.g. tsort, which 1.35 lacks) join coreutils/: busybox's
# Kbuild finds them through their //config, //applet and //kbuild comments.
for a in "$here"/applets/*.c; do cmp -s "$a" "$work/src/coreutils/$(basename "$a")" || cp "$a" "$work/src/coreutils/"; done
# ls: exit 2 when an operand cannot be accessed (GNU ls; 1.35 exits 1). Idempotent edit.
grep -q 'sandpit: GNU ls' "$work/src/coreutils/ls.c" ||
  sed -i 's|^\t\tif (!cur)$|\t\tif (!cur \&\& (G.exit_code = 2)) /* sandpit: GNU ls exits 2 */|' "$work/src/coreutils/ls.c"
# seq: negative numbers are numbers, not options (patches/seq-negative.inc replaces the getopt32 line).
grep -q 'sandpit: a negative number' "$work/src/coreutils/seq.c" ||
  sed -i -e '/^\topt = getopt32(argv, "+ws:", &opt_s);$/{r '"$here/patches/seq-negative.inc" -e 'd}' "$work/src/coreutils/seq.c"

# Process support comes from our compat library when it has been built (wasm/compat).
# Always rebuilt (a few seconds), so a changed compat source or link-flags reaches the link.
if [ "${BB_NO_COMPAT:-}" != 1 ] && [ -f "$here/../compat/build.sh" ]; then
  bash "$here/../compat/build.sh" >&2 || true
fi
compat=0
if [ "${BB_NO_COMPAT:-}" != 1 ] && [ -f "$BUILD_ROOT/compat/libsandpit-compat.a" ]; then compat=1; fi

# ---- configure: allnoconfig, drop the "not set" of every feature so that features of
# the chosen applets take their Kconfig defaults, then our list (applets.txt, and
# applets-proc.txt when processes work).
lists=("$here/applets.txt")
[ $compat = 1 ] && lists+=("$here/applets-proc.txt")
{ cat "${lists[@]}"; sha256sum "$0" "$here"/applets/*.c; } > "$work/applets.all"
if ! cmp -s "$work/applets.all" "$work/applets.used" || [ ! -f "$obj/.config" ]; then
  (cd "$work/src" && make O="$obj" allnoconfig >"$work/config.log" 2>&1)
  sed -i -E '/^# CONFIG_FEATURE_.* is not set$/d; /^CONFIG_FEATURE_[A-Z0-9_]+=[0-9]+$/d' "$obj/.config"
  while IFS= read -r line; do
    line=${line%%#*}; line=$(echo $line); [ -z "$line" ] && continue
    sym=${line%%=*}; val=y; [[ $line == *=* ]] && val=${line#*=}
    sed -i "/^# CONFIG_${sym} is not set\$/d; /^CONFIG_${sym}=/d" "$obj/.config"
    if [ "$val" = n ]; then echo "# CONFIG_${sym} is not set"; else echo "CONFIG_${sym}=${val}"; fi >> "$obj/.config"
  done < <(cat "${lists[@]}")
  (cd "$work/src" && (yes "" || true) | make O="$obj" oldconfig >>"$work/config.log" 2>&1)
  # Every listed symbol must have survived Kconfig's dependency checks (last setting wins).
  declare -A want=()
  while IFS= read -r line; do
    line=${line%%#*}; line=$(echo $line); [ -z "$line" ] && continue
    sym=${line%%=*}; val=y; [[ $line == *=* ]] && val=${line#*=}
    want[$sym]=$val
  done < <(cat "${lists[@]}")
  bad=0
  for sym in "${!want[@]}"; do
    if [ "${want[$sym]}" = n ]; then grep -q "^CONFIG_${sym}=y" "$obj/.config" && { echo "still on: $sym" >&2; bad=1; }
    else grep -q "^CONFIG_${sym}=" "$obj/.config" || { echo "not enabled: $sym" >&2; bad=1; }; fi
  done
  [ $bad = 0 ] || exit 1
  cp "$work/applets.all" "$work/applets.used"
fi

# ---- compile. The compat library's headers come first; ours fill in the rest.
incs=()
[ $compat = 1 ] && incs+=(-I"$here/../compat/include" -DSANDPIT_COMPAT=1)
incs+=(-I"$here/include" -include "$here/bb-wasi.h")
cc="$CC $WASM_CFLAGS ${incs[*]} -Wno-unused-command-line-argument -Wno-string-plus-int -Wno-ignored-optimization-argument"
# The final link is ours (below): busybox's own link step is replaced by `true`.
(cd "$work/src" && make O="$obj" -k -j2 CC="$cc" HOSTCC=gcc LD="$CC --target=$WASM_TARGET" \
  AR="$AR" STRIP=true SKIP_STRIP=y 'cmd_busybox__=true' busybox_unstripped >"$work/make.log" 2>&1) \
  || { grep -E 'error|Error' "$work/make.log" | head -40; exit 1; }

# ---- link by hand: every top-level built-in.o, every lib.a, and our compat objects.
ourinc=(-I"$here/include")
[ $compat = 1 ] && ourinc=(-I"$here/../compat/include" -DSANDPIT_COMPAT=1 -I"$here/include")
ours=("$here/bb-compat.c")
[ $compat = 1 ] || ours+=("$here/bb-standalone.c")
objs=()
for c in "${ours[@]}"; do
  o="$work/$(basename "${c%.c}").o"
  $CC $WASM_CFLAGS "${ourinc[@]}" -D_GNU_SOURCE -Wall -Wextra -c "$c" -o "$o"
  objs+=("$o")
done
ldextra=(-Wl,--wrap=stat,--wrap=lstat,--wrap=fstat,--wrap=fstatat,--wrap=isatty,--wrap=utimensat,--wrap=futimens,--wrap=open,--wrap=lseek,--wrap=tcgetattr,--wrap=tcsetattr)
if [ $compat = 1 ]; then
  read -r -a compat_flags < "$BUILD_ROOT/compat/link-flags"
  # Shared imported memory: Wasmer copies it into the child on fork.
  ldextra+=(-Wl,--wrap=execve "${compat_flags[@]}" -Wl,--import-memory,--shared-memory,--max-memory=1073741824,--no-check-features)
else
  ldextra+=(-Wl,--wrap=__wasi_poll_oneoff)
fi
# shellcheck disable=SC2046
# -lc-printscan-long-double: printf/awk/seq format floats through long double.
# wasi-libc's emulation libraries go last: wasm-ld takes the first archive that offers a symbol,
# so compat's signal()/raise() (signal table, SIGPIPE) must come before -lwasi-emulated-signal.
wasm_emu_libs="-lwasi-emulated${WASM_LDFLAGS#*-lwasi-emulated}"
$CC ${WASM_LDFLAGS%%-lwasi-emulated*} -Wl,-z,stack-size=1048576 -o "$work/busybox_unstripped.wasm" \
  $(cd "$obj" && ls "$obj"/*/built-in.o) $(find "$obj" -name lib.a | sort) "${objs[@]}" "${ldextra[@]}" \
  -lc-printscan-long-double $wasm_emu_libs

# ---- optimise (and, with processes, asyncify so fork/setjmp can unwind the stack).
if [ $compat = 1 ]; then
  imports="wasix_32v1.proc_fork,wasix_32v1.proc_exec3,wasix_32v1.stack_checkpoint,wasix_32v1.stack_restore"
  wasm-opt --enable-threads --enable-bulk-memory --enable-mutable-globals --enable-sign-ext \
    --asyncify --pass-arg=asyncify-imports@$imports -O2 --strip-debug \
    "$work/busybox_unstripped.wasm" -o "$OUT_DIR/busybox.wasm"
else
  optimise "$work/busybox_unstripped.wasm" "$OUT_DIR/busybox.wasm" --enable-mutable-globals --enable-sign-ext --strip-debug
fi

# ---- licence texts from the Debian source.
mkdir -p "$OUT_DIR/licenses/busybox"
cp "$work/src/LICENSE" "$OUT_DIR/licenses/busybox/LICENSE"
cp "$work/src/debian/copyright" "$OUT_DIR/licenses/busybox/copyright"
ls -l "$OUT_DIR/busybox.wasm"
