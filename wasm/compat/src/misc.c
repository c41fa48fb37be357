/* getpass and socket stubs (ENOSYS). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>
#include <sys/socket.h>
#include "wasix.h"

char *getpass(const char *prompt) {
  static char buf[128];
  fputs(prompt, stderr);
  if (!fgets(buf, sizeof buf, stdin)) return NULL;
  buf[strcspn(buf, "\n")] = 0;
  return buf;
}

#define NOSYS { errno = ENOSYS; return -1; }
int socket(int d, int t, int p) { (void)d; (void)t; (void)p; NOSYS }
int socketpair(int d, int t, int p, int sv[2]) { (void)d; (void)t; (void)p; (void)sv; NOSYS }
int bind(int s, const struct sockaddr *a, socklen_t l) { (void)s; (void)a; (void)l; NOSYS }
int connect(int s, const struct sockaddr *a, socklen_t l) { (void)s; (void)a; (void)l; NOSYS }
int listen(int s, int b) { (void)s; (void)b; NOSYS }
int getsockname(int s, struct sockaddr *restrict a, socklen_t *restrict l) { (void)s; (void)a; (void)l; NOSYS }
int getpeername(int s, struct sockaddr *restrict a, socklen_t *restrict l) { (void)s; (void)a; (void)l; NOSYS }
ssize_t sendto(int s, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l) { (void)s; (void)b; (void)n; (void)f; (void)a; (void)l; NOSYS }
ssize_t recvfrom(int s, void *restrict b, size_t n, int f, struct sockaddr *restrict a, socklen_t *restrict l) { (void)s; (void)b; (void)n; (void)f; (void)a; (void)l; NOSYS }
int setsockopt(int s, int lv, int o, const void *v, socklen_t l) { (void)s; (void)lv; (void)o; (void)v; (void)l; NOSYS }

int gethostname(char *name, size_t len) {
  static const char host[] = "sandpit";
  if (len < sizeof host) { errno = ENAMETOOLONG; return -1; }
  memcpy(name, host, sizeof host);
  return 0;
}
