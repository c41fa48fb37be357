/* rename() over an existing file, linked with -Wl,--wrap=rename. Measured in the sandbox
 * (@wasmer/sdk 0.16 with our host filesystem): renaming onto an existing file reports success,
 * removes the source and leaves the target's old contents (`sed -i`, `mv a b` kept b). Removing
 * the target first works, so that is done here. Not atomic (a reader can see no file for a
 * moment); the right fix is in the runtime/filesystem layer. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int __real_rename(const char *from, const char *to);
int sandpit_meta_why(int eio); /* meta.c */
int __wrap_rename(const char *from, const char *to) {
  struct stat a, b;
  if (lstat(from, &a) == 0 && lstat(to, &b) == 0 && !S_ISDIR(a.st_mode) && !S_ISDIR(b.st_mode)) {
    if (a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_ino != 0) return 0; /* same file */
    if (unlink(to) != 0 && errno != ENOENT) return -1;
  }
  int r = __real_rename(from, to);
  /* A read-only mount: EROFS, not the EPERM the runtime makes of it (meta.c). */
  if (r != 0 && (errno == EIO || errno == EPERM)) errno = sandpit_meta_why(errno);
  return r;
}
