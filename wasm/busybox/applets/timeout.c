/* timeout for the sandbox: our own implementation, copied over busybox's coreutils/timeout.c
 * by wasm/busybox/build.sh. Busybox's applet execs PROG in the timeout process and has a
 * forked watcher signal that pid; under WASIX an exec'd program runs as a new process behind
 * the old pid, so the signal never reached it (the program ran to its end). Here PROG is a
 * posix_spawn child (its own pid, which signals do reach) and timeout polls it.
 * Exit status: PROG's own, or 124 when it timed out (as GNU timeout); 125 for a bad usage,
 * 126/127 when PROG cannot be run. Unlike GNU, a PROG that outlives SIG by 2 s (or -k) gets
 * KILL, and timeout returns 2 s after that even if it is still there. */
//config:config TIMEOUT
//config:	bool "timeout (3 kb)"
//config:	default y
//config:	help
//config:	Runs a program and watches it. If it does not terminate in
//config:	specified number of seconds, it is sent a signal.

//applet:IF_TIMEOUT(APPLET(timeout, BB_DIR_USR_BIN, BB_SUID_DROP))

//kbuild:lib-$(CONFIG_TIMEOUT) += timeout.o

//usage:#define timeout_trivial_usage
//usage:       "[-s SIG] [-k KILL_SECS] SECS PROG ARGS"
//usage:#define timeout_full_usage "\n\n"
//usage:       "Run PROG. Send SIG to it if it is not gone in SECS seconds.\n"
//usage:       "Default SIG: TERM. Exit status 124 if it timed out.\n"
//usage:       "If it still exists in KILL_SECS seconds, send KILL.\n"

#include "libbb.h"
#include <spawn.h>

static unsigned long long seconds_to_us(char *s)
{
	/* parse_duration_str: "1.5", "2m", ... (FLOAT_DURATION gives fractions) */
	return (unsigned long long)(parse_duration_str(s) * 1000000.0);
}

int timeout_main(int argc, char **argv) MAIN_EXTERNALLY_VISIBLE;
int timeout_main(int argc UNUSED_PARAM, char **argv)
{
	const char *opt_s = "TERM";
	char *opt_k = NULL;
	int sig, status;
	pid_t pid;
	smallint timed_out = 0, killed = 0;
	unsigned long long start, limit, kill_after = 0;

	/* '+': options end at SECS, PROG's own options are its own */
	getopt32(argv, "+s:k:", &opt_s, &opt_k);
	argv += optind;
	if (!argv[0] || !argv[1])
		bb_show_usage();
	sig = get_signum(opt_s);
	if (sig < 0)
		bb_error_msg_and_die("unknown signal '%s'", opt_s);
	limit = seconds_to_us(argv[0]);
	if (opt_k)
		kill_after = seconds_to_us(opt_k);
	argv++;

	errno = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (errno) {
		bb_perror_msg("can't execute '%s'", argv[0]);
		return errno == ENOENT ? 127 : 126;
	}
	start = monotonic_us();
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return 125;
		if (limit && monotonic_us() - start >= limit) {
			if (killed)
				return 124; /* not even KILL ended it: leave it, time is up */
			kill(pid, timed_out ? SIGKILL : sig);
			killed = timed_out;
			timed_out = 1;
			start = monotonic_us();
			/* -k, else 2 s: signals reach a WASIX program only at a syscall boundary, and
			 * one blocked waiting for its own children (a shell running a pipeline) may
			 * never see SIG; KILL then ends it */
			limit = kill_after ? kill_after : 2000000;
		}
		usleep(10 * 1000);
	}
	if (timed_out)
		return 124;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
