#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "checks.h"
#include "child.h"
#include "dur.h"
#include "inspect.h"
#include "plan.h"
#include "proc.h"
#include "ready.h"
#include "script.h"
#include "sig.h"
#include "state.h"
#include "supervise.h"
#include "user.h"

/* Room for the processes listed in one sweep; as PID 1 kill(-1) reaches
 * any beyond it, and later sweeps catch the rest otherwise. */
#define PROC_CAP 32768

/* Children reaped in one turn of the loop: a flood of orphans must not
 * hold off a deadline; the next turn, at once, takes the rest. */
#define REAP_BATCH 256

/* Descriptors drainit opens at once after the start, beyond those it holds
 * from the start: a check's socket or inotify, and /proc with one of its
 * files while it lists processes. */
#define FD_HEADROOM 3

/* How often a readiness file that could not be written is tried again. */
#define READY_RETRY_MS 1000

/* What is happening. Times are CLOCK_MONOTONIC milliseconds, -1 when not yet. */
struct state {
	const struct config *cfg;
	struct log *log;
	struct machine m;
	struct proc_table procs;
	pid_t self;
	pid_t app;            /* also the app's process group */
	bool app_exited;
	int app_status;       /* wait status, once app_exited */
	bool ready_written;
	bool ever_ready;
	int64_t ready_retry_at; /* a failed readiness write is tried again then; -1: none */
	const char *state_word; /* last written to PATH.state */
	int ready_dir;        /* the readiness folder, opened at start; -1: none */
	struct check check;   /* the readiness condition */
	struct user user;     /* --user, resolved */
	struct privs privs;   /* what the app and exec checks run as */
	int64_t term_at, stop_at, kill_at, deadline;
	int term_sig;         /* the lifecycle signal that began the stop, at term_at */
	bool signalled;       /* a signal other than SIGCHLD has come */
	bool tty;             /* stdin is a terminal: Ctrl-C is a person's */
	pid_t parent;         /* drainit's parent at start (0 outside our namespace) */
	bool group_left;      /* the app moved to another process group: signals go to it alone */
	unsigned killed;      /* processes found alive by the first SIGKILL sweep */
	char killed_names[256]; /* "pid 4 (java), pid 5 (sh)" for the summary */
	bool reap_more;       /* SIGCHLD came, or reap stopped at REAP_BATCH: reap next */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *dur(int64_t ms, char *buf, size_t len)
{
	dur_format(ms, buf, len);
	return buf;
}

/* PATH.state, for the probe to tell starting from draining. */
static void write_state(struct state *s, const char *word)
{
	if (!s->cfg->ready_file || (s->state_word && strcmp(s->state_word, word) == 0))
		return; /* since= says when the state began: a third SIGTERM is not a new one */
	if (ready_state(&s->ready_dir, s->cfg->ready_file, word, s->cfg->ready_when.name, s->app,
			wall_ms()) != 0) {
		log_event(s->log, V_WARN, "ready", "cannot write the state file beside %s: %m",
			  s->cfg->ready_file);
		s->state_word = NULL; /* what the file says is unknown: the next word is written */
	} else {
		s->state_word = word;
	}
}

static const char *unready_why(const struct state *s, enum event ev, char *buf, size_t len)
{
	switch (ev) {
	case EV_TERM:
		sig_name(s->term_sig, buf, len);
		strncat(buf, " received", len - strlen(buf) - 1);
		return buf;
	case EV_APP_EXIT:
	case EV_ALL_EXITED:
		return "the app exited";
	default:
		return s->cfg->ready_when.kind == COND_NOTIFY ? "the app sent STOPPING=1"
							       : "the readiness check keeps failing";
	}
}

static void clear_ready(struct state *s, enum event ev)
{
	char because[48];
	const char *why = unready_why(s, ev, because, sizeof because);
	s->ready_retry_at = -1;
	if (s->cfg->ready_file && s->m.phase != PH_DONE)
		write_state(s, ev == EV_UNREADY ? "unready" : "draining");
	if (!s->ready_written) {
		if (ev == EV_UNREADY)
			log_event(s->log, V_WARN, "unready", "app pid %d not ready: %s", (int)s->app, why);
		return;
	}
	int r = ready_clear(s->ready_dir, s->cfg->ready_file);
	if (r > 0) {
		s->ready_written = false;
		log_event(s->log, V_WARN, "unready", "%s is not drainit's readiness file any more "
			  "(someone replaced it): left it there: %s", s->cfg->ready_file, why);
		return;
	}
	if (r < 0) {
		/* A folder no longer writable: emptied, the file says nothing a
		 * probe takes for ready. Still there: the next withdrawal, at exit
		 * at the latest, tries to remove it again. */
		int err = errno;
		bool emptied = ready_empty(s->ready_dir, s->cfg->ready_file) == 0;
		log_event(s->log, V_WARN, "unready", "cannot remove %s: %s; %s: %s", s->cfg->ready_file,
			  strerror(err), emptied ? "emptied it instead, readiness withdrawn"
			  : "cannot empty it either, a probe still reads it as ready", why);
		return;
	}
	s->ready_written = false;
	log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = s->app },
		  ev == EV_UNREADY ? V_WARN : V_INFO, "unready", "readiness withdrawn (%s removed): %s",
		  s->cfg->ready_file, why);
}

static void mark_ready(struct state *s)
{
	const struct cond *c = &s->cfg->ready_when;
	char how[192], d[32];

	if (c->kind == COND_START)
		snprintf(how, sizeof how, "started");
	else {
		dur_format(now_ms() - s->check.begun, d, sizeof d);
		snprintf(how, sizeof how, "ready%s (%s, %s after start)", s->ever_ready ? " again" : "",
			 c->kind == COND_NOTIFY ? "READY=1" : c->name, d);
	}
	s->ever_ready = true;
	if (!s->cfg->ready_file) {
		log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = s->app }, V_INFO, "ready",
			  "app pid %d %s (no readiness file)", (int)s->app, how);
		return;
	}
	if (ready_mark(&s->ready_dir, s->cfg->ready_file, c->name, s->app, wall_ms()) != 0) {
		/* The app is ready: the file must say so as soon as it can be
		 * written (a folder removed and made again). Warned once. */
		log_event(s->log, s->ready_retry_at >= 0 ? V_DEBUG : V_WARN, "ready",
			  "cannot write %s: %m; trying again every %ds", s->cfg->ready_file,
			  READY_RETRY_MS / 1000);
		s->ready_retry_at = now_ms() + READY_RETRY_MS;
		return;
	}
	s->ready_written = true;
	write_state(s, "ready");
	log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = s->app }, V_INFO, "ready",
		  "app pid %d %s: wrote %s%s", (int)s->app, how,
		  s->cfg->ready_file, s->ready_retry_at >= 0 ? " (it could not be written before)" : "");
	s->ready_retry_at = -1;
}

