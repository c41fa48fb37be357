/* Force-included (-include) into every busybox file built for wasm32-wasi: declarations
 * and constants that Debian's 2022 wasi-libc lacks. Implementations are in bb-compat.c. */
#ifndef SANDPIT_BB_WASI_H
#define SANDPIT_BB_WASI_H
#include <sys/types.h>
/* busybox builds as gnu99, where clang's stddef.h hides max_align_t that wasi-libc's
 * socket structs use. */
#if !defined(__CLANG_MAX_ALIGN_T_DEFINED) && __STDC_VERSION__ < 201112L
typedef struct { long long __ll; long double __ld; } max_align_t;
#define __CLANG_MAX_ALIGN_T_DEFINED
#endif
#include <sys/ioctl.h>

#include <signal.h>
#include <time.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <stdio.h>
#include <netdb.h>

#ifndef SOCK_RAW
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#endif

/* Signals: wasi-libc's emulation has signal() and raise() only; the compat library's
 * <signal.h> has the rest. */
#ifndef SANDPIT_COMPAT
union sigval { int sival_int; void *sival_ptr; };
typedef struct { int si_signo, si_errno, si_code; pid_t si_pid; uid_t si_uid; int si_status; union sigval si_value; } siginfo_t;
struct sigaction {
	union { void (*sa_handler)(int); void (*sa_sigaction)(int, siginfo_t *, void *); } __sa_handler;
	sigset_t sa_mask;
	int sa_flags;
	void (*sa_restorer)(void);
};
#define sa_handler __sa_handler.sa_handler
#define sa_sigaction __sa_handler.sa_sigaction
#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define NSIG _NSIG
int kill(pid_t, int);
int killpg(pid_t, int);
int sigemptyset(sigset_t *);
int sigfillset(sigset_t *);
int sigaddset(sigset_t *, int);
int sigdelset(sigset_t *, int);
int sigismember(const sigset_t *, int);
int sigprocmask(int, const sigset_t *, sigset_t *);
int sigsuspend(const sigset_t *);
int sigaction(int, const struct sigaction *, struct sigaction *);
int sigpending(sigset_t *);
int siginterrupt(int, int);
int pthread_sigmask(int, const sigset_t *, sigset_t *);
#endif /* SANDPIT_COMPAT */

#include <sched.h>
#include <arpa/inet.h>

/* WASI has one type for FIFOs and sockets; use Linux's FIFO value so archives keep it. */
#undef S_IFIFO
#define S_IFIFO 0x1000

/* Files: the sandbox filesystem keeps no owners; modes are best effort (bb-compat.c). */
int chmod(const char *, mode_t);
int getgrouplist(const char *, gid_t, gid_t *, int *);
int getlogin_r(char *, size_t);
char *mkdtemp(char *);
char *realpath(const char *, char *);
/* fcntl: wasi-libc has no F_DUPFD (ash saves fds around redirections with it). */
#include <fcntl.h>
#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#ifndef O_NDELAY
#define O_NDELAY O_NONBLOCK
#endif
#define fcntl sandpit_fcntl
int sandpit_fcntl(int, int, ...);
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif

/* wasi-libc's sockaddr_un has no path; libbb's (unused) unix-socket helpers need one. */
#include <sys/un.h>
struct sandpit_sockaddr_un { sa_family_t sun_family; char sun_path[108]; };
#define sockaddr_un sandpit_sockaddr_un
#ifndef SO_REUSEADDR
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#endif

/* Resource limits: none are enforced by the sandbox; getrlimit reports infinity. */
typedef unsigned long long rlim_t;
struct rlimit { rlim_t rlim_cur, rlim_max; };
#define RLIM_INFINITY (~0ULL)
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIM_NLIMITS 16
#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2
/* nproc asks for the affinity mask; the sandbox reports one CPU. */
int sched_getaffinity(pid_t, size_t, void *);

