/* subreaper COMMAND [ARG...]: runs COMMAND as a child subreaper and reaps
 * every process that comes back to it, at once. A test that kills drainit
 * (run plainly, not as PID 1) then sees its orphaned app vanish as soon as
 * it dies, instead of lingering as a zombie until the machine's init gets
 * round to reaping it (if it ever does).
 * Exits when no child is left, with COMMAND's exit code (128+N if it died
 * of signal N; 127 if it could not be run).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: subreaper COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("subreaper: prctl");
		return 2;
	}
	pid_t cmd = fork();
	if (cmd < 0) {
		perror("subreaper: fork");
		return 2;
	}
	if (cmd == 0) {
		execvp(argv[1], argv + 1);
		perror("subreaper: exec");
		_exit(127);
	}
	int code = 0, status;
	for (;;) {
		pid_t p = wait(&status);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			break;
		if (p == cmd)
			code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	return code;
}