static void begin_checks(struct state *s)
{
	const struct config *cfg = s->cfg;
	char every[32], limit[32], re[96] = "";

	check_begin(&s->check, s->app, now_ms());
	write_state(s, "starting");
	if (cfg->ready_when.kind == COND_NOTIFY) {
		log_event(s->log, V_INFO, "ready", "waiting for READY=1 from the app on NOTIFY_SOCKET");
		return;
	}
	dur_format(cfg->ready_interval_ms, every, sizeof every);
	dur_format(cfg->ready_timeout_ms, limit, sizeof limit);
	if (cfg->ready_recheck_ms > 0) {
		char r[32];
		dur_format(cfg->ready_recheck_ms, r, sizeof r);
		snprintf(re, sizeof re, "; once ready every %s, %u failures in a row withdraw it", r,
			 cfg->ready_failures);
	}
	log_event(s->log, V_INFO, "ready", "waiting for %s: checking every %s, %s each%s",
		  cfg->ready_when.name, every, limit, re);
}

/* Signals meant for the app go to its process group, or with --single-child
 * to the app alone; *what names that target for the log. */
static pid_t app_target(const struct state *s, const char **what)
{
	bool alone = s->cfg->single_child || s->group_left;
	*what = alone ? "pid" : "process group";
	return alone ? s->app : -s->app;
}

/* Sends sig to app_target. An app that moved to another process group
 * (setsid, setpgid) leaves its own empty: then, and from then on, the app
 * alone gets what was for its group, and the stop sweep reaches the rest
 * one by one. 0 or an errno. */
static int signal_app(struct state *s, int sig)
{
	const char *what;
	if (kill(app_target(s, &what), sig) == 0)
		return 0;
	int err = errno;
	if (err != ESRCH || s->cfg->single_child || s->group_left || s->app_exited)
		return err;
	if (kill(s->app, sig) != 0)
		return errno;
	s->group_left = true;
	log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = s->app }, V_WARN, "signal",
		  "the app, pid %d, has left its process group %d: signals go to the app alone from "
		  "now on", (int)s->app, (int)s->app);
	return 0;
}

/* Lines about the processes of one sweep: one per name and verdict, or
 * at -v one per process, so that 3,000 workers make a line, not 3,000. */
#define LINE_GROUPS 16
struct lines {
	struct proc_group g[LINE_GROUPS];
	size_t n;
	bool each;            /* -v: every process on a line of its own */
};

static void lines_begin(const struct state *s, struct lines *l)
{
	l->n = 0;
	l->each = s->log->verbosity >= V_DEBUG;
}

/* The lines of l one by one into *g, from *i = 0 on; false after the last.
 * Up to PROC_GROUP_PIDS alike processes are told one by one, as a few read
 * best; more make one line with their count. */
static bool lines_next(const struct lines *l, size_t *i, struct proc_group *g)
{
	size_t group = *i / (PROC_GROUP_PIDS + 1), k = *i % (PROC_GROUP_PIDS + 1);
	if (group >= l->n)
		return false;
	*g = l->g[group];
	if (g->count > PROC_GROUP_PIDS || k + 1 >= g->count) {
		*i = (group + 1) * (PROC_GROUP_PIDS + 1); /* the next group */
	} else {
		(*i)++;
	}
	if (g->count <= PROC_GROUP_PIDS) {
		g->pids[0] = g->pids[k];
		g->count = 1;
	}
	return true;
}

/* Counts e under verdict kind; false when it must have its own line now. */
static bool lines_add(struct lines *l, const struct proc_entry *e, int kind)
{
	return !l->each && proc_group_add(l->g, &l->n, LINE_GROUPS, e->comm, kind, e->pid);
}

/* A stopped process (SIGSTOP, SIGTSTP) acts on the stop signal only once
 * it runs again: SIGCONT follows to one found stopped, as systemd sends it
 * (to those alone: a running one has no use for it). SIGKILL needs none. */
static void wake(const struct proc_entry *e, int sig)
{
	if (e->state == 'T' && sig != SIGKILL && sig != SIGCONT)
		kill(e->pid, SIGCONT);
}

/* Sends sig to one process; false when it was already gone. The line
 * saying so is the caller's (in l), or logged here when l has no room. */
static bool signal_one(struct state *s, const struct proc_entry *e, int sig, struct lines *l,
		       const char *event, enum verbosity level, const char *why)
{
	char name[32];
	pid_t pid = e->pid;
	const char *comm = e->comm;
	sig_name(sig, name, sizeof name);
	if (kill(pid, sig) == 0) {
		wake(e, sig);
		if (!lines_add(l, e, 0))
			log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = pid, .comm = comm,
				  .signal = name }, level, event, "%s to pid %d (%s)%s", name, (int)pid, comm,
				  why);
		return true;
	}
	if (errno == ESRCH)
		log_event(s->log, V_DEBUG, event, "pid %d (%s) exited before %s", (int)pid, comm, name);
	else
		log_event(s->log, V_WARN, event, "cannot send %s to pid %d (%s): %m", name, (int)pid,
			  comm);
	return false;
}

/* The grouped lines of a sweep: "SIGKILL to 3000 processes (sleep), pids
 * 3, 4, 5, 6, 7 and 2995 more: still running". */
static void lines_log(const struct state *s, const struct lines *l, enum verbosity level,
		      const char *event, const char *name, const char *why)
{
	char who[160];
	struct proc_group g;
	for (size_t i = 0; lines_next(l, &i, &g);)
		log_facts(s->log, &(struct log_facts){ .set = g.count > 1 ? LF_COUNT : LF_PID,
			  .count = g.count, .pid = g.pids[0], .comm = g.comm, .signal = name }, level,
			  event, "%s to %s%s", name, proc_group_words(&g, who, sizeof who), why);
}

/* Sends sig to every live process under drainit, except members of process
 * group skip (0: none), and logs each. Returns how many were signalled. */
static unsigned signal_all(struct state *s, int sig, pid_t skip, const char *event,
			   enum verbosity level, const char *why)
{
	char name[32];
	unsigned n = 0;

	struct lines l;
	lines_begin(s, &l);
	sig_name(sig, name, sizeof name);
	if (proc_scan_under(&s->procs, s->self) != 0) {
		log_event(s->log, V_WARN, event, "cannot list processes in /proc: %m%s",
			  skip ? "" : s->self == 1 ? "; signalling every process"
						  : "; signalling the app's process group");
		if (skip == 0 && kill(s->self == 1 ? -1 : -s->app, sig) == 0)
			n = 1;
		return n;
	}
	if (s->self == 1 && sig == SIGKILL) {
		/* At the deadline everything in the namespace goes, with one
		 * kill(-1) that also reaches what was forked since the listing.
		 * The listing is for the log. */
		if (kill(-1, sig) != 0 && errno != ESRCH)
			log_event(s->log, V_WARN, event, "cannot send %s to every process: %m", name);
		for (size_t i = 0; i < s->procs.len; i++)
			if (!lines_add(&l, &s->procs.v[i], 0))
				log_facts(s->log, &(struct log_facts){ .set = LF_PID, .signal = name,
					  .pid = s->procs.v[i].pid, .comm = s->procs.v[i].comm }, level,
					  event, "%s to pid %d (%s)%s", name, (int)s->procs.v[i].pid,
					  s->procs.v[i].comm, why);
		lines_log(s, &l, level, event, name, why);
		return (unsigned)s->procs.len;
	}
	pid_t check = check_group(&s->check);
	for (size_t i = 0; i < s->procs.len; i++) {
		const struct proc_entry *e = &s->procs.v[i];
		/* a readiness check being killed is not the app's to stop; an app
		 * out of its group got the signal for it already */
		if (skip && s->group_left && e->pid == s->app)
			continue;
		if (proc_stoppable(e, s->self, skip) && (check == 0 || e->pgid != check))
			n += signal_one(s, e, sig, &l, event, level, why);
	}
	lines_log(s, &l, level, event, name, why);
	return n;
}

