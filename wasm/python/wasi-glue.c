/* Runtime fixes linked into python.wasm while it is built without libsandpit-compat:
 * - Wasmer never returns from poll_oneoff with a relative clock timeout of 0 (select(0),
 *   poll(0), sleep(0)), which hangs selectors/asyncio/subprocess imports: make it 1 ns.
 *   Needs -Wl,--wrap=__wasi_poll_oneoff.
 * - wasi-libc starts in "/" whatever the sandbox's cwd is: ask WASIX and chdir there. */
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

__wasi_errno_t __real___wasi_poll_oneoff(const __wasi_subscription_t *in, __wasi_event_t *out,
                                         __wasi_size_t n, __wasi_size_t *nevents);

__wasi_errno_t __wrap___wasi_poll_oneoff(const __wasi_subscription_t *in, __wasi_event_t *out,
                                         __wasi_size_t n, __wasi_size_t *nevents) {
  __wasi_subscription_t fixed[16];
  int need = 0;
  for (__wasi_size_t i = 0; i < n; i++)
    if (in[i].u.tag == __WASI_EVENTTYPE_CLOCK && in[i].u.u.clock.timeout == 0 &&
        !(in[i].u.u.clock.flags & __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME))
      need = 1;
  if (!need || n > 16) return __real___wasi_poll_oneoff(in, out, n, nevents);
  memcpy(fixed, in, n * sizeof *in);
  for (__wasi_size_t i = 0; i < n; i++)
    if (fixed[i].u.tag == __WASI_EVENTTYPE_CLOCK && fixed[i].u.u.clock.timeout == 0 &&
        !(fixed[i].u.u.clock.flags & __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME))
      fixed[i].u.u.clock.timeout = 1;
  return __real___wasi_poll_oneoff(fixed, out, n, nevents);
}

/* WASIX getcwd(buf, *len): len is the buffer size in, the path length out. */
__attribute__((import_module("wasix_32v1"), import_name("getcwd")))
uint16_t sandpit_py_wasix_getcwd(char *buf, uint32_t *len);

__attribute__((constructor)) static void sandpit_py_sync_cwd(void) {
  char buf[1024];
  uint32_t len = sizeof buf - 1;
  if (sandpit_py_wasix_getcwd(buf, &len) != 0 || len == 0 || len >= sizeof buf) return;
  buf[len] = 0;
  if (buf[len - 1] == 0) len--; /* some runtimes count the terminator */
  if (buf[0] == '/') chdir(buf);
}
