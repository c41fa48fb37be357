/* For a build without sandpit's compat library (wasm/compat): the start-up cwd, the
 * poll_oneoff zero-timeout workaround, the one sandbox user, signal sets, terminals over
 * WASIX tty_get/tty_set, a setjmp that cannot jump back, and refused process calls. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <wasi/api.h>
#include "include/pwd.h"
#include "include/grp.h"
#include "include/termios.h"

#define SANDPIT_UID 1000
#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))

/* ---- start-up: wasi-libc ignores the cwd the runtime was given; ask WASIX for it. */
WASIX(getcwd) uint16_t wasix_getcwd(char *buf, uint32_t *len);

__attribute__((constructor)) static void sandpit_init_cwd(void)
{
	char buf[PATH_MAX];
	uint32_t len = sizeof(buf) - 1;
	if (wasix_getcwd(buf, &len) != 0 || len == 0 || len >= sizeof(buf))
		return;
	buf[len] = '\0';
	if (buf[len - 1] == '\0') len--;
	if (buf[0] == '/')
		chdir(buf);
}

/* ---- poll_oneoff with a relative clock timeout of 0 never returns under @wasmer/sdk;
 * linked with --wrap=__wasi_poll_oneoff, a zero timeout becomes 1 ns. */
__wasi_errno_t __real___wasi_poll_oneoff(const __wasi_subscription_t *, __wasi_event_t *,
	__wasi_size_t, __wasi_size_t *);

__wasi_errno_t __wrap___wasi_poll_oneoff(const __wasi_subscription_t *in, __wasi_event_t *out,
	__wasi_size_t n, __wasi_size_t *nevents)
{
	__wasi_subscription_t fixed[n ? n : 1];
	for (__wasi_size_t i = 0; i < n; i++) {
		fixed[i] = in[i];
		if (fixed[i].u.tag == __WASI_EVENTTYPE_CLOCK
		 && !(fixed[i].u.u.clock.flags & __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME)
		 && fixed[i].u.u.clock.timeout == 0)
			fixed[i].u.u.clock.timeout = 1;
	}
	return __real___wasi_poll_oneoff(fixed, out, n, nevents);
}

/* ---- setjmp.h: no non-local jumps without wasm exceptions; a longjmp ends the process. */
_Noreturn void sandpit_longjmp(int v)
{
	exit(v & 0xff);
}

/* ---- users: the sandbox runs one user, "user" (uid 1000), with HOME=/home/user. */
uid_t getuid(void) { return SANDPIT_UID; }
uid_t geteuid(void) { return SANDPIT_UID; }
gid_t getgid(void) { return SANDPIT_UID; }
gid_t getegid(void) { return SANDPIT_UID; }
int getgroups(int n, gid_t *list)
{
	if (n == 0) return 1;
	if (n < 1) { errno = EINVAL; return -1; }
	list[0] = SANDPIT_UID;
	return 1;
}

static struct passwd pw_table[2];
static int pw_index;
static struct passwd *pw_fill(int i)
{
	static char home[PATH_MAX];
	if (i == 0) {
		pw_table[0] = (struct passwd){ "root", "x", 0, 0, "root", "/root", "/bin/sh" };
	} else if (i == 1) {
		const char *h = getenv("HOME");
		snprintf(home, sizeof(home), "%s", h && *h == '/' ? h : "/home/user");
		pw_table[1] = (struct passwd){ "user", "x", SANDPIT_UID, SANDPIT_UID, "user", home, "/bin/sh" };
	} else {
		return NULL;
	}
	return &pw_table[i];
}
struct passwd *getpwuid(uid_t uid)
{
	if (uid == 0) return pw_fill(0);
	if (uid == SANDPIT_UID) return pw_fill(1);
	return NULL;
}
struct passwd *getpwnam(const char *name)
{
	if (strcmp(name, "root") == 0) return pw_fill(0);
	if (strcmp(name, "user") == 0) return pw_fill(1);
	return NULL;
}
void setpwent(void) { pw_index = 0; }
void endpwent(void) { pw_index = 0; }
struct passwd *getpwent(void) { return pw_fill(pw_index) ? &pw_table[pw_index++] : NULL; }