/* One line of the stop report: what who (a process, or many alike) will do
 * with the stop signal. Blocking is how signalfd and sigwait readers take
 * signals: not a warning. */
/* A verdict of the stop report: the disposition, and whether the process is
 * stopped (state T). */
#define STOPPED_KIND 0x100

static void log_stop_verdict(const struct state *s, const struct proc_group *g, const char *who,
			     char *words, size_t len)
{
	enum disposition d = (enum disposition)(g->kind & ~STOPPED_KIND);
	bool stopped = g->kind & STOPPED_KIND;
	bool many = g->count > 1;
	char name[32];
	struct log_facts f = { .set = many ? LF_COUNT : LF_PID, .count = g->count, .pid = g->pids[0],
			       .comm = g->comm, .signal = sig_name(s->cfg->stop_signal, name, sizeof name) };
	log_facts(s->log, &f, d == DISP_IGNORES ? V_WARN : V_INFO, "stop", "%s%s%s%s%s", who,
		  many ? ": each " : " ", inspect_words(d, s->cfg->stop_signal, words, len),
		  stopped ? "; it is stopped (T): SIGCONT follows the stop signal" : "",
		  d == DISP_IGNORES ? "; SIGKILL at the drain deadline if it does not exit" : "");
}

/* Before the stop signal goes out: what each process that gets it will do
 * with it, read from /proc into the listing's marks (a bash wrapper without
 * a handler dies at once while its python3 drains; a process ignoring it
 * waits for SIGKILL). Only read here: report_stop writes it once the signal
 * is out, so that the log costs the app no time and says what was true when
 * the signal went. */
static void survey_stop(struct state *s)
{
	int sig = s->cfg->stop_signal;
	pid_t check = check_group(&s->check);

	bool listed = proc_scan_under(&s->procs, s->self) == 0; /* if not, signal_all says why */
	for (size_t i = 0; i < s->procs.len; i++) {
		struct proc_entry *e = &s->procs.v[i];
		struct sigstate st;
		e->mark = -1;
		if (listed && proc_gets_stop(e, s->self, s->app, s->cfg->single_child, s->app_exited, check) &&
		    inspect_read(e->pid, &st) == 0)
			e->mark = (int)inspect_disposition(&st, sig) | (e->state == 'T' ? STOPPED_KIND : 0);
	}
}

static void report_stop(struct state *s)
{
	char words[192], who[160];
	struct lines l;

	lines_begin(s, &l);
	for (size_t i = 0; i < s->procs.len; i++) {
		const struct proc_entry *e = &s->procs.v[i];
		if (e->mark < 0)
			continue;
		if (!lines_add(&l, e, e->mark)) {
			struct proc_group one = { .kind = e->mark, .count = 1, .pids = { e->pid } };
			snprintf(one.comm, sizeof one.comm, "%s", e->comm);
			log_stop_verdict(s, &one, proc_group_words(&one, who, sizeof who), words,
					 sizeof words);
		}
	}
	struct proc_group g;
	for (size_t i = 0; lines_next(&l, &i, &g);)
		log_stop_verdict(s, &g, proc_group_words(&g, who, sizeof who), words, sizeof words);
}

/* The stop signal goes to the app's process group (--single-child: the app
 * alone) and to every descendant outside that group, each exactly once;
 * once the app has exited, to every process left. */
static void send_stop(struct state *s)
{
	char name[32], d[32], why[128];
	sig_name(s->cfg->stop_signal, name, sizeof name);
	dur(s->cfg->drain_timeout_ms, d, sizeof d);
	bool again = s->stop_at >= 0; /* --single-child: the rest once the app is gone */
	if (!again)
		s->stop_at = now_ms();
	survey_stop(s);

	if (s->app_exited) {
		report_stop(s);
		char left[32];
		if (again && s->deadline >= 0) {
			dur(s->deadline > now_ms() ? s->deadline - now_ms() : 0, left, sizeof left);
			snprintf(why, sizeof why, ": the app has exited, stopping what is left (%s left of "
				 "the drain timeout)", left);
		} else {
			snprintf(why, sizeof why, ": the app has exited, stopping what is left (drain "
				 "timeout %s)", d);
		}
		if (signal_all(s, s->cfg->stop_signal, 0, "stop", V_INFO, why) == 0)
			log_event(s->log, V_INFO, "stop", "no process left to stop");
		return;
	}
	const char *what;
	int err = signal_app(s, s->cfg->stop_signal);
	if (err == 0) {
		/* the stopped ones among those that got it, as the survey's
		 * listing of /proc found them */
		bool alone = s->cfg->single_child || s->group_left;
		for (size_t i = 0; i < s->procs.len; i++) {
			const struct proc_entry *e = &s->procs.v[i];
			if (alone ? e->pid == s->app : e->pgid == s->app)
				wake(e, s->cfg->stop_signal);
		}
	}
	report_stop(s);
	app_target(s, &what);
	if (err != 0)
		log_event(s->log, V_WARN, "stop", "cannot send %s to %s %d: %s", name, what,
			  (int)s->app, strerror(err));
	else {
		log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = s->app, .signal = name },
			  V_INFO, "stop", "sent %s to %s %d; draining for up to %s", name, what,
			  (int)s->app, d);
	}
	if (!s->cfg->single_child)
		signal_all(s, s->cfg->stop_signal, s->app, "stop", V_INFO,
			   ": outside the app's process group");
}

static void kill_all(struct state *s)
{
	if (s->kill_at < 0)
		s->kill_at = now_ms();
	unsigned n = signal_all(s, SIGKILL, 0, "kill", V_WARN, ": still running");
	if (s->m.kill_rounds == 1) {
		/* the summary names them: the longest drain is read from logs */
		size_t o = 0, shown = 0;
		s->killed = n;
		s->killed_names[0] = '\0';
		for (size_t i = 0; i < s->procs.len && shown < 4 && n > 0; i++, shown++) {
			int k = snprintf(s->killed_names + o, sizeof s->killed_names - o, "%spid %d (%s)",
					 o ? ", " : "", (int)s->procs.v[i].pid, s->procs.v[i].comm);
			if (k < 0 || (size_t)k >= sizeof s->killed_names - o)
				break;
			o += (size_t)k;
		}
		if (n > shown && o > 0)
			snprintf(s->killed_names + o, sizeof s->killed_names - o, " and %u more", n - (unsigned)shown);
	}
	if (n > 0)
		log_facts(s->log, &(struct log_facts){ .set = LF_COUNT, .count = n, .signal = "SIGKILL" },
			  V_WARN, "kill", "SIGKILL sent to %u process%s%s", n, n == 1 ? "" : "es",
			  s->m.kill_rounds > 1 ? " still there after the last sweep" : "");
}

