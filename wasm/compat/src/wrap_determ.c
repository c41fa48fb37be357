/* Deterministic mode, linked with -Wl,--wrap=__wasi_clock_time_get,--wrap=__wasi_random_get.
 * When the environment has SANDPIT_EPOCH_MS (decimal milliseconds since 1970):
 *  - the realtime clock starts at that instant in every process and advances by exactly 1 ms
 *    per read (so time(), date, gettimeofday, bash's $SECONDS/$EPOCHREALTIME are the same bytes
 *    in every run; a loop waiting for the clock still ends);
 *  - the monotonic and CPU-time clocks are the runtime's (sleeps and timeouts stay real).
 * When it has SANDPIT_SEED (decimal or hex 0x… number; any other text is hashed), random_get
 * (getentropy, arc4random, /dev/urandom-less seeding, bash's $SRANDOM) returns a xorshift64*
 * stream seeded from it, restarting in every exec'd process; a forked child continues its
 * parent's state (copied memory). Either variable works alone. The environment is read with
 * the raw WASI calls, so a program that replaces getenv (bash) sees the same values.
 * Reads of /dev/urandom and /dev/random opened by the program use the same stream (below). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wasi/api.h>

__wasi_errno_t __real___wasi_clock_time_get(__wasi_clockid_t id, __wasi_timestamp_t precision,
                                            __wasi_timestamp_t *time);
__wasi_errno_t __real___wasi_random_get(uint8_t *buf, __wasi_size_t len);

static int loaded;
static int have_epoch, have_seed;
static uint64_t epoch_ns, reads, rng;

static uint64_t parse_u64(const char *s, size_t n, int *numeric) {
  uint64_t v = 0, h = 1469598103934665603ull; /* FNV-1a for non-numeric text */
  int base = 10, ok = n > 0;
  size_t i = 0;
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; i = 2; }
  for (size_t k = 0; k < n; k++) h = (h ^ (uint8_t)s[k]) * 1099511628211ull;
  for (; i < n; i++) {
    int d;
    char c = s[i];
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else { ok = 0; break; }
    v = v * (uint64_t)base + (uint64_t)d;
  }
  *numeric = ok;
  return ok ? v : h;
}

static void load(void) {
  if (loaded) return;
  loaded = 1;
  __wasi_size_t count = 0, size = 0;
  if (__wasi_environ_sizes_get(&count, &size) || count == 0 || size == 0) return;
  char **ptrs = malloc((count + 1) * sizeof *ptrs);
  char *buf = malloc(size);
  if (!ptrs || !buf || __wasi_environ_get((uint8_t **)ptrs, (uint8_t *)buf)) { free(ptrs); free(buf); return; }
  for (__wasi_size_t i = 0; i < count; i++) {
    const char *e = ptrs[i];
    const char *eq = strchr(e, '=');
    if (!eq) continue;
    size_t klen = (size_t)(eq - e), vlen = strlen(eq + 1);
    int numeric;
    if (klen == 16 && !memcmp(e, "SANDPIT_EPOCH_MS", 16)) {
      uint64_t ms = parse_u64(eq + 1, vlen, &numeric);
      if (numeric) { have_epoch = 1; epoch_ns = ms * 1000000ull; }
    } else if (klen == 12 && !memcmp(e, "SANDPIT_SEED", 12)) {
      uint64_t s = parse_u64(eq + 1, vlen, &numeric);
      /* splitmix64 step: spreads small seeds, never 0 (xorshift's fixed point) */
      s += 0x9e3779b97f4a7c15ull;
      s = (s ^ (s >> 30)) * 0xbf58476d1ce4e5b9ull;
      s = (s ^ (s >> 27)) * 0x94d049bb133111ebull;
      s ^= s >> 31;
      rng = s ? s : 0x2545f4914f6cdd1dull;
      have_seed = 1;
    }
  }
  free(ptrs);
  free(buf);
}

__wasi_errno_t __wrap___wasi_clock_time_get(__wasi_clockid_t id, __wasi_timestamp_t precision,
                                            __wasi_timestamp_t *time) {
  load();
  if (have_epoch && id == __WASI_CLOCKID_REALTIME) {
    *time = epoch_ns + reads * 1000000ull;
    reads++;
    return 0;
  }
  return __real___wasi_clock_time_get(id, precision, time);
}