static struct group gr_table[2];
static char *gr_nomem[1];
static struct group *gr_fill(int i)
{
	if (i == 0) gr_table[0] = (struct group){ "root", "x", 0, gr_nomem };
	else if (i == 1) gr_table[1] = (struct group){ "user", "x", SANDPIT_UID, gr_nomem };
	else return NULL;
	return &gr_table[i];
}
static int gr_index;
struct group *getgrgid(gid_t gid)
{
	if (gid == 0) return gr_fill(0);
	if (gid == SANDPIT_UID) return gr_fill(1);
	return NULL;
}
struct group *getgrnam(const char *name)
{
	if (strcmp(name, "root") == 0) return gr_fill(0);
	if (strcmp(name, "user") == 0) return gr_fill(1);
	return NULL;
}
void setgrent(void) { gr_index = 0; }
void endgrent(void) { gr_index = 0; }
struct group *getgrent(void) { return gr_fill(gr_index) ? &gr_table[gr_index++] : NULL; }


int getpagesize(void) { return 65536; }
void sync(void) {}

/* ---- signal sets: kept as bits; nothing is ever blocked in a WASI process. */
int sigemptyset(sigset_t *s) { memset(s, 0, sizeof(*s)); return 0; }
int sigfillset(sigset_t *s) { memset(s, 0xff, sizeof(*s)); return 0; }
int sigaddset(sigset_t *s, int sig)
{
	if (sig < 1 || (unsigned)sig > sizeof(*s) * 8) { errno = EINVAL; return -1; }
	((unsigned char *)s)[(sig - 1) / 8] |= 1u << ((sig - 1) % 8);
	return 0;
}
int sigdelset(sigset_t *s, int sig)
{
	if (sig < 1 || (unsigned)sig > sizeof(*s) * 8) { errno = EINVAL; return -1; }
	((unsigned char *)s)[(sig - 1) / 8] &= ~(1u << ((sig - 1) % 8));
	return 0;
}
int sigismember(const sigset_t *s, int sig)
{
	if (sig < 1 || (unsigned)sig > sizeof(*s) * 8) { errno = EINVAL; return -1; }
	return !!(((const unsigned char *)s)[(sig - 1) / 8] & (1u << ((sig - 1) % 8)));
}
int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how; (void)set;
	if (old) memset(old, 0, sizeof(*old));
	return 0;
}

/* ---- terminals: WASIX keeps echo and line buffering in the runtime. */
typedef struct {
	uint32_t cols, rows, width, height;
	uint8_t stdin_tty, stdout_tty, stderr_tty, echo, line_buffered, line_feeds;
	uint8_t reserved[42];
} wasix_tty_t;
WASIX(tty_get) uint16_t wasix_tty_get(wasix_tty_t *tty);
WASIX(tty_set) uint16_t wasix_tty_set(wasix_tty_t *tty);