static void arm(struct state *s, int64_t ms)
{
	s->deadline = now_ms() + ms;
}

static void dispatch(struct state *s, enum event ev)
{
	unsigned a = state_step(&s->m, ev);
	s->log->phase = state_phase_name(s->m.phase);

	log_event(s->log, V_DEBUG, "state", "%s -> %s", state_event_name(ev),
		  state_phase_name(s->m.phase));
	if (a & A_END_CHECKS)
		check_end(&s->check);
	if (a & A_CLEAR_READY)
		clear_ready(s, ev);
	if (a & A_BEGIN_CHECKS)
		begin_checks(s);
	if (a & A_MARK_READY)
		mark_ready(s);
	if (a & A_STOP)
		send_stop(s);
	if (a & A_KILL)
		kill_all(s);
	if (a & A_ARM_DELAY)
		arm(s, s->cfg->pre_stop_delay_ms);
	if (a & A_ARM_DRAIN)
		arm(s, s->cfg->drain_timeout_ms);
	if (a & A_ARM_KILL)
		arm(s, KILL_WAIT_MS);
	if (a & A_EXIT)
		s->deadline = -1;
}

static void on_verdict(struct state *s, enum check_verdict v)
{
	if (v == CHECK_READY)
		dispatch(s, EV_READY);
	else if (v == CHECK_UNREADY)
		dispatch(s, EV_UNREADY);
}

/* The app is gone while a readiness check's command runs: the command is
 * killed and reaped now, so that it does not count as a process left to
 * drain. A SIGKILLed process takes a moment to die; 100 ms at most. */
static void end_check_now(struct state *s)
{
	pid_t pid = check_group(&s->check);
	if (pid == 0)
		return;
	check_end(&s->check);
	for (int i = 0; i < 100; i++) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			log_event(s->log, V_DEBUG, "check", "pid %d killed: the app exited", (int)pid);
			check_reaped(&s->check, status, now_ms());
			return;
		}
		if (r < 0 && errno != EINTR)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
}

/* The level of the line for an orphan or another drained process that
 * exits: worth saying once the stop has begun; -w warns of each, as tini. */
static enum verbosity exit_level(const struct state *s)
{
	return s->cfg->warn_on_reap ? V_WARN : s->m.phase >= PH_DELAY ? V_INFO : V_DEBUG;
}

/* What the app was started as, for its exit line when it was reaped before
 * drainit could read its name: the kernel names a process after the file it
 * executes, cut to 15 bytes, unless it renames itself or executes another. */
static void start_name(const struct state *s, char *buf, size_t len)
{
	const char *slash = strrchr(s->cfg->argv[0], '/');
	snprintf(buf, len < PROC_COMM_LEN ? len : PROC_COMM_LEN, "%s", slash ? slash + 1 : s->cfg->argv[0]);
}

/* One child reaped: the app, the readiness check's command, a process its
 * group left behind (kin), or another (an orphan, or the app's). */
static void on_child_exit(struct state *s, pid_t pid, int status, const char *comm, bool kin,
			  enum verbosity level, enum check_verdict *verdict)
{
	char how[96] = "", name[32];
	if ((int)level <= s->log->verbosity)
		child_describe(status, how, sizeof how);
	struct log_facts f = { .set = LF_PID | LF_EXIT_CODE, .pid = pid, .comm = comm,
			       .exit_code = child_exit_code(status),
			       .signal = WIFSIGNALED(status) ? sig_name(WTERMSIG(status), name, sizeof name)
							     : NULL };
	if (check_owns(&s->check, pid)) {
		/* the readiness check's command: neither the app nor a drained process */
		log_facts(s->log, &f, V_DEBUG, "check", "pid %d (%s) %s", (int)pid, comm, how);
		enum check_verdict v = check_reaped(&s->check, status, now_ms());
		if (v != CHECK_NONE)
			*verdict = v;
	} else if (pid == s->app) {
		s->app_exited = true;
		s->app_status = status;
		log_facts(s->log, &f, V_INFO, "exit", "app pid %d (%s) %s", (int)pid, comm, how);
		end_check_now(s);
	} else if (kin) {
		/* left behind by a killed readiness check: not the app's */
		log_facts(s->log, &f, V_DEBUG, "check", "pid %d (%s) %s", (int)pid, comm, how);
	} else if (s->cfg->warn_on_reap) {
		/* tini's words, for the scripts that grep them */
		log_facts(s->log, &f, level, "reap", "Reaped zombie process with pid=%d (%s): %s", (int)pid,
			  comm, how);
	} else {
		log_facts(s->log, &f, level, "exit", "pid %d (%s) %s", (int)pid, comm, how);
	}
}

/* Reaps the children that have exited, REAP_BATCH at most; sets
 * s->reap_more when it stopped there. The app exiting while others remain
 * is EV_APP_EXIT; nothing left at all is EV_ALL_EXITED.
 *
 * A process's name and group can be read only until it is reaped, so a
 * child is looked at first (waitid with WNOWAIT) when something will use
 * them: a line that is written at this level, or a killed readiness check
 * whose group may have left processes. Otherwise the orphans go one
 * waitpid each, as in the other inits, and only the app is looked at
 * first, once a turn, for its exit line. */
static void reap(struct state *s)
{
	bool was_exited = s->app_exited;
	unsigned n = 0;
	enum check_verdict verdict = CHECK_NONE;
	char comm[PROC_COMM_LEN + 1];
	bool look = check_left_group(&s->check) || (int)exit_level(s) <= s->log->verbosity;
	bool app_first = !look && !s->app_exited;

	while (n < REAP_BATCH) {
		siginfo_t info;
		int status;
		pid_t pid;
		bool kin = false, looked = look || app_first;
		memset(&info, 0, sizeof info);
		comm[0] = '\0';
		if (app_first) {
			app_first = false;
			if (waitid(P_PID, (id_t)s->app, &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
			    info.si_pid == 0)
				continue; /* alive (or the next wait tells what is wrong) */
			pid = info.si_pid;
		} else if (look) {
			pid = waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 ? info.si_pid : -1;
		} else {
			pid = waitpid(-1, &status, WNOHANG);
		}
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD && s->app_exited)
				dispatch(s, EV_ALL_EXITED);
			else if (errno != ECHILD)
				log_event(s->log, V_WARN, "reap", "wait: %m");
			s->reap_more = false;
			return;
		}
		if (pid == 0)
			break; /* children left, none exited */
		enum verbosity level = pid == s->app ? V_INFO : exit_level(s);
		if (looked) {
			/* Looked at, not yet reaped: names and groups while they last. */
			struct proc_entry e;
			bool owns = check_owns(&s->check, pid);
			kin = !owns && pid != s->app && check_left_group(&s->check) &&
			      proc_stat(pid, &e) == 0 && check_kin(&s->check, e.pgid);
			if (owns || kin)
				level = V_DEBUG;
			if ((int)level <= s->log->verbosity)
				proc_comm(pid, comm, sizeof comm);
			if (waitpid(pid, &status, 0) != pid)
				continue;
		} else if (pid == s->app) {
			start_name(s, comm, sizeof comm); /* it exited between the look and the wait */
		}
		n++;
		on_child_exit(s, pid, status, comm, kin, level, &verdict);
	}
	s->reap_more = n == REAP_BATCH;
	if (s->app_exited && !was_exited)
		dispatch(s, EV_APP_EXIT);
	on_verdict(s, verdict);
}

