/* zombies N READY-FILE [--workers W] [--batch K] [--max-alive M]: hands N
 * orphans, already dead, to the nearest reaper (drainit), fast.
 *
 * orphans.c forks each orphan through a child it waits for, one after the
 * other: about 2,000 a second. Here W workers (default 2) run at once; each
 * makes K children (default 1000) with clone(CLONE_VM | CLONE_VFORK), which
 * copies no memory, and each child exits at once. The worker does not wait
 * for them: they stay its zombies until the worker itself exits, and then
 * all K are handed to the reaper in one go, each with its SIGCHLD. Children
 * name themselves "orphan-z", workers "zombie-worker".
 *
 * Zombies hold pids, and pids are shared with the whole machine (pid_max):
 * a new worker starts only while fewer than M processes (default 6000) are
 * listed in /proc, which must be the PID namespace's own (unshare
 * --mount-proc), so zombies the reaper is slow to collect hold the flood
 * back rather than exhaust pids.
 *
 * Appends to READY-FILE "handed K pid=P ms=T" once the first worker has
 * handed its K zombies over, and once all N have been, "spawned N pid=P
 * ms=T took=MS"; then exits 0 (1 when clone or fork failed for good).
 * N < 0: no end, until a signal kills it (a flood during a drain).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(int clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* How many processes /proc lists (numeric entries); -1 when unreadable. */
static long processes(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	long n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] >= '1' && e->d_name[0] <= '9';
	closedir(d);
	return n;
}

/* On a stack of our own: not for AddressSanitizer, which would take it
 * for a broken one and say so in every child (make check SANITIZE=...). */
__attribute__((no_sanitize_address))
static int child(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "orphan-z");
	_exit(0);
}

/* A worker: k children, each dead before the next starts (CLONE_VFORK),
 * then exits, handing the zombies over. Exits 1 when clone keeps failing. */
static void worker(long k)
{
	/* one stack will do: CLONE_VFORK runs one child at a time */
	static char stack[64 * 1024] __attribute__((aligned(16)));
	prctl(PR_SET_NAME, "zombie-worker");
	for (long i = 0; i < k; i++) {
		int tries = 0;
		while (clone(child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL) < 0) {
			if (errno != EAGAIN || ++tries > 2000)
				_exit(1);
			sleep_ms(5);
		}
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	long n, workers = 2, batch = 1000, max_alive = 6000;

	if (argc < 3) {
		fprintf(stderr, "usage: zombies N READY-FILE [--workers W] [--batch K] [--max-alive M]\n");
		return 2;
	}
	n = atol(argv[1]);
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--workers"))
			workers = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--batch"))
			batch = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--max-alive"))
			max_alive = atol(argv[i + 1]);
		else {
			fprintf(stderr, "zombies: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (workers < 1 || batch < 1 || max_alive < 1) {
		fprintf(stderr, "zombies: W, K and M must be positive\n");
		return 2;
	}

	int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("zombies: ready file");
		return 2;
	}
	long long t0 = now_ms(CLOCK_MONOTONIC);
	long started = 0, running = 0, handed = 0;
	while (n < 0 || started < n || running > 0) {
		while (running < workers && (n < 0 || started < n)) {
			long p = processes();
			if (p < 0) {
				perror("zombies: /proc");
				return 1;
			}
			if (p + batch > max_alive && running > 0)
				break; /* wait for a worker first */
			if (p + batch > max_alive) {
				sleep_ms(1);
				continue;
			}
			long k = n < 0 || n - started > batch ? batch : n - started;
			pid_t w = fork();
			if (w < 0) {
				if (errno != EAGAIN) {
					perror("zombies: fork");
					return 1;
				}
				sleep_ms(5);
				continue;
			}
			if (w == 0)
				worker(k);
			started += k;
			running++;
		}
		int status;
		pid_t w = wait(&status);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("zombies: wait");
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "zombies: a worker failed (clone kept failing)\n");
			return 1;
		}
		running--;
		if (!handed++)
			dprintf(fd, "handed %ld pid=%d ms=%lld\n", n >= 0 && n < batch ? n : batch,
				(int)getpid(), now_ms(CLOCK_REALTIME));
	}
	dprintf(fd, "spawned %ld pid=%d ms=%lld took=%lld\n", n, (int)getpid(), now_ms(CLOCK_REALTIME),
		now_ms(CLOCK_MONOTONIC) - t0);
	close(fd);
	return 0;
}
