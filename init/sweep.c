/* Signals for the app and the sweeps over every process under drainit:
 * the stop signal, with its report of what each process will do with it,
 * and the SIGKILL sweep at the drain deadline. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "dur.h"
#include "inspect.h"
#include "log.h"
#include "opt.h"
#include "sig.h"
#include "super.h"

/* Signals meant for the app go to its process group, or with --single-child
 * to the app alone; *what names that target for the log. */
pid_t app_target(const struct super *s, const char **what)
{
	bool alone = s->cfg->single_child || s->group_left;
	*what = alone ? "pid" : "process group";
	return alone ? s->app : -s->app;
}

/* Sends sig to app_target. An app that moved to another process group
 * (setsid, setpgid) leaves its own empty: then, and from then on, the app
 * alone gets what was for its group, and the stop sweep reaches the rest
 * one by one. 0 or an errno. */
int signal_app(struct super *s, int sig)
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

static void lines_begin(const struct super *s, struct lines *l)
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
static bool signal_one(struct super *s, const struct proc_entry *e, int sig, struct lines *l,
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
static void lines_log(const struct super *s, const struct lines *l, enum verbosity level,
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
static unsigned signal_all(struct super *s, int sig, pid_t skip, const char *event,
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
	pid_t check = check_running_group(&s->check);
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

/* A verdict of the stop report: the disposition, and whether the process is
 * stopped (state T). */
#define STOPPED_KIND 0x100

/* One line of the stop report: what who (a process, or many alike) will do
 * with the stop signal. Blocking is how signalfd and sigwait readers take
 * signals: not a warning. */
static void log_stop_verdict(const struct super *s, const struct proc_group *g, const char *who,
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
static void survey_stop(struct super *s)
{
	int sig = s->cfg->stop_signal;
	pid_t check = check_running_group(&s->check);

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

/* The survey's verdicts, written: a line per process, or per many alike. */
static void report_stop(struct super *s)
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
void sweep_stop(struct super *s)
{
	char name[32], d[32], why[128];
	sig_name(s->cfg->stop_signal, name, sizeof name);
	dur_text(s->cfg->drain_timeout_ms, d, sizeof d);
	bool again = s->stop_at >= 0; /* --single-child: the rest once the app is gone */
	if (!again)
		s->stop_at = now_ms();
	survey_stop(s);

	if (s->app_exited) {
		report_stop(s);
		char left[32];
		if (again && s->deadline >= 0) {
			dur_text(s->deadline > now_ms() ? s->deadline - now_ms() : 0, left, sizeof left);
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

void sweep_kill(struct super *s)
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
