#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "opt.h"
#include "sig.h"

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

/* In the child, between fork and exec: only async-signal-safe calls. */
static void become_app(char **argv, bool foreground, pid_t drainit, int report_fd)
{
	sigset_t none;
	int err;

	setpgid(0, 0);
	/* The app must not outlive drainit, even a drainit killed by SIGKILL
	 * (as PID 1 the kernel sees to that; otherwise this does). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != drainit)
		_exit(EXIT_OSERR);
	/* Signals are still blocked here, so taking the terminal cannot stop us
	 * with SIGTTOU. */
	if (foreground)
		tcsetpgrp(STDIN_FILENO, getpid());
	sig_reset_dispositions();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	err = errno;
	while (write(report_fd, &err, sizeof err) < 0 && errno == EINTR)
		;
	_exit(child_exec_failure_code(err));
}

struct spawn_result child_spawn(char **argv)
{
	struct spawn_result r = { -1, 0 };
	int report[2];
	/* Hand the terminal over only when drainit has it: a drainit started in
	 * the background must not steal it from the shell. A group outside our
	 * PID namespace reads as 0 on both sides, which proves nothing; then
	 * drainit keeps out of it and Ctrl-C reaches the app by forwarding. */
	pid_t own = getpgrp();
	bool foreground = isatty(STDIN_FILENO) && own > 0 && tcgetpgrp(STDIN_FILENO) == own;

	if (pipe2(report, O_CLOEXEC) != 0) {
		r.exec_errno = errno;
		return r;
	}
	pid_t self = getpid();
	r.pid = fork();
	if (r.pid < 0) {
		r.exec_errno = errno;
		close(report[0]);
		close(report[1]);
		return r;
	}
	if (r.pid == 0)
		become_app(argv, foreground, self, report[1]);

	close(report[1]);
	/* Both sides set the group, so it exists whichever runs first; after
	 * exec the child refuses (EACCES), which is fine. */
	setpgid(r.pid, r.pid);
	/* EOF means exec succeeded (the pipe is close-on-exec); otherwise the
	 * child tells us why it failed. */
	ssize_t n;
	int err = 0;
	while ((n = read(report[0], &err, sizeof err)) < 0 && errno == EINTR)
		;
	close(report[0]);
	r.exec_errno = n == (ssize_t)sizeof err ? err : 0;
	return r;
}
