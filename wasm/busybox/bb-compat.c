/* What busybox needs beyond Debian's 2022 wasi-libc and our compat library, written for
 * sandpit: stat fields, modes and owners, temp files, realpath, mounts, free space,
 * address helpers, and polite refusals for what a sandbox cannot do. Linked in both
 * builds; bb-standalone.c adds what the compat library would otherwise provide. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <wasi/api.h>
#include "include/mntent.h"
#include "include/sys/statfs.h"
#include "include/netdb.h"

typedef unsigned long long rlim_t;
struct rlimit { rlim_t rlim_cur, rlim_max; };
#define RLIM_INFINITY (~0ULL)

/* The sandbox user (USER=user, HOME=/home/user), who owns every file. */
#define SANDPIT_UID 1000

#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))


/* ---- users: lookups the compat library does not have. */
int getgrouplist(const char *user, gid_t gid, gid_t *groups, int *n)
{
	(void)user;
	if (*n < 1) { *n = 1; return -1; }
	groups[0] = gid;
	*n = 1;
	return 1;
}
int getlogin_r(char *buf, size_t len)
{
	const char *u = getenv("USER");
	if (!u || !*u) u = "user";
	if (strlen(u) >= len) return ERANGE;
	strcpy(buf, u);
	return 0;
}

/* stat: WASI reports no permission bits, owners or block counts. Fill in what a POSIX
 * program expects: the sandbox user owns everything, directories are 0755, programs in
 * the bin directories 0755, other files 0644, and blocks follow the size (du). */
int __real_stat(const char *, struct stat *);
int __real_lstat(const char *, struct stat *);
int __real_fstat(int, struct stat *);
int __real_fstatat(int, const char *, struct stat *, int);

static int in_bin_dir(const char *path)
{
	static const char *const dirs[] = { "/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/" };
	if (!path) return 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0) return 1;
	return 0;
}
static void fix_stat(struct stat *st, const char *path)
{
	if ((st->st_mode & 07777) == 0) {
		if (S_ISDIR(st->st_mode)) st->st_mode |= 0755;
		else if (S_ISLNK(st->st_mode)) st->st_mode |= 0777;
		else if (S_ISREG(st->st_mode)) st->st_mode |= in_bin_dir(path) ? 0755 : 0644;
		else st->st_mode |= 0666;
	}
	if (st->st_uid == 0 && st->st_gid == 0) st->st_uid = st->st_gid = SANDPIT_UID;
	if (st->st_blocks == 0 && st->st_size > 0) st->st_blocks = (st->st_size + 511) / 512;
	if (st->st_blksize == 0) st->st_blksize = 4096;
}
int __wrap_stat(const char *path, struct stat *st)
{
	int r = __real_stat(path, st);
	if (r == 0) fix_stat(st, path);
	return r;
}
int __wrap_lstat(const char *path, struct stat *st)
{
	int r = __real_lstat(path, st);
	if (r == 0) fix_stat(st, path);
	return r;
}
int __wrap_fstat(int fd, struct stat *st)
{
	int r = __real_fstat(fd, st);
	if (r == 0) fix_stat(st, NULL);
	return r;
}
int __wrap_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int r = __real_fstatat(dirfd, path, st, flags);
	if (r == 0) fix_stat(st, path);
	return r;
}

/* isatty: after dup2() onto 0/1/2 the runtime still reports the old fd's character
 * device in fdstat, while fstat sees the new file; trust fstat for files. */
int __real_isatty(int);
int __wrap_isatty(int fd)
{
	struct stat st;
	if (__real_fstat(fd, &st) == 0 && !S_ISCHR(st.st_mode)) {
		errno = ENOTTY;
		return 0;
	}
	return __real_isatty(fd);
}

/* utimensat/futimens: the runtime answers EINVAL for a missing file (touch then never
 * creates it) and may not know UTIME_NOW; give it ENOENT and explicit times. */
int __real_utimensat(int, const char *, const struct timespec *, int);
int __real_futimens(int, const struct timespec *);
static const struct timespec *fill_now(const struct timespec *in, struct timespec out[2])
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	for (int i = 0; i < 2; i++) {
		if (!in || in[i].tv_nsec == UTIME_NOW) out[i] = now;
		else out[i] = in[i];
	}
	return out;
}
int __wrap_utimensat(int dirfd, const char *path, const struct timespec *times, int flags)
{
	struct stat st;
	struct timespec t[2];
	if (__real_fstatat(dirfd, path, &st, flags) != 0) return -1;
	return __real_utimensat(dirfd, path, fill_now(times, t), flags);
}
int __wrap_futimens(int fd, const struct timespec *times)
{
	struct timespec t[2];
	return __real_futimens(fd, fill_now(times, t));
}