/* What this lifecycle signal will do, said before it is done: the state
 * machine steps a copy, so the words cannot drift from the rules. */
static const char *term_action(const struct state *s, const char *name, char *buf, size_t len)
{
	struct machine next = s->m;
	state_step(&next, EV_TERM);
	switch (next.phase) {
	case PH_DELAY:
		return "withdrawing readiness; pre-stop delay starts";
	case PH_DRAINING:
		if (s->m.phase == PH_DRAINING)
			snprintf(buf, len, "already draining; a third %s kills at once", name);
		else if (s->m.phase == PH_DELAY)
			snprintf(buf, len, "second %s: cutting the pre-stop delay short", name);
		else
			snprintf(buf, len, "withdrawing readiness; stopping the app");
		return buf;
	case PH_KILLING:
		if (s->m.phase == PH_KILLING)
			return "already killing";
		snprintf(buf, len, "third %s: killing every process now", name);
		return buf;
	default:
		return "nothing left to stop";
	}
}

/* Forwards SIG to the app (its group by default): 0, an errno, or -1 when
 * it is not forwarded because the app alone was to get it and has exited. */
static int forward(struct state *s, int sig)
{
	if (s->app_exited && (s->cfg->single_child || s->group_left))
		return -1;
	return signal_app(s, sig);
}

static void log_forward(const struct state *s, const struct log_facts *f, int err,
			const char *from)
{
	const char *what, *name = f->signal;
	app_target(s, &what);
	if (err < 0)
		log_facts(s->log, f, V_INFO, "signal", "%s %s: not forwarded, the app has exited", name,
			  from);
	else if (err > 0)
		log_facts(s->log, f, V_WARN, "signal", "%s %s: forward to %s %d failed: %s", name, from,
			  what, (int)s->app, strerror(err));
	else
		log_facts(s->log, f, V_INFO, "signal", "%s %s: forwarded to %s %d", name, from, what,
			  (int)s->app);
}

/* Whether si is the parent-death signal (-p): the kernel sends it as
 * SI_USER from the parent that exits, which as PID 1 is outside our
 * namespace (pid 0); setup raises it when the parent was gone already. */
static bool parent_death(const struct state *s, const struct signalfd_siginfo *si)
{
	if ((int)si->ssi_signo != s->cfg->pdeath_signal)
		return false;
	if (si->ssi_code == SI_TKILL)
		return (pid_t)si->ssi_pid == s->self;
	if (si->ssi_code != SI_USER)
		return false;
	if (s->self == 1)
		return si->ssi_pid == 0;
	return (pid_t)si->ssi_pid == s->parent && getppid() != s->parent;
}

/* Who sent si, for its log line. */
static void sender(const struct state *s, const struct signalfd_siginfo *si, char *buf, size_t len)
{
	bool pdeath = parent_death(s, si);
	if (pdeath && si->ssi_code == SI_TKILL)
		snprintf(buf, len, "as the parent-death signal (-p): drainit's parent had exited "
			 "before drainit started");
	else if (pdeath && s->self == 1)
		snprintf(buf, len, "from outside the namespace (pid 0, uid %u): the parent-death "
			 "signal (-p), sent when drainit's parent exits, or a kill from outside",
			 si->ssi_uid); /* the parent is out of sight: either may be */
	else if (pdeath)
		snprintf(buf, len, "as the parent-death signal (-p): drainit's parent, pid %u, exited",
			 si->ssi_pid);
	else if (si->ssi_pid == 0)
		snprintf(buf, len, "from outside the namespace or the kernel (pid 0, uid %u)",
			 si->ssi_uid);
	else
		snprintf(buf, len, "from pid %u (uid %u)", si->ssi_pid, si->ssi_uid);
}

/* The first signal is one an engine stops containers with, and it is not
 * the stop signal: the engine's stop went past the drain. Said once. Not
 * for Ctrl-C on a terminal: that is a person. */
static void warn_no_drain(const struct state *s, const struct signalfd_siginfo *si,
			  const struct log_facts *f)
{
	int sig = (int)si->ssi_signo;
	const char *name = f->signal;
	if (s->signalled || !sig_engine_stop(sig) ||
	    (sig == SIGINT && (s->tty || si->ssi_code == SI_KERNEL)))
		return;
	const char *bare = strncmp(name, "SIG", 3) == 0 ? name + 3 : name;
	log_facts(s->log, f, V_WARN, "signal", "%s was forwarded at once, without a drain: if the engine "
		  "stops this container with %s (an image's STOPSIGNAL), set --stop-signal %s "
		  "(DRAINIT_STOP_SIGNAL=%s) so that it drains first", name, name, bare, bare);
}

/* SIGTERM (the kubelet's) and the stop signal (an engine sends an image's
 * STOPSIGNAL) both begin the stop; every other signal is forwarded at once. */
static void on_signal(struct state *s, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	char name[32], from[160], words[96];

	/* drainit's own writes raise SIGPIPE or SIGXFSZ on a broken log; logging
	 * them would raise them again. */
	if ((pid_t)si->ssi_pid == s->self && si->ssi_code == SI_USER)
		return;
	bool lifecycle = sig == SIGTERM || sig == s->cfg->stop_signal;
	/* Forwarded first, described after: the app does not wait on the words. */
	int err = sig == SIGCHLD || lifecycle ? 0 : forward(s, sig);
	if (sig == SIGCHLD) {
		s->reap_more = true; /* once the batch of signals is read */
		/* every orphan's exit: a shell-heavy app would flood the log */
		if (s->log->verbosity < V_DEBUG)
			return;
	}
	sig_name(sig, name, sizeof name);
	sender(s, si, from, sizeof from);
	struct log_facts f = { .set = LF_PID | LF_FROM_PID | LF_FROM_UID, .pid = s->app,
			       .from_pid = si->ssi_pid, .from_uid = si->ssi_uid, .signal = name };

	if (sig == SIGCHLD) {
		log_facts(s->log, &f, V_DEBUG, "signal", "%s %s: reaping", name, from);
		return;
	}
	if (lifecycle) {
		log_facts(s->log, &f, V_INFO, "signal", "%s %s: %s", name, from,
			  term_action(s, name, words, sizeof words));
		if (s->term_at < 0) {
			s->term_at = now_ms();
			s->term_sig = sig;
		}
		dispatch(s, EV_TERM);
	} else {
		log_forward(s, &f, err, from);
		warn_no_drain(s, si, &f);
	}
	s->signalled = true;
}

