/* The readiness file (PATH) and its status file (PATH.state) as the
 * lifecycle moves: "starting" while the check runs, the file and "ready"
 * once ready, "unready" or "draining" when withdrawn, both removed at the
 * end. ready.c does the writing; this is when and what to say. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dur.h"
#include "log.h"
#include "opt.h"
#include "ready.h"
#include "sig.h"
#include "super.h"

static long long wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Where readiness stands, for --ready-http, and PATH.state, for the probe
 * to tell starting from draining: since= says when the state began, so a
 * third SIGTERM is not a new one. */
static void write_status(struct super *s, const char *word, long long now)
{
	if (!s->status || strcmp(s->status, word) != 0) {
		s->status = word;
		s->status_since = now;
	}
	if (!s->cfg->ready_file || (s->status_word && strcmp(s->status_word, word) == 0))
		return;
	if (ready_status(&s->ready_dir, s->cfg->ready_file, word, s->cfg->ready_when.name, s->app,
			s->status_since) != 0) {
		log_event(s->log, V_WARN, "ready", "cannot write the state file beside %s: %m",
			  s->cfg->ready_file);
		s->status_word = NULL; /* what the file says is unknown: the next word is written */
	} else {
		s->status_word = word;
	}
}

static const char *unready_why(const struct super *s, enum event ev, char *buf, size_t len)
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

void readiness_withdraw(struct super *s, enum event ev)
{
	char because[48];
	const char *why = unready_why(s, ev, because, sizeof because);
	s->ready_retry_at = -1;
	if (s->m.phase != PH_DONE)
		write_status(s, ev == EV_UNREADY ? "unready" : "draining", wall_ms());
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

void readiness_mark(struct super *s)
{
	const struct cond *c = &s->cfg->ready_when;
	char how[192], d[32];
	long long now = wall_ms(); /* the readiness file's since=, and --ready-http's */

	if (c->kind == COND_START)
		snprintf(how, sizeof how, "started");
	else {
		dur_format(now_ms() - s->check.begun, d, sizeof d);
		snprintf(how, sizeof how, "ready%s (%s, %s after start)", s->ever_ready ? " again" : "",
			 c->kind == COND_NOTIFY ? "READY=1" : c->name, d);
	}
	s->ever_ready = true;
	if (!s->cfg->ready_file) {
		write_status(s, "ready", now);
		log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = s->app }, V_INFO, "ready",
			  "app pid %d %s (no readiness file)", (int)s->app, how);
		return;
	}
	if (ready_mark(&s->ready_dir, s->cfg->ready_file, c->name, s->app, now) != 0) {
		/* The app is ready: the file must say so as soon as it can be
		 * written (a folder removed and made again). Warned once. */
		log_event(s->log, s->ready_retry_at >= 0 ? V_DEBUG : V_WARN, "ready",
			  "cannot write %s: %m; trying again every %ds", s->cfg->ready_file,
			  READY_RETRY_MS / 1000);
		s->ready_retry_at = now_ms() + READY_RETRY_MS;
		return;
	}
	s->ready_written = true;
	write_status(s, "ready", now);
	log_facts(s->log, &(struct log_facts){ .set = LF_PID, .pid = s->app }, V_INFO, "ready",
		  "app pid %d %s: wrote %s%s", (int)s->app, how,
		  s->cfg->ready_file, s->ready_retry_at >= 0 ? " (it could not be written before)" : "");
	s->ready_retry_at = -1;
}

void readiness_begin(struct super *s)
{
	const struct config *cfg = s->cfg;
	char every[32], limit[32], re[96] = "";

	check_begin(&s->check, now_ms());
	write_status(s, "starting", wall_ms());
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

/* At the end: the readiness file and the status file removed, unless
 * someone else's replaced them, and the folder closed. */
void readiness_end(struct super *s)
{
	int r = s->ready_written ? ready_clear(s->ready_dir, s->cfg->ready_file) : -1;
	if (r >= 0) {
		s->ready_written = false;
		log_event(s->log, r ? V_WARN : V_INFO, "unready", r ? "%s is not drainit's readiness "
			  "file any more (someone replaced it): left it there; drainit exits"
			  : "readiness withdrawn (%s removed): drainit exits", s->cfg->ready_file);
	}
	r = s->cfg->ready_file ? ready_status(&s->ready_dir, s->cfg->ready_file, NULL, NULL, 0, 0) : 0;
	if (r != 0)
		log_event(s->log, V_WARN, "ready", r > 0 ? "the state file beside %s is not drainit's "
			  "any more (someone replaced it): left it there"
			  : "cannot remove the state file beside %s: %m", s->cfg->ready_file);
	if (s->ready_dir >= 0)
		close(s->ready_dir);
}
