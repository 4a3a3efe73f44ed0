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
	uint64_t blocked;       /* SigBlk, in every thread */
	char name[64];
};

enum disposition {
	DISP_CATCHES,           /* a handler runs */
	DISP_IGNORES,           /* set to SIG_IGN */
	DISP_BLOCKS,            /* every thread blocks it: it stays pending */
	DISP_DIES,              /* no handler, and the default ends the process */
	DISP_STOPS,             /* no handler, and the default stops it */
	DISP_NOTHING,           /* no handler, and the default ignores it */
};

/* Parses the text of /proc/PID/status (Name, SigBlk, SigIgn, SigCgt);
 * pure. Returns 0, or -1 when a field is missing. */
int inspect_parse_status(const char *text, struct sigstate *st);

/* What the process does with sig; pure. */
enum disposition inspect_disposition(const struct sigstate *st, int sig);

/* "catches SIGTERM", "ignores SIGTERM: only SIGKILL stops it", ...; pure. */
const char *inspect_words(enum disposition d, int sig, char *buf, size_t len);

/* Reads pid's state, SigBlk from all its threads, without allocating.
 * Returns 0, or -1 with errno set. */
int inspect_read(pid_t pid, struct sigstate *st);

/* drainit inspect: one line per process (each pid given, then its
 * descendants) on stdout. Returns 0, or 1 when a pid does not exist. */
int inspect_run(char **pids, int sig);

#endif
