# Shared helpers for the wasm build scripts: toolchain, Debian sources, sysroot, flags.
# Sourced by wasm/<name>/build.sh; every function is idempotent so scripts can be re-run.
set -euo pipefail

WASM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$WASM_DIR/.." && pwd)"
OUT_DIR="$ROOT_DIR/public/wasm"
# Sources and intermediate builds live outside the tree (never committed).
BUILD_ROOT="${SANDPIT_WASM_BUILD:-/tmp/sandpit-wasm}"
SYSROOT="$BUILD_ROOT/sysroot"
mkdir -p "$BUILD_ROOT" "$OUT_DIR"

TOOLCHAIN_PKGS="clang-19 lld-19 libclang-rt-19-dev-wasm32 wasi-libc binaryen dpkg-dev"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Install Debian's wasm toolchain if any part is missing.
ensure_toolchain() {
  local missing=()
  for p in $TOOLCHAIN_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
  fi
  ensure_sysroot
}

# A sysroot folder keeps configure scripts away from the host's /usr/include.
ensure_sysroot() {
  [ -e "$SYSROOT/lib/wasm32-wasi/libc.a" ] && return 0
  mkdir -p "$SYSROOT/lib"
  ln -sfn /usr/include/wasm32-wasi "$SYSROOT/include"
  ln -sfn /usr/lib/wasm32-wasi "$SYSROOT/lib/wasm32-wasi"
}

# deb-src entries derived from the machine's own apt sources (same mirror, same key).
ensure_debsrc() {
  local f=/etc/apt/sources.list.d/sandpit-src.sources
  [ -e "$f" ] && return 0
  local src=/etc/apt/sources.list.d/debian.sources
  local uri signed
  uri=$(awk '/^URIs:/ {print $2; exit}' "$src")
  signed=$(awk '/^Signed-By:/ {print $2; exit}' "$src")
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: %s\n' \
    "$uri" "$signed" | as_root tee "$f" >/dev/null
  as_root apt-get update -qq
}

# fetch_source PKG VERSION -> prints the unpacked source dir (under $BUILD_ROOT/src).
fetch_source() {
  local pkg=$1 ver=$2 dir="$BUILD_ROOT/src/$1-$2"
  if [ ! -d "$dir/unpacked" ]; then
    ensure_debsrc
    rm -rf "$dir" && mkdir -p "$dir" && (cd "$dir" && apt-get source -qq "$pkg=$ver" >&2)
    local sub
    sub=$(find "$dir" -mindepth 1 -maxdepth 1 -type d | head -1)
    mv "$sub" "$dir/unpacked"
  fi
  echo "$dir/unpacked"
}

export CC=clang-19 AR=llvm-ar-19 RANLIB=llvm-ranlib-19 NM=llvm-nm-19 STRIP=llvm-strip-19
export WASM_TARGET=wasm32-wasi
# clang >= 16 treats int-conversion as an error; wasi-libc 2022's clockid_t trips it.
export WASM_CFLAGS="--target=$WASM_TARGET --sysroot=$SYSROOT -O2 -Wno-error=int-conversion -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID"
export WASM_LDFLAGS="--target=$WASM_TARGET --sysroot=$SYSROOT -Wl,--strip-all -lwasi-emulated-signal -lwasi-emulated-process-clocks -lwasi-emulated-mman -lwasi-emulated-getpid"

# optimise IN OUT [extra wasm-opt flags]: binaryen pass, keeps the result small.
optimise() { wasm-opt -O2 "${@:3}" "$1" -o "$2"; }