/* Waits for one signal, when no deadline, check or batch of exits is
 * pending: sigwaitinfo takes it from the same queue as the signalfd, in one
 * system call where ppoll and read take two, and three with the read that
 * finds the signalfd empty. */
static void wait_signal(struct state *s, const sigset_t *set)
{
	siginfo_t info;
	if (sigwaitinfo(set, &info) < 0)
		return; /* EINTR: after a stop, say; the loop comes back */
	struct signalfd_siginfo si = {
		.ssi_signo = (uint32_t)info.si_signo,
		.ssi_code = info.si_code,
		.ssi_pid = (uint32_t)info.si_pid,
		.ssi_uid = info.si_uid,
	};
	on_signal(s, &si);
}

static void log_start(const struct state *s)
{
	char args[1024], d1[32], d2[32], g[32], stop[32];
	size_t o = 0;
	args[0] = '\0';
	for (char **a = s->cfg->argv; *a && o < sizeof args - 1; a++) {
		int n = snprintf(args + o, sizeof args - o, "%s%s", a == s->cfg->argv ? "" : " ", *a);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = s->app, .comm = NULL }, V_INFO,
		  "start", "drainit pid %d%s; app pid %d: %s", (int)s->self,
		  s->self == 1 ? " (init of its namespace)" : " (child subreaper)", (int)s->app, args);

	dur(s->cfg->pre_stop_delay_ms, d1, sizeof d1);
	dur(s->cfg->drain_timeout_ms, d2, sizeof d2);
	int sig = s->cfg->stop_signal;
	sig_name(sig, stop, sizeof stop);
	if (s->cfg->grace_period_ms < 0)
		snprintf(g, sizeof g, "not given");
	else
		dur(s->cfg->grace_period_ms, g, sizeof g);
	/* SIGKILL and SIGSTOP never reach drainit: SIGTERM alone begins the stop */
	bool also = sig != SIGTERM && sig != SIGKILL && sig != SIGSTOP;
	log_event(s->log, V_INFO, "timeline", "on SIGTERM%s%s: %s%s after %s, SIGKILL %s later; "
		  "grace period %s", also ? " or " : "", also ? stop : "",
		  s->cfg->ready_file ? "unready at once, " : "", stop, d1, d2, g);
	if (s->cfg->grace_period_ms >= 0 &&
	    !plan_fits(s->cfg->pre_stop_delay_ms, s->cfg->drain_timeout_ms, s->cfg->grace_period_ms)) {
		char m[32];
		dur(PLAN_MARGIN_MS, m, sizeof m);
		log_event(s->log, V_WARN, "timeline",
			  "pre-stop delay %s + drain timeout %s + margin %s do not fit in the grace "
			  "period %s: the kubelet will SIGKILL before drainit drains", d1, d2, m, g);
	}
}

/* A shell script between drainit and the app is the story's lost SIGTERM:
 * say so once, at start. */
static void hint_script(const struct state *s)
{
	char what[4300];
	if (script_check(s->cfg->argv, what, sizeof what))
		log_event(s->log, V_WARN, "hint",
			  "%s: the shell stays drainit's child and its exit status, not the app's, "
			  "becomes drainit's%s; start the app with 'exec APP'", what,
			  s->cfg->single_child ? "; with --single-child the stop signal reaches the shell alone" : "");
}

/* Why the command could not be exec'd, in words a user can act on: for a
 * file that is there, ENOENT means that what it names to run it is not. */
static void exec_failure(const struct config *cfg, int err, char *buf, size_t len)
{
	char path[4096], line[256], words[256];
	const char *interp;

	snprintf(buf, len, "%s", strerror(err));
	if (err != ENOENT || !script_find(cfg->argv[0], path, sizeof path))
		return;
	script_first_line(path, line, sizeof line);
	if (script_shebang_words(line, strlen(line), words, sizeof words, &interp, 1) == 1 &&
	    access(interp, F_OK) != 0)
		snprintf(buf, len, "the interpreter %s named in its #! line does not exist", interp);
	else if (strncmp(line, "\x7f" "ELF", 4) == 0)
		snprintf(buf, len, "it is there, but the dynamic loader it names is not "
			 "(a binary built for another C library?)");
}

/* Settings that do not do what they seem to: warned at start, never
 * refused, so that the app still starts. */
static void warn_config(const struct state *s)
{
	const struct config *cfg = s->cfg;
	char *const *env = environ;
	const char *name, *near;
	size_t len;
	char stop[32];

	while (opt_unknown_env(&env, &name, &len, &near)) {
		bool tini = strncmp(name, "TINI_", 5) == 0;
		log_event(s->log, V_WARN, "start", "unknown variable %.*s, ignored%s%s%s", (int)len, name,
			  near ? "; did you mean " : tini ? " (tini has no such variable)" : "",
			  near ? near : "", near ? "?" : "");
	}
	if (cfg->ready_when.kind != COND_START && !cfg->ready_file)
		log_event(s->log, V_WARN, "start", "--ready-when %s without a readiness file: what it "
			  "finds changes nothing a probe can see; give --ready-file PATH "
			  "(DRAINIT_READY_FILE)", cfg->ready_when.name);
	if (cfg->stop_signal == SIGKILL || cfg->stop_signal == SIGSTOP)
		log_event(s->log, V_WARN, "start", "the stop signal is %s, which no app can catch: no "
			  "drain is possible; use the signal the app stops gracefully on (TERM, or "
			  "QUIT for nginx)", sig_name(cfg->stop_signal, stop, sizeof stop));
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

	if (!script_find(cfg->argv[0], path, len))
		return false;
	script_first_line(path, line, sizeof line);
	size_t n = script_shebang_words(line, strlen(line), buf, sizeof buf, w, 32);
	size_t i = script_shebang_program(w, n);
	char self[4096];
	if (i >= n || !script_find(w[i], self, sizeof self) || !is_self(self))
		return false;
	for (; i < n; i++)
		av[k++] = (char *)w[i];
	av[k++] = path;
	av[k] = NULL;
	char err[256];
	return opt_parse((int)k, av, NULL, &c, err, sizeof err) == OPT_RUN && c.argv == av + k - 1;
}

