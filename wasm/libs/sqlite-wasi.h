/* Force-included when compiling sqlite3.c for wasm32-wasi (2022 wasi-libc).
 * wasi-libc has struct flock but no record-lock commands; sqlite's unix VFS needs them.
 * fcntl is routed to sandpit_sqlite_fcntl (sqlite-fcntl.c), which treats locks as granted. */
#ifndef SANDPIT_SQLITE_WASI_H
#define SANDPIT_SQLITE_WASI_H
#include <fcntl.h>
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
#include <sys/types.h>
/* No owners or permission bits to change in WASI: report success. */
static inline int sandpit_fchmod(int fd, mode_t mode) { (void)fd; (void)mode; return 0; }
static inline int sandpit_fchown(int fd, uid_t u, gid_t g) { (void)fd; (void)u; (void)g; return 0; }
static inline uid_t sandpit_geteuid(void) { return 1000; }
#define fchmod sandpit_fchmod
#define fchown sandpit_fchown
#define geteuid sandpit_geteuid
int sandpit_sqlite_fcntl(int fd, int cmd, ...);
#define fcntl sandpit_sqlite_fcntl
#endif
