/* grp.h for wasi-libc (which has none): group database backed by sandpit's bb-compat.c. */
#ifndef SANDPIT_GRP_H
#define SANDPIT_GRP_H
#include <sys/types.h>
#include <stddef.h>
struct group {
	char *gr_name, *gr_passwd;
	gid_t gr_gid;
	char **gr_mem;
};
struct group *getgrgid(gid_t);
struct group *getgrnam(const char *);
struct group *getgrent(void);
void setgrent(void);
void endgrent(void);
int getgrouplist(const char *, gid_t, gid_t *, int *);
int initgroups(const char *, gid_t);
int setgroups(size_t, const gid_t *);
#endif
