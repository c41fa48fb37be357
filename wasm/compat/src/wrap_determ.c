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
 * the raw WASI calls, so a program that replaces getenv (bash) sees the same values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

__wasi_errno_t __wrap___wasi_random_get(uint8_t *buf, __wasi_size_t len) {
  load();
  if (!have_seed) return __real___wasi_random_get(buf, len);
  for (__wasi_size_t i = 0; i < len; i += 8) {
    rng ^= rng >> 12; /* xorshift64* */
    rng ^= rng << 25;
    rng ^= rng >> 27;
    uint64_t v = rng * 0x2545f4914f6cdd1dull;
    for (int k = 0; k < 8 && i + (__wasi_size_t)k < len; k++) buf[i + k] = (uint8_t)(v >> (8 * k));
  }
  return 0;
}
