/* dirwatch DIR FILE [SECONDS]: records what happens to the names in DIR.
 *
 * Appends to FILE one line per inotify event, in the order the kernel saw
 * them: "EVENT NAME", EVENT one of CREATE, MODIFY, CLOSE_WRITE, DELETE,
 * MOVED_FROM, MOVED_TO, ATTRIB. The first line is "watching" once the watch
 * is in place. Ends after SECONDS (default 30) or on a signal, so a test
 * that fails half way leaves nothing behind for long.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static const struct { unsigned mask; const char *name; } kinds[] = {
		{ IN_CREATE, "CREATE" }, { IN_MODIFY, "MODIFY" },
		{ IN_CLOSE_WRITE, "CLOSE_WRITE" }, { IN_DELETE, "DELETE" },
		{ IN_MOVED_FROM, "MOVED_FROM" }, { IN_MOVED_TO, "MOVED_TO" },
		{ IN_ATTRIB, "ATTRIB" },
	};
	unsigned all = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: dirwatch DIR FILE [SECONDS]\n");
		return 2;
	}
	long long end = now_ms() + (argc > 3 ? atoll(argv[3]) : 30) * 1000;
	int out = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int in = inotify_init1(IN_CLOEXEC);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		all |= kinds[i].mask;
	if (out < 0 || in < 0 || inotify_add_watch(in, argv[1], all) < 0) {
		perror("dirwatch");
		return 2;
	}
	dprintf(out, "watching\n");
	for (;;) {
		long long left = end - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = in, .events = POLLIN };
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t n = read(in, buf, sizeof buf);
		for (ssize_t off = 0; off < n;) {
			struct inotify_event *ev = (struct inotify_event *)(buf + off);
			off += (ssize_t)sizeof *ev + ev->len;
			for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
				if (ev->mask & kinds[i].mask)
					dprintf(out, "%s %s\n", kinds[i].name, ev->len ? ev->name : ".");
		}
	}
}
