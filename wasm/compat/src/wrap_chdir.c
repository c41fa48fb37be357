/* chdir wrapper, linked only with -Wl,--wrap=chdir. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix.h"

/* Link with -Wl,--wrap=chdir: the runtime's cwd follows, so exec'd and spawned children
 * start where the shell is. */
int __real_chdir(const char *);
int __wrap_chdir(const char *path) {
  int r = __real_chdir(path);
  if (r == 0) {
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof buf)) wasix_chdir(buf, strlen(buf));
  }
  return r;
}

