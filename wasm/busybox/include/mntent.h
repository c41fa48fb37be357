/* mntent.h for wasi-libc (which has none). The sandbox has one filesystem; bb-compat.c
 * reports it as a single mount of "/". */
#ifndef SANDPIT_MNTENT_H
#define SANDPIT_MNTENT_H
#include <stdio.h>
#define MNTTYPE_SWAP "swap"
#define MNTOPT_DEFAULTS "defaults"
#define MNTOPT_RO "ro"
#define MNTOPT_RW "rw"
#define MNTOPT_NOAUTO "noauto"
struct mntent {
	char *mnt_fsname, *mnt_dir, *mnt_type, *mnt_opts;
	int mnt_freq, mnt_passno;
};
FILE *setmntent(const char *, const char *);
struct mntent *getmntent(FILE *);
struct mntent *getmntent_r(FILE *, struct mntent *, char *, int);
int addmntent(FILE *, const struct mntent *);
int endmntent(FILE *);
char *hasmntopt(const struct mntent *, const char *);
#endif
