/* getpid on WASIX proc_id; alone in its member so it never clashes with
 * -lwasi-emulated-getpid (whichever archive comes first wins). */
#include <unistd.h>
#include "wasix.h"

pid_t getpid(void) {
  uint32_t pid;
  return wasix_proc_id(&pid) ? 1 : (pid_t)pid;
}
