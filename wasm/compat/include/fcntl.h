/* sandpit compat: fcntl() gains F_DUPFD/F_DUPFD_CLOEXEC and a real FD_CLOEXEC (WASIX
 * fd_fdflags_get/set, honoured by exec). The other commands go to wasi-libc's fcntl. */
#ifndef SANDPIT_FCNTL_H
#define SANDPIT_FCNTL_H
#include_next <fcntl.h>
#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif
#ifdef __cplusplus
extern "C" {
#endif
int __sandpit_fcntl(int, int, ...);
#ifdef __cplusplus
}
#endif
#ifndef SANDPIT_NO_FCNTL_MACRO
#define fcntl(...) __sandpit_fcntl(__VA_ARGS__)
#endif
#endif
