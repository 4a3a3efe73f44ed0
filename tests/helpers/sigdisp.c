/* sigdisp FILE [OPTIONS]: a process that sets up what it does with signals
 * (catch, ignore, block, in one thread or all), for the tests of drainit's
 * stop-time report and `drainit inspect`, and records what happens.
 *
 * Appends to FILE one line per event, realtime milliseconds in ms=:
 *   start pid=P name=NAME threads=N ms=T   once everything is set up
 *   sig SIGNAME ms=T                       a caught signal; it then exits 0
 * Options:
 *   --name NAME      its command name (PR_SET_NAME), to tell helpers apart
 *   --catch SIG      a handler for SIG (repeatable); the first caught
 *                    signal ends it with status 0
 *   --ignore SIG     SIG_IGN (repeatable)
 *   --default SIG    SIG_DFL (repeatable): undoes an inherited SIG_IGN
 *   --block SIG      blocked in every thread (repeatable)
 *   --threads N      N more threads, with the same mask
 *   --one-unblocks   one more thread, which unblocks the --block signals:
 *                    then not every thread blocks them
 * Without --catch it runs until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "signame.h"

static int pipefd[2];
static sigset_t blocked;
static sem_t started;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
	int saved = errno;
	if (write(pipefd[1], &sig, sizeof sig) < 0) { /* nothing to do */ }
	errno = saved;
}

static void *idle(void *unblock)
{
	if (unblock)
		pthread_sigmask(SIG_UNBLOCK, &blocked, NULL);
	sem_post(&started);
	for (;;)
		pause();
	return NULL;
}

static void name(int sig, char *buf, size_t len)
{
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
}

int main(int argc, char **argv)
{
	int threads = 0, one_unblocks = 0, any_catch = 0;
	const char *comm = NULL;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: sigdisp FILE [--name NAME] [--catch SIG] [--ignore SIG] "
			"[--default SIG] [--block SIG] [--threads N] [--one-unblocks]\n");
		return 2;
	}
	int out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0 || pipe2(pipefd, O_CLOEXEC) != 0 || sem_init(&started, 0, 0) != 0) {
		perror("sigdisp");
		return 2;
	}
	sigemptyset(&blocked);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = strcmp(a, "--one-unblocks") != 0;
		if (takes && !v) {
			fprintf(stderr, "sigdisp: %s needs a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--name")) {
			comm = v;
		} else if (!strcmp(a, "--catch")) {
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = on_signal;
			sa.sa_flags = SA_RESTART;
			if (sigaction(helper_parse_sig("sigdisp", v), &sa, NULL) != 0) {
				perror("sigdisp: sigaction");
				return 2;
			}
			any_catch = 1;
		} else if (!strcmp(a, "--ignore") || !strcmp(a, "--default")) {
			if (signal(helper_parse_sig("sigdisp", v), a[2] == 'i' ? SIG_IGN : SIG_DFL) == SIG_ERR) {
				perror("sigdisp: signal");
				return 2;
			}
		} else if (!strcmp(a, "--block")) {
			sigaddset(&blocked, helper_parse_sig("sigdisp", v));
		} else if (!strcmp(a, "--threads")) {
			threads = atoi(v);
		} else if (!strcmp(a, "--one-unblocks")) {
			one_unblocks = 1;
		} else {
			fprintf(stderr, "sigdisp: unknown option %s\n", a);
			return 2;
		}
		i += takes;
	}
	if (comm)
		prctl(PR_SET_NAME, comm, 0, 0, 0);
	/* the mask first, so that the threads start with it */
	pthread_sigmask(SIG_BLOCK, &blocked, NULL);
	for (int k = 0; k < threads + one_unblocks; k++) {
		pthread_t t;
		if (pthread_create(&t, NULL, idle, k == threads ? (void *)1 : NULL) != 0) {
			fprintf(stderr, "sigdisp: cannot start a thread\n");
			return 2;
		}
	}
	for (int k = 0; k < threads + one_unblocks; k++)
		while (sem_wait(&started) != 0)
			;
	char self[16] = "";
	prctl(PR_GET_NAME, self, 0, 0, 0);
	dprintf(out, "start pid=%d name=%s threads=%d ms=%lld\n", (int)getpid(), self,
		1 + threads + one_unblocks, now_ms());
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		int sig;
		if (!any_catch) {
			pause();
			continue;
		}
		if (poll(&p, 1, -1) <= 0 || read(pipefd[0], &sig, sizeof sig) != sizeof sig)
			continue;
		char n[32];
		name(sig, n, sizeof n);
		dprintf(out, "sig %s ms=%lld\n", n, now_ms());
		return 0;
	}
}
