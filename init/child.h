#ifndef DRAINIT_CHILD_H
#define DRAINIT_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

/* Starting the app and turning wait statuses into exit codes. */

struct spawn_result {
	pid_t pid;      /* -1 when fork failed */
	int exec_errno; /* 0 when the command was exec'd */
};

/* Forks the command into its own process group (the terminal's foreground
 * group when drainit holds the terminal), with an empty signal mask and
 * default dispositions, and execvp()s it. Returns once exec succeeded or
 * failed; a failed child exits 126 or 127 by itself. */
struct spawn_result child_spawn(char **argv);

/* The exit code a shell would report: the code, or 128+N for signal N. */
int child_exit_code(int wstatus);

/* 127 for "not found", 126 for anything else that stops exec. */
int child_exec_failure_code(int err);

/* "exited with status 3", "killed by SIGKILL", "killed by SIGSEGV (core dumped)". */
const char *child_describe(int wstatus, char *buf, size_t len);

#endif
