/* proc_exit wrapper, linked only with -Wl,--wrap=__wasi_proc_exit. The runtime reports
 * every exit code >= 79 to proc_join as 79 (it passes codes through its errno type), so the
 * real code is left in /tmp/.sandpit-exit/<pid> for waitpid() to pick up. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix.h"

_Noreturn void __real___wasi_proc_exit(__wasi_exitcode_t);
_Noreturn void __wrap___wasi_proc_exit(__wasi_exitcode_t code) {
  if (code >= 79 && code < 256) {
    uint32_t pid;
    if (wasix_proc_id(&pid) == 0) {
      char path[64], num[8];
      mkdir("/tmp/.sandpit-exit", 0777);
      snprintf(path, sizeof path, "/tmp/.sandpit-exit/%u", (unsigned)pid);
      int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        int n = snprintf(num, sizeof num, "%u", (unsigned)code);
        (void)!write(fd, num, (size_t)n);
        close(fd);
      }
    }
  }
  __real___wasi_proc_exit(code);
}
