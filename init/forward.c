/* Signal intake: who sent each signal, the lifecycle's own (SIGTERM and
 * the stop signal), and every other forwarded to the app at once. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "sig.h"
#include "super.h"

/* What this lifecycle signal will do, said before it is done: the state
 * machine steps a copy, so the words cannot drift from the rules. */
static const char *term_action(const struct super *s, const char *name, char *buf, size_t len)
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
static int forward(struct super *s, int sig)
{
	if (s->app_exited && (s->cfg->single_child || s->group_left))
		return -1;
	return signal_app(s, sig);
}

static void log_forward(const struct super *s, const struct log_facts *f, int err,
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
static bool parent_death(const struct super *s, const struct signalfd_siginfo *si)
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
static void sender(const struct super *s, const struct signalfd_siginfo *si, char *buf, size_t len)
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
static void warn_no_drain(const struct super *s, const struct signalfd_siginfo *si,
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
void on_signal(struct super *s, const struct signalfd_siginfo *si)
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
		super_dispatch(s, EV_TERM);
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
void wait_signal(struct super *s, const sigset_t *set)
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
