/* hostcall: the guest side of sandpit's host calls (extensions and curl).
 *
 * Registered under every extension name and as `curl`; argv[0] says which. It writes one
 * request frame to a file in the call mount (/run/sandpit), then reads the reply file there:
 * the kernel answers that read when the host's asynchronous work (an extension's Promise, a
 * fetch) has finished. Frames (docs in src/worker/engine/hostcall/frame.ts):
 *   request  "SPCALL1 <headerLen> <bodyLen>\n" header-JSON body(stdin)
 *   reply    "SPRES1 <exit> <stdoutLen> <stderrLen> <metaLen> <pathLen> <fileLen>\n"
 *            meta path stdout stderr file   (a path: write file there, for curl -o)
 * Our own code, MIT licence.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CALL_DIR "/run/sandpit/"
#define CHUNK 65536
/* The kernel answers a pending reply read with an error after ~20 s (the SDK gives up at
 * 30 s); we ask again. 540 retries is about three hours. */
#define MAX_RETRIES 540

extern char **environ;
/* From the compat library: libc's cwd from the runtime's (the sandbox cwd option). */
void __sandpit_sync_cwd(void);

struct buf {
  char *p;
  size_t len, cap;
};

static void die(const char *what) {
  fprintf(stderr, "sandpit hostcall: %s: %s\n", what, strerror(errno));
  exit(126);
}

static void put(struct buf *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) die("out of memory");
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* A JSON string; bytes >= 0x80 go through as they are (the host decodes UTF-8). */
static void json_str(struct buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  put(b, "\"", 1);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\') {
      char e[2] = {'\\', (char)*c};
      put(b, e, 2);
    } else if (*c < 0x20) {
      char e[6] = {'\\', 'u', '0', '0', hex[*c >> 4], hex[*c & 15]};
      put(b, e, 6);
    } else {
      put(b, c, 1);
    }
  }
  put(b, "\"", 1);
}

static void read_all(int fd, struct buf *b) {
  static char tmp[CHUNK]; /* not on the 64 KiB stack */
  for (;;) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n == 0) return;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return; /* a closed or unreadable stdin is an empty one */
    }
    put(b, tmp, (size_t)n);
  }
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (fd == 1 || fd == 2) return; /* a closed pipe: keep going, like a killed reader */
      fprintf(stderr, "sandpit hostcall: write: %s\n", strerror(errno));
      return;
    }
    p += w;
    n -= (size_t)w;
  }
}

/* curl reads stdin only for "@-" data; extensions get their stdin unless the host lists them
 * under nostdin/ (extensions created with `stdin: false`, fit for interactive terminals). */
static int wants_stdin(const char *name, int argc, char **argv) {
  if (strcmp(name, "curl") != 0) {
    char flag[256];
    struct stat st;
    snprintf(flag, sizeof flag, CALL_DIR "nostdin/%s", name);
    return stat(flag, &st) != 0;
  }
  for (int i = 1; i < argc; i++) {
    const char *at = strstr(argv[i], "@-");
    if (at && at[2] == 0 && (at == argv[i] || argv[i][0] == '-')) return 1;
  }
  return 0;
}

/* curl's "@file" data values (not "@-"): -d/--data/--data-ascii/--data-binary, separate,
 * "--flag=value" or bundled ("-sd@f"). Mirrors the host's parser (curl.ts). */
static const char *data_file(int argc, char **argv, int *i) {
  const char *a = argv[*i];
  const char *v = NULL;
  if (strncmp(a, "--", 2) == 0) {
    static const char *const longs[] = {"--data", "--data-ascii", "--data-binary"};
    for (size_t k = 0; k < sizeof longs / sizeof *longs; k++) {
      size_t n = strlen(longs[k]);
      if (strncmp(a, longs[k], n) != 0) continue;
      if (a[n] == '=') v = a + n + 1;
      else if (a[n] == 0 && *i + 1 < argc) v = argv[++*i];
    }
  } else if (a[0] == '-') {
    for (const char *c = a + 1; *c; c++) {
      if (strchr("oXHwAeum", *c)) {
        if (!c[1]) ++*i; /* its value is the next argument */
        break;
      }
      if (*c == 'd') {
        v = c[1] ? c + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
        break;
      }
    }
  }
  return v && v[0] == '@' && strcmp(v, "@-") != 0 ? v + 1 : NULL;
}

static void unique_id(char *out, size_t n) {
  unsigned char r[8] = {0};
  if (getentropy(r, sizeof r) != 0) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    memcpy(r, &ts.tv_nsec, sizeof ts.tv_nsec < 8 ? sizeof ts.tv_nsec : 8);
  }
  snprintf(out, n, "%d-%02x%02x%02x%02x%02x%02x%02x%02x", (int)getpid(), r[0], r[1], r[2], r[3], r[4],
           r[5], r[6], r[7]);
}

/* read() that rides out the kernel's "still waiting" errors on a pending reply. */
static ssize_t read_reply(int fd, char *p, size_t n) {
  for (int tries = 0;; tries++) {
    ssize_t r = read(fd, p, n);
    if (r >= 0 || tries >= MAX_RETRIES || (errno != EIO && errno != EAGAIN && errno != EINTR)) return r;
  }
}

