/* readywatch DIR NAME [SECONDS]: the moment a file is renamed into DIR as NAME.
 *
 * Watches DIR with inotify, prints "watching" (flushed) once the watch is in
 * place, then, when NAME is moved into DIR (IN_MOVED_TO: drainit writes its
 * readiness file as a temp file renamed over the name), prints
 * "moved_to mono_us=U" and exits 0. U is CLOCK_MONOTONIC microseconds, read
 * as soon as read() returned the events: never before the rename (the event
 * was queued before it was read), and later only by the wake-up and one
 * read(). Comparable with readyapp's mono_us. Other names and
 * other events are ignored. Exits 1 after SECONDS (default 30) without the
 * event, 2 on an error. Used by tests/bench/ready-latency.sh.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

static long long mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: readywatch DIR NAME [SECONDS]\n");
		return 2;
	}
	const char *name = argv[2];
	long long end = mono_us() + (argc > 3 ? atoll(argv[3]) : 30) * 1000000LL;
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, argv[1], IN_MOVED_TO | IN_ONLYDIR) < 0) {
		perror("readywatch");
		return 2;
	}
	printf("watching\n");
	fflush(stdout);
	for (;;) {
		long long left = end - mono_us();
		if (left <= 0) {
			fprintf(stderr, "readywatch: %s/%s did not appear\n", argv[1], name);
			return 1;
		}
		struct pollfd p = { .fd = in, .events = POLLIN };
		if (poll(&p, 1, (int)((left + 999) / 1000)) <= 0)
			continue;
		char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t n = read(in, buf, sizeof buf);
		long long t = mono_us();
		for (ssize_t off = 0; off < n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
			off += (ssize_t)sizeof *ev + ev->len;
			if ((ev->mask & IN_MOVED_TO) && ev->len > 0 && strcmp(ev->name, name) == 0) {
				printf("moved_to mono_us=%lld\n", t);
				return fflush(stdout) == 0 ? 0 : 2;
			}
		}
	}
}
