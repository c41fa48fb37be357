/* fsx: a tiny file tool for exercising a guest filesystem (the hostfs demo fixture).
 * Usage: fsx CMD ARGS...; every path is absolute (plain WASI ignores the cwd option). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what, const char *path) {
  fprintf(stderr, "fsx: %s %s: %s (errno %d)\n", what, path, strerror(errno), errno);
  return 1;
}

static char kind(mode_t m) {
  return S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISREG(m) ? '-' : '?';
}

static int put(const char *path, const char *text, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
  if (fd < 0) return fail("open", path);
  size_t n = strlen(text);
  if (write(fd, text, n) != (ssize_t)n) return fail("write", path);
  if (close(fd) != 0) return fail("close", path);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: fsx CMD ARGS\n"); return 2; }
  const char *cmd = argv[1];
  const char *a = argc > 2 ? argv[2] : "";
  const char *b = argc > 3 ? argv[3] : "";
  if (!strcmp(cmd, "write")) return put(a, b, O_TRUNC);
  if (!strcmp(cmd, "append")) return put(a, b, O_APPEND);
  if (!strcmp(cmd, "cat")) {
    for (int i = 2; i < argc; i++) {
      FILE *f = fopen(argv[i], "rb");
      if (!f) return fail("open", argv[i]);
      char buf[4096]; size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
      fclose(f);
    }
    return 0;
  }
  if (!strcmp(cmd, "ls")) {
    DIR *d = opendir(a);
    if (!d) return fail("opendir", a);
    struct dirent *e;
    while ((e = readdir(d))) {
      char p[4096]; struct stat st;
      snprintf(p, sizeof p, "%s/%s", a, e->d_name);
      if (lstat(p, &st) != 0) { printf("? %s (%s)\n", e->d_name, strerror(errno)); continue; }
      printf("%c %o %lld %lld %s\n", kind(st.st_mode), (unsigned)(st.st_mode & 07777),
             (long long)st.st_size, (long long)st.st_mtim.tv_sec, e->d_name);
    }
    closedir(d);
    return 0;
  }
  if (!strcmp(cmd, "names")) { /* readdir only, no stat */
    DIR *d = opendir(a);
    if (!d) return fail("opendir", a);
    struct dirent *e;
    while ((e = readdir(d))) printf("%s\n", e->d_name);
    closedir(d);
    return 0;
  }
  if (!strcmp(cmd, "stat")) {
    struct stat st;
    if (stat(a, &st) != 0) return fail("stat", a);
    printf("%c mode=%o size=%lld mtime=%lld ino=%llu nlink=%llu\n", kind(st.st_mode),
           (unsigned)(st.st_mode & 07777), (long long)st.st_size, (long long)st.st_mtim.tv_sec,
           (unsigned long long)st.st_ino, (unsigned long long)st.st_nlink);
    return 0;
  }
  if (!strcmp(cmd, "mkdir")) return mkdir(a, 0755) ? fail("mkdir", a) : 0;
  if (!strcmp(cmd, "rm")) return unlink(a) ? fail("unlink", a) : 0;
  if (!strcmp(cmd, "rmdir")) return rmdir(a) ? fail("rmdir", a) : 0;
  if (!strcmp(cmd, "stat-rmdir")) { /* look the directory up first, as rm -r does */
    struct stat st;
    if (lstat(a, &st) != 0) return fail("lstat", a);
    return rmdir(a) ? fail("rmdir", a) : 0;
  }
  if (!strcmp(cmd, "ln-s-readlink")) { /* symlink then readlink in one process */
    if (symlink(a, b)) return fail("symlink", b);
    char buf[4096]; ssize_t n = readlink(b, buf, sizeof buf - 1);
    if (n < 0) return fail("readlink", b);
    buf[n] = 0; printf("%s\n", buf); return 0;
  }
  if (!strcmp(cmd, "mv")) return rename(a, b) ? fail("rename", a) : 0;
  if (!strcmp(cmd, "ln-s")) return symlink(a, b) ? fail("symlink", b) : 0;
  if (!strcmp(cmd, "readlink")) {
    char buf[4096]; ssize_t n = readlink(a, buf, sizeof buf - 1);
    if (n < 0) return fail("readlink", a);
    buf[n] = 0; printf("%s\n", buf); return 0;
  }
  if (!strcmp(cmd, "truncate")) return truncate(a, atoll(b)) ? fail("truncate", a) : 0;
  if (!strcmp(cmd, "chmod")) { errno = ENOTSUP; return fail("chmod", a); } /* wasi-libc 2022 has no chmod */
  if (!strcmp(cmd, "touch")) {
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    return utimensat(AT_FDCWD, a, ts, 0) ? fail("utimensat", a) : 0;
  }
  if (!strcmp(cmd, "big")) { /* big PATH BYTES: write a patterned file in 1 MiB writes */
    long long n = atoll(b); int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return fail("open", a);
    static char buf[1 << 20];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)(i * 31 + 7);
    while (n > 0) {
      size_t k = n > (long long)sizeof buf ? sizeof buf : (size_t)n;
      ssize_t w = write(fd, buf, k);
      if (w <= 0) return fail("write", a);
      n -= w;
    }
    return close(fd) ? fail("close", a) : 0;
  }
  if (!strcmp(cmd, "statloop")) { /* statloop PATH N: N stat calls, prints microseconds per call */
    long n = atol(b); struct stat st; struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) if (stat(a, &st) != 0) return fail("stat", a);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / (n ? n : 1);
    printf("%ld stats, %.1f us per stat\n", n, us);
    return 0;
  }
  if (!strcmp(cmd, "sum")) { /* sum PATH: bytes read and a simple checksum */
    int fd = open(a, O_RDONLY);
    if (fd < 0) return fail("open", a);
    static unsigned char buf[1 << 20]; unsigned long long total = 0, h = 1469598103934665603ull;
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
      for (ssize_t i = 0; i < r; i++) h = (h ^ buf[i]) * 1099511628211ull;
      total += r;
    }
    if (r < 0) return fail("read", a);
    close(fd);
    printf("%llu %016llx\n", total, h);
    return 0;
  }
  if (!strcmp(cmd, "seek")) { /* seek PATH OFFSET: lseek SEEK_SET then read 16 bytes */
    int fd = open(a, O_RDONLY);
    if (fd < 0) return fail("open", a);
    off_t end = lseek(fd, 0, SEEK_END);
    lseek(fd, atoll(b), SEEK_SET);
    char buf[17] = {0}; ssize_t r = read(fd, buf, 16);
    printf("end=%lld read=%zd [%s]\n", (long long)end, r, buf);
    return 0;
  }
  fprintf(stderr, "fsx: unknown command %s\n", cmd);
  return 2;
}
