#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "child.h"
#include "exitcode.h"
#include "sig.h"

extern char **environ;

int child_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

int child_exec_failure_code(int err)
{
	return err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC; /* as a shell says */
}

const char *child_describe(int wstatus, char *buf, size_t len)
{
	char name[32];
	if (WIFEXITED(wstatus))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "killed by %s%s", sig_name(WTERMSIG(wstatus), name, sizeof name),
			 WCOREDUMP(wstatus) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "ended with wait status %#x", (unsigned)wstatus);
	return buf;
}

static void report(int fd, int stage, int err)
{
	int r[2] = { stage, err };
	while (write(fd, r, sizeof r) < 0 && errno == EINTR)
		;
}

int child_become(const struct privs *p, pid_t drainit)
{
	int err = caps_become(p);
	if (err)
		return err;
	/* After the change of user, which clears it: the process must not
	 * outlive drainit, even a drainit killed by SIGKILL (as PID 1 the
	 * kernel sees to that; otherwise this does). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != drainit)
		_exit(EXIT_OSERR);
	return 0;
}

/* What one file did when tried: 0 when it runs (or would), else an errno. */
typedef int attempt_fn(const char *file, char *const *argv);

/* Tries the files execvp would, in its order, until one runs: name itself
 * when it holds a '/', else name in each folder of PATH, where an empty
 * entry is the current folder. As in execvp, a file that is not there, or
 * that may not be run (EACCES), sends the search on, and EACCES is the
 * answer if nothing else was found; any other failure ends it (ENOEXEC,
 * ELOOP, E2BIG...). Returns 0 with the file in buf, or the errno. */
static int walk(const char *name, char *buf, size_t len, attempt_fn *attempt, char *const *argv)
{
	const char *path = getenv("PATH");
	bool denied = false;

	if (strchr(name, '/')) {
		snprintf(buf, len, "%s", name);
		return attempt(name, argv);
	}
	if (!path)
		path = "/bin:/usr/bin"; /* glibc's execvp's, so both builds search alike */
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		if (snprintf(buf, len, "%.*s%s%s", (int)n, p, n ? "/" : "", name) < (int)len) {
			int err = attempt(buf, argv);
			if (err == EACCES)
				denied = true;
			else if (err != ENOENT && err != ENOTDIR)
				return err; /* it runs, or it is there but cannot */
		}
		p += n;
		if (*p == '\0')
			return denied ? EACCES : ENOENT;
	}
}

static int exec_file(const char *file, char *const *argv)
{
	execve(file, argv, environ);
	return errno;
}

static int may_exec(const char *file, char *const *argv)
{
	(void)argv;
	return access(file, X_OK) == 0 ? 0 : errno;
}

void child_exec(char *const *argv)
{
	char file[PATH_MAX];
	errno = walk(argv[0], file, sizeof file, exec_file, argv);
}

int child_find(const char *name, char *file, size_t len)
{
	return walk(name, file, len, may_exec, NULL);
}

/* In the child, between vfork and exec: system calls only, no allocation,
 * nothing written that drainit reads (the memory is drainit's). */
static _Noreturn void become_app(char **argv, const struct privs *p, bool foreground,
				 pid_t drainit, int report_fd)
{
	sigset_t none;
	int err;

	setpgid(0, 0);
	/* Signals are still blocked here, so taking the terminal cannot stop us
	 * with SIGTTOU. */
	if (foreground)
		tcsetpgrp(STDIN_FILENO, getpid());
	if ((err = child_become(p, drainit)) != 0) {
		report(report_fd, SPAWN_PRIVS, err);
		_exit(EXIT_OSERR);
	}
	/* Dispositions are the defaults already: drainit reset them at start
	 * and never sets a handler. The mask is drainit's: everything blocked. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	child_exec(argv);
	err = errno;
	report(report_fd, SPAWN_EXEC, err);
	_exit(child_exec_failure_code(err));
}

struct spawn_result child_spawn(char **argv, const struct privs *p)
{
	struct spawn_result r = { -1, 0, SPAWN_EXEC };
	int report_pipe[2];
	/* Hand the terminal over only when drainit has it: a drainit started in
	 * the background must not steal it from the shell. A group outside our
	 * PID namespace reads as 0 on both sides, which proves nothing; then
	 * drainit keeps out of it and Ctrl-C reaches the app by forwarding. */
	pid_t own = getpgrp();
	bool foreground = isatty(STDIN_FILENO) && own > 0 && tcgetpgrp(STDIN_FILENO) == own;

	if (pipe2(report_pipe, O_CLOEXEC) != 0) {
		r.exec_errno = errno;
		return r;
	}
	pid_t self = getpid();
	/* vfork: the child borrows drainit's memory until it execs, which spares
	 * copying drainit's page tables and the copy-on-write faults after.
	 * drainit waits meanwhile, as it would for the pipe anyway (so vfork's
	 * risk, a parent held up by its child, is not a new one). The pipe
	 * still carries the child's failure: under valgrind, vfork is a fork.
	 * POSIX allows the child only exec or _exit; Linux allows system calls
	 * that leave drainit's memory alone, which is all become_app makes. */
	// NOLINTBEGIN(clang-analyzer-unix.Vfork, clang-analyzer-security.insecureAPI.vfork)
	r.pid = vfork();
	if (r.pid == 0)
		become_app(argv, p, foreground, self, report_pipe[1]);
	// NOLINTEND(clang-analyzer-unix.Vfork, clang-analyzer-security.insecureAPI.vfork)
	if (r.pid < 0) {
		r.exec_errno = errno;
		close(report_pipe[0]);
		close(report_pipe[1]);
		return r;
	}

	close(report_pipe[1]);
	/* Both sides set the group, so it exists whichever runs first; after
	 * exec the child refuses (EACCES), which is fine. */
	setpgid(r.pid, r.pid);
	/* EOF means exec succeeded (the pipe is close-on-exec); otherwise the
	 * child tells us why it failed. */
	ssize_t n;
	int rep[2] = { SPAWN_EXEC, 0 };
	while ((n = read(report_pipe[0], rep, sizeof rep)) < 0 && errno == EINTR)
		;
	close(report_pipe[0]);
	if (n == (ssize_t)sizeof rep) {
		r.stage = rep[0];
		r.exec_errno = rep[1];
	}
	return r;
}