/* ---- files: the sandbox filesystem stores no owners or permission bits. A change of
 * mode or owner succeeds when the file exists and changes nothing. */
static int exists(const char *path, int follow)
{
	struct stat st;
	return (follow ? stat(path, &st) : lstat(path, &st)) == 0 ? 0 : -1;
}
static int fd_exists(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? 0 : -1;
}
int chmod(const char *path, mode_t mode) { (void)mode; return exists(path, 1); }
int lchmod(const char *path, mode_t mode) { (void)mode; return exists(path, 0); }
int fchmod(int fd, mode_t mode) { (void)mode; return fd_exists(fd); }
int chown(const char *path, uid_t u, gid_t g) { (void)u; (void)g; return exists(path, 1); }
int lchown(const char *path, uid_t u, gid_t g) { (void)u; (void)g; return exists(path, 0); }
int fchown(int fd, uid_t u, gid_t g) { (void)u; (void)g; return fd_exists(fd); }
static mode_t cur_umask = 022;
mode_t umask(mode_t m) { mode_t old = cur_umask; cur_umask = m & 0777; return old; }
int mkfifo(const char *path, mode_t mode) { (void)path; (void)mode; errno = ENOTSUP; return -1; }
int mknod(const char *path, mode_t mode, dev_t dev) { (void)path; (void)mode; (void)dev; errno = ENOTSUP; return -1; }
void tzset(void) {}
/* WASI cannot turn a directory fd back into a path: cpio -p is the one user here. */
int fchdir(int fd) { (void)fd; errno = ENOSYS; return -1; }
int clock_settime(clockid_t c, const struct timespec *ts) { (void)c; (void)ts; errno = EPERM; return -1; }
int sethostname(const char *n, size_t l) { (void)n; (void)l; errno = EPERM; return -1; }
int sched_getaffinity(pid_t pid, size_t size, void *mask)
{
	(void)pid;
	memset(mask, 0, size);
	if (size) ((unsigned char *)mask)[0] = 1;
	return 0;
}

/* Temporary names: replace the trailing XXXXXX with random letters until one is free. */
static int fill_template(char *tmpl)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(tmpl);
	unsigned char rnd[6];
	if (len < 6 || memcmp(tmpl + len - 6, "XXXXXX", 6) != 0) { errno = EINVAL; return -1; }
	if (__wasi_random_get(rnd, sizeof(rnd)) != 0) { errno = EIO; return -1; }
	for (int i = 0; i < 6; i++) tmpl[len - 6 + i] = chars[rnd[i] % 62];
	return 0;
}
int mkostemp(char *tmpl, int flags)
{
	size_t len = strlen(tmpl);
	for (int tries = 0; tries < 100; tries++) {
		if (fill_template(tmpl) < 0) return -1;
		int fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL | flags, 0600);
		if (fd >= 0 || errno != EEXIST) return fd;
		memcpy(tmpl + len - 6, "XXXXXX", 6);
	}
	errno = EEXIST;
	return -1;
}
int mkstemp(char *tmpl) { return mkostemp(tmpl, 0); }
char *mkdtemp(char *tmpl)
{
	size_t len = strlen(tmpl);
	for (int tries = 0; tries < 100; tries++) {
		if (fill_template(tmpl) < 0) return NULL;
		if (mkdir(tmpl, 0700) == 0) return tmpl;
		if (errno != EEXIST) return NULL;
		memcpy(tmpl + len - 6, "XXXXXX", 6);
	}
	return NULL;
}
char *mktemp(char *tmpl)
{
	struct stat st;
	size_t len = strlen(tmpl);
	for (int tries = 0; tries < 100; tries++) {
		if (fill_template(tmpl) < 0) { tmpl[0] = '\0'; return tmpl; }
		if (lstat(tmpl, &st) != 0) return tmpl;
		memcpy(tmpl + len - 6, "XXXXXX", 6);
	}
	tmpl[0] = '\0';
	return tmpl;
}

