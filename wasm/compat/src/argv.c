/* Arguments and environment that survive proc_exec3/proc_spawn2.
 *
 * The runtime takes argv and envp as one string each, splits it on '\n' and '\r' and drops
 * empty entries (and an env entry without '=' fails the call with EINVAL). So `sh -c
 * "$multi_line"`, `sed ""` or an exported variable holding a newline cannot travel as is.
 *
 * Parent side (__sandpit_exec_wire): when some argument is empty or holds '\n'/'\r', or some
 * environment entry holds one, the whole argv is also sent, escaped, in SANDPIT_ARGV and those
 * environment entries in SANDPIT_ENVX; the plain lists still go out (for programs that are not
 * linked with compat they are what they always were).
 * Child side (linked with --wrap=__wasi_args_sizes_get,--wrap=__wasi_args_get,
 * --wrap=__wasi_environ_sizes_get,--wrap=__wasi_environ_get): libc's start-up reads argv and
 * environ through these calls, so main() sees the decoded lists and the two variables are gone.
 *
 * The runtime merges a new environment into the old one instead of replacing it, so a stale
 * SANDPIT_ARGV can reach a grandchild: SANDPIT_ARGV starts with a hash of the argv the runtime
 * will deliver, and the child decodes only when its real argv has that hash.
 *
 * Format: SANDPIT_ARGV=<hash hex>:<count>:<item>,<item>,…  SANDPIT_ENVX=<count>:<item>,…
 * with '%', ',', '\n' and '\r' in items written as %25 %2C %0A %0D. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define ARGV_KEY "SANDPIT_ARGV"
#define ENVX_KEY "SANDPIT_ENVX"

static int is_key(const char *e, const char *key) {
  size_t n = strlen(key);
  return !strncmp(e, key, n) && e[n] == '=';
}
static int has_break(const char *s) { return strpbrk(s, "\n\r") != NULL; }

/* FNV-1a over the non-empty pieces of the list after the runtime's split, '\n' between them. */
static uint32_t wire_hash(char *const *list) {
  uint32_t h = 2166136261u;
  int first = 1;
  for (size_t i = 0; list && list[i]; i++) {
    const char *s = list[i];
    while (*s) {
      size_t n = strcspn(s, "\n\r");
      if (n) {
        if (!first) h = (h ^ '\n') * 16777619u;
        first = 0;
        for (size_t k = 0; k < n; k++) h = (h ^ (uint8_t)s[k]) * 16777619u;
      }
      s += n;
      if (*s) s++;
    }
  }
  return h;
}

/* A growable string. */
struct buf { char *p; size_t len, cap; int oom; };
static void put(struct buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = 1; return; }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}
static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }
static void put_escaped(struct buf *b, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '%': puts_(b, "%25"); break;
    case ',': puts_(b, "%2C"); break;
    case '\n': puts_(b, "%0A"); break;
    case '\r': puts_(b, "%0D"); break;
    default: put(b, s, 1);
    }
  }
  put(b, ",", 1);
}

static int raw_has_markers = -1;
static void load(void);

/* Builds the args and envs strings for proc_exec3/proc_spawn2 (caller frees both). */
int __sandpit_exec_wire(char *const argv[], char *const envp[], char **args, size_t *alen,
                        char **envs, size_t *elen) {
  load();
  struct buf a = {0}, e = {0};
  int need = 0;
  size_t nargs = 0, nx = 0;
  put(&a, "", 0);
  put(&e, "", 0);
  for (; argv && argv[nargs]; nargs++) {
    if (!*argv[nargs] || has_break(argv[nargs])) need = 1;
    puts_(&a, argv[nargs]);
    put(&a, "\n", 1);
  }
  for (size_t i = 0; envp && envp[i]; i++) {
    const char *v = envp[i];
    if (!strchr(v, '=') || is_key(v, ARGV_KEY) || is_key(v, ENVX_KEY)) continue;
    if (has_break(v)) { need = 1; nx++; continue; }
    puts_(&e, v);
    put(&e, "\n", 1);
  }
  if (need) {
    char head[48];
    snprintf(head, sizeof head, ARGV_KEY "=%08x:%zu:", (unsigned)wire_hash(argv), nargs);
    puts_(&e, head);
    for (size_t i = 0; i < nargs; i++) put_escaped(&e, argv[i]);
    put(&e, "\n", 1);
    snprintf(head, sizeof head, ENVX_KEY "=%zu:", nx);
    puts_(&e, head);
    for (size_t i = 0; envp && envp[i]; i++)
      if (strchr(envp[i], '=') && has_break(envp[i])) put_escaped(&e, envp[i]);
    put(&e, "\n", 1);
  } else if (raw_has_markers) {
    /* ours came through the runtime's environment: overwrite them, the child ignores empties */
    puts_(&e, ARGV_KEY "=0\n" ENVX_KEY "=0\n");
  }
  if (a.oom || e.oom) { free(a.p); free(e.p); errno = ENOMEM; return -1; }
  *args = a.p; *alen = a.len;
  *envs = e.p; *elen = e.len;
  return 0;
}

/* ---- child side ---- */
__wasi_errno_t __real___wasi_args_sizes_get(__wasi_size_t *argc, __wasi_size_t *size);
__wasi_errno_t __real___wasi_args_get(uint8_t **argv, uint8_t *buf);
__wasi_errno_t __real___wasi_environ_sizes_get(__wasi_size_t *count, __wasi_size_t *size);
__wasi_errno_t __real___wasi_environ_get(uint8_t **env, uint8_t *buf);

