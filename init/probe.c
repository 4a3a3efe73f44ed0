#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "ready.h"

int probe_run(const char *path)
{
	char buf[READY_LINE_MAX + 1];
	struct ready_info info;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT) {
		printf("not ready: no readiness file at %s (starting, draining or stopped)\n", path);
		return 1;
	}
	if (fd < 0) {
		printf("not ready: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		printf("not ready: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	buf[n] = '\0';
	if (ready_parse(buf, &info) != 0) {
		printf("not ready: %s does not hold a readiness line\n", path);
		return 1;
	}
	if (!info.ready) {
		printf("not ready: %s says '%s'\n", path, info.state);
		return 1;
	}
	/* Exec probes run in the app's PID namespace, so a pid that no longer
	 * exists means the file outlived its app. */
	if (kill(info.pid, 0) != 0 && errno == ESRCH) {
		printf("not ready: %s is stale: app pid %d is not running\n", path, (int)info.pid);
		return 1;
	}
	printf("ready: app pid %d since %s\n", (int)info.pid, info.since);
	return 0;
}
