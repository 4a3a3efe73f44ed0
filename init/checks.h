#ifndef DRAINIT_CHECKS_H
#define DRAINIT_CHECKS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cond.h"

struct config;
struct log;
struct privs;

/* Running the readiness condition inside drainit's loop, never blocking it:
 * a non-blocking connect and HTTP exchange, an exec'd command in a process
 * group of its own, an inotify watch, the notify socket. The loop polls
 * check_fd, wakes at check_deadline, and hands over fd events and the exit of
 * the check's command; each returns what changed. Times are CLOCK_MONOTONIC
 * milliseconds. */

enum check_verdict {
	CHECK_NONE,     /* nothing changed */
	CHECK_READY,    /* the condition holds (again) */
	CHECK_UNREADY,  /* it stopped holding: failures in a row, or STOPPING=1 */
};

/* IO_DISCARD: the verdict is in; the rest of the head and what came with it
 * is read, one bounded read a wake-up and a few KiB in all, so that closing
 * with nothing unread does not reset the app's connection, and an endless
 * answer cannot keep PID 1 busy. */
enum check_io { IO_IDLE, IO_CONNECTING, IO_SENDING, IO_READING, IO_DISCARD };

/* What every kind shares, then each kind's own. Not a union: the loop asks
 * the exec questions (check_is_command...) of every kind, and zeros answer. */
struct check {
	const struct config *cfg;
	const struct privs *privs; /* what an exec check runs as: the app's user and capabilities */
	const struct cond *cond;
	struct log *log;
	pid_t self;             /* drainit */
	bool active;            /* between check_begin and check_end */
	struct cond_tally tally; /* what the checks concluded, failures in a row */
	int64_t begun;          /* when checking began */
	int64_t started;        /* when the check in progress started */
	int64_t due;            /* next check, or the running one's timeout; -1: none */
	char why[160];          /* the last failure logged, to log only changes */
	struct {                /* tcp, http */
		int sock;
		enum check_io io;
		int64_t discard_until;  /* IO_DISCARD: give up on the server closing */
		unsigned head;          /* cond_http_head_end's progress */
		bool head_done;         /* the blank line after the headers was read */
		size_t discarded;       /* bytes read after the verdict */
		char req[COND_TEXT_MAX + 256]; /* http's request, made once; tcp sends nothing */
		size_t req_len, sent;
		char resp[64];
		size_t got;
	} net;
	struct {                /* exec */
		pid_t pid;              /* the running command, also its process group; 0: none */
		pid_t group;            /* the last command's process group, kept after its exit */
		bool timed_out;
	} exec;
	struct {                /* file */
		int inotify;
		int watch;
	} file;
	struct {                /* notify */
		int sock;
		uid_t self_uid, app_uid;   /* whose word counts (cond_notify_trust) */
		char dir[64];              /* the socket's private folder; "" when abstract */
		char path[108];            /* the socket in it */
		struct cond_refusals refused;
		pid_t refused_pid;         /* the last refused sender, for the count's line */
		uid_t refused_uid;
		enum notify_trust refused_why;
	} notify;
};

/* Before the app starts: the notify socket (and NOTIFY_SOCKET in drainit's
 * environment, which the app inherits), a path socket in a private folder
 * only the app's user can enter, or the exec command's presence.
 * privs, which exec checks run as, must outlive c. Returns 0, or drainit's
 * exit code with a reason in err. */
int check_open(struct check *c, const struct config *cfg, const struct privs *privs,
	       struct log *log, pid_t self, char *err, size_t errlen);

/* The app was exec'd: the first check runs at once. */
void check_begin(struct check *c, int64_t now);

/* The descriptor to poll and for what; -1 when none. */
int check_fd(const struct check *c, short *events);

/* When check_poll wants to run without an fd event; -1: never. */
int64_t check_deadline(const struct check *c);

/* Call when check_fd is readable or writable, or check_deadline passed. */
enum check_verdict check_poll(struct check *c, short revents, int64_t now);

/* Whether pid is (or was) the exec check's command: its exit is not the
 * app's, nor a drained process. */
bool check_is_command(const struct check *c, pid_t pid);

/* Process group of a running exec check, to keep out of the stop signal; 0: none. */
pid_t check_running_group(const struct check *c);

/* Whether a process of this group was a check's: a command the check
 * started, left behind when its leader was killed. */
bool check_in_left_group(const struct check *c, pid_t pgid);

/* Whether an exec check ever had a group whose processes may come back to
 * be reaped; when not, check_in_left_group is false for every process. */
bool check_had_group(const struct check *c);

/* The exec check's command was reaped with this wait status. */
enum check_verdict check_reaped(struct check *c, int wstatus, int64_t now);

/* Stop checking (SIGTERM, the app exited): connections closed, a running
 * command killed. The notify socket stays open so STATUS= is still logged. */
void check_end(struct check *c);

/* At exit: close everything, remove the notify socket and its folder, and
 * log the refused notify datagrams not yet counted in the log. */
void check_close(struct check *c);

#endif
