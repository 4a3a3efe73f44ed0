/* supervise(): start-up, the loop and the end. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "child.h"
#include "exitcode.h"
#include "log.h"
#include "opt.h"
#include "probe.h"
#include "ready.h"
#include "script.h"
#include "sig.h"
#include "super.h"
#include "supervise.h"

static void arm(struct super *s, int64_t ms)
{
	s->deadline = now_ms() + ms;
}

void super_dispatch(struct super *s, enum event ev)
{
	unsigned a = state_step(&s->m, ev);
	s->log->phase = state_phase_name(s->m.phase);

	log_event(s->log, V_DEBUG, "state", "%s -> %s", state_event_name(ev),
		  state_phase_name(s->m.phase));
	if (a & A_END_CHECKS)
		check_end(&s->check);
	if (a & A_CLEAR_READY)
		readiness_withdraw(s, ev);
	if (a & A_BEGIN_CHECKS)
		readiness_begin(s);
	if (a & A_MARK_READY)
		readiness_mark(s);
	if (a & A_STOP)
		sweep_stop(s);
	if (a & A_KILL)
		sweep_kill(s);
	if (a & A_ARM_DELAY)
		arm(s, s->cfg->pre_stop_delay_ms);
	if (a & A_ARM_DRAIN)
		arm(s, s->cfg->drain_timeout_ms);
	if (a & A_ARM_KILL)
		arm(s, KILL_WAIT_MS);
	if (a & A_EXIT)
		s->deadline = -1;
}

void super_verdict(struct super *s, enum check_verdict v)
{
	if (v == CHECK_READY)
		super_dispatch(s, EV_READY);
	else if (v == CHECK_UNREADY)
		super_dispatch(s, EV_UNREADY);
}

/* Whether n more descriptors (FD_HEADROOM, and room for --ready-http's
 * connections) can be opened: checked before the app starts, while drainit
 * can still refuse; after, no open may fail for want of one (RLIMIT_NOFILE
 * is drainit's own to use). 0 or an errno. */
static int fd_headroom(int n)
{
	int fd[FD_HEADROOM + HTTPD_CONNS], k, err = 0;
	for (k = 0; k < n; k++) /* 0-2 are open: main.c fills them */
		if ((fd[k] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0)) < 0) {
			err = errno;
			break;
		}
	while (k-- > 0)
		close(fd[k]);
	return err;
}