/* realpath: absolute, with ".", ".." and symlinks resolved; every component must exist. */
char *realpath(const char *path, char *resolved)
{
	char out[PATH_MAX], rest[PATH_MAX], link[PATH_MAX];
	int links = 0;
	size_t olen;

	if (!path) { errno = EINVAL; return NULL; }
	if (!*path) { errno = ENOENT; return NULL; }
	if (strlen(path) >= sizeof(rest)) { errno = ENAMETOOLONG; return NULL; }
	strcpy(rest, path);
	if (rest[0] == '/') {
		strcpy(out, "/");
	} else if (!getcwd(out, sizeof(out))) {
		return NULL;
	}
	olen = strlen(out);
	char *p = rest;
	while (*p) {
		while (*p == '/') p++;
		if (!*p) break;
		char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 1 && p[0] == '.') { p += n; continue; }
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (olen > 1 && out[olen - 1] != '/') olen--;
			if (olen > 1) olen--;
			out[olen] = '\0';
			p += n;
			continue;
		}
		if (olen + 1 + n >= sizeof(out)) { errno = ENAMETOOLONG; return NULL; }
		if (olen > 1) out[olen++] = '/';
		memcpy(out + olen, p, n);
		olen += n;
		out[olen] = '\0';
		p += n;
		struct stat st;
		if (lstat(out, &st) != 0) return NULL;
		if (S_ISLNK(st.st_mode)) {
			if (++links > 40) { errno = ELOOP; return NULL; }
			ssize_t l = readlink(out, link, sizeof(link) - 1);
			if (l < 0) return NULL;
			link[l] = '\0';
			if (l + strlen(p) + 1 >= sizeof(link)) { errno = ENAMETOOLONG; return NULL; }
			strcat(link, p);
			strcpy(rest, link);
			p = rest;
			if (rest[0] == '/') {
				strcpy(out, "/");
				olen = 1;
			} else {
				while (olen > 1 && out[olen - 1] != '/') olen--;
				if (olen > 1) olen--;
				out[olen] = '\0';
			}
		} else if (*p && !S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return NULL;
		}
	}
	if (!resolved) return strdup(out);
	strcpy(resolved, out);
	return resolved;
}

/* ---- mounts and free space: one filesystem, "/", whose size WASI cannot tell. */
static FILE *mnt_marker = (FILE *)&mnt_marker;
static int mnt_done;
FILE *setmntent(const char *f, const char *m) { (void)f; (void)m; mnt_done = 0; return mnt_marker; }
int endmntent(FILE *f) { (void)f; return 1; }
struct mntent *getmntent(FILE *f)
{
	static struct mntent ent = { "sandpit", "/", "wasi", "rw", 0, 0 };
	(void)f;
	if (mnt_done) return NULL;
	mnt_done = 1;
	return &ent;
}
int statvfs(const char *path, struct statvfs *s)
{
	if (exists(path, 1) < 0) return -1;
	memset(s, 0, sizeof(*s));
	s->f_bsize = s->f_frsize = 4096;
	s->f_namemax = 255;
	return 0;
}
int statfs(const char *path, struct statfs *s)
{
	if (exists(path, 1) < 0) return -1;
	memset(s, 0, sizeof(*s));
	s->f_bsize = s->f_frsize = 4096;
	s->f_namelen = 255;
	return 0;
}
int getrlimit(int res, struct rlimit *r)
{
	(void)res;
	r->rlim_cur = r->rlim_max = RLIM_INFINITY;
	return 0;
}
int setrlimit(int res, const struct rlimit *r) { (void)res; (void)r; return 0; }
int syncfs(int fd) { return fd_exists(fd); }
int fstatvfs(int fd, struct statvfs *s)
{
	if (fd_exists(fd) < 0) return -1;
	memset(s, 0, sizeof(*s));
	s->f_bsize = s->f_frsize = 4096;
	s->f_namemax = 255;
	return 0;
}

/* ---- names and addresses: no resolver in the sandbox. */
int h_errno;
const char *hstrerror(int e) { (void)e; return "Unknown host"; }
struct hostent *gethostbyname(const char *name) { (void)name; h_errno = 1; return NULL; }
struct hostent *gethostbyaddr(const void *a, socklen_t l, int t) { (void)a; (void)l; (void)t; h_errno = 1; return NULL; }
char *inet_ntoa(struct in_addr in)
{
	static char buf[16];
	const unsigned char *b = (const unsigned char *)&in.s_addr;
	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}


/* ---- open(path, 0): Linux's O_RDONLY is 0, wasi-libc's is not (ed opens that way). */
int __real_open(const char *, int, ...);
int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
	va_end(ap);
	if ((flags & O_ACCMODE) == 0) flags |= O_RDONLY;
	return __real_open(path, flags, mode);
}

/* ---- lseek on a pipe: the runtime says EACCES where POSIX says ESPIPE (archivers
 * fall back to reading forward only on ESPIPE). */
off_t __real_lseek(int, off_t, int);
off_t __wrap_lseek(int fd, off_t off, int whence)
{
	off_t r = __real_lseek(fd, off, whence);
	if (r < 0 && (errno == EACCES || errno == ENOTCAPABLE)) {
		struct stat st;
		if (__real_fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) errno = ESPIPE;
	}
	return r;
}

