/* readyfloor DIR RUNS SEED WATCHER: the machine's floor for an event-driven
 * readiness condition, with no drainit in the way.
 *
 * Each run starts WATCHER (build/bench/readywatch) on DIR, forks a receiver
 * blocked in poll() on a datagram socket, sleeps 50-300 ms (random, seeded),
 * reads CLOCK_MONOTONIC and sends "READY=1". The receiver then does what
 * drainit does to mark ready: DIR/.ready.tmp created (O_EXCL), fchmod,
 * written, closed, renamed to DIR/ready. Prints one line per run: the
 * watcher's time minus the send time, in microseconds; exits 1 if a run
 * fails. What notify and file: cost through drainit, less this, is drainit's.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static _Noreturn void receive(int sock, const char *tmp, const char *path)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	char buf[64];

	if (poll(&p, 1, 10000) != 1 || recv(sock, buf, sizeof buf, 0) <= 0)
		_exit(1);
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || fchmod(fd, 0644) != 0 || write(fd, "ready\n", 6) != 6 || close(fd) != 0 ||
	    rename(tmp, path) != 0)
		_exit(1);
	_exit(0);
}

static int one_run(const char *dir, const char *watcher, const char *tmp, const char *path)
{
	int sv[2], out[2], status, ok = 0;
	char line[128];

	unlink(path);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0 || pipe2(out, O_CLOEXEC) != 0)
		return -1;
	pid_t w = fork();
	if (w == 0) {
		dup2(out[1], STDOUT_FILENO);
		execl(watcher, watcher, dir, "ready", "10", (char *)NULL);
		_exit(2);
	}
	close(out[1]);
	FILE *wf = fdopen(out[0], "r");
	if (w < 0 || !wf || !fgets(line, sizeof line, wf) || strcmp(line, "watching\n") != 0)
		return -1;
	pid_t r = fork();
	if (r == 0)
		receive(sv[1], tmp, path);
	usleep(50000 + (useconds_t)(rand() % 250001));
	long long sent = mono_us();
	if (r > 0 && send(sv[0], "READY=1", 7, 0) == 7 && fgets(line, sizeof line, wf) &&
	    strncmp(line, "moved_to mono_us=", 17) == 0) {
		printf("%lld\n", atoll(line + 17) - sent);
		fflush(stdout);
		ok = 1;
	}
	if (r > 0)
		waitpid(r, &status, 0);
	waitpid(w, &status, 0);
	fclose(wf);
	close(sv[0]);
	close(sv[1]);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	char tmp[4096], path[4096];

	if (argc != 5) {
		fprintf(stderr, "usage: readyfloor DIR RUNS SEED WATCHER\n");
		return 2;
	}
	snprintf(tmp, sizeof tmp, "%s/.ready.tmp", argv[1]);
	snprintf(path, sizeof path, "%s/ready", argv[1]);
	srand((unsigned)atoi(argv[3]));
	int bad = 0;
	for (int i = 0, n = atoi(argv[2]); i < n; i++)
		if (one_run(argv[1], argv[4], tmp, path) != 0)
			bad = 1;
	return bad;
}
