/* sys/statfs.h for wasi-libc (which has none); see sys/statvfs.h. */
#ifndef SANDPIT_SYS_STATFS_H
#define SANDPIT_SYS_STATFS_H
#include <sys/statvfs.h>
typedef struct { int __val[2]; } fsid_t;
struct statfs {
	unsigned long f_type, f_bsize;
	fsblkcnt_t f_blocks, f_bfree, f_bavail;
	fsfilcnt_t f_files, f_ffree;
	fsid_t f_fsid;
	unsigned long f_namelen, f_frsize, f_flags, f_spare[4];
};
int statfs(const char *, struct statfs *);
int fstatfs(int, struct statfs *);
#endif
