#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "opt.h"
#include "probe.h"
#include "ready.h"

extern char **environ;

/* Reads a readiness or state file: 1 parsed, 0 absent, -1 with a reason
 * printed. Only a regular file is opened, and never so that it blocks: a
 * FIFO or a device at the path would hold the probe until its timeout. */
static int read_line(const char *path, struct ready_info *info)
{
	char buf[READY_LINE_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd = -1;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		printf("not ready: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
		if (fd < 0 && errno == ENOENT)
			return 0;
		if (fd < 0 || fstat(fd, &st) != 0) {
			printf("not ready: cannot read %s: %s\n", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	/* Looked at again once open: it may have been replaced between. */
	if (!S_ISREG(st.st_mode)) {
		printf("not ready: %s is not a regular file (%s)\n", path, ready_kind(st.st_mode));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		printf("not ready: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	if (ready_parse(buf, info) != 0) {
		printf("not ready: %s does not hold a readiness line\n", path);
		return -1;
	}
	return 1;
}

/* Exec probes run in the app's PID namespace, so a pid that no longer
 * exists means the file outlived its app. */
static bool gone(pid_t pid)
{
	return kill(pid, 0) != 0 && errno == ESRCH;
}

/* Whether the file's pids belong to another PID namespace than the
 * probe's (run from a host shell, or a sidecar that does not share the
 * pod's): the same number names some other process here, or none, so the
 * probe says nothing about it. A file without pidns= (an older drainit),
 * or a probe that cannot tell its own namespace, is checked as before. */
static bool outside(const struct ready_info *info)
{
	unsigned long long here = info->pidns ? ready_pidns() : 0;
	return here != 0 && here != info->pidns;
}

const char *probe_words(const struct ready_info *st, char *buf, size_t len)
{
	if (st->ready && st->by[0])
		snprintf(buf, len, "ready: app pid %d since %s (%s)", (int)st->pid, st->since, st->by);
	else if (st->ready)
		snprintf(buf, len, "ready: app pid %d since %s", (int)st->pid, st->since);
	else if (strcmp(st->state, "starting") == 0)
		snprintf(buf, len, "not ready: starting since %s, waiting for %s", st->since, st->by);
	else if (strcmp(st->state, "unready") == 0 && strcmp(st->by, "notify") == 0)
		snprintf(buf, len, "not ready: unready since %s: the app sent STOPPING=1", st->since);
	else if (strcmp(st->state, "unready") == 0)
		snprintf(buf, len, "not ready: unready since %s: %s failing", st->since, st->by);
	else
		snprintf(buf, len, "not ready: %s since %s", st->state, st->since);
	return buf;
}

/* Why the app is not ready, from PATH.state. */
static int not_ready(const char *path)
{
	char file[4096 + sizeof READY_STATE_SUFFIX];
	struct ready_info st;
	int r = ready_status_path(path, file, sizeof file) == 0 ? read_line(file, &st) : 0;

	if (r < 0)
		return 1;
	if (r == 0 || st.pid <= 0) {
		printf("not ready: no readiness file at %s (drainit not running, or stopped)\n", path);
		return 1;
	}
	/* While draining, the app may be gone and drainit still at work. */
	if (!outside(&st) && (st.drainit > 0 ? gone(st.drainit) : gone(st.pid))) {
		printf("not ready: %s is stale: %s pid %d is not running\n", file,
		       st.drainit > 0 ? "drainit" : "app", (int)(st.drainit > 0 ? st.drainit : st.pid));
		return 1;
	}
	char line[PROBE_LINE_MAX];
	if (strcmp(st.state, "ready") == 0)
		printf("not ready: no readiness file at %s, yet %s says ready\n", path, file);
	else
		printf("%s\n", probe_words(&st, line, sizeof line));
	return 1;
}

int probe_run(const char *path)
{
	struct ready_info info;
	int r = read_line(path, &info);

	if (r < 0)
		return 1;
	if (r == 0)
		return not_ready(path);
	if (!info.ready) {
		printf("not ready: %s says '%s'\n", path, info.state);
		return 1;
	}
	const char *note = "";
	if (outside(&info))
		note = "; not checked: this probe runs outside drainit's PID namespace";
	else if (gone(info.pid)) {
		printf("not ready: %s is stale: app pid %d is not running\n", path, (int)info.pid);
		return 1;
	}
	char line[PROBE_LINE_MAX];
	printf("%s%s\n", probe_words(&info, line, sizeof line), note);
	return 0;
}

enum opt_action probe_parse(int argc, char **argv, char *const *envp, struct config *cfg,
			    char *err, size_t errlen)
{
	static const char *const only[] = { "ready-file", NULL };
	int i;
	enum opt_action act = opt_parse_some(argc, argv, envp, only, cfg, &i, err, errlen);
	if (act != OPT_RUN)
		return act;
	if (i < argc) {
		snprintf(err, errlen, "probe: unexpected argument '%s'", argv[i]);
		return OPT_ERROR;
	}
	if (!cfg->ready_file) {
		snprintf(err, errlen, "probe: no readiness file: give --ready-file PATH or set DRAINIT_READY_FILE");
		return OPT_ERROR;
	}
	return OPT_RUN;
}

void probe_help(FILE *out)
{
	fputs(
"usage: drainit probe [--ready-file PATH]\n"
"\n"
"Kubernetes exec readiness probe: exits 0 if the readiness file says ready,\n"
"else 1 with one line on stdout saying why (starting, unready, draining,\n"
"stopped); 64 on a usage error.\n"
"The path comes from --ready-file or DRAINIT_READY_FILE.\n", out);
}

int probe_main(int argc, char **argv)
{
	struct config cfg;
	char err[512];

	switch (probe_parse(argc, argv, environ, &cfg, err, sizeof err)) {
	case OPT_RUN:
		return probe_run(cfg.ready_file);
	case OPT_HELP:
		probe_help(stdout);
		return 0;
	default:
		log_usage_error(err, "drainit --help");
		return EXIT_USAGE;
	}
}
