/* peerbench MODE ARGS... SPEC...: the driver of tests/bench/peers.sh.
 *
 * Each SPEC is "NAME=INIT ARG..." (words split on spaces; "none=" for no
 * init). An instance is
 *     unshare --pid --fork --kill-child --mount-proc INIT ARG... CHILD...
 * with stdin and stderr on /dev/null and stdout on a pipe to this driver; the
 * init is PID 1 of the new namespace, and its host pid is the child of the
 * unshare process. All times are CLOCK_MONOTONIC. Prints tab-separated raw
 * lines "MEASURE NAME INDEX VALUE [EXTRA]" on stdout, errors on stderr.
 * With PEERBENCH_CGROUP=DIR in the environment, each instance runs in the
 * cgroup DIR/NAME, which must exist.
 *
 *   start ROUNDS SEED SPEC...
 *       Each round runs every SPEC once with CHILD = /bin/true, in an order
 *       shuffled per round: "start NAME ROUND NS STATUS", NS from fork() to
 *       waitpid() of unshare.
 *   steady IDLE-S SAMPLES GAP-US SEED PEERCHILD SPEC...
 *       All SPECs at once, each with CHILD = PEERCHILD sig, asleep. Once
 *       every child said "ready" and 200 ms have passed: the init's
 *       voluntary + nonvoluntary context switches over IDLE-S seconds
 *       ("idle NAME 0 SWITCHES NS"). Then SAMPLES rounds; in each, every init
 *       (shuffled order) gets SIGUSR1 and its child stamps the arrival:
 *       "sig NAME ROUND NS" (arrival - the stamp taken just before kill()),
 *       then a pause of GAP-US. Then the init's /proc/PID/status:
 *       "mem NAME 0 VMHWM-KB RSSANON-KB VMRSS-KB" and "mem0 ..." for the same
 *       read before the signals. Finally SIGTERM to each init.
 *   stop ROUNDS SETTLE-MS SEED PEERCHILD SPEC...
 *       Each round starts every SPEC (shuffled) with CHILD = PEERCHILD sig,
 *       waits for "ready" and SETTLE-MS, sends SIGTERM to the init:
 *       "stop NAME ROUND NS STATUS", NS from before kill() to waitpid() of
 *       unshare, and "stopsig NAME ROUND NS", NS from before kill() to the
 *       child's leaving sigwaitinfo() with the SIGTERM the init passed on.
 *   reap ROUNDS ORPHANS KIND SEED PEERCHILD SPEC...
 *       Each round runs every SPEC (shuffled) with CHILD = PEERCHILD orphans
 *       ORPHANS KIND (handoff or burst): "KIND NAME ROUND NS STATUS" (NS as
 *       the child measured), or "KINDfail NAME ROUND WHAT".
 * Exit status 0, or 1 if anything failed (said on stderr; the raw lines of
 * what worked are printed anyway), 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXSPEC 16
#define MAXWORDS 32

struct spec {
	char *name;
	char *words[MAXWORDS];
	int nwords;
};

struct inst {
	pid_t unshare;  /* our child */
	pid_t init;     /* its child: PID 1 of the namespace */
	int out;        /* read end of the child's stdout */
	char buf[512];
	size_t len;
};