/* Networking is refused (no sockets in this sandbox), but libbb's helpers must link. */
int socket(int, int, int);
int bind(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int connect(int, const struct sockaddr *, socklen_t);
int accept(int, struct sockaddr *, socklen_t *);
int getsockname(int, struct sockaddr *, socklen_t *);
int getpeername(int, struct sockaddr *, socklen_t *);
int setsockopt(int, int, int, const void *, socklen_t);
int getsockopt(int, int, int, void *, socklen_t *);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t recvfrom(int, void *, size_t, int, struct sockaddr *, socklen_t *);
char *inet_ntoa(struct in_addr);
int inet_aton(const char *, struct in_addr *);
extern int h_errno;
const char *hstrerror(int);
struct hostent *gethostbyaddr(const void *, socklen_t, int);
int gethostname(char *, size_t);

/* Processes, users, terminals: implemented by the compat library, or by bb-standalone.c
 * (which refuses the process calls). */
int pipe(int [2]);
int pipe2(int [2], int);
int dup(int);
int dup2(int, int);
int dup3(int, int, int);
int chown(const char *, uid_t, gid_t);
int fchown(int, uid_t, gid_t);
int lchown(const char *, uid_t, gid_t);
int fchownat(int, const char *, uid_t, gid_t, int);
int fchdir(int);
unsigned alarm(unsigned);
int pause(void);
pid_t fork(void);
pid_t vfork(void);
int execve(const char *, char *const [], char *const []);
int execv(const char *, char *const []);
int execvp(const char *, char *const []);
int execl(const char *, const char *, ...);
int execlp(const char *, const char *, ...);
pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t);
int setpgid(pid_t, pid_t);
pid_t setsid(void);
pid_t getsid(pid_t);
char *ttyname(int);
int ttyname_r(int, char *, size_t);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int getgroups(int, gid_t []);
int setuid(uid_t);
int seteuid(uid_t);
int setgid(gid_t);
int setegid(gid_t);
int setreuid(uid_t, uid_t);
int setregid(gid_t, gid_t);
int setresuid(uid_t, uid_t, uid_t);
int setresgid(gid_t, gid_t, gid_t);
int nice(int);
void sync(void);
int syncfs(int);
int chroot(const char *);
int getpagesize(void);
int getdtablesize(void);
int sethostname(const char *, size_t);
int getdomainname(char *, size_t);
int daemon(int, int);
char *getpass(const char *);
mode_t umask(mode_t);
int mkfifo(const char *, mode_t);
int mknod(const char *, mode_t, dev_t);
int fchmod(int, mode_t);
int lchmod(const char *, mode_t);
int fchmodat(int, const char *, mode_t, int);
int mkstemp(char *);
int mkostemp(char *, int);
char *mktemp(char *);
int posix_openpt(int);
int grantpt(int);
int unlockpt(int);
char *ptsname(int);
FILE *popen(const char *, const char *);
int pclose(FILE *);
int getloadavg(double *, int);
int getrlimit(int, struct rlimit *);
int setrlimit(int, const struct rlimit *);
int getpriority(int, id_t);
int setpriority(int, id_t, int);
struct itimerval { struct timeval it_interval, it_value; };
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
int setitimer(int, const struct itimerval *, struct itimerval *);
int getitimer(int, struct itimerval *);
int settimeofday(const struct timeval *, const void *);
int stime(const time_t *);
int clock_settime(clockid_t, const struct timespec *);
void tzset(void);
int lutimes(const char *, const struct timeval [2]);
int futimes(int, const struct timeval [2]);
int fallocate(int, int, off_t, off_t);
long syscall(long, ...);

/* Baud rates the compat library's <termios.h> leaves out (libbb's speed table lists them). */
#include <termios.h>
#ifndef B50
#define B50 0000001
#define B75 0000002
#define B110 0000003
#define B134 0000004
#define B150 0000005
#define B200 0000006
#define B300 0000007
#define B600 0000010
#define B1200 0000011
#define B1800 0000012
#define B2400 0000013
#define B4800 0000014
#endif
#ifndef B57600
#define B57600 0010001
#define B115200 0010002
#define B230400 0010003
#endif
/* Output delay flags (Linux values) for stty's mode table. */
#ifndef NLDLY
#define NLDLY 0000400
#endif
#ifndef NL0
#define NL0 0000000
#endif
#ifndef NL1
#define NL1 0000400
#endif
#ifndef CRDLY
#define CRDLY 0003000
#endif
#ifndef CR0
#define CR0 0000000
#endif
#ifndef CR1
#define CR1 0001000
#endif
#ifndef CR2
#define CR2 0002000
#endif
#ifndef CR3
#define CR3 0003000
#endif
#ifndef BSDLY
#define BSDLY 0020000
#endif
#ifndef BS0
#define BS0 0000000
#endif
#ifndef BS1
#define BS1 0020000
#endif
#ifndef VTDLY
#define VTDLY 0040000
#endif
#ifndef VT0
#define VT0 0000000
#endif
#ifndef VT1
#define VT1 0040000
#endif
#ifndef FFDLY
#define FFDLY 0100000
#endif
#ifndef FF0
#define FF0 0000000
#endif
#ifndef FF1
#define FF1 0100000
#endif
#ifndef TABDLY
#define TABDLY 0014000
#endif
#ifndef TAB0
#define TAB0 0000000
#endif
#ifndef TAB1
#define TAB1 0004000
#endif
#ifndef TAB2
#define TAB2 0010000
#endif
#ifndef TAB3
#define TAB3 0014000
#endif
int sigisemptyset(const sigset_t *);

/* ioctl: terminal requests are answered from WASIX tty_get/tty_set (bb-compat.c). */
#define ioctl sandpit_ioctl
int sandpit_ioctl(int, int, ...);
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define TIOCNOTTY 0x5422

#endif
