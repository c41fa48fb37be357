/* Metadata the runtime cannot carry, asked of the kernel: modes, mtimes, symlinks, ENOSPC.
 *
 * @wasmer/sdk 0.16.0's host-filesystem protocol knows only {kind, size}: guests on our mounts
 * saw mode 0, mtime 1970, no symlinks (`ln -s` made a link in the command's own inode table,
 * gone afterwards) and EIO for a full filesystem. Our server (src/worker/engine/hostfs/meta.ts)
 * answers a lookup of `dir/.~sandpit~<op><args>~name` itself: the `size` of that "file" packs the
 * answer (type, permission bits, mtime in seconds, or an errno). One lookup per call; a path not
 * on one of our mounts fails the lookup inside the runtime (no round trip) and the call goes to
 * the runtime as before. docs/hostfs-protocol.md, "Guest metadata", has the whole protocol.
 *
 * Linked with -Wl,--wrap= for __wasilibc_nocwd_fstatat (stat, lstat, fstatat: every path stat
 * of wasi-libc ends there, already relative to a preopened directory), __wasilibc_nocwd_
 * readlinkat, __wasilibc_nocwd_symlinkat, __wasilibc_nocwd_faccessat (access: owner bits),
 * __wasilibc_nocwd_utimensat (utimensat, utimes,
 * utime), __wasilibc_nocwd_mkdirat_nomode (ENOSPC, EROFS), __wasilibc_nocwd___wasilibc_unlinkat
 * (dangling symlinks, EROFS), __wasilibc_nocwd___wasilibc_rmdirat (EROFS), chmod and fchmodat;
 * fd_write and path_open ask sandpit_meta_why() when the runtime says EIO (path_open: or EPERM). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>
#include <wasi/libc-find-relpath.h>

#define PREFIX ".~sandpit~"
#define NOT_OURS (-2)
/* Packed answer (meta.ts packMeta): bits 0-2 type, 3-14 permission bits or errno or a link's
 * length, 15-52 mtime in seconds. */
enum { T_ERROR = 0, T_FILE = 1, T_DIR = 2, T_LINK = 3, T_OTHER = 4, T_DONE = 5 };

int __real___wasilibc_nocwd_fstatat(int, const char *, struct stat *, int);
ssize_t __real___wasilibc_nocwd_readlinkat(int, const char *, char *, size_t);
int __real___wasilibc_nocwd_symlinkat(const char *, int, const char *);
int __real___wasilibc_nocwd_utimensat(int, const char *, const struct timespec *, int);
int __real___wasilibc_nocwd_mkdirat_nomode(int, const char *);
int __wasilibc_nocwd_openat_nomode(int, const char *, int);
int __real___wasilibc_nocwd_faccessat(int, const char *, int, int);
int __real___wasilibc_nocwd___wasilibc_unlinkat(int, const char *);
int __real___wasilibc_nocwd___wasilibc_rmdirat(int, const char *);
int __real_chmod(const char *, mode_t);
int __real_fchmod(int, mode_t);
__wasi_errno_t __real___wasi_fd_filestat_set_times(__wasi_fd_t, __wasi_timestamp_t, __wasi_timestamp_t, __wasi_fstflags_t);
__wasi_errno_t __real___wasi_fd_filestat_get(__wasi_fd_t, __wasi_filestat_t *);
#include <stdlib.h>
int __real_fchmodat(int, const char *, mode_t, int);

/* The meta name for `path` (relative to a preopened directory, "home/user/x"): the request
 * goes in a directory of its own under the path's first component, with the rest of the path
 * %-escaped into one name: "home/.~sandpit~/<op>~user%2Fx". Looked up in the entry's own
 * directory, the runtime would remember every meta name as a child there, and a listing of a
 * big directory read in several fd_readdir calls by the same process (busybox `ls -l`, which
 * stats as it reads) came back with entries twice (measured: 1,914 lines for 1,000 files).
 * -1 when no meta name can be made (".", "..", an empty path, too long): fall back. */
