/* chmod/chown/umask: WASI has no permissions, so these check the file exists and succeed. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static mode_t cur_umask = 022;
mode_t umask(mode_t m) { mode_t old = cur_umask; cur_umask = m & 0777; return old; }

static int exists(const char *p) { struct stat st; return stat(p, &st); }
static int fexists(int fd) { struct stat st; return fstat(fd, &st); }
int chmod(const char *p, mode_t m) { (void)m; return exists(p); }
int lchmod(const char *p, mode_t m) { (void)m; struct stat st; return lstat(p, &st); }
int fchmod(int fd, mode_t m) { (void)m; return fexists(fd); }
int fchmodat(int dfd, const char *p, mode_t m, int fl) { (void)m; struct stat st; return fstatat(dfd, p, &st, fl); }
int chown(const char *p, uid_t u, gid_t g) { (void)u; (void)g; return exists(p); }
int lchown(const char *p, uid_t u, gid_t g) { (void)u; (void)g; struct stat st; return lstat(p, &st); }
int fchown(int fd, uid_t u, gid_t g) { (void)u; (void)g; return fexists(fd); }
int fchownat(int dfd, const char *p, uid_t u, gid_t g, int fl) { (void)u; (void)g; struct stat st; return fstatat(dfd, p, &st, fl); }
int mkfifo(const char *p, mode_t m) { (void)p; (void)m; errno = ENOSYS; return -1; }
int mknod(const char *p, mode_t m, dev_t d) { (void)p; (void)m; (void)d; errno = ENOSYS; return -1; }
