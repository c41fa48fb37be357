#!/usr/bin/env bash
# Cross-builds GNU bash 5.2 (Debian bookworm source) for WASIX: wasi-libc + our compat
# library, shared imported memory, then binaryen asyncify so fork/setjmp work under Wasmer.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"
ensure_toolchain
BASH_VER=5.2.15-2
bash "$here/../compat/build.sh"
src=$(fetch_source bash "$BASH_VER")
# wasm's crt only calls a 2-argument main; with NO_MAIN_ENV_ARG bash still needs its local
# `env`, which upstream declares for __OPENNT only. Idempotent edit of the unpacked source.
sed -i 's|^#ifdef __OPENNT$|#if defined (__OPENNT) \|\| defined (NO_MAIN_ENV_ARG)|' "$src/shell.c"
# WASI's readdir reports d_ino 0 for every entry and bash's glob skips such entries (no
# pathname expansion at all): treat every entry as real, as for systems without d_ino.
sed -i 's|^#if !defined (HAVE_STRUCT_DIRENT_D_INO) \|\| defined (BROKEN_DIRENT_D_INO)$|#if 1 /* sandpit: WASI d_ino is 0 */|' "$src/include/posixdir.h"
work="$BUILD_ROOT/bash"
mkdir -p "$work/bin"

# clang runs wasm-opt on every optimised link and that fails on shared memory without the
# threads feature; the wrapper drops -O on link-only invocations (we optimise afterwards).
cat > "$work/bin/wasmcc" <<'WRAP'
#!/bin/sh
for a in "$@"; do case "$a" in -c|-E|-S|-M|-MM) exec clang-19 "$@";; esac; done
args=""
for a in "$@"; do case "$a" in -O*) ;; *) args="$args '$(printf %s "$a" | sed "s/'/'\\\\''/g")'";; esac; done
eval exec clang-19 $args
WRAP
chmod +x "$work/bin/wasmcc"

compat_inc="$here/../compat/include"
# compat's ttymerge.o (its constructor merges stderr into stdout in a terminal), linked by name.
# -lc-printscan-long-double: bash formats floats through long double (printf %f/%e/%g).
# statmode.o: POSIX-looking modes/owners for bash's PATH search, test -x, `.`, noclobber.
linkflags="$(cat "$BUILD_ROOT/compat/link-flags") $BUILD_ROOT/compat/obj/ttymerge.o $BUILD_ROOT/compat/obj/statmode.o -Wl,--wrap=stat,--wrap=lstat,--wrap=fstat,--wrap=fstatat -lc-printscan-long-double"
# Shared imported memory: Wasmer copies it into the child on fork. 1 MiB C stack.
memflags="-Wl,--import-memory,--shared-memory,--max-memory=1073741824,--no-check-features -Wl,-z,stack-size=1048576"

build="$work/build"
if [ ! -f "$build/Makefile" ]; then
  rm -rf "$build" && mkdir -p "$build"
  (
    cd "$build"
    # Answers for run-time probes configure cannot execute when cross-compiling.
    cat > config.cache <<'CACHE'
ac_cv_func_fork=yes
ac_cv_func_vfork=yes
ac_cv_func_fork_works=yes
ac_cv_func_vfork_works=yes
ac_cv_func_getpwent=yes
ac_cv_func_mkfifo=no
ac_cv_func_setvbuf_reversed=no
ac_cv_func_strcoll_works=yes
ac_cv_func_wait3=yes
ac_cv_func_sbrk=no
ac_cv_func_getrlimit=no
ac_cv_func_setrlimit=no
ac_cv_func_ulimit=no
ac_cv_func_getdtablesize=yes
ac_cv_rl_version=8.2
bash_cv_job_control_missing=present
bash_cv_sys_named_pipes=missing
bash_cv_dev_fd=absent
bash_cv_dev_stdin=absent
bash_cv_func_sigsetjmp=present
bash_cv_func_strcoll_broken=no
bash_cv_must_reinstall_sighandlers=no
bash_cv_getcwd_malloc=yes
bash_cv_opendir_not_robust=no
bash_cv_pgrp_pipe=no
bash_cv_printf_a_format=no
bash_cv_signal_vintage=posix
bash_cv_sys_siglist=no
bash_cv_under_sys_siglist=no
bash_cv_ulimit_maxfds=no
bash_cv_unusable_rtsigs=no
bash_cv_wcontinued_broken=no
bash_cv_wexitstatus_offset=8
bash_cv_func_ctype_nonascii=no
bash_cv_type_rlimit=long
bash_cv_getenv_redef=yes
bash_cv_fnmatch_equiv_fallback=no
# Debian's generated configure adds the replacement when this is "yes" (inverted test).
bash_cv_func_strtoimax=no
gt_cv_int_divbyzero_sigfpe=no
CACHE
    CC="$work/bin/wasmcc" \
    CFLAGS="$WASM_CFLAGS -I$compat_inc -D_GNU_SOURCE -DNEED_EXTERN_PC -DNO_MAIN_ENV_ARG -Wno-error=implicit-function-declaration -Wno-error=incompatible-function-pointer-types -Wno-error=int-conversion -Wno-implicit-function-declaration -Wno-deprecated-non-prototype -Wno-parentheses -Wno-format-security" \
    LDFLAGS="$memflags" \
    LIBS="$linkflags $WASM_LDFLAGS" \
    CC_FOR_BUILD=gcc \
    "$src/configure" --cache-file=config.cache --host=wasm32-unknown-wasi --build="$(gcc -dumpmachine)" \
      --without-bash-malloc --disable-nls --disable-net-redirections --enable-job-control \
      --disable-process-substitution --enable-readline --without-curses --disable-threads \
      --disable-largefile --prefix=/usr >configure.log 2>&1 || { tail -40 configure.log; exit 1; }
  )
fi
# always relink: make does not track libsandpit-compat.a; LIBS is passed to make so a
# changed link-flags file (new wraps) reaches an already configured tree
rm -f "$build/bash"
# glob.o depends on the edited posixdir.h, which make does not track
[ "$src/include/posixdir.h" -nt "$build/lib/glob/glob.o" ] && rm -f "$build/lib/glob/glob.o" "$build/lib/glob/libglob.a"
make -C "$build" -j2 LIBS='$(BUILTINS_LIB) $(LIBRARIES) '"$linkflags $WASM_LDFLAGS" bash >"$work/make.log" 2>&1 || { grep -E 'error:|Error ' "$work/make.log" | tail -40; exit 1; }

# --fpcast-emu: bash calls K&R function pointers with other arities than they were defined
# with (unwind-protect handlers, builtins); wasm traps on that, the emulation makes it work.
# Imports that unwind/rewind the stack: everything that can reach them gets instrumented.
ASYNCIFY_IMPORTS="wasix_32v1.proc_fork,wasix_32v1.proc_exec3,wasix_32v1.stack_checkpoint,wasix_32v1.stack_restore"
FEATURES="--enable-threads --enable-bulk-memory --enable-mutable-globals --enable-sign-ext"
wasm-opt $FEATURES --fpcast-emu --asyncify --pass-arg=asyncify-imports@$ASYNCIFY_IMPORTS -O2 --strip-debug \
  "$build/bash" -o "$OUT_DIR/bash.wasm"
mkdir -p "$OUT_DIR/licenses/bash"
cp "$src/COPYING" "$OUT_DIR/licenses/bash/COPYING"
ls -l "$OUT_DIR/bash.wasm"
