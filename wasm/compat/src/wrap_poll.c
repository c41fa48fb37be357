/* poll_oneoff wrapper, linked only with -Wl,--wrap=__wasi_poll_oneoff. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix.h"

/* Link with -Wl,--wrap=__wasi_poll_oneoff: the runtime never returns from a relative clock
 * subscription of 0 ns (poll(...,0), select with a zero timeout, nanosleep(0)); use 1 ns. */
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

