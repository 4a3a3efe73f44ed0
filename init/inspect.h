#ifndef DRAINIT_INSPECT_H
#define DRAINIT_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What a process will do with a signal, from /proc/PID/status: whether it
 * catches, ignores or blocks it, or falls to the default action. drainit
 * logs it for every process the stop signal goes to, and `drainit inspect`
 * prints it for any process and its descendants. */

struct sigstate {
	uint64_t caught;        /* SigCgt: bit N-1 for signal N */
	uint64_t ignored;       /* SigIgn */
	uint64_t blocked;       /* SigBlk or waited for, in every thread */
	uint64_t waited;        /* waited for in sigwait by some thread */
	bool waits_unread;      /* a thread waits in sigwait for a set not readable here */
	bool waits_maybe;       /* a thread sleeps, in sigwait or not: not readable here */
	unsigned threads;       /* Threads: 0 when the text does not say */
	char name[64];
};

enum disposition {
	DISP_CATCHES,           /* a handler runs */
	DISP_IGNORES,           /* set to SIG_IGN */
	DISP_BLOCKS,            /* every thread blocks it: it stays pending */
	DISP_WAITS,             /* blocked, and a thread waits for it in sigwait */
	DISP_UNKNOWN,           /* may be waited for in a set not readable here */
	DISP_MAYBE,             /* no handler, unless a thread waits for it: not readable here */
	DISP_DIES,              /* no handler, and the default ends the process */
	DISP_STOPS,             /* no handler, and the default stops it */
	DISP_NOTHING,           /* no handler, and the default ignores it */
};

/* Parses the text of /proc/PID/status (Name, SigBlk, SigIgn, SigCgt);
 * pure. Returns 0, or -1 when a field is missing. */
int inspect_parse_status(const char *text, struct sigstate *st);

/* The syscall number and first argument in the text of
 * /proc/PID/task/TID/syscall ("NR 0xARG1 ..."); pure. Returns 0, or -1 for
 * a thread that is running ("running") or text that is not that. */
int inspect_parse_syscall(const char *text, long *nr, uint64_t *arg1);

/* What the process does with sig; pure. */
enum disposition inspect_disposition(const struct sigstate *st, int sig);

/* "catches SIGTERM", "ignores SIGTERM: only SIGKILL stops it", ...; pure. */
const char *inspect_words(enum disposition d, int sig, char *buf, size_t len);

/* Reads pid's state without allocating: SigBlk from all its threads, and
 * the set each thread waits for when it is in rt_sigtimedwait (sigwait,
 * sigwaitinfo, sigtimedwait), which the kernel takes out of SigBlk for the
 * wait: read from /proc/PID/task/TID/syscall and /proc/PID/mem, where
 * ptrace access allows. Returns 0, or -1 with errno set. */
int inspect_read(pid_t pid, struct sigstate *st);

#endif