/* Whether path is drainit's own executable. */
static bool is_self(const char *path)
{
	struct stat a, b;
	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* A script whose #! line runs drainit with no command of its own, directly
 * (#!/usr/local/bin/drainit) or through env, makes drainit run the script,
 * whose #! line runs drainit, and so on until the machine is out of pids.
 * Caught before anything starts; what would run is parsed as drainit
 * parses it, so "#!/usr/bin/env -S drainit -- bash" is left alone. */
static bool runs_itself(const struct config *cfg, char *path, size_t len)
{
	char line[512], buf[512], *av[34];
	const char *w[32];
	size_t k = 0;
	struct config c;

	if (child_find(cfg->argv[0], path, len) != 0)
		return false;
	script_first_line(path, line, sizeof line);
	size_t n = script_shebang_words(line, strlen(line), buf, sizeof buf, w, 32);
	size_t i = script_shebang_program(w, n);
	char self[4096];
	if (i >= n || child_find(w[i], self, sizeof self) != 0 || !is_self(self))
		return false;
	for (; i < n; i++)
		av[k++] = (char *)w[i];
	av[k++] = path;
	av[k] = NULL;
	char err[256];
	return opt_parse((int)k, av, NULL, &c, err, sizeof err) == OPT_RUN && c.argv == av + k - 1;
}

/* Start from known dispositions whatever drainit inherited (SIGCHLD set to
 * SIG_IGN would make the kernel reap behind our back), every signal
 * blocked for the signalfd, a subreaper when not PID 1, the parent-death
 * signal. */
static int setup(struct super *s, sigset_t *all)
{
	sig_reset_dispositions();
	if (sig_block_all(all) != 0)
		return -1;
	if (s->self != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		log_event(s->log, V_WARN, "start", "cannot become child subreaper: %m; orphans escape");
	s->parent = getppid();
	s->tty = isatty(STDIN_FILENO);
	if (s->cfg->pdeath_signal) {
		if (prctl(PR_SET_PDEATHSIG, s->cfg->pdeath_signal) != 0)
			log_event(s->log, V_WARN, "start", "cannot set the parent-death signal: %m");
		else if (getppid() != s->parent)
			raise(s->cfg->pdeath_signal); /* it died first; SI_TKILL, so not taken for a log echo */
	}
	return 0;
}

/* What must hold before drainit takes anything: a command that is not
 * drainit itself, a /proc of its own namespace, privileges it can grant,
 * a readiness folder it can use. 0 or drainit's exit code. */
static int refusals(struct super *s)
{
	const struct config *cfg = s->cfg;
	char err[512];

	if (runs_itself(cfg, err, sizeof err)) {
		char why[sizeof err + 256];
		snprintf(why, sizeof why, "%s runs drainit from its #! line, which would run it "
			 "again without end; write '#!/usr/bin/env -S drainit -- bash' (or the shell "
			 "it is for)", err);
		log_usage_error(why, "drainit(8), EXAMPLES");
		return EXIT_USAGE;
	}
	/* Every pid drainit would read there names some other process: the
	 * app's exit, its notify messages, the processes to stop. */
	if (proc_is_own() == 0) {
		log_event(s->log, V_ERROR, "start", "/proc shows another PID namespace than drainit's, "
			  "so its pids name other processes: mount a /proc of drainit's own "
			  "(unshare --mount-proc; a container engine does)");
		return EXIT_OSERR;
	}
	int code = privs_resolve(s);
	if (code != 0 || !cfg->ready_file)
		return code;
	struct stat st;
	int r = ready_prepare(cfg->ready_file, &s->ready_dir, err, sizeof err);
	if (r < 0) {
		log_event(s->log, V_ERROR, "start", "%s", err);
		return EXIT_READY_PATH;
	}
	if (r > 0)
		log_event(s->log, V_INFO, "start", "removed stale readiness file %s", cfg->ready_file);
	if (ready_folder_stat(cfg->ready_file, &st) == 0 && ready_folder_unsafe(&st))
		log_event(s->log, V_WARN, "start", "the readiness folder of %s is writable by anyone "
			  "and not sticky: anyone can replace the file; use a folder of its own",
			  cfg->ready_file);
	return 0;
}

/* Starts the app: 0, or drainit's exit code with the one line that says
 * why: the code a shell gives (126, 127) for a command that cannot be
 * exec'd, 71 when it could not become --user or not be started at all. */
static int spawn_app(struct super *s)
{
	const struct config *cfg = s->cfg;
	char err[512];
	int code = 0;

	struct spawn_result sp = child_spawn(cfg->argv, &s->privs);
	if (sp.pid > 0 && sp.exec_errno) {
		/* It never ran and has exited already. */
		int status;
		while (waitpid(sp.pid, &status, 0) < 0 && errno == EINTR)
			;
		if (sp.stage == SPAWN_PRIVS)
			snprintf(err, sizeof err, "cannot give '%s' its user or capabilities: %s",
				 cfg->argv[0], strerror(sp.exec_errno));
		else {
			char why[300];
			report_exec_failure(cfg, sp.exec_errno, why, sizeof why);
			snprintf(err, sizeof err, "cannot run '%s': %s", cfg->argv[0], why);
		}
		code = sp.stage == SPAWN_PRIVS ? EXIT_OSERR : child_exec_failure_code(sp.exec_errno);
	} else if (sp.pid < 0) {
		snprintf(err, sizeof err, "cannot start the command: %s", strerror(sp.exec_errno));
		code = EXIT_OSERR;
	}
	if (code != 0)
		log_facts(s->log, &(struct log_facts){ .set = LF_EXIT_CODE, .exit_code = code }, V_ERROR,
			  "start", "%s", err);
	else
		s->app = sp.pid;
	return code;
}

/* Start-up: everything that can refuse comes first, and a refusal is one
 * line and drainit's exit code, with whatever was taken given back on one
 * path. Returns 0 once the app runs: no refusal after that point, and
 * drainit never exits before its children do. */
static int start(struct super *s, sigset_t *all, int *sfd)
{
	char err[512];
	int code = refusals(s);

	if (code != 0)
		return code;
	if (setup(s, all) != 0 || (*sfd = signalfd(-1, all, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		log_event(s->log, V_ERROR, "start", "cannot set up signal handling: %m");
		return EXIT_OSERR;
	}
	code = check_open(&s->check, s->cfg, &s->privs, s->log, s->self, err, sizeof err);
	if (code != 0) {
		report_start_error(s->log, code, "%s", err);
		goto no_check;
	}
	code = EXIT_OSERR;
	bool http = s->cfg->ready_http.port != 0;
	if (http && httpd_open(&s->http, &s->cfg->ready_http, err, sizeof err) != 0) {
		log_event(s->log, V_ERROR, "start", "%s", err);
		goto no_http;
	}
	if (proc_table_init(&s->procs, PROC_CAP) != 0) {
		log_event(s->log, V_ERROR, "start", "cannot allocate the process table: %m");
		goto no_table;
	}
	int room = FD_HEADROOM + (http ? HTTPD_CONNS : 0), e = fd_headroom(room);
	if (e != 0) {
		log_event(s->log, V_ERROR, "start", "cannot keep %d file descriptors free for once the "
			  "app runs (RLIMIT_NOFILE): %s", room, strerror(e));
		goto fail;
	}
	caps_log(s->log, "drainit's capabilities");
	/* Once nothing can refuse the start: a refusal is one line. */
	report_config(s);
	code = spawn_app(s);
	if (code == 0)
		return 0;
fail:
	proc_table_free(&s->procs);
no_table:
	httpd_close(&s->http);
no_http:
	check_close(&s->check);
no_check:
	close(*sfd);
	return code;
}

static bool done(const struct super *s)
{
	return s->m.phase == PH_DONE;
}

/* The nearest of the deadlines: the lifecycle's (pre-stop delay, drain
 * timeout, the wait after SIGKILL), the readiness check's next run, the
 * retry of a readiness file that could not be written, an HTTP request's
 * read; now when a batch of exits is left to reap; -1 for none. */
static int64_t next_wake(const struct super *s)
{
	int64_t next = s->deadline, due = check_deadline(&s->check);
	if (due >= 0 && (next < 0 || due < next))
		next = due;
	if (s->ready_retry_at >= 0 && (next < 0 || s->ready_retry_at < next))
		next = s->ready_retry_at;
	int64_t http = httpd_deadline(&s->http);
	if (http >= 0 && (next < 0 || http < next))
		next = http;
	if (s->reap_more)
		next = now_ms();
	return next;
}

/* The signals queued on the signalfd, a bounded batch, so that a storm of
 * signals cannot hold off a deadline. */
static void on_signals(struct super *s, int sfd)
{
	struct signalfd_siginfo si[16];
	ssize_t n;
	for (int batch = 0; batch < 8 && !done(s) && (n = read(sfd, si, sizeof si)) > 0; batch++)
		for (size_t i = 0; i < (size_t)n / sizeof si[0] && !done(s); i++)
			on_signal(s, &si[i]);
}

/* The readiness check: its descriptor had an event (revents) or its next
 * run is due. */
static void on_check(struct super *s, short revents)
{
	int64_t due = check_deadline(&s->check);
	if (revents || (due >= 0 && now_ms() >= due))
		super_verdict(s, check_poll(&s->check, revents, now_ms()));
}

/* The lifecycle's deadline, and the retry of the readiness file (only
 * while RUNNING: any way out of it clears the retry). */
static void on_deadlines(struct super *s)
{
	if (s->deadline >= 0 && now_ms() >= s->deadline) {
		s->deadline = -1;
		super_dispatch(s, EV_DEADLINE);
	}
	if (s->m.phase == PH_RUNNING && s->ready_retry_at >= 0 && now_ms() >= s->ready_retry_at)
		readiness_mark(s);
}

/* What --ready-http answers: the status file's words, from the same line. */
static void http_view(void *arg, struct httpd_view *v)
{
	const struct super *s = arg;
	const struct cond *c = &s->cfg->ready_when;
	char line[READY_LINE_MAX];
	struct ready_info info;

	v->state = s->status ? s->status : "starting";
	ready_line(line, sizeof line, v->state, c->name, s->app, s->status_since);
	if (ready_parse(line, &info) != 0)
		memset(&info, 0, sizeof info);
	v->ready = strcmp(v->state, "ready") == 0;
	probe_words(&info, v->line, sizeof v->line);
	snprintf(v->since, sizeof v->since, "%s", info.since);
	v->phase = state_phase_name(s->m.phase);
	v->app = s->app;
	snprintf(v->kind, sizeof v->kind, "%.*s", (int)strcspn(c->name, ":"), c->name);
	v->target = c->kind == COND_EXEC || !strchr(c->name, ':') ? NULL : c->name;
	v->last = s->check.why[0] ? s->check.why : s->ever_ready ? "ok" : NULL;
	int64_t left = s->deadline >= 0 && s->deadline > now_ms() ? s->deadline - now_ms() : 0;
	v->delay_left_ms = s->m.phase == PH_DELAY ? left : -1;
	v->drain_left_ms = s->m.phase == PH_DRAINING ? left : -1;
}

/* The loop, until the lifecycle is done. It sleeps in ppoll until a signal
 * comes (the signalfd), the readiness check's descriptor or an HTTP
 * connection (--ready-http) has an event, or the nearest deadline; with
 * nothing but signals to wait for, in sigwaitinfo, one system call per
 * signal. Each turn then handles, in this order: signals, so that a child
 * that exited right at a deadline counts as exited, not as killed; exited
 * children; the readiness check, which a SIGTERM read above has ended; the
 * deadlines; last, --ready-http's requests, which then see all of that. Signals, exits and connections are
 * taken in bounded batches: no flood of any holds off a deadline. */
static void run(struct super *s, int sfd, const sigset_t *all)
{
	while (!done(s)) {
		int64_t next = next_wake(s);
		struct pollfd pfd[2 + HTTPD_CONNS + 1] = { { .fd = sfd, .events = POLLIN } };
		pfd[1].fd = check_fd(&s->check, &pfd[1].events);
		size_t http = httpd_pollfds(&s->http, pfd + 2);
		if (next < 0 && pfd[1].fd < 0 && http == 0) {
			wait_signal(s, all);
		} else {
			struct timespec ts, *tp = NULL;
			if (next >= 0) {
				int64_t left = next > now_ms() ? next - now_ms() : 0;
				ts.tv_sec = left / 1000;
				ts.tv_nsec = (left % 1000) * 1000000;
				tp = &ts;
			}
			if (ppoll(pfd, 2 + http, tp, NULL) < 0 && errno != EINTR) {
				log_event(s->log, V_WARN, "loop", "ppoll: %m");
				nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
			}
			on_signals(s, sfd);
		}
		if (!done(s) && s->reap_more)
			reap(s);
		if (!done(s))
			on_check(s, pfd[1].fd >= 0 ? pfd[1].revents : 0);
		if (!done(s))
			on_deadlines(s);
		if (!done(s) && http > 0)
			httpd_serve(&s->http, pfd + 2, http, now_ms(), http_view, s);
	}
}

int supervise(const struct config *cfg, struct log *log)
{
	struct super s = {
		.cfg = cfg, .log = log, .self = getpid(),
		.term_at = -1, .stop_at = -1, .kill_at = -1, .deadline = -1, .ready_retry_at = -1,
		.ready_dir = -1, .http = { .sock = -1, .paused_until = -1 },
	};
	sigset_t all;
	int sfd = -1;

	state_init(&s.m, cfg->pre_stop_delay_ms > 0, cfg->single_child,
		   cfg->ready_when.kind != COND_START);
	log->phase = state_phase_name(s.m.phase);
	int code = start(&s, &all, &sfd);
	if (code != 0)
		return code;
	report_start(&s);
	if (s.http.sock >= 0)
		log_event(log, V_INFO, "ready", "answering HTTP on %s: GET /ready, GET /status "
			  "(--ready-http)", s.http.where);
	super_dispatch(&s, EV_STARTED);
	report_script_hint(&s);
	privs_drop_own(&s);

	run(&s, sfd, &all);

	httpd_close(&s.http);
	close(sfd);
	proc_table_free(&s.procs);
	int64_t end = now_ms();
	readiness_end(&s);
	check_close(&s.check);
	return report_summary(&s, end);
}
