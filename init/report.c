/* What drainit says at the start (the command, the timeline, settings that
 * do not do what they seem to, a shell in the way), when the command cannot
 * run, and the summary at the end. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "dur.h"
#include "exitcode.h"
#include "log.h"
#include "opt.h"
#include "plan.h"
#include "script.h"
#include "sig.h"
#include "super.h"

void report_start(const struct super *s)
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

	dur_text(s->cfg->pre_stop_delay_ms, d1, sizeof d1);
	dur_text(s->cfg->drain_timeout_ms, d2, sizeof d2);
	int sig = s->cfg->stop_signal;
	sig_name(sig, stop, sizeof stop);
	if (s->cfg->grace_period_ms < 0)
		snprintf(g, sizeof g, "not given");
	else
		dur_text(s->cfg->grace_period_ms, g, sizeof g);
	/* SIGKILL and SIGSTOP never reach drainit: SIGTERM alone begins the stop */
	bool also = sig != SIGTERM && sig != SIGKILL && sig != SIGSTOP;
	log_event(s->log, V_INFO, "timeline", "on SIGTERM%s%s: %s%s after %s, SIGKILL %s later; "
		  "grace period %s", also ? " or " : "", also ? stop : "",
		  s->cfg->ready_file || s->cfg->ready_http.port ? "unready at once, " : "", stop, d1,
		  d2, g);
	if (s->cfg->grace_period_ms >= 0 &&
	    !plan_fits(s->cfg->pre_stop_delay_ms, s->cfg->drain_timeout_ms, s->cfg->grace_period_ms)) {
		char m[32];
		dur_text(PLAN_MARGIN_MS, m, sizeof m);
		log_event(s->log, V_WARN, "timeline",
			  "pre-stop delay %s + drain timeout %s + margin %s do not fit in the grace "
			  "period %s: the kubelet will SIGKILL before drainit drains", d1, d2, m, g);
	}
}

/* A shell script between drainit and the app is the story's lost SIGTERM:
 * say so once, at start. */
void report_script_hint(const struct super *s)
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
void report_exec_failure(const struct config *cfg, int err, char *buf, size_t len)
{
	char path[4096], line[256], words[256];
	const char *interp;

	snprintf(buf, len, "%s", strerror(err));
	if (err == ENOEXEC) {
		/* no #! line: a shell's execvp would run it with /bin/sh, an
		 * engine's exec does not, and neither does drainit */
		snprintf(buf, len, "%s: not a program, nor a script with a #! line", strerror(err));
		return;
	}
	if (err != ENOENT || child_find(cfg->argv[0], path, sizeof path) != 0)
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
void report_config(const struct super *s)
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
	if (cfg->ready_when.kind != COND_START && !cfg->ready_file && !cfg->ready_http.port)
		log_event(s->log, V_WARN, "start", "--ready-when %s without a readiness file: what it "
			  "finds changes nothing a probe can see; give --ready-file PATH "
			  "(DRAINIT_READY_FILE) or --ready-http PORT", cfg->ready_when.name);
	if (cfg->stop_signal == SIGKILL || cfg->stop_signal == SIGSTOP)
		log_event(s->log, V_WARN, "start", "the stop signal is %s, which no app can catch: no "
			  "drain is possible; use the signal the app stops gracefully on (TERM, or "
			  "QUIT for nginx)", sig_name(cfg->stop_signal, stop, sizeof stop));
}

/* A start-up failure: a usage error is printed as every usage error is,
 * before logging starts (no timestamp, "see drainit --help"); drainit's
 * own failures are logged. */
__attribute__((format(printf, 3, 4)))
void report_start_error(struct log *log, int code, const char *fmt, ...)
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

/* The summary lines, the app's status last, with end the time the loop
 * ended; returns drainit's exit code: the app's (0 for one -e expects), or
 * 71 when it was not reaped. */
int report_summary(const struct super *s, int64_t end)
{
	char how[96], a[32], b[32], c[32], d[32], name[32];
	int code = s->app_exited ? child_exit_code(s->app_status) : EXIT_OSERR;
	int out = opt_expects(s->cfg, code) ? 0 : code;

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
			  sig_name(s->term_sig, name, sizeof name), dur_text(p.total, a, sizeof a),
			  dur_text(budget, b, sizeof b), dur_text(p.delay, c, sizeof c),
			  dur_text(p.drain, d, sizeof d), killed);
	else if (p.stopped)
		log_facts(s->log, &(struct log_facts){ .set = LF_DRAIN_MS | LF_BUDGET_MS,
			  .drain_ms = p.drain, .budget_ms = s->cfg->drain_timeout_ms }, V_INFO, "summary",
			  "the app exited on its own%s; drain of what was left took %s of %s%s",
			  s->term_at >= 0 ? " before SIGTERM came" : "", dur_text(p.drain, a, sizeof a),
			  dur_text(s->cfg->drain_timeout_ms, b, sizeof b), killed);
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
