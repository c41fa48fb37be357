/* Start-up cwd sync: called from the constructors of the common members (process, fd). */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix.h"

/* wasi-libc keeps its own cwd starting at "/"; start it at the runtime's cwd instead
 * (the sandbox's `cwd` option), so relative paths, getcwd() and children agree. */
void __sandpit_sync_cwd(void) {
  static int done;
  if (done) return;
  done = 1;
  char buf[PATH_MAX];
  uint32_t len = sizeof buf - 1;
  if (wasix_getcwd(buf, &len) == 0 && len > 0 && len < sizeof buf) {
    buf[len] = 0;
    if (buf[0] == '/') chdir(buf);
  }
}

