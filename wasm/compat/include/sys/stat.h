/* sandpit compat: the permission calls WASI leaves out (WASI files have no modes: these
 * succeed when the file exists and change nothing). */
#ifndef SANDPIT_SYS_STAT_H
#define SANDPIT_SYS_STAT_H
#include_next <sys/stat.h>
#ifdef __cplusplus
extern "C" {
#endif
int chmod(const char *, mode_t);
int fchmod(int, mode_t);
int fchmodat(int, const char *, mode_t, int);
int lchmod(const char *, mode_t);
mode_t umask(mode_t);
int mkfifo(const char *, mode_t);
int mknod(const char *, mode_t, dev_t);
#ifdef __cplusplus
}
#endif
#endif
