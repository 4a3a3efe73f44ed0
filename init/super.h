#ifndef DRAINIT_SUPER_H
#define DRAINIT_SUPER_H

/* The supervisor's context, shared by the parts of supervise(): the loop
 * and its start-up (supervise.c), signal intake and forwarding (forward.c),
 * reaping (reap.c), the stop and kill sweeps (sweep.c), the readiness file
 * and its status file (readiness.c), privileges (privs.c) and the start
 * and summary reports (report.c). Internal to them: nothing else includes
 * it. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <time.h>

#include "caps.h"
#include "checks.h"
#include "httpd.h"
#include "proc.h"
#include "state.h"
#include "user.h"

struct config;
struct log;

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
struct super {
	const struct config *cfg;
	struct log *log;
	struct machine m;     /* the lifecycle (state.c) */
	struct proc_table procs;
	pid_t self;
	pid_t app;            /* also the app's process group */
	bool app_exited;
	int app_status;       /* wait status, once app_exited */
	bool ready_written;
	bool ever_ready;
	int64_t ready_retry_at; /* a failed readiness write is tried again then; -1: none */
	const char *status;   /* where readiness stands: starting, ready, unready, draining */
	long long status_since; /* since when, CLOCK_REALTIME ms */
	const char *status_word; /* last written to the status file, PATH.state */
	int ready_dir;        /* the readiness folder, opened at start; -1: none */
	struct check check;   /* the readiness condition */
	struct httpd http;    /* --ready-http */
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

static inline int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* supervise.c: an event for the lifecycle, and the actions it returns done. */
void super_dispatch(struct super *s, enum event ev);
void super_verdict(struct super *s, enum check_verdict v);

/* forward.c: one signal taken in (logged, forwarded or the lifecycle's);
 * wait_signal sleeps for one when nothing else can happen. */
void on_signal(struct super *s, const struct signalfd_siginfo *si);
void wait_signal(struct super *s, const sigset_t *set);

/* reap.c: the children that have exited, REAP_BATCH at most. */
void reap(struct super *s);

/* sweep.c: where signals for the app go, sending one there, the stop signal
 * with its report, the SIGKILL sweep. */
pid_t app_target(const struct super *s, const char **what);
int signal_app(struct super *s, int sig);
void sweep_stop(struct super *s);
void sweep_kill(struct super *s);

/* readiness.c: the readiness file and its status file. */
void readiness_begin(struct super *s);
void readiness_mark(struct super *s);
void readiness_withdraw(struct super *s, enum event ev);
void readiness_end(struct super *s);

/* privs.c: --user, --caps and --no-new-privs resolved before the start
 * (0 or drainit's exit code); drainit's own capabilities dropped after. */
int privs_resolve(struct super *s);
void privs_drop_own(struct super *s);

/* report.c: what is said at start, at a failed start and at the end. */
void report_start(const struct super *s);
void report_script_hint(const struct super *s);
void report_config(const struct super *s);
void report_exec_failure(const struct config *cfg, int err, char *buf, size_t len);
__attribute__((format(printf, 3, 4)))
void report_start_error(struct log *log, int code, const char *fmt, ...);
int report_summary(const struct super *s, int64_t end);

#endif
