#ifndef DRAINIT_CHILD_H
#define DRAINIT_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privs;

/* Finding and starting the app, and turning wait statuses into exit codes. */

enum spawn_stage { SPAWN_EXEC, SPAWN_PRIVS };

struct spawn_result {
	pid_t pid;      /* -1 when fork failed */
	int exec_errno; /* 0 when the command was exec'd */
	int stage;      /* what failed: SPAWN_PRIVS (user, capabilities) or SPAWN_EXEC */
};

/* Forks the command into its own process group (the terminal's foreground
 * group when drainit holds the terminal), as the user and with the
 * capabilities of p, with an empty signal mask and default dispositions,
 * and execvp()s it. Returns once exec succeeded or failed; a failed child
 * exits 126, 127 or (privileges) 71 by itself. */
struct spawn_result child_spawn(char **argv, const struct privs *p);

/* execvp without its fallback of running a file the kernel cannot execute
 * (no #! line) with /bin/sh, which glibc has and musl has not: such a file
 * fails with ENOEXEC in both builds, as a container engine fails it. PATH
 * unset searches /bin:/usr/bin. Returns only on failure, errno set. No
 * allocation: fit for a vfork child. */
void child_exec(char *const *argv);

/* The file child_exec would run for name, into file: the same search, each
 * file tried with access(X_OK) instead of exec, so one the kernel cannot
 * run (ENOEXEC) still counts. Returns 0, or an errno: ENOENT when there is
 * none, EACCES when the ones there may not be run. */
int child_find(const char *name, char *file, size_t len);

/* Between fork and exec: becomes p (caps_become), then dies with drainit.
 * Returns 0 or the errno of the step that failed. */
int child_become(const struct privs *p, pid_t drainit);

/* The exit code a shell would report: the code, or 128+N for signal N. */
int child_exit_code(int wstatus);

/* 127 for "not found", 126 for anything else that stops exec. */
int child_exec_failure_code(int err);

/* "exited with status 3", "killed by SIGKILL", "killed by SIGSEGV (core dumped)". */
const char *child_describe(int wstatus, char *buf, size_t len);

#endif