static int meta_name(char *out, size_t cap, const char *path, const char *op) {
  while (path[0] == '.' && path[1] == '/') path += 2;
  while (*path == '/') path++;
  size_t len = strlen(path);
  while (len > 0 && path[len - 1] == '/') len--;
  if (len == 0) return -1;
  const char *slash = memchr(path, '/', len);
  size_t first = slash ? (size_t)(slash - path) : len;
  if ((first == 1 && path[0] == '.') || (first == 2 && path[0] == '.' && path[1] == '.')) return -1;
  int n = snprintf(out, cap, "%.*s/" PREFIX "/%s~", (int)first, path, op);
  if (n < 0 || (size_t)n >= cap) return -1;
  size_t o = (size_t)n;
  for (size_t i = first + 1; slash && i < len; i++) {
    unsigned char c = (unsigned char)path[i];
    if (o + 4 >= cap) return -1;
    if (c == '/' || c == '%') o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
    else out[o++] = (char)c;
  }
  out[o] = 0;
  return 0;
}

/* A different value for every mutating request of this process (and, with the clock, of any
 * other): no cache between here and the kernel can answer it from an earlier one. */
static unsigned long long nonce(void) {
  static unsigned long long count;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ((unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec) * 64 + (count++ & 63);
}

/* A lookup op ("l", "s", "r") with a nonce of its own: "l<nonce>". A fixed name per path let an
 * answer given before a change (ENOENT just before `ln -s` made the link) be answered again
 * from a cache along the way (WASIX keeps an inode per name it looked up; the SDK workers'
 * stat cache); with a fresh name every call reaches the kernel. WASIX still looks one name up
 * 2-3 times within a call: those repeats share the nonce. */
static const char *fresh(char *out, size_t cap, const char *op) {
  snprintf(out, cap, "%s%llx", op, nonce());
  return out;
}

/* Look the meta name up: the packed answer, or NOT_OURS (errno untouched). `path` is relative
 * to the preopened `fd` (what the wrapped __wasilibc_nocwd_* calls get). A one-letter op is a
 * lookup and gets a nonce here; mutations bring theirs. */
static int64_t ask(int fd, const char *path, const char *op, struct stat *ms) {
  char name[PATH_MAX + 96], lookup[32];
  struct stat local;
  if (!ms) ms = &local;
  if (op[0] && !op[1]) op = fresh(lookup, sizeof lookup, op);
  if (meta_name(name, sizeof name, path, op)) return NOT_OURS;
  int saved = errno;
  int r = __real___wasilibc_nocwd_fstatat(fd, name, ms, 0);
  errno = saved;
  if (r != 0 || !S_ISREG(ms->st_mode)) return NOT_OURS;
  return (int64_t)ms->st_size;
}

/* The same for a path as the program gave it (relative to the cwd or absolute). */
static int64_t ask_path(int dirfd, const char *path, const char *op) {
  if (dirfd != AT_FDCWD && path[0] != '/') return NOT_OURS;
  char buf[PATH_MAX];
  char *rel = buf;
  const char *prefix;
  int saved = errno;
  int fd = __wasilibc_find_relpath(path, &prefix, &rel, sizeof buf);
  errno = saved;
  if (fd < 0) return NOT_OURS;
  return ask(fd, rel, op, NULL);
}

static int type_of(int64_t p) { return (int)(p & 7); }
static int low_of(int64_t p) { return (int)((p >> 3) & 07777); }
static int errno_of(int64_t p) { return (int)(p >> 3); }

/* The answer of a mutating request: 0, or -1 with errno. */
static int done(int64_t p) {
  if (type_of(p) == T_ERROR) {
    errno = errno_of(p);
    return -1;
  }
  return 0;
}

int __wrap___wasilibc_nocwd_fstatat(int fd, const char *path, struct stat *st, int flags) {
  struct stat ms;
  int64_t p = ask(fd, path, (flags & AT_SYMLINK_NOFOLLOW) ? "l" : "s", &ms);
  /* ENOENT goes to the runtime too: a volume mounted below one of our mounts (/mnt/vol under
   * /mnt) has its meta names answered by the outer mount, which does not have the file. */
  if (p == NOT_OURS || (type_of(p) == T_ERROR && errno_of(p) == ENOENT))
    return __real___wasilibc_nocwd_fstatat(fd, path, st, flags);
  if (type_of(p) == T_ERROR) {
    errno = errno_of(p);
    return -1;
  }
  if (type_of(p) == T_LINK) {
    /* The runtime cannot see the link at all: describe it from the meta lookup itself (its
     * inode number is the meta name's, stable for this path). */
    *st = ms;
    st->st_mode = S_IFLNK | 0777;
    st->st_size = low_of(p);
    st->st_nlink = 1;
    st->st_blocks = 0;
  } else {
    int r = __real___wasilibc_nocwd_fstatat(fd, path, st, flags);
    if (r != 0) return r;
    st->st_mode = (st->st_mode & S_IFMT) | (mode_t)low_of(p);
  }
  struct timespec t = {(time_t)(p >> 15), 0};
  st->st_atim = st->st_mtim = st->st_ctim = t;
  return 0;
}

/* access/faccessat (bash's `test -x`, PATH search): the runtime grants every existing file
 * every right. Every file belongs to the sandbox user, so the owner bits decide. */
int __wrap___wasilibc_nocwd_faccessat(int fd, const char *path, int amode, int flags) {
  if (amode == F_OK) return __real___wasilibc_nocwd_faccessat(fd, path, amode, flags);
  int64_t p = ask(fd, path, "s", NULL);
  if (p == NOT_OURS) return __real___wasilibc_nocwd_faccessat(fd, path, amode, flags);
  if (type_of(p) == T_ERROR) {
    errno = errno_of(p);
    return -1;
  }
  int perm = low_of(p);
  if (((amode & R_OK) && !(perm & 0400)) || ((amode & W_OK) && !(perm & 0200)) || ((amode & X_OK) && !(perm & 0100))) {
    errno = EACCES;
    return -1;
  }
  return 0;
}

ssize_t __wrap___wasilibc_nocwd_readlinkat(int fd, const char *path, char *buf, size_t len) {
  int64_t p = ask(fd, path, "l", NULL);
  if (p == NOT_OURS) return __real___wasilibc_nocwd_readlinkat(fd, path, buf, len);
  if (type_of(p) == T_ERROR) {
    errno = errno_of(p);
    return -1;
  }
  if (type_of(p) != T_LINK) {
    errno = EINVAL;
    return -1;
  }
  char name[PATH_MAX + 96], op[32];
  if (meta_name(name, sizeof name, path, fresh(op, sizeof op, "r")))
    return __real___wasilibc_nocwd_readlinkat(fd, path, buf, len);
  int f = __wasilibc_nocwd_openat_nomode(fd, name, O_RDONLY);
  if (f < 0) return -1;
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(f, buf + got, len - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(f);
  return (ssize_t)got;
}

int __wrap___wasilibc_nocwd_symlinkat(const char *target, int fd, const char *path) {
  /* The target travels in the name: %XX for '%', '/', ',', '~' and control bytes. */
  char op[PATH_MAX];
  size_t o = 0;
  op[o++] = 'L';
  for (const unsigned char *s = (const unsigned char *)target; *s; s++) {
    if (o + 4 >= sizeof op - 40) return __real___wasilibc_nocwd_symlinkat(target, fd, path);
    if (*s < 0x20 || *s == '%' || *s == '/' || *s == ',' || *s == '~' || *s == 0x7f)
      o += (size_t)snprintf(op + o, sizeof op - o, "%%%02X", *s);
    else
      op[o++] = (char)*s;
  }
  snprintf(op + o, sizeof op - o, ",%llx", nonce());
  int64_t p = ask(fd, path, op, NULL);
  if (p == NOT_OURS) return __real___wasilibc_nocwd_symlinkat(target, fd, path);
  return done(p);
}

/* One time for the kernel: milliseconds, or "o" to leave it. */
static void time_arg(char *out, size_t cap, const struct timespec *t, const struct timespec *now) {
  if (t && t->tv_nsec == UTIME_OMIT) snprintf(out, cap, "o");
  else {
    const struct timespec *v = (!t || t->tv_nsec == UTIME_NOW) ? now : t;
    snprintf(out, cap, "%lld", (long long)v->tv_sec * 1000 + v->tv_nsec / 1000000);
  }
}

int __wrap___wasilibc_nocwd_utimensat(int fd, const char *path, const struct timespec *times, int flags) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char a[32], m[32], op[96];
  time_arg(a, sizeof a, times ? &times[0] : NULL, &now);
  time_arg(m, sizeof m, times ? &times[1] : NULL, &now);
  snprintf(op, sizeof op, "t%s,%s,%llx", a, m, nonce());
  int64_t p = ask(fd, path, op, NULL);
  if (p == NOT_OURS) return __real___wasilibc_nocwd_utimensat(fd, path, times, flags);
  return done(p);
}

int __wrap_fchmodat(int dfd, const char *path, mode_t mode, int flags) {
  char op[64];
  snprintf(op, sizeof op, "m%o,%llx", (unsigned)(mode & 07777), nonce());
  int64_t p = ask_path(dfd, path, op);
  if (p == NOT_OURS) return __real_fchmodat(dfd, path, mode, flags);
  return done(p);
}

int __wrap_chmod(const char *path, mode_t mode) {
  char op[64];
  snprintf(op, sizeof op, "m%o,%llx", (unsigned)(mode & 07777), nonce());
  int64_t p = ask_path(AT_FDCWD, path, op);
  if (p == NOT_OURS) return __real_chmod(path, mode);
  return done(p);
}

/* Descriptors: the path each was opened with (relative to its preopened directory), so that
 * futimens, fchmod and fstat's times can name the file. A file renamed while open is missed
 * (the old name answers ENOENT: the call then goes to the runtime as before). */
#define MAX_TRACKED 1024
static struct {
  int dirfd;
  char *path;
} opened[MAX_TRACKED];

void sandpit_meta_opened(int fd, int dirfd, const char *path) {
  if (fd < 0 || fd >= MAX_TRACKED) return;
  free(opened[fd].path);
  opened[fd].path = strdup(path);
  opened[fd].dirfd = dirfd;
}

/* fd_renumber (to >= 0) or fd_close (to < 0). */
void sandpit_meta_moved(int from, int to) {
  if (from < 0 || from >= MAX_TRACKED || from == to) return;
  if (to >= 0 && to < MAX_TRACKED) {
    free(opened[to].path);
    opened[to] = opened[from];
  } else
    free(opened[from].path);
  opened[from].path = NULL;
}

static const char *path_of(int fd, int *dirfd) {
  if (fd < 0 || fd >= MAX_TRACKED || !opened[fd].path) return NULL;
  *dirfd = opened[fd].dirfd;
  return opened[fd].path;
}

__wasi_errno_t __wrap___wasi_fd_filestat_set_times(__wasi_fd_t fd, __wasi_timestamp_t atim, __wasi_timestamp_t mtim,
                                                   __wasi_fstflags_t flags) {
  int dirfd;
  const char *path = path_of((int)fd, &dirfd);
  if (!path) return __real___wasi_fd_filestat_set_times(fd, atim, mtim, flags);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  long long nowms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
  char a[32], m[32], op[96];
  if (flags & __WASI_FSTFLAGS_ATIM_NOW) snprintf(a, sizeof a, "%lld", nowms);
  else if (flags & __WASI_FSTFLAGS_ATIM) snprintf(a, sizeof a, "%lld", (long long)(atim / 1000000));
  else snprintf(a, sizeof a, "o");
  if (flags & __WASI_FSTFLAGS_MTIM_NOW) snprintf(m, sizeof m, "%lld", nowms);
  else if (flags & __WASI_FSTFLAGS_MTIM) snprintf(m, sizeof m, "%lld", (long long)(mtim / 1000000));
  else snprintf(m, sizeof m, "o");
  snprintf(op, sizeof op, "t%s,%s,%llx", a, m, nonce());
  int64_t p = ask(dirfd, path, op, NULL);
  if (p == NOT_OURS || type_of(p) == T_ERROR) return __real___wasi_fd_filestat_set_times(fd, atim, mtim, flags);
  return 0;
}

/* fstat: the runtime's answer, with the kernel's times (fstat's mode bits cannot be reached
 * from here: wasi-libc builds st_mode from the file type alone). */
__wasi_errno_t __wrap___wasi_fd_filestat_get(__wasi_fd_t fd, __wasi_filestat_t *buf) {
  __wasi_errno_t e = __real___wasi_fd_filestat_get(fd, buf);
  int dirfd;
  const char *path = path_of((int)fd, &dirfd);
  if (e || !path || buf->filetype != __WASI_FILETYPE_REGULAR_FILE) return e;
  int64_t p = ask(dirfd, path, "s", NULL);
  if (p != NOT_OURS && type_of(p) == T_FILE)
    buf->atim = buf->mtim = buf->ctim = (__wasi_timestamp_t)(p >> 15) * 1000000000ull;
  return e;
}

int __wrap_fchmod(int fd, mode_t mode) {
  int dirfd;
  const char *path = path_of(fd, &dirfd);
  if (!path) return __real_fchmod(fd, mode);
  char op[64];
  snprintf(op, sizeof op, "m%o,%llx", (unsigned)(mode & 07777), nonce());
  int64_t p = ask(dirfd, path, op, NULL);
  if (p == NOT_OURS) return __real_fchmod(fd, mode);
  return done(p);
}

/* The runtime said EIO: ask the kernel what the last failure on its mounts really was (ENOSPC,
 * EROFS, …; it keeps the last one for a few seconds). Returns the WASI errno to report. Also
 * asked after EPERM from calls that change the tree: the SDK knows no EROFS, so the server
 * sends a read-only mount's refusal as EACCES, which WASIX reports as EPERM; the kernel still
 * has EROFS (and nothing, so EPERM stays, for a real EPERM). */
int sandpit_meta_why(int eio) {
  static const char *const dirs[] = {"/tmp/", "/workspace/", "/home/"};
  char op[48], path[64];
  snprintf(op, sizeof op, "e%llx", nonce());
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
    snprintf(path, sizeof path, "%sx", dirs[i]);
    int64_t p = ask_path(AT_FDCWD, path, op);
    if (p == NOT_OURS) continue;
    int why = type_of(p) == T_ERROR ? errno_of(p) : eio;
    /* After EPERM only a read-only mount explains it: any other failure kept (EBADF, EINVAL of
     * some earlier call) must not stand in for a real EPERM. */
    return (eio == EPERM && why != EROFS) ? EPERM : why;
  }
  return eio;
}