/* ---- termios: the runtime keeps only echo and line buffering, so a full read-back
 * after tcsetattr would differ and stty (reset) reports failure; remember the rest. */
#include <termios.h>
int __real_tcgetattr(int, struct termios *);
int __real_tcsetattr(int, int, const struct termios *);
static struct termios tio_saved;
static int tio_have;
int __wrap_tcsetattr(int fd, int act, const struct termios *t)
{
	int r = __real_tcsetattr(fd, act, t);
	if (r == 0) { tio_saved = *t; tio_have = 1; }
	return r;
}
int __wrap_tcgetattr(int fd, struct termios *t)
{
	int r = __real_tcgetattr(fd, t);
	if (r == 0 && tio_have) {
		tcflag_t live = t->c_lflag & (ECHO | ICANON);
		*t = tio_saved;
		t->c_lflag = (t->c_lflag & ~(tcflag_t)(ECHO | ICANON)) | live;
	}
	return r;
}

#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif
int dup(int);

/* ---- fcntl with F_DUPFD/F_DUPFD_CLOEXEC: the lowest free descriptor >= arg. */
#undef fcntl
int sandpit_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	if (cmd == 0 /* F_DUPFD */ || cmd == F_DUPFD_CLOEXEC) {
		/* dup() until the number is high enough (renumbering onto a free fd fails). */
		int spare[64], nspare = 0, n;
		for (;;) {
			n = dup(fd);
			if (n < 0 || n >= arg || nspare == 64) break;
			spare[nspare++] = n;
		}
		int e = errno;
		while (nspare) close(spare[--nspare]);
		if (n >= 0 && n < arg) { close(n); errno = EMFILE; return -1; }
		errno = e;
		return n;
	}
	return fcntl(fd, cmd, arg);
}

/* ---- ioctl: terminal requests go to the tty layer (compat library or bb-standalone.c). */
#undef ioctl
int __sandpit_ioctl(int, int, void *);
int sandpit_ioctl(int fd, int req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return __sandpit_ioctl(fd, req, arg);
}

/* ---- hush asks whether a signal set is empty (a glibc/musl extension). */
int sigisemptyset(const sigset_t *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < sizeof(*s); i++)
		if (p[i]) return 0;
	return 1;
}

/* ---- priorities: the sandbox has no scheduler knobs; every process is at 0. */
int getpriority(int which, id_t who) { (void)which; (void)who; errno = 0; return 0; }
int setpriority(int which, id_t who, int prio) { (void)which; (void)who; (void)prio; return 0; }

#ifdef SANDPIT_COMPAT
/* ---- system() and popen() on the compat library's fork/exec: "sh -c CMD". */
#include <sys/wait.h>
extern char **environ;
int system(const char *cmd)
{
	if (!cmd) return 1;
	pid_t pid = fork();
	if (pid < 0) return -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) return -1;
	return status;
}

/* execve of a path that does not exist leaves a forked child stuck in the runtime (ash
 * tries every $PATH entry in turn): answer ENOENT here without asking the runtime. */
int __real_execve(const char *, char *const [], char *const []);
int __wrap_execve(const char *path, char *const argv[], char *const envp[])
{
	struct stat st;
	if (__real_stat(path, &st) != 0) return -1;
	if (S_ISDIR(st.st_mode)) { errno = EACCES; return -1; }
	return __real_execve(path, argv, envp);
}

static struct popen_entry { FILE *f; pid_t pid; struct popen_entry *next; } *popen_list;
FILE *popen(const char *cmd, const char *mode)
{
	int fds[2], reading = mode[0] == 'r';
	if ((mode[0] != 'r' && mode[0] != 'w') || pipe(fds) < 0) { errno = EINVAL; return NULL; }
	pid_t pid = fork();
	if (pid < 0) { close(fds[0]); close(fds[1]); return NULL; }
	if (pid == 0) {
		/* child: our end of the pipe becomes stdin or stdout of "sh -c" */
		dup2(reading ? fds[1] : fds[0], reading ? 1 : 0);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(reading ? fds[1] : fds[0]);
	FILE *f = fdopen(reading ? fds[0] : fds[1], mode);
	struct popen_entry *e = malloc(sizeof(*e));
	if (!f || !e) { free(e); return NULL; }
	e->f = f; e->pid = pid; e->next = popen_list; popen_list = e;
	return f;
}
int pclose(FILE *f)
{
	struct popen_entry **pp = &popen_list, *e;
	while ((e = *pp) && e->f != f) pp = &e->next;
	if (!e) { errno = ECHILD; return -1; }
	*pp = e->next;
	fclose(f);
	int status;
	pid_t pid = e->pid;
	free(e);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) return -1;
	return status;
}
#endif
