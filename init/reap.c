/* Reaping: the children that exited, the app first, each one's line, and
 * the lifecycle's events when the app or everything is gone. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "child.h"
#include "log.h"
#include "opt.h"
#include "sig.h"
#include "super.h"

/* The app is gone while a readiness check's command runs: the command is
 * killed and reaped now, so that it does not count as a process left to
 * drain. A SIGKILLed process takes a moment to die; 100 ms at most. */
static void end_check_now(struct super *s)
{
	pid_t pid = check_running_group(&s->check);
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
static enum verbosity exit_level(const struct super *s)
{
	return s->cfg->warn_on_reap ? V_WARN : s->m.phase >= PH_DELAY ? V_INFO : V_DEBUG;
}

/* What the app was started as, for its exit line when it was reaped before
 * drainit could read its name: the kernel names a process after the file it
 * executes, cut to 15 bytes, unless it renames itself or executes another. */
static void start_name(const struct super *s, char *buf, size_t len)
{
	const char *slash = strrchr(s->cfg->argv[0], '/');
	snprintf(buf, len < PROC_COMM_LEN ? len : PROC_COMM_LEN, "%s", slash ? slash + 1 : s->cfg->argv[0]);
}

/* A child that has exited and was reaped, with what is known of it. */
struct exited {
	pid_t pid;
	int status;
	char comm[PROC_COMM_LEN + 1]; /* "" when not read: its line is not written */
	bool kin;             /* left behind by a killed readiness check's group */
	enum verbosity level; /* of its exit line */
};

/* One child reaped: the app, the readiness check's command, a process its
 * group left behind (kin), or another (an orphan, or the app's). */
static void on_child_exit(struct super *s, const struct exited *e, enum check_verdict *verdict)
{
	pid_t pid = e->pid;
	int status = e->status;
	const char *comm = e->comm;
	enum verbosity level = e->level;
	char how[96] = "", name[32];
	if ((int)level <= s->log->verbosity)
		child_describe(status, how, sizeof how);
	struct log_facts f = { .set = LF_PID | LF_EXIT_CODE, .pid = pid, .comm = comm,
			       .exit_code = child_exit_code(status),
			       .signal = WIFSIGNALED(status) ? sig_name(WTERMSIG(status), name, sizeof name)
							     : NULL };
	if (check_is_command(&s->check, pid)) {
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
	} else if (e->kin) {
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

/* How next_exited waits. A process's name and group can be read only
 * until it is reaped, so a child is looked at first (waitid with WNOWAIT)
 * when something will use them: a line written at this level, or a killed
 * readiness check whose group may have left processes (look). Otherwise
 * the orphans go one waitpid each, as in the other inits, and only the app
 * is looked at first, once a turn, for its exit line (app_first). */
struct reaper {
	bool look;
	bool app_first;
};

/* What the exited child pid's line needs, read before it is reaped. */
static void look_at(const struct super *s, struct exited *e)
{
	struct proc_entry p;
	bool owns = check_is_command(&s->check, e->pid);
	e->kin = !owns && e->pid != s->app && check_had_group(&s->check) &&
		 proc_stat(e->pid, &p) == 0 && check_in_left_group(&s->check, p.pgid);
	if (owns || e->kin)
		e->level = V_DEBUG;
	if ((int)e->level <= s->log->verbosity)
		proc_comm(e->pid, e->comm, sizeof e->comm);
}

/* Reaps the next child that has exited into *e: 1; 0 when children are
 * left but none has exited; -1 with errno when none is left (ECHILD) or
 * waiting failed. */
static int next_exited(struct super *s, struct reaper *r, struct exited *e)
{
	for (;;) {
		siginfo_t info;
		pid_t pid;
		bool looked = r->look || r->app_first;
		memset(&info, 0, sizeof info);
		e->comm[0] = '\0';
		e->kin = false;
		if (r->app_first) {
			r->app_first = false;
			if (waitid(P_PID, (id_t)s->app, &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
			    info.si_pid == 0)
				continue; /* alive (or the next wait tells what is wrong) */
			pid = info.si_pid;
		} else if (r->look) {
			pid = waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 ? info.si_pid : -1;
		} else {
			pid = waitpid(-1, &e->status, WNOHANG);
		}
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return pid < 0 ? -1 : 0;
		e->pid = pid;
		e->level = pid == s->app ? V_INFO : exit_level(s);
		if (!looked) {
			if (pid == s->app)
				start_name(s, e->comm, sizeof e->comm); /* exited between the look and the wait */
			return 1;
		}
		look_at(s, e);
		if (waitpid(pid, &e->status, 0) == pid)
			return 1;
	}
}

/* Reaps the children that have exited, REAP_BATCH at most (s->reap_more
 * when it stopped there). The app exiting while others remain is
 * EV_APP_EXIT; nothing left at all is EV_ALL_EXITED. */
void reap(struct super *s)
{
	bool was_exited = s->app_exited;
	enum check_verdict verdict = CHECK_NONE;
	struct reaper r;
	r.look = check_had_group(&s->check) || (int)exit_level(s) <= s->log->verbosity;
	r.app_first = !r.look && !s->app_exited;
	struct exited e;
	unsigned n = 0;
	int got = 0;

	while (n < REAP_BATCH && (got = next_exited(s, &r, &e)) > 0) {
		n++;
		on_child_exit(s, &e, &verdict);
	}
	if (got < 0) {
		if (errno == ECHILD && s->app_exited)
			super_dispatch(s, EV_ALL_EXITED);
		else if (errno != ECHILD)
			log_event(s->log, V_WARN, "reap", "wait: %m");
		s->reap_more = false;
		return;
	}
	s->reap_more = n == REAP_BATCH;
	if (s->app_exited && !was_exited)
		super_dispatch(s, EV_APP_EXIT);
	super_verdict(s, verdict);
}
