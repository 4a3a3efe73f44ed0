/* peerchild sig | peerchild orphans M handoff|burst [TIMEOUT-S]: the app
 * under each init in tests/bench/peers.sh. It writes its lines to stdout,
 * which every init passes through to the driver (build/bench/peerbench).
 *
 * sig: blocks SIGUSR1 and SIGTERM, writes "ready", then sleeps in
 * sigwaitinfo(). For each SIGUSR1 it writes "usr1 NS", NS being
 * CLOCK_MONOTONIC in nanoseconds taken as sigwaitinfo() returned; on SIGTERM
 * it writes "term NS" the same way and exits 0 at once. No timer: it never wakes up on its own.
 *
 * orphans M handoff|burst: gives the init M orphans at once and measures how
 * long it takes to reap them all.
 *   handoff: a middle process forks M children that exit at once; they stay
 *     zombies, since it does not wait for them. Once all M are zombies
 *     (/proc/PID/stat), the middle is told to exit (T0): the kernel hands the
 *     M zombies to the init, and the init reaps them. The init's own
 *     reaping rate (plus the middle's exit, the same for every init).
 *   burst: M grandchildren (fork, fork, the middle one exits) sleep in read()
 *     on a pipe, so the init is their parent; closing the pipe's last write
 *     end (T0) makes them all exit at once. This adds the M exits themselves,
 *     which the kernel does on both CPUs alongside the init's reaping.
 * Reaping is watched with kill(pid, 0), which succeeds on a zombie and fails
 * with ESRCH once it is reaped, in pid order, sleeping 20 us between tries
 * (T1: the last one gone). Writes "reaped M NS" (NS = T1 - T0), or
 * "timeout K" when K are still there after TIMEOUT-S seconds (default 10),
 * then exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void say(const char *fmt, long long a, long long b)
{
	char line[96];
	int n = snprintf(line, sizeof line, fmt, a, b);
	if (write(STDOUT_FILENO, line, (size_t)n) != n)
		_exit(3);
}

static void fail(const char *what)
{
	fprintf(stderr, "peerchild: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int sig_mode(void)
{
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	say("ready\n", 0, 0);
	for (;;) {
		int sig = sigwaitinfo(&set, &si);
		long long t = mono_ns();
		if (sig == SIGTERM) {
			say("term %lld\n", t, 0);
			_exit(0);
		}
		if (sig == SIGUSR1)
			say("usr1 %lld\n", t, 0);
	}
}

static void read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fail("read");
		p += r;
		len -= (size_t)r;
	}
}

static int is_zombie(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *c = strrchr(buf, ')');
	return c && c[1] == ' ' && c[2] == 'Z';
}

/* M zombies, children of a middle process that exits when go[1] closes. */
static pid_t handoff_setup(int m, pid_t *pids, int go[2])
{
	int q[2];
	if (pipe(q) != 0 || pipe(go) != 0)
		fail("pipe");
	pid_t mid = fork();
	if (mid < 0)
		fail("fork");
	if (mid == 0) {
		close(q[0]);
		close(go[1]);
		for (int i = 0; i < m; i++) {
			pid_t c = fork();
			if (c == 0)
				_exit(0);
			if (c < 0)
				fail("fork");
			pids[i] = c;
		}
		size_t len = (size_t)m * sizeof *pids;
		if (write(q[1], pids, len) != (ssize_t)len)
			_exit(1);
		char b;
		while (read(go[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(q[1]);
	close(go[0]);
	read_all(q[0], pids, (size_t)m * sizeof *pids);
	close(q[0]);
	for (int i = 0; i < m; i++)
		while (!is_zombie(pids[i]))
			nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	return mid;
}

/* M orphans parented to the init, asleep in read() until p[1] closes. */
static void burst_setup(int m, pid_t *pids, int p[2])
{
	if (pipe(p) != 0)
		fail("pipe");
	for (int i = 0; i < m; i++) {
		int q[2];
		if (pipe(q) != 0)
			fail("pipe");
		pid_t c = fork();
		if (c < 0)
			fail("fork");
		if (c == 0) {
			close(q[0]);
			pid_t gc = fork();
			if (gc == 0) {
				char b;
				close(q[1]);
				close(p[1]);
				while (read(p[0], &b, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			/* the grandchild's pid, as this namespace sees it */
			if (write(q[1], &gc, sizeof gc) != sizeof gc)
				_exit(1);
			_exit(gc < 0 ? 1 : 0);
		}
		close(q[1]);
		read_all(q[0], &pids[i], sizeof pids[i]);
		close(q[0]);
		if (pids[i] <= 0) {
			fprintf(stderr, "peerchild: orphan %d not forked\n", i);
			exit(2);
		}
		int status;
		while (waitpid(c, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(p[0]);
}

static int orphans_mode(int m, int burst, int timeout_s)
{
	int p[2];
	pid_t mid = 0, *pids = calloc((size_t)m, sizeof *pids);

	if (!pids)
		fail("calloc");
	if (burst)
		burst_setup(m, pids, p);
	else
		mid = handoff_setup(m, pids, p);

	long long t0 = mono_ns(), deadline = t0 + (long long)timeout_s * 1000000000LL;
	close(p[1]);
	int i = 0;
	while (i < m) {
		if (kill(pids[i], 0) != 0 && errno == ESRCH) {
			i++;
			continue;
		}
		if (mono_ns() > deadline) {
			int left = 0;
			for (; i < m; i++)
				left += kill(pids[i], 0) == 0;
			say("timeout %lld\n", left, 0);
			return 0;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20000 }, NULL);
	}
	long long t1 = mono_ns();
	if (mid > 0)
		waitpid(mid, NULL, 0);
	say("reaped %lld %lld\n", m, t1 - t0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "sig"))
		return sig_mode();
	if (argc >= 4 && !strcmp(argv[1], "orphans") && atoi(argv[2]) > 0 &&
	    (!strcmp(argv[3], "handoff") || !strcmp(argv[3], "burst")))
		return orphans_mode(atoi(argv[2]), !strcmp(argv[3], "burst"),
				    argc >= 5 ? atoi(argv[4]) : 10);
	fprintf(stderr, "usage: peerchild sig | peerchild orphans M handoff|burst [TIMEOUT-S]\n");
	return 2;
}