/* xorshift64*: one 64-bit step of the seeded stream. */
static uint64_t next_u64(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dull;
}

static void fill(uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i += 8) {
    uint64_t v = next_u64();
    for (int k = 0; k < 8 && i + (size_t)k < len; k++) buf[i + k] = (uint8_t)(v >> (8 * k));
  }
}

__wasi_errno_t __wrap___wasi_random_get(uint8_t *buf, __wasi_size_t len) {
  load();
  if (!have_seed) return __real___wasi_random_get(buf, len);
  fill(buf, len);
  return 0;
}

/* /dev/urandom and /dev/random are the runtime's devices (fd_read, not random_get). With
 * -Wl,--wrap=__wasi_path_open,--wrap=__wasi_fd_read,--wrap=__wasi_fd_close,--wrap=__wasi_fd_renumber
 * a descriptor opened on either one is remembered when SANDPIT_SEED is set, and reads from it
 * come from the seeded stream. The device is still opened for real (errors, fstat and close
 * behave as before). Descriptors opened elsewhere are recognised on stdin/stdout/stderr only
 * (`tr -dc a-z </dev/urandom`: the shell opened it, this program inherited fd 0): the first
 * read of fd 0-2 compares their inode with /dev/urandom's. The pass-through calls go straight
 * to the WASI imports, so this file links whether or not those four wraps are on the command
 * line. */
#define RAW(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
RAW(path_open) int32_t sandpit_raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t,
                                             int64_t, int32_t, int32_t);
RAW(fd_read) int32_t sandpit_raw_fd_read(int32_t, int32_t, int32_t, int32_t);
RAW(fd_close) int32_t sandpit_raw_fd_close(int32_t);
RAW(fd_renumber) int32_t sandpit_raw_fd_renumber(int32_t, int32_t);
RAW(fd_prestat_get) int32_t sandpit_raw_fd_prestat_get(int32_t, int32_t);
RAW(fd_prestat_dir_name) int32_t sandpit_raw_fd_prestat_dir_name(int32_t, int32_t, int32_t);

#define RANDOM_FDS 4096
static uint8_t random_fds[RANDOM_FDS / 8];

static int is_random_fd(__wasi_fd_t fd) {
  return fd < RANDOM_FDS && (random_fds[fd / 8] >> (fd % 8)) & 1;
}

static void mark_random_fd(__wasi_fd_t fd, int on) {
  if (fd >= RANDOM_FDS) return;
  if (on) random_fds[fd / 8] |= (uint8_t)(1u << (fd % 8));
  else random_fds[fd / 8] &= (uint8_t)~(1u << (fd % 8));
}

/* Appends `part` to the absolute path in out[*n], resolving "." and "..". */
static int append_path(char *out, size_t *n, size_t cap, const char *part) {
  while (*part) {
    while (*part == '/') part++;
    const char *end = part;
    while (*end && *end != '/') end++;
    size_t len = (size_t)(end - part);
    if (len == 0 || (len == 1 && part[0] == '.')) {
      /* nothing */
    } else if (len == 2 && part[0] == '.' && part[1] == '.') {
      while (*n > 0 && out[*n - 1] != '/') (*n)--;
      if (*n > 0) (*n)--;
    } else {
      if (*n + 1 + len >= cap) return 0;
      out[(*n)++] = '/';
      memcpy(out + *n, part, len);
      *n += len;
    }
    part = end;
  }
  out[*n] = 0;
  return 1;
}

/* Whether `path`, relative to the preopened directory `dirfd`, names /dev/urandom or /dev/random. */
static int names_random_device(__wasi_fd_t dirfd, const char *path, size_t path_len) {
  if (path_len < 6 || memcmp(path + path_len - 6, "random", 6)) return 0; /* the cheap test first */
  char full[256];
  size_t n = 0;
  if (path[0] != '/') {
    __wasi_prestat_t pre;
    if (sandpit_raw_fd_prestat_get((int32_t)dirfd, (int32_t)(uintptr_t)&pre) || pre.tag != __WASI_PREOPENTYPE_DIR ||
        pre.u.dir.pr_name_len >= sizeof full)
      return 0;
    char dir[256];
    if (sandpit_raw_fd_prestat_dir_name((int32_t)dirfd, (int32_t)(uintptr_t)dir, (int32_t)pre.u.dir.pr_name_len))
      return 0;
    dir[pre.u.dir.pr_name_len] = 0;
    if (!append_path(full, &n, sizeof full, dir)) return 0;
  }
  if (!append_path(full, &n, sizeof full, path)) return 0;
  return !strcmp(full, "/dev/urandom") || !strcmp(full, "/dev/random");
}