int main(int argc, char **argv) {
  __sandpit_sync_cwd();
  const char *name = argc > 0 && argv[0] ? argv[0] : "hostcall";
  const char *slash = strrchr(name, '/');
  if (slash) name = slash + 1;

  struct buf body = {0}, hdr = {0}, attach = {0};
  if (wants_stdin(name, argc, argv)) read_all(0, &body);
  size_t stdin_len = body.len;
  /* curl's @file data is read here, through the guest's own view of the filesystem. */
  if (strcmp(name, "curl") == 0) {
    for (int i = 1; i < argc; i++) {
      const char *f = data_file(argc, argv, &i);
      if (!f) continue;
      int dfd = open(f, O_RDONLY);
      if (dfd < 0) continue; /* the host reports it (curl exit 26) */
      size_t before = body.len;
      read_all(dfd, &body);
      close(dfd);
      char num[32];
      puts_(&attach, attach.len ? ",{\"path\":" : "{\"path\":");
      json_str(&attach, f);
      snprintf(num, sizeof num, ",\"size\":%zu}", body.len - before);
      puts_(&attach, num);
    }
  }

  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "/");
  puts_(&hdr, "{\"kind\":\"exec\",\"name\":");
  json_str(&hdr, name);
  puts_(&hdr, ",\"argv\":[");
  for (int i = 0; i < argc; i++) {
    if (i) puts_(&hdr, ",");
    json_str(&hdr, argv[i] ? argv[i] : "");
  }
  puts_(&hdr, "],\"cwd\":");
  json_str(&hdr, cwd);
  puts_(&hdr, ",\"env\":[");
  for (char **e = environ; e && *e; e++) {
    if (e != environ) puts_(&hdr, ",");
    json_str(&hdr, *e);
  }
  char num[48];
  snprintf(num, sizeof num, "],\"stdinLen\":%zu,\"attach\":[", stdin_len);
  puts_(&hdr, num);
  if (attach.len) put(&hdr, attach.p, attach.len);
  puts_(&hdr, "]}");

  char id[64], path[128], line[64];
  unique_id(id, sizeof id);
  snprintf(path, sizeof path, CALL_DIR "%s", id);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) die("cannot reach the host (" CALL_DIR ")");
  int ln = snprintf(line, sizeof line, "SPCALL1 %zu %zu\n", hdr.len, body.len);
  write_all(fd, line, (size_t)ln);
  write_all(fd, hdr.p, hdr.len);
  if (body.len) write_all(fd, body.p, body.len);
  if (close(fd) != 0) die("host call");
  free(body.p);
  free(hdr.p);

  /* The reply: "SPRES1 exit outLen errLen metaLen pathLen fileLen\n", then meta (skipped),
   * path, stdout, stderr, file. A path asks us to write the file bytes there (curl -o). */
  snprintf(path, sizeof path, CALL_DIR "%s.out", id);
  fd = open(path, O_RDONLY);
  if (fd < 0) die("host reply");
  static char chunk[CHUNK];
  size_t have = 0;
  char *nl = NULL;
  while (!nl) {
    ssize_t r = read_reply(fd, chunk + have, sizeof chunk - have);
    if (r < 0) die("host reply");
    if (r == 0) {
      fprintf(stderr, "sandpit hostcall: truncated reply\n");
      return 126;
    }
    have += (size_t)r;
    nl = memchr(chunk, '\n', have);
    if (!nl && have == sizeof chunk) break;
  }
  int code = 126;
  unsigned long long len[5] = {0}; /* meta, path, stdout, stderr, file */
  if (!nl || sscanf(chunk, "SPRES1 %d %llu %llu %llu %llu %llu", &code, &len[2], &len[3], &len[0], &len[1],
                    &len[4]) != 6) {
    fprintf(stderr, "sandpit hostcall: bad reply\n");
    return 126;
  }
  if (len[1] >= 4096) {
    fprintf(stderr, "sandpit hostcall: output path too long\n");
    return 126;
  }
  static char out_path[4096];
  size_t path_have = 0;
  int out_fd = -1, seg = 0;
  size_t off = (size_t)(nl + 1 - chunk);
  for (;;) {
    while (seg < 5 && len[seg] == 0) {
      if (seg == 1 && path_have) { /* the path is complete: the file segment comes last */
        out_path[path_have] = 0;
        out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out_fd < 0) {
          fprintf(stderr, "curl: (23) Failure writing output to destination (%s: %s)\n", out_path, strerror(errno));
          code = 23;
        }
      }
      seg++;
    }
    if (seg == 5) break;
    if (off == have) {
      ssize_t r = read_reply(fd, chunk, sizeof chunk);
      if (r <= 0) break;
      have = (size_t)r;
      off = 0;
    }
    size_t k = have - off < len[seg] ? have - off : (size_t)len[seg];
    if (seg == 1) {
      memcpy(out_path + path_have, chunk + off, k);
      path_have += k;
    } else if (seg == 2) {
      write_all(1, chunk + off, k);
    } else if (seg == 3) {
      write_all(2, chunk + off, k);
    } else if (seg == 4 && out_fd >= 0) {
      write_all(out_fd, chunk + off, k);
    }
    len[seg] -= k;
    off += k;
  }
  if (out_fd >= 0 && close(out_fd) != 0 && code == 0) code = 23;
  close(fd);
  unlink(path);
  return code;
}
