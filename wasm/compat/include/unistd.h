/* sandpit compat: process, fd and identity calls that 2022 wasi-libc leaves out of <unistd.h>. */
#ifndef SANDPIT_UNISTD_H
#define SANDPIT_UNISTD_H
#include_next <unistd.h>
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
int pipe(int[2]);
int pipe2(int[2], int);
int dup(int);
int dup2(int, int);
int dup3(int, int, int);
pid_t fork(void);
pid_t vfork(void);
pid_t _Fork(void);
int execve(const char *, char *const[], char *const[]);
int execv(const char *, char *const[]);
int execvp(const char *, char *const[]);
int execvpe(const char *, char *const[], char *const[]);
int execl(const char *, const char *, ...);
int execlp(const char *, const char *, ...);
int execle(const char *, const char *, ...);
int fexecve(int, char *const[], char *const[]);
pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t);
int setpgid(pid_t, pid_t);
pid_t setsid(void);
pid_t getsid(pid_t);
pid_t setpgrp(void);
pid_t tcgetpgrp(int);
int tcsetpgrp(int, pid_t);
char *ttyname(int);
int ttyname_r(int, char *, size_t);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int getgroups(int, gid_t[]);
int setgroups(size_t, const gid_t *);
int setuid(uid_t);
int seteuid(uid_t);
int setgid(gid_t);
int setegid(gid_t);
int setreuid(uid_t, uid_t);
int setregid(gid_t, gid_t);
unsigned alarm(unsigned);
int pause(void);
int getpagesize(void);
int getdtablesize(void);
int nice(int);
void sync(void);
int chroot(const char *);
int vhangup(void);
char *getpass(const char *);
char *getusershell(void);
void setusershell(void);
void endusershell(void);
int lockf(int, int, off_t);
int chown(const char *, uid_t, gid_t);
int fchown(int, uid_t, gid_t);
int lchown(const char *, uid_t, gid_t);
int fchownat(int, const char *, uid_t, gid_t, int);
#ifdef __cplusplus
}
#endif
#endif