static int loaded;
static char **new_argv, **new_env; /* NULL: pass the runtime's lists through */
static size_t new_argc, new_envc;

static char **read_list(int env, size_t *count) {
  __wasi_size_t n = 0, size = 0;
  if ((env ? __real___wasi_environ_sizes_get(&n, &size) : __real___wasi_args_sizes_get(&n, &size))) return NULL;
  char **list = calloc(n + 1, sizeof *list);
  char *buf = malloc(size ? size : 1);
  if (!list || !buf) { free(list); free(buf); return NULL; }
  if ((env ? __real___wasi_environ_get((uint8_t **)list, (uint8_t *)buf)
           : __real___wasi_args_get((uint8_t **)list, (uint8_t *)buf))) { free(list); free(buf); return NULL; }
  *count = n;
  return list;
}

/* Decodes `count` comma-terminated escaped items from s into a fresh NULL-ended list. */
static char **decode_items(const char *s, size_t count) {
  char **out = calloc(count + 1, sizeof *out);
  if (!out) return NULL;
  for (size_t i = 0; i < count; i++) {
    const char *end = strchr(s, ',');
    if (!end) return NULL;
    char *item = malloc((size_t)(end - s) + 1), *w = item;
    if (!item) return NULL;
    while (s < end) {
      if (*s == '%' && end - s >= 3) {
        char hex[3] = {s[1], s[2], 0};
        *w++ = (char)strtol(hex, NULL, 16);
        s += 3;
      } else *w++ = *s++;
    }
    *w = 0;
    out[i] = item;
    s = end + 1;
  }
  return out;
}

static void load(void) {
  if (loaded) return;
  loaded = 1;
  raw_has_markers = 0;
  size_t nenv = 0, nargs = 0;
  char **env = read_list(1, &nenv);
  if (!env) return;
  const char *av = NULL, *ex = NULL;
  for (size_t i = 0; i < nenv; i++) {
    if (is_key(env[i], ARGV_KEY)) av = env[i] + sizeof ARGV_KEY;
    else if (is_key(env[i], ENVX_KEY)) ex = env[i] + sizeof ENVX_KEY;
  }
  if (!av && !ex) return;
  raw_has_markers = 1;
  char **decoded_env = NULL;
  size_t ndecoded = 0;
  char **args = read_list(0, &nargs);
  char *p;
  unsigned long want = av ? strtoul(av, &p, 16) : 0;
  if (av && args && *p == ':' && want == wire_hash(args)) {
    size_t n = strtoul(p + 1, &p, 10);
    char **dec = *p == ':' ? decode_items(p + 1, n) : NULL;
    if (dec) { new_argv = dec; new_argc = n; }
    if (dec && ex) {
      ndecoded = strtoul(ex, &p, 10);
      decoded_env = *p == ':' ? decode_items(p + 1, ndecoded) : NULL;
      if (!decoded_env) ndecoded = 0;
    }
  }
  /* The environment without the markers (and without stale values of decoded keys). */
  new_env = calloc(nenv + ndecoded + 1, sizeof *new_env);
  if (!new_env) return;
  for (size_t i = 0; i < nenv; i++) {
    if (is_key(env[i], ARGV_KEY) || is_key(env[i], ENVX_KEY)) continue;
    size_t klen = strcspn(env[i], "=");
    int shadowed = 0;
    for (size_t k = 0; k < ndecoded && !shadowed; k++)
      shadowed = !strncmp(decoded_env[k], env[i], klen + 1);
    if (!shadowed) new_env[new_envc++] = env[i];
  }
  for (size_t k = 0; k < ndecoded; k++) new_env[new_envc++] = decoded_env[k];
}

static void sizes(char **list, size_t n, __wasi_size_t *count, __wasi_size_t *size) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += strlen(list[i]) + 1;
  *count = (__wasi_size_t)n;
  *size = (__wasi_size_t)total;
}
static void copy_out(char **list, size_t n, uint8_t **ptrs, uint8_t *buf) {
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(list[i]) + 1;
    memcpy(buf, list[i], l);
    ptrs[i] = buf;
    buf += l;
  }
}

__wasi_errno_t __wrap___wasi_args_sizes_get(__wasi_size_t *argc, __wasi_size_t *size) {
  load();
  if (!new_argv) return __real___wasi_args_sizes_get(argc, size);
  sizes(new_argv, new_argc, argc, size);
  return 0;
}
__wasi_errno_t __wrap___wasi_args_get(uint8_t **argv, uint8_t *buf) {
  load();
  if (!new_argv) return __real___wasi_args_get(argv, buf);
  copy_out(new_argv, new_argc, argv, buf);
  return 0;
}
__wasi_errno_t __wrap___wasi_environ_sizes_get(__wasi_size_t *count, __wasi_size_t *size) {
  load();
  if (!new_env) return __real___wasi_environ_sizes_get(count, size);
  sizes(new_env, new_envc, count, size);
  return 0;
}
__wasi_errno_t __wrap___wasi_environ_get(uint8_t **env, uint8_t *buf) {
  load();
  if (!new_env) return __real___wasi_environ_get(env, buf);
  copy_out(new_env, new_envc, env, buf);
  return 0;
}
