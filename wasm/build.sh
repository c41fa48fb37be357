#!/usr/bin/env bash
# Builds every binary in public/wasm from Debian source packages, then the manifest.
# `bash wasm/build.sh busybox python` builds only the named ones.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/common.sh"
ensure_toolchain
order="compat busybox bash python sqlite lua jq mujs"
targets=("$@"); [ ${#targets[@]} -gt 0 ] || read -r -a targets <<<"$order"
for t in "${targets[@]}"; do
  [ -x "$here/$t/build.sh" ] || [ -f "$here/$t/build.sh" ] || { echo "skip $t (no build script yet)"; continue; }
  echo "== building $t"
  bash "$here/$t/build.sh"
done
node "$here/manifest.mjs"
