/* stat with POSIX-looking modes and owners, for programs that decide from st_mode and st_uid
 * (bash: PATH search, `command -v`, `hash`, `type`, `.`, `test -x/-r/-O/-c`, noclobber).
 * Linked by object name (not from the archive) with
 * -Wl,--wrap=stat,--wrap=lstat,--wrap=fstat,--wrap=fstatat; busybox has its own in bb-compat.c.
 * WASI reports no permission bits and no owners, and chmod changes nothing here, so:
 *  - directories 0755 (/tmp and /var/tmp 01777, sticky as usual), symlinks 0777;
 *  - regular files 0755: chmod +x cannot be recorded, so every file counts as executable (a
 *    script made with `echo cmd > f; chmod +x f` must be found on PATH and hashed, and it has
 *    no `#!` line that could tell it from data);
 *  - everything is owned by the sandbox user (uid/gid 1000, as getuid says);
 *  - /dev/null, /dev/zero, /dev/full, /dev/tty, /dev/random, /dev/urandom are character
 *    devices (mode 0666) whatever the runtime reports. */
#include <string.h>
#include <sys/stat.h>

int __real_stat(const char *, struct stat *);
int __real_lstat(const char *, struct stat *);
int __real_fstat(int, struct stat *);
int __real_fstatat(int, const char *, struct stat *, int);

#define NDEVS 6
static const char *const devs[NDEVS] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/random", "/dev/urandom"};
static int is_device_path(const char *p) {
  for (size_t i = 0; i < NDEVS; i++)
    if (!strcmp(p, devs[i])) return 1;
  return 0;
}
/* fstat has no path: compare with the devices' inode numbers (distinct hashes here, measured),
 * looked up once; only files that look like an empty regular file are compared. */
static int is_device_file(const struct stat *st) {
  static int loaded;
  static ino_t inos[NDEVS];
  if (!S_ISREG(st->st_mode) || st->st_size != 0 || st->st_ino == 0) return 0;
  if (!loaded) {
    loaded = 1;
    for (size_t i = 0; i < NDEVS; i++) {
      struct stat d;
      if (__real_stat(devs[i], &d) == 0) inos[i] = d.st_ino;
    }
  }
  for (size_t i = 0; i < NDEVS; i++)
    if (inos[i] && inos[i] == st->st_ino) return 1;
  return 0;
}
static void fix(struct stat *st, const char *path) {
  if (path ? is_device_path(path) : is_device_file(st)) st->st_mode = S_IFCHR | 0666;
  else if ((st->st_mode & 07777) == 0) {
    if (S_ISDIR(st->st_mode)) st->st_mode |= path && (!strcmp(path, "/tmp") || !strcmp(path, "/var/tmp")) ? 01777 : 0755;
    else if (S_ISLNK(st->st_mode)) st->st_mode |= 0777;
    else if (S_ISREG(st->st_mode)) st->st_mode |= 0755;
    else st->st_mode |= 0666;
  }
  if (st->st_uid == 0 && st->st_gid == 0) st->st_uid = st->st_gid = 1000;
  if (st->st_blocks == 0 && st->st_size > 0) st->st_blocks = (st->st_size + 511) / 512;
  if (st->st_blksize == 0) st->st_blksize = 4096;
}

int __wrap_stat(const char *p, struct stat *st) {
  int r = __real_stat(p, st);
  if (r == 0) fix(st, p);
  return r;
}
int __wrap_lstat(const char *p, struct stat *st) {
  int r = __real_lstat(p, st);
  if (r == 0) fix(st, p);
  return r;
}
int __wrap_fstat(int fd, struct stat *st) {
  int r = __real_fstat(fd, st);
  if (r == 0) fix(st, NULL);
  return r;
}
int __wrap_fstatat(int dirfd, const char *p, struct stat *st, int flags) {
  int r = __real_fstatat(dirfd, p, st, flags);
  if (r == 0) fix(st, p);
  return r;
}