int sandpit_meta_why(int eio);
void sandpit_meta_opened(int fd, int dirfd, const char *path); /* meta.c: fd -> path, for futimens/fchmod */
void sandpit_meta_moved(int from, int to);
__wasi_errno_t __wrap___wasi_path_open(__wasi_fd_t fd, __wasi_lookupflags_t dirflags, const char *path,
                                       __wasi_oflags_t oflags, __wasi_rights_t base,
                                       __wasi_rights_t inheriting, __wasi_fdflags_t fdflags,
                                       __wasi_fd_t *opened) {
  size_t len = strlen(path);
  __wasi_errno_t e = (__wasi_errno_t)sandpit_raw_path_open(
      (int32_t)fd, (int32_t)dirflags, (int32_t)(uintptr_t)path, (int32_t)len, (int32_t)oflags,
      (int64_t)base, (int64_t)inheriting, (int32_t)fdflags, (int32_t)(uintptr_t)opened);
  /* meta.c: ENOSPC, not EIO; EROFS, not EPERM (a read-only mount) */
  if (e == __WASI_ERRNO_IO || e == __WASI_ERRNO_PERM) return (__wasi_errno_t)sandpit_meta_why(e);
  if (e) return e;
  sandpit_meta_opened((int)*opened, (int)fd, path);
  load();
  mark_random_fd(*opened, have_seed && names_random_device(fd, path, len));
  return 0;
}

/* An inherited stdin (or stdout/stderr) on the device: same inode as /dev/urandom's. */
static int std_checked;
static void check_std_fds(void) {
  std_checked = 1;
  load();
  struct stat dev, st;
  if (!have_seed || stat("/dev/urandom", &dev)) return;
  for (int fd = 0; fd < 3; fd++)
    if (!fstat(fd, &st) && st.st_ino == dev.st_ino && st.st_dev == dev.st_dev) mark_random_fd((__wasi_fd_t)fd, 1);
}

void __sandpit_winch_check(void);

__wasi_errno_t __wrap___wasi_fd_read(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t iovs_len,
                                     __wasi_size_t *nread) {
  if (fd < 3 && !std_checked) check_std_fds();
  if (fd == 0 && !is_random_fd(fd)) {
    /* A prompt waits here: a terminal resize meanwhile becomes SIGWINCH (wrap_winch.c). */
    __sandpit_winch_check();
    __wasi_errno_t e = (__wasi_errno_t)sandpit_raw_fd_read((int32_t)fd, (int32_t)(uintptr_t)iovs,
                                                           (int32_t)iovs_len, (int32_t)(uintptr_t)nread);
    __sandpit_winch_check();
    return e;
  }
  if (!is_random_fd(fd))
    return (__wasi_errno_t)sandpit_raw_fd_read((int32_t)fd, (int32_t)(uintptr_t)iovs, (int32_t)iovs_len,
                                               (int32_t)(uintptr_t)nread);
  __wasi_size_t total = 0;
  for (size_t i = 0; i < iovs_len; i++) {
    fill(iovs[i].buf, iovs[i].buf_len);
    total += iovs[i].buf_len;
  }
  *nread = total;
  return 0;
}

__wasi_errno_t __wrap___wasi_fd_close(__wasi_fd_t fd) {
  mark_random_fd(fd, 0);
  sandpit_meta_moved((int)fd, -1);
  return (__wasi_errno_t)sandpit_raw_fd_close((int32_t)fd);
}

__wasi_errno_t __wrap___wasi_fd_renumber(__wasi_fd_t from, __wasi_fd_t to) {
  __wasi_errno_t e = (__wasi_errno_t)sandpit_raw_fd_renumber((int32_t)from, (int32_t)to);
  if (e) return e;
  mark_random_fd(to, is_random_fd(from));
  mark_random_fd(from, 0);
  sandpit_meta_moved((int)from, (int)to);
  return 0;
}
