/* Force-included into the sqlite3 build: the few POSIX names 2022 wasi-libc lacks.
 * The shell uses the "unix-none" VFS (no fcntl locks), so the lock constants are only
 * needed to compile os_unix.c; ownership and mode changes have no meaning in the sandbox. */
#ifndef SANDPIT_SQLITE_WASI_SHIM_H
#define SANDPIT_SQLITE_WASI_SHIM_H
#include <sys/types.h>
#include <fcntl.h>
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
static inline int fchmod(int fd, mode_t mode) { (void)fd; (void)mode; return 0; }
static inline int chmod(const char *p, mode_t mode) { (void)p; (void)mode; return 0; }
static inline int fchown(int fd, uid_t u, gid_t g) { (void)fd; (void)u; (void)g; return 0; }
static inline uid_t geteuid(void) { return 0; }
#endif