static int tty_state(int fd, wasix_tty_t *t)
{
	if (!isatty(fd)) return -1; /* errno set by isatty */
	memset(t, 0, sizeof(*t));
	uint16_t e = wasix_tty_get(t);
	if (e) { errno = e == __WASI_ERRNO_NOTSUP ? ENOTTY : e; return -1; }
	return 0;
}
int tcgetattr(int fd, struct termios *tio)
{
	wasix_tty_t t;
	if (tty_state(fd, &t) < 0) return -1;
	memset(tio, 0, sizeof(*tio));
	tio->c_iflag = ICRNL | IXON | IUTF8;
	tio->c_oflag = OPOST | ONLCR;
	tio->c_cflag = CS8 | CREAD | B38400;
	tio->c_lflag = ISIG | IEXTEN | (t.echo ? ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE : 0)
		| (t.line_buffered ? ICANON : 0);
	tio->c_cc[VINTR] = 3; tio->c_cc[VQUIT] = 28; tio->c_cc[VERASE] = 127;
	tio->c_cc[VKILL] = 21; tio->c_cc[VEOF] = 4; tio->c_cc[VMIN] = 1;
	tio->c_cc[VSTART] = 17; tio->c_cc[VSTOP] = 19; tio->c_cc[VSUSP] = 26;
	tio->c_cc[VWERASE] = 23; tio->c_cc[VLNEXT] = 22; tio->c_cc[VREPRINT] = 18;
	tio->__c_ispeed = tio->__c_ospeed = B38400;
	return 0;
}
int tcsetattr(int fd, int act, const struct termios *tio)
{
	wasix_tty_t t;
	(void)act;
	if (tty_state(fd, &t) < 0) return -1;
	t.echo = !!(tio->c_lflag & ECHO);
	t.line_buffered = !!(tio->c_lflag & ICANON);
	uint16_t e = wasix_tty_set(&t);
	if (e) { errno = e; return -1; }
	return 0;
}
int ttyname_r(int fd, char *buf, size_t len)
{
	if (!isatty(fd)) return errno;
	if (len < 9) return ERANGE;
	strcpy(buf, "/dev/tty");
	return 0;
}
speed_t cfgetospeed(const struct termios *t) { return t->__c_ospeed; }
speed_t cfgetispeed(const struct termios *t) { return t->__c_ispeed; }
int cfsetospeed(struct termios *t, speed_t s) { t->__c_ospeed = s; return 0; }
int cfsetispeed(struct termios *t, speed_t s) { t->__c_ispeed = s; return 0; }
int tcflush(int fd, int q) { (void)q; return isatty(fd) ? 0 : -1; }
int tcdrain(int fd) { return isatty(fd) ? 0 : -1; }
void cfmakeraw(struct termios *t)
{
	t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t->c_oflag &= ~OPOST;
	t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag = (t->c_cflag & ~(CSIZE | PARENB)) | CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

int __sandpit_ioctl(int fd, int req, void *arg)
{
	switch (req) {
	case 0x5413: { /* TIOCGWINSZ */
		wasix_tty_t t;
		if (tty_state(fd, &t) < 0) return -1;
		if (t.cols == 0 || t.rows == 0) { errno = ENOTTY; return -1; }
		struct winsize *w = arg;
		w->ws_col = t.cols; w->ws_row = t.rows;
		w->ws_xpixel = t.width; w->ws_ypixel = t.height;
		return 0;
	}
	case 0x5401: return tcgetattr(fd, arg);       /* TCGETS */
	case 0x5402: return tcsetattr(fd, 0, arg);    /* TCSETS */
	default:
		return ioctl(fd, req, arg);
	}
}

/* ---- processes: refused (no fork or spawn without the compat library). */
#include <stdio.h>
#include <sys/types.h>

static int nosys(void) { errno = ENOSYS; return -1; }
pid_t fork(void) { return nosys(); }
pid_t vfork(void) { return nosys(); }
int execvp(const char *f, char *const a[]) { (void)f; (void)a; return nosys(); }
int pipe(int fds[2]) { (void)fds; return nosys(); }
int dup2(int a, int b) { (void)a; (void)b; return nosys(); }
pid_t wait(int *s) { (void)s; errno = ECHILD; return -1; }
pid_t waitpid(pid_t p, int *s, int o) { (void)p; (void)s; (void)o; errno = ECHILD; return -1; }
FILE *popen(const char *c, const char *m) { (void)c; (void)m; errno = ENOSYS; return NULL; }
int pclose(FILE *f) { (void)f; errno = ECHILD; return -1; }
int dup(int fd) { (void)fd; return nosys(); }
int execlp(const char *f, const char *a, ...) { (void)f; (void)a; return nosys(); }

/* sigaction over wasi-libc's emulated signal(): handlers only, no masks or flags. */
struct sandpit_sigaction {
	union { void (*handler)(int); void (*action)(int, void *, void *); } u;
	sigset_t mask;
	int flags;
	void (*restorer)(void);
};
int sigaction(int sig, const struct sandpit_sigaction *act, struct sandpit_sigaction *old)
{
	void (*prev)(int) = SIG_DFL;
	if (act) {
		prev = signal(sig, act->u.handler);
		if (prev == SIG_ERR) { errno = EINVAL; return -1; }
	} else if (old) {
		prev = signal(sig, SIG_DFL);
		if (prev != SIG_ERR) signal(sig, prev);
	}
	if (old) {
		memset(old, 0, sizeof(*old));
		old->u.handler = prev == SIG_ERR ? SIG_DFL : prev;
	}
	return 0;
}
unsigned alarm(unsigned s) { (void)s; return 0; }