/* unlink of a symlink whose target is missing: the runtime looks the path up (following it),
 * finds nothing and says ENOENT without asking us; the kernel removes the link itself. */
int __wrap___wasilibc_nocwd___wasilibc_unlinkat(int fd, const char *path) {
  int r = __real___wasilibc_nocwd___wasilibc_unlinkat(fd, path);
  if (r != 0 && (errno == EIO || errno == EPERM)) errno = sandpit_meta_why(errno);
  if (r == 0 || errno != ENOENT) return r;
  char op[48];
  snprintf(op, sizeof op, "u%llx", nonce());
  int64_t p = ask(fd, path, op, NULL);
  if (p == NOT_OURS) {
    errno = ENOENT;
    return r;
  }
  return done(p);
}

int __wrap___wasilibc_nocwd_mkdirat_nomode(int fd, const char *path) {
  int r = __real___wasilibc_nocwd_mkdirat_nomode(fd, path);
  if (r != 0 && (errno == EIO || errno == EPERM)) errno = sandpit_meta_why(errno);
  return r;
}

int __wrap___wasilibc_nocwd___wasilibc_rmdirat(int fd, const char *path) {
  int r = __real___wasilibc_nocwd___wasilibc_rmdirat(fd, path);
  if (r != 0 && (errno == EIO || errno == EPERM)) errno = sandpit_meta_why(errno);
  return r;
}
