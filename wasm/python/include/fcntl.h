/* Ahead of wasm/compat/include for CPython only. WASI has no record locks, which the fcntl
 * module uses for flock()/lockf(). Its sources are compiled with SANDPIT_FCNTL_LOCKS, which
 * routes fcntl() to fcntl_locks.c: lock requests succeed (a sandbox is one machine, one user)
 * so that lock-file libraries work instead of retrying forever. */
#include_next <fcntl.h>
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
#if defined(SANDPIT_FCNTL_LOCKS) && !defined(SANDPIT_FCNTL_LOCKS_IMPL)
int sandpit_fcntl_locks(int fd, int cmd, ...);
#define fcntl sandpit_fcntl_locks
#endif
