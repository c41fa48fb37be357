#!/usr/bin/env bash
# Builds libsandpit-compat.a (POSIX process, fd, signal, tty and user calls on WASIX) into
# $BUILD_ROOT/compat, plus link-flags: the flags a consumer adds after its objects.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
ensure_toolchain
out="$BUILD_ROOT/compat"
rm -rf "$out/obj" && mkdir -p "$out/obj"
objs=()
for src in "$here"/src/*.c; do
  obj="$out/obj/$(basename "${src%.c}").o"
  # shellcheck disable=SC2086
  $CC $WASM_CFLAGS -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -I"$here/include" -c "$src" -o "$obj"
  objs+=("$obj")
done
rm -f "$out/libsandpit-compat.a"
$AR rcs "$out/libsandpit-compat.a" "${objs[@]}"
# The exports the runtime needs for fork/setjmp (asyncify unwinding finds the stack
# through them); the wraps fix cwd propagation and zero-timeout polls.
cat > "$out/link-flags" <<FLAGS
-L$out -lsandpit-compat -Wl,--wrap=__wasi_poll_oneoff -Wl,--wrap=chdir -Wl,--wrap=__wasi_proc_exit -Wl,--wrap=__wasi_clock_time_get -Wl,--wrap=__wasi_random_get -Wl,--wrap=ioctl -Wl,--wrap=__wasi_fd_read -Wl,--wrap=__wasi_path_open -Wl,--wrap=__wasi_fd_close -Wl,--wrap=__wasi_fd_renumber -Wl,--wrap=__wasi_fd_write -Wl,--wrap=__wasi_args_sizes_get -Wl,--wrap=__wasi_args_get -Wl,--wrap=__wasi_environ_sizes_get -Wl,--wrap=__wasi_environ_get -Wl,--wrap=rename -Wl,--wrap=__wasilibc_nocwd_fstatat -Wl,--wrap=__wasilibc_nocwd_readlinkat -Wl,--wrap=__wasilibc_nocwd_symlinkat -Wl,--wrap=__wasilibc_nocwd_utimensat -Wl,--wrap=__wasilibc_nocwd_mkdirat_nomode -Wl,--wrap=__wasilibc_nocwd_faccessat -Wl,--wrap=__wasilibc_nocwd___wasilibc_unlinkat -Wl,--wrap=__wasilibc_nocwd___wasilibc_rmdirat -Wl,--wrap=chmod -Wl,--wrap=fchmodat -Wl,--wrap=fchmod -Wl,--wrap=__wasi_fd_filestat_set_times -Wl,--wrap=__wasi_fd_filestat_get -Wl,--wrap=die_if_ferror -Wl,--wrap=die_if_ferror_stdout -Wl,--export=__stack_pointer -Wl,--export=__data_end -Wl,--export=__heap_base -Wl,--export=__stack_low -Wl,--export=__stack_high
FLAGS
echo "built $out/libsandpit-compat.a"