static int finish(struct state *s)
{
	char how[96], a[32], b[32], c[32], d[32], name[32];
	int code = s->app_exited ? child_exit_code(s->app_status) : EXIT_OSERR;
	int out = opt_expects(s->cfg, code) ? 0 : code;
	int64_t end = now_ms();

	int r = s->ready_written ? ready_clear(s->ready_dir, s->cfg->ready_file) : -1;
	if (r >= 0) {
		s->ready_written = false;
		log_event(s->log, r ? V_WARN : V_INFO, "unready", r ? "%s is not drainit's readiness "
			  "file any more (someone replaced it): left it there; drainit exits"
			  : "readiness withdrawn (%s removed): drainit exits", s->cfg->ready_file);
	}
	r = s->cfg->ready_file ? ready_state(&s->ready_dir, s->cfg->ready_file, NULL, NULL, 0, 0) : 0;
	if (r != 0)
		log_event(s->log, V_WARN, "ready", r > 0 ? "the state file beside %s is not drainit's "
			  "any more (someone replaced it): left it there"
			  : "cannot remove the state file beside %s: %m", s->cfg->ready_file);
	if (s->ready_dir >= 0)
		close(s->ready_dir);
	check_close(&s->check);
	if (s->app_exited)
		child_describe(s->app_status, how, sizeof how);
	else
		snprintf(how, sizeof how, "was not reaped");

	struct plan_phases p = plan_phases((struct plan_marks){ s->term_at, s->stop_at, s->kill_at, end });
	const char *killed = s->killed ? "; SIGKILL was needed" : "; no SIGKILL needed";
	int64_t budget = s->cfg->pre_stop_delay_ms + s->cfg->drain_timeout_ms;
	struct log_facts f = { .set = LF_DELAY_MS | LF_DRAIN_MS | LF_TOTAL_MS | LF_BUDGET_MS,
			       .delay_ms = p.delay, .drain_ms = p.drain, .total_ms = p.total,
			       .budget_ms = p.by_term ? budget : s->cfg->drain_timeout_ms };
	if (p.by_term)
		log_facts(s->log, &f, V_INFO, "summary",
			  "%s to exit took %s of a %s budget (pre-stop delay %s, drain %s)%s",
			  sig_name(s->term_sig, name, sizeof name), dur(p.total, a, sizeof a),
			  dur(budget, b, sizeof b), dur(p.delay, c, sizeof c), dur(p.drain, d, sizeof d), killed);
	else if (p.stopped)
		log_facts(s->log, &(struct log_facts){ .set = LF_DRAIN_MS | LF_BUDGET_MS,
			  .drain_ms = p.drain, .budget_ms = s->cfg->drain_timeout_ms }, V_INFO, "summary",
			  "the app exited on its own%s; drain of what was left took %s of %s%s",
			  s->term_at >= 0 ? " before SIGTERM came" : "", dur(p.drain, a, sizeof a),
			  dur(s->cfg->drain_timeout_ms, b, sizeof b), killed);
	if (s->killed)
		log_facts(s->log, &(struct log_facts){ .set = LF_COUNT, .count = s->killed },
			  V_WARN, "summary", "%u process%s SIGKILLed%s%s",
			  s->killed, s->killed == 1 ? " was" : "es were", s->killed_names[0] ? ": " : "",
			  s->killed_names);
	log_facts(s->log, &(struct log_facts){ .set = LF_PID | LF_EXIT_CODE, .pid = s->app,
		  .exit_code = out }, V_INFO, "summary", "exit status %d: app %s%s", out, how,
		  out != code ? " (expected, reported as 0)" : "");
	return out;
}

/* A start-up failure: a usage error is printed as every usage error is,
 * before logging starts (no timestamp, "see drainit --help"); drainit's
 * own failures are logged. */
__attribute__((format(printf, 3, 4)))
static void start_error(struct log *log, int code, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (code == EXIT_USAGE)
		log_usage_error(msg, "drainit --help");
	else
		log_event(log, V_ERROR, "start", "%s", msg);
}

/* Whether drainit already is u: then --user has nothing to change, and
 * needs no privilege. */
static bool already(const struct user *u)
{
	gid_t g[USER_GROUPS_MAX + 1];
	int n = getgroups(USER_GROUPS_MAX + 1, g);
	return n >= 0 && user_same(u, geteuid(), getegid(), g, (size_t)n);
}

/* --user, --caps, --no-new-privs into s->privs, before anything starts:
 * unknown names are usage errors, and what drainit cannot grant is said,
 * with what it lacks. Returns 0 or drainit's exit code. */
static int privileges(struct state *s)
{
	const struct config *cfg = s->cfg;
	struct privs *p = &s->privs;
	struct capsets own;
	char err[512], lacking[512];

	p->no_new_privs = cfg->no_new_privs;
	if (!cfg->user && !cfg->caps)
		return 0;
	if (cfg->user) {
		int r = user_lookup(cfg->user, &s->user, err, sizeof err);
		if (r != 0) {
			/* an unknown name is a usage error, an unreadable file is not */
			start_error(s->log, r == -2 ? EXIT_OSERR : EXIT_USAGE, "--user: %s", err);
			return r == -2 ? EXIT_OSERR : EXIT_USAGE;
		}
		p->user = !already(&s->user);
		p->uid = s->user.uid;
		p->gid = s->user.gid;
		p->groups = s->user.groups;
		p->ngroups = s->user.ngroups;
	}
	if (caps_read(&own) != 0) {
		log_event(s->log, V_ERROR, "start", "cannot read drainit's capabilities: %m");
		return EXIT_OSERR;
	}
	if (cfg->caps) {
		/* +NAME and -NAME change what the app would get anyway: drainit's
		 * set for a root app, nothing for another user */
		uint64_t base = p->user && p->uid != 0 ? 0 : own.prm;
		if (caps_parse(cfg->caps, base, own.prm, &p->set, err, sizeof err) != 0) {
			start_error(s->log, EXIT_USAGE, "--caps: %s", err);
			return EXIT_USAGE;
		}
		p->caps = true;
	}
	if (caps_missing(p, &own, geteuid(), lacking, sizeof lacking)) {
		log_event(s->log, V_ERROR, "start", "%s%s%s: drainit lacks %s to grant it",
			  cfg->user ? "--user" : "", cfg->user && cfg->caps ? " and " : "",
			  cfg->caps ? "--caps" : "", lacking);
		return EXIT_NOPERM;
	}
	return 0;
}

/* Once the app runs, drainit keeps only what it still needs: to signal
 * processes of other users, to start exec checks as the app, to look for a
 * file: condition's file, to write into the readiness folder. The last is
 * tried for real with the effective set lowered (the permitted set stays
 * until the drop): permissions along the whole path count. */
static void drop_own_caps(struct state *s)
{
	struct capsets own;
	const struct config *cfg = s->cfg;

	if (caps_read_sets(&own) != 0 || own.prm == 0)
		return;
	bool exec = cfg->ready_when.kind == COND_EXEC, file = cfg->ready_when.kind == COND_FILE;
	uint64_t keep = caps_keep(&s->privs, exec, file, false);
	if ((own.prm & ~keep) == 0)
		return;
	if (cfg->ready_file && caps_effective(keep) == 0) {
		bool writable = ready_folder_writable(s->ready_dir, cfg->ready_file) == 0;
		caps_effective(own.eff);
		keep = caps_keep(&s->privs, exec, file, !writable);
	}
	if (caps_drop_own(keep, exec) != 0)
		log_event(s->log, V_WARN, "caps", "cannot drop drainit's own capabilities: %m");
	caps_log(s->log, "drainit keeps, once the app runs");
}

/* Whether FD_HEADROOM more descriptors can be opened: checked before the
 * app starts, while drainit can still refuse; after, no open may fail for
 * want of one (RLIMIT_NOFILE is drainit's own to use). 0 or an errno. */
static int fd_headroom(void)
{
	int fd[FD_HEADROOM], n, err = 0;
	for (n = 0; n < FD_HEADROOM; n++) /* 0-2 are open: main.c fills them */
		if ((fd[n] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0)) < 0) {
			err = errno;
			break;
		}
	while (n-- > 0)
		close(fd[n]);
	return err;
}