static struct spec specs[MAXSPEC];
static int nspecs;
static int failed;
static unsigned long long rng;
static struct inst *live[MAXSPEC];

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static void shuffle(int *order, int n)
{
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = (int)rnd((unsigned)i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static void parse_spec(struct spec *s, char *arg)
{
	char *eq = strchr(arg, '=');
	if (!eq) {
		fprintf(stderr, "peerbench: spec without '=': %s\n", arg);
		exit(2);
	}
	*eq = '\0';
	s->name = arg;
	s->nwords = 0;
	for (char *w = strtok(eq + 1, " "); w; w = strtok(NULL, " ")) {
		if (s->nwords == MAXWORDS - 8) {
			fprintf(stderr, "peerbench: too many words in %s\n", s->name);
			exit(2);
		}
		s->words[s->nwords++] = w;
	}
}

/* With PEERBENCH_CGROUP=DIR, the calling process moves into DIR/NAME (made
 * by peers.sh), as a container engine puts each container in a cgroup of
 * its own. 0, or -1 said on stderr. */
static int join_cgroup(const char *name)
{
	const char *base = getenv("PEERBENCH_CGROUP");
	char path[512];
	if (!base || !*base)
		return 0;
	snprintf(path, sizeof path, "%s/%s/cgroup.procs", base, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0\n", 2) != 2) {
		fprintf(stderr, "peerbench: cannot join %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	unsetenv("PEERBENCH_CGROUP"); /* not the inits' business */
	return 0;
}

/* Starts SPEC with CHILD; out < 0 sends its stdout to /dev/null. */
static int spawn(struct inst *in, const struct spec *s, char **child, int want_out)
{
	char *argv[MAXWORDS + 16];
	int n = 0, p[2] = { -1, -1 };

	argv[n++] = "unshare";
	argv[n++] = "--pid";
	argv[n++] = "--fork";
	argv[n++] = "--kill-child";
	argv[n++] = "--mount-proc";
	for (int i = 0; i < s->nwords; i++)
		argv[n++] = s->words[i];
	for (int i = 0; child[i]; i++)
		argv[n++] = child[i];
	argv[n] = NULL;
	if (want_out && pipe2(p, O_CLOEXEC) != 0)
		return -1;
	memset(in, 0, sizeof *in);
	in->out = p[0];
	in->init = 0;
	in->unshare = fork();
	if (in->unshare < 0)
		return -1;
	if (in->unshare == 0) {
		if (join_cgroup(s->name) != 0)
			_exit(125);
		int null = open("/dev/null", O_RDWR);
		dup2(null, STDIN_FILENO);
		dup2(want_out ? p[1] : null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execvp("unshare", argv);
		_exit(127);
	}
	if (want_out)
		close(p[1]);
	return 0;
}

/* The host pid of namespace PID 1: the unshare process's only child. */
static pid_t find_init(struct inst *in)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)in->unshare, (int)in->unshare);
	for (int i = 0; i < 5000; i++) {
		FILE *f = fopen(path, "r");
		if (f) {
			int pid = 0;
			if (fgets(buf, sizeof buf, f))
				pid = atoi(buf);
			fclose(f);
			if (pid > 0)
				return in->init = pid;
		}
		sleep_us(1000);
	}
	return -1;
}

/* One line from the child, without the newline; NULL on EOF or timeout. */
static char *read_line(struct inst *in, int timeout_ms, char *line, size_t size)
{
	long long end = mono_ns() + (long long)timeout_ms * 1000000LL;
	for (;;) {
		char *nl = memchr(in->buf, '\n', in->len);
		if (nl) {
			size_t k = (size_t)(nl - in->buf);
			if (k >= size)
				k = size - 1;
			memcpy(line, in->buf, k);
			line[k] = '\0';
			in->len -= (size_t)(nl + 1 - in->buf);
			memmove(in->buf, nl + 1, in->len);
			return line;
		}
		long long left = (end - mono_ns()) / 1000000;
		if (left <= 0)
			return NULL;
		struct pollfd p = { .fd = in->out, .events = POLLIN };
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return NULL;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		ssize_t r = read(in->out, in->buf + in->len, sizeof in->buf - 1 - in->len);
		if (r <= 0)
			return NULL;
		in->len += (size_t)r;
	}
}

static int pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Blocks until pid exits, at most timeout_ms (then SIGKILL): its wait
 * status, or -1. Woken by the exit itself through a pidfd (fd, or opened
 * here when fd < 0; closed), not by polling. */
static int wait_exit(pid_t pid, int fd, int timeout_ms)
{
	int status;
	if (pid <= 0)
		return -1;
	if (fd < 0)
		fd = pidfd(pid);
	if (fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r;
		while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
			;
		close(fd);
		if (r == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* Waits for unshare; returns its wait status, or -1 after timeout_ms (then it
 * is SIGKILLed, and with it, through --kill-child, the namespace). */
static int reap_inst(struct inst *in, int timeout_ms)
{
	int status = wait_exit(in->unshare, -1, timeout_ms);
	if (in->out >= 0)
		close(in->out);
	in->out = -1;
	in->unshare = 0;
	return status;
}

static void kill_live(void)
{
	for (int i = 0; i < MAXSPEC; i++)
		if (live[i] && live[i]->unshare > 0) {
			kill(live[i]->unshare, SIGKILL);
			waitpid(live[i]->unshare, NULL, 0);
			live[i]->unshare = 0;
		}
}

static void on_fatal(int sig)
{
	kill_live();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int exit_code(int status)
{
	if (status < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Starts every spec with "PEERCHILD sig" and waits for each "ready". */
static int start_sleepers(struct inst *in, char *peerchild)
{
	char *child[] = { peerchild, "sig", NULL }, line[128];
	for (int i = 0; i < nspecs; i++) {
		live[i] = &in[i];
		if (spawn(&in[i], &specs[i], child, 1) != 0 || find_init(&in[i]) < 0 ||
		    !read_line(&in[i], 5000, line, sizeof line) || strcmp(line, "ready") != 0) {
			fprintf(stderr, "peerbench: %s: the child did not start\n", specs[i].name);
			return -1;
		}
	}
	return 0;
}

static int status_fields(pid_t pid, long *hwm, long *anon, long *rss, long *ctxt)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	*hwm = *anon = *rss = -1;
	*ctxt = 0;
	while (fgets(line, sizeof line, f)) {
		long v;
		if (sscanf(line, "VmHWM: %ld", &v) == 1) *hwm = v;
		else if (sscanf(line, "RssAnon: %ld", &v) == 1) *anon = v;
		else if (sscanf(line, "VmRSS: %ld", &v) == 1) *rss = v;
		else if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1) *ctxt += v;
		else if (sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1) *ctxt += v;
	}
	fclose(f);
	return 0;
}

static int mode_start(int rounds)
{
	char *child[] = { "/bin/true", NULL };
	int order[MAXSPEC];
	struct inst in;
	live[0] = &in;
	for (int r = 1; r <= rounds; r++) {
		shuffle(order, nspecs);
		for (int k = 0; k < nspecs; k++) {
			const struct spec *s = &specs[order[k]];
			long long t0 = mono_ns();
			if (spawn(&in, s, child, 0) != 0) {
				perror("peerbench: fork");
				return 1;
			}
			int st = wait_exit(in.unshare, -1, 10000);
			long long t1 = mono_ns();
			in.unshare = 0;
			printf("start\t%s\t%d\t%lld\t%d\n", s->name, r, t1 - t0, exit_code(st));
			if (exit_code(st) != 0)
				failed = 1;
		}
	}
	return 0;
}

static int mode_steady(int idle_s, int samples, long gap_us, char *peerchild)
{
	static struct inst in[MAXSPEC];
	long hwm, anon, rss, c0[MAXSPEC], c1;
	long long t0[MAXSPEC];
	int order[MAXSPEC];
	char line[128];

	if (start_sleepers(in, peerchild) != 0)
		return 1;
	sleep_us(200000);
	for (int i = 0; i < nspecs; i++) {
		if (status_fields(in[i].init, &hwm, &anon, &rss, &c0[i]) == 0)
			printf("mem0\t%s\t0\t%ld\t%ld\t%ld\n", specs[i].name, hwm, anon, rss);
		t0[i] = mono_ns();
	}
	fflush(stdout);
	sleep_us((long)idle_s * 1000000L);
	for (int i = 0; i < nspecs; i++) {
		if (status_fields(in[i].init, &hwm, &anon, &rss, &c1) == 0)
			printf("idle\t%s\t0\t%ld\t%lld\n", specs[i].name, c1 - c0[i], mono_ns() - t0[i]);
	}
	fflush(stdout);
	for (int r = 1; r <= samples; r++) {
		shuffle(order, nspecs);
		for (int k = 0; k < nspecs; k++) {
			int i = order[k];
			long long sent = mono_ns();
			if (kill(in[i].init, SIGUSR1) != 0) {
				fprintf(stderr, "peerbench: kill %s: %s\n", specs[i].name, strerror(errno));
				failed = 1;
				continue;
			}
			if (!read_line(&in[i], 2000, line, sizeof line) || strncmp(line, "usr1 ", 5) != 0) {
				fprintf(stderr, "peerbench: %s: SIGUSR1 #%d not forwarded within 2 s\n",
					specs[i].name, r);
				failed = 1;
				continue;
			}
			printf("sig\t%s\t%d\t%lld\n", specs[i].name, r, atoll(line + 5) - sent);
			sleep_us(gap_us);
		}
	}
	for (int i = 0; i < nspecs; i++)
		if (status_fields(in[i].init, &hwm, &anon, &rss, &c1) == 0)
			printf("mem\t%s\t0\t%ld\t%ld\t%ld\n", specs[i].name, hwm, anon, rss);
	fflush(stdout);
	for (int i = 0; i < nspecs; i++)
		kill(in[i].init, SIGTERM);
	for (int i = 0; i < nspecs; i++) {
		int st = reap_inst(&in[i], 10000);
		if (exit_code(st) != 0) {
			fprintf(stderr, "peerbench: %s exited with %d after SIGTERM\n", specs[i].name,
				exit_code(st));
			failed = 1;
		}
	}
	return 0;
}

static int mode_stop(int rounds, int settle_ms, char *peerchild)
{
	static struct inst in;
	char *child[] = { peerchild, "sig", NULL }, line[128];
	int order[MAXSPEC];
	live[0] = &in;
	for (int r = 1; r <= rounds; r++) {
		shuffle(order, nspecs);
		for (int k = 0; k < nspecs; k++) {
			const struct spec *s = &specs[order[k]];
			if (spawn(&in, s, child, 1) != 0 || find_init(&in) < 0 ||
			    !read_line(&in, 5000, line, sizeof line) || strcmp(line, "ready") != 0) {
				fprintf(stderr, "peerbench: %s: the child did not start\n", s->name);
				failed = 1;
				reap_inst(&in, 0);
				continue;
			}
			sleep_us((long)settle_ms * 1000L);
			int fd = pidfd(in.unshare);
			long long t0 = mono_ns();
			kill(in.init, SIGTERM);
			int got = read_line(&in, 30000, line, sizeof line) && !strncmp(line, "term ", 5);
			int st = wait_exit(in.unshare, fd, 30000);
			long long t1 = mono_ns();
			if (got)
				printf("stopsig\t%s\t%d\t%lld\n", s->name, r, atoll(line + 5) - t0);
			else {
				fprintf(stderr, "peerbench: %s: the child did not get SIGTERM\n", s->name);
				failed = 1;
			}
			close(in.out);
			in.unshare = 0;
			printf("stop\t%s\t%d\t%lld\t%d\n", s->name, r, t1 - t0, exit_code(st));
			if (exit_code(st) != 0)
				failed = 1;
		}
		fflush(stdout);
	}
	return 0;
}

static int mode_reap(int rounds, const char *orphans, const char *kind, char *peerchild)
{
	static struct inst in;
	char *child[] = { peerchild, "orphans", (char *)orphans, (char *)kind, "10", NULL };
	char line[128];
	int order[MAXSPEC];
	live[0] = &in;
	for (int r = 1; r <= rounds; r++) {
		shuffle(order, nspecs);
		for (int k = 0; k < nspecs; k++) {
			const struct spec *s = &specs[order[k]];
			if (spawn(&in, s, child, 1) != 0) {
				perror("peerbench: fork");
				return 1;
			}
			char *l = read_line(&in, 60000, line, sizeof line);
			int st = reap_inst(&in, 15000);
			long long m, ns;
			if (l && sscanf(l, "reaped %lld %lld", &m, &ns) == 2) {
				printf("%s\t%s\t%d\t%lld\t%d\n", kind, s->name, r, ns, exit_code(st));
			} else {
				printf("%sfail\t%s\t%d\t%s\n", kind, s->name, r, l ? l : "no answer");
				fprintf(stderr, "peerbench: %s: %s round %d: %s\n", s->name, kind, r,
					l ? l : "no answer from the child");
				failed = 1;
			}
			if (exit_code(st) != 0)
				failed = 1;
		}
		fflush(stdout);
	}
	return 0;
}

static int num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 100000000) {
		fprintf(stderr, "peerbench: not a count: %s\n", s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	int first, rc;
	const char *mode = argc > 1 ? argv[1] : "";

	signal(SIGINT, on_fatal);
	signal(SIGTERM, on_fatal);
	signal(SIGHUP, on_fatal);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "start") && argc > 4) first = 4;
	else if (!strcmp(mode, "steady") && argc > 7) first = 7;
	else if (!strcmp(mode, "stop") && argc > 6) first = 6;
	else if (!strcmp(mode, "reap") && argc > 7) first = 7;
	else {
		fprintf(stderr, "usage: peerbench start|steady|stop|reap ARGS... SPEC... (see peerbench.c)\n");
		return 2;
	}
	if (argc - first > MAXSPEC) {
		fprintf(stderr, "peerbench: at most %d specs\n", MAXSPEC);
		return 2;
	}
	for (int i = first; i < argc; i++)
		parse_spec(&specs[nspecs++], argv[i]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(mode, "start")) {
		rng = (unsigned long long)num(argv[3]) + 1;
		rc = mode_start(num(argv[2]));
	} else if (!strcmp(mode, "steady")) {
		rng = (unsigned long long)num(argv[5]) + 2;
		rc = mode_steady(num(argv[2]), num(argv[3]), num(argv[4]), argv[6]);
	} else if (!strcmp(mode, "stop")) {
		rng = (unsigned long long)num(argv[4]) + 3;
		rc = mode_stop(num(argv[2]), num(argv[3]), argv[5]);
	} else {
		if (strcmp(argv[4], "handoff") != 0 && strcmp(argv[4], "burst") != 0) {
			fprintf(stderr, "peerbench: reap: handoff or burst, not %s\n", argv[4]);
			return 2;
		}
		num(argv[3]);
		rng = (unsigned long long)num(argv[5]) + 4;
		rc = mode_reap(num(argv[2]), argv[3], argv[4], argv[6]);
	}
	kill_live();
	fflush(stdout);
	return rc ? rc : failed;
}
