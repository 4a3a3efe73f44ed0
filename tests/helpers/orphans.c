/* orphans N [READY-FILE] [--live MS]: an app that makes N orphans.
 *
 * For each orphan it forks a child that forks a grandchild and exits at
 * once, so the grandchild is reparented to the nearest subreaper (drainit).
 * Grandchildren name themselves "orphan-gc" (comm), live MS milliseconds
 * (default 100) and exit 0. Once every intermediate child is reaped, every
 * grandchild has been forked: orphans then appends "spawned N pid=P" to
 * READY-FILE and stays alive until SIGTERM or SIGINT, on which it exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static pid_t fork_retry(void)
{
	for (int tries = 0;; tries++) {
		pid_t p = fork();
		if (p >= 0 || errno != EAGAIN || tries > 200)
			return p;
		sleep_ms(10);
	}
}

int main(int argc, char **argv)
{
	const char *ready = NULL;
	long live = 100;
	int n;

	if (argc < 2) {
		fprintf(stderr, "usage: orphans N [READY-FILE] [--live MS]\n");
		return 2;
	}
	n = atoi(argv[1]);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--live") && i + 1 < argc)
			live = atol(argv[++i]);
		else
			ready = argv[i];
	}

	/* Block the signals that end us before forking, so that none is lost
	 * while we spawn; grandchildren get the default mask back. */
	sigset_t stop, none;
	sigemptyset(&stop);
	sigemptyset(&none);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	for (int i = 0; i < n; i++) {
		pid_t child = fork_retry();
		if (child < 0) {
			perror("orphans: fork");
			return 1;
		}
		if (child == 0) {
			pid_t gc = fork_retry();
			if (gc == 0) {
				sigprocmask(SIG_SETMASK, &none, NULL);
				prctl(PR_SET_NAME, "orphan-gc");
				sleep_ms(live);
				_exit(0);
			}
			_exit(gc < 0 ? 1 : 0);
		}
		int status;
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "orphans: could not fork grandchild %d\n", i);
			return 1;
		}
	}
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0) {
			perror("orphans: ready file");
			return 2;
		}
		dprintf(fd, "spawned %d pid=%d\n", n, (int)getpid());
		close(fd);
	}
	int sig;
	sigwait(&stop, &sig);
	return 0;
}
