/* termios on WASIX tty_get/tty_set: ECHO <-> tty.echo, ICANON <-> tty.line_buffered. */
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix.h"

static int fd_is_tty(int fd, wasix_tty *t) {
  if (wasix_tty_get(t)) return 0;
  if (fd == 0) return t->stdin_tty;
  if (fd == 1) return t->stdout_tty;
  if (fd == 2) return t->stderr_tty;
  return 0;
}

/* A descriptor above 2 that is the terminal under another number (bash's shell_tty: a dup of
 * fd 2 moved to fd 255). The runtime's fdstat calls such a dup a regular file, but its filestat
 * keeps the tty's character-device type and inode, so compare those with a stdio tty's. */
static int fd_is_tty_dup(int fd, const wasix_tty *t) {
  __wasi_filestat_t a, b;
  if (fd <= 2 || __wasi_fd_filestat_get((__wasi_fd_t)fd, &a) != 0) return 0;
  if (a.filetype != __WASI_FILETYPE_CHARACTER_DEVICE) return 0;
  const int ttys[3] = {t->stdin_tty, t->stdout_tty, t->stderr_tty};
  for (int s = 0; s <= 2; s++)
    if (ttys[s] && __wasi_fd_filestat_get((__wasi_fd_t)s, &b) == 0 && b.dev == a.dev && b.ino == a.ino) return 1;
  return 0;
}

/* fd 0-2 as the runtime reports them, or a dup of one that is a terminal. */
static int fd_is_terminal(int fd, wasix_tty *t) {
  return fd_is_tty(fd, t) || fd_is_tty_dup(fd, t);
}

int tcgetattr(int fd, struct termios *tio) {
  wasix_tty t;
  memset(&t, 0, sizeof t);
  if (!fd_is_terminal(fd, &t)) { errno = ENOTTY; return -1; }
  memset(tio, 0, sizeof *tio);
  tio->c_iflag = ICRNL | IXON | IUTF8;
  tio->c_oflag = OPOST | ONLCR;
  tio->c_cflag = CS8 | CREAD | B38400;
  tio->c_lflag = ISIG | IEXTEN | ECHOE | ECHOK | ECHOCTL | ECHOKE;
  if (t.echo) tio->c_lflag |= ECHO;
  if (t.line_buffered) tio->c_lflag |= ICANON;
  const cc_t cc[] = {[VINTR] = 3, [VQUIT] = 28, [VERASE] = 127, [VKILL] = 21, [VEOF] = 4,
                     [VTIME] = 0, [VMIN] = 1, [VSTART] = 17, [VSTOP] = 19, [VSUSP] = 26,
                     [VREPRINT] = 18, [VWERASE] = 23, [VLNEXT] = 22};
  memcpy(tio->c_cc, cc, sizeof cc);
  tio->__c_ispeed = tio->__c_ospeed = B38400;
  return 0;
}

int tcsetattr(int fd, int act, const struct termios *tio) {
  (void)act;
  wasix_tty t;
  memset(&t, 0, sizeof t);
  if (!fd_is_terminal(fd, &t)) { errno = ENOTTY; return -1; }
  t.echo = (tio->c_lflag & ECHO) != 0;
  t.line_buffered = (tio->c_lflag & ICANON) != 0;
  uint16_t e = wasix_tty_set(&t);
  if (e) { errno = e; return -1; }
  return 0;
}

int tcgetwinsize(int fd, struct winsize *ws) {
  wasix_tty t;
  memset(&t, 0, sizeof t);
  if (!fd_is_terminal(fd, &t)) { errno = ENOTTY; return -1; }
  ws->ws_col = (unsigned short)(t.cols ? t.cols : 80);
  ws->ws_row = (unsigned short)(t.rows ? t.rows : 24);
  ws->ws_xpixel = (unsigned short)t.width;
  ws->ws_ypixel = (unsigned short)t.height;
  return 0;
}
/* Link with -Wl,--wrap=ioctl: every ioctl() (readline's and bash's checkwinsize TIOCGWINSZ, which
 * wasi-libc answers with ENOTTY) comes here; requests we do not know go to wasi-libc's. */
int __real_ioctl(int fd, int req, ...);
int __wrap_ioctl(int fd, int req, ...) {
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  if (req == TIOCGWINSZ || req == TCGETS || req == TCSETS || req == TIOCGPGRP || req == TIOCSPGRP)
    return __sandpit_ioctl(fd, req, arg);
  return __real_ioctl(fd, req, arg);
}

int __sandpit_ioctl(int fd, int req, void *arg) {
  if (req == TIOCGWINSZ) return tcgetwinsize(fd, arg);
  if (req == TCGETS) return tcgetattr(fd, arg);
  if (req == TCSETS) return tcsetattr(fd, TCSANOW, arg);
  if (req == TIOCGPGRP) { *(pid_t *)arg = getpgrp(); return 0; }
  if (req == TIOCSPGRP) return 0;
  errno = ENOTTY;
  return -1;
}

speed_t cfgetospeed(const struct termios *t) { return t->__c_ospeed; }
speed_t cfgetispeed(const struct termios *t) { return t->__c_ispeed; }
int cfsetospeed(struct termios *t, speed_t s) { t->__c_ospeed = s; return 0; }
int cfsetispeed(struct termios *t, speed_t s) { t->__c_ispeed = s; return 0; }
int cfsetspeed(struct termios *t, speed_t s) { t->__c_ispeed = t->__c_ospeed = s; return 0; }
void cfmakeraw(struct termios *t) {
  t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t->c_oflag &= ~OPOST;
  t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t->c_cflag &= ~(CSIZE | PARENB);
  t->c_cflag |= CS8;
  t->c_cc[VMIN] = 1;
  t->c_cc[VTIME] = 0;
}
int tcsendbreak(int fd, int d) { (void)fd; (void)d; return 0; }
int tcdrain(int fd) { (void)fd; return 0; }
int tcflush(int fd, int q) { (void)fd; (void)q; return 0; }
int tcflow(int fd, int a) { (void)fd; (void)a; return 0; }
pid_t tcgetsid(int fd) { (void)fd; return getsid(0); }

char *ttyname(int fd) {
  static char name[] = "/dev/tty";
  wasix_tty t;
  if (!fd_is_tty(fd, &t)) { errno = ENOTTY; return NULL; }
  return name;
}
int ttyname_r(int fd, char *buf, size_t n) {
  char *s = ttyname(fd);
  if (!s) return errno;
  if (strlen(s) + 1 > n) return ERANGE;
  strcpy(buf, s);
  return 0;
}