static int setup(struct state *s, sigset_t *all)
{
	/* Start from known dispositions whatever drainit inherited: SIGCHLD set
	 * to SIG_IGN would make the kernel reap behind our back. */
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

int supervise(const struct config *cfg, struct log *log)
{
	struct state s = {
		.cfg = cfg, .log = log, .self = getpid(),
		.term_at = -1, .stop_at = -1, .kill_at = -1, .deadline = -1, .ready_retry_at = -1,
		.ready_dir = -1,
	};
	char err[512];
	sigset_t all;
	int sfd;

	state_init(&s.m, cfg->pre_stop_delay_ms > 0, cfg->single_child,
		   cfg->ready_when.kind != COND_START);
	log->phase = state_phase_name(s.m.phase);
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
		log_event(log, V_ERROR, "start", "/proc shows another PID namespace than drainit's, "
			  "so its pids name other processes: mount a /proc of drainit's own "
			  "(unshare --mount-proc; a container engine does)");
		return EXIT_OSERR;
	}
	int code = privileges(&s);
	if (code != 0)
		return code;
	if (cfg->ready_file) {
		struct stat st;
		int r = ready_prepare(cfg->ready_file, &s.ready_dir, err, sizeof err);
		if (r < 0) {
			log_event(log, V_ERROR, "start", "%s", err);
			return EXIT_READY_PATH;
		}
		if (r > 0)
			log_event(log, V_INFO, "start", "removed stale readiness file %s", cfg->ready_file);
		if (ready_folder_stat(cfg->ready_file, &st) == 0 && ready_folder_unsafe(&st))
			log_event(log, V_WARN, "start", "the readiness folder of %s is writable by anyone "
				  "and not sticky: anyone can replace the file; use a folder of its own",
				  cfg->ready_file);
	}
	if (setup(&s, &all) != 0 || (sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		log_event(log, V_ERROR, "start", "cannot set up signal handling: %m");
		return EXIT_OSERR;
	}
	code = check_open(&s.check, cfg, &s.privs, log, s.self, err, sizeof err);
	if (code != 0) {
		start_error(log, code, "%s", err);
		close(sfd);
		return code;
	}
	if (proc_table_init(&s.procs, PROC_CAP) != 0) {
		log_event(log, V_ERROR, "start", "cannot allocate the process table: %m");
		check_close(&s.check);
		close(sfd);
		return EXIT_OSERR;
	}
	if ((code = fd_headroom()) != 0) {
		log_event(log, V_ERROR, "start", "cannot keep %d file descriptors free for once the "
			  "app runs (RLIMIT_NOFILE): %s", FD_HEADROOM, strerror(code));
		proc_table_free(&s.procs);
		check_close(&s.check);
		close(sfd);
		return EXIT_OSERR;
	}
	caps_log(log, "drainit's capabilities");
	/* Once nothing can refuse the start: a refusal is one line. */
	warn_config(&s);

	struct spawn_result sp = child_spawn(cfg->argv, &s.privs);
	if (sp.pid > 0 && sp.exec_errno) {
		/* It never ran and has exited already: one line, and the code a
		 * shell gives (126, 127), or 71 when it could not become --user. */
		int status;
		while (waitpid(sp.pid, &status, 0) < 0 && errno == EINTR)
			;
		if (sp.stage == SPAWN_PRIVS)
			snprintf(err, sizeof err, "cannot give '%s' its user or capabilities: %s",
				 cfg->argv[0], strerror(sp.exec_errno));
		else {
			char why[300];
			exec_failure(cfg, sp.exec_errno, why, sizeof why);
			snprintf(err, sizeof err, "cannot run '%s': %s", cfg->argv[0], why);
		}
		code = sp.stage == SPAWN_PRIVS ? EXIT_OSERR : child_exec_failure_code(sp.exec_errno);
	} else if (sp.pid < 0) {
		snprintf(err, sizeof err, "cannot start the command: %s", strerror(sp.exec_errno));
		code = EXIT_OSERR;
	}
	if (code != 0) {
		log_facts(log, &(struct log_facts){ .set = LF_EXIT_CODE, .exit_code = code }, V_ERROR,
			  "start", "%s", err);
		proc_table_free(&s.procs);
		check_close(&s.check);
		close(sfd);
		return code;
	}
	s.app = sp.pid;
	/* From here on drainit never exits before its children do. */
	log_start(&s);
	dispatch(&s, EV_STARTED);
	hint_script(&s);
	drop_own_caps(&s);

	while (s.m.phase != PH_DONE) {
		struct timespec ts, *tp = NULL;
		int64_t next = s.deadline, due = check_deadline(&s.check);
		if (due >= 0 && (next < 0 || due < next))
			next = due;
		if (s.ready_retry_at >= 0 && (next < 0 || s.ready_retry_at < next))
			next = s.ready_retry_at;
		if (s.reap_more)
			next = now_ms(); /* no wait: the rest of a batch of exits */
		if (next >= 0) {
			int64_t left = next - now_ms();
			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tp = &ts;
		}
		struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN } };
		pfd[1].fd = check_fd(&s.check, &pfd[1].events);
		if (!tp && pfd[1].fd < 0) {
			/* Nothing to wait for but signals: one system call per signal. */
			wait_signal(&s, &all);
		} else {
			if (ppoll(pfd, 2, tp, NULL) < 0 && errno != EINTR) {
				log_event(log, V_WARN, "loop", "ppoll: %m");
				nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
			}
			/* Signals first, so that a child that exited right at the
			 * deadline counts as exited, not as killed; a bounded batch,
			 * so that a storm of signals cannot hold off the deadline. */
			struct signalfd_siginfo si[16];
			ssize_t n;
			for (int batch = 0; batch < 8 && s.m.phase != PH_DONE &&
					    (n = read(sfd, si, sizeof si)) > 0; batch++)
				for (size_t i = 0; i < (size_t)n / sizeof si[0] && s.m.phase != PH_DONE; i++)
					on_signal(&s, &si[i]);
		}
		/* Then the children that exited, a bounded batch: a flood of
		 * orphans cannot hold off the deadline either. */
		if (s.m.phase != PH_DONE && s.reap_more)
			reap(&s);
		/* Then the readiness check: a SIGTERM read above has ended it. */
		short re = pfd[1].fd >= 0 ? pfd[1].revents : 0;
		due = check_deadline(&s.check);
		if (s.m.phase != PH_DONE && (re || (due >= 0 && now_ms() >= due)))
			on_verdict(&s, check_poll(&s.check, re, now_ms()));
		if (s.m.phase != PH_DONE && s.deadline >= 0 && now_ms() >= s.deadline) {
			s.deadline = -1;
			dispatch(&s, EV_DEADLINE);
		}
		/* Only while RUNNING: any way out of it clears the retry. */
		if (s.m.phase == PH_RUNNING && s.ready_retry_at >= 0 && now_ms() >= s.ready_retry_at)
			mark_ready(&s);
	}
	close(sfd);
	proc_table_free(&s.procs);
	return finish(&s);
}
