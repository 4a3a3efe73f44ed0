#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "caps.h"
#include "checks.h"
#include "child.h"
#include "dur.h"
#include "exitcode.h"
#include "log.h"
#include "opt.h"
#include "proc.h"

/* Notify datagrams read per wake-up: a chatty app cannot starve the loop. */
#define NOTIFY_BATCH 16
#define NOTIFY_MSG_MAX 4096
/* After an HTTP verdict: one read a wake-up, this much in all, then close. */
#define HTTP_READ_TURN 4096
#define HTTP_DISCARD_MAX 16384

/* What a kind of condition does at each step of the interface (the check_*
 * functions at the end), one for each kind in kinds[]; NULL: nothing. */
struct check_ops {
	/* before the app starts: 0, or drainit's exit code with a reason in err */
	int (*open)(struct check *c, char *err, size_t errlen);
	/* the descriptor to poll, -1: none; *events is POLLIN unless changed */
	int (*fd)(const struct check *c, short *events);
	/* when to poll without an event, where that is not only c->due */
	int64_t (*deadline)(const struct check *c);
	/* an event on the descriptor, or a deadline passed */
	enum check_verdict (*poll)(struct check *c, short revents, int64_t now);
	/* checks stop: nothing left running or watched */
	void (*end)(struct check *c);
	/* at exit, after end: what open made */
	void (*close)(struct check *c);
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The period to the next check: the recheck period once ready, else the
 * interval; 0 when checks stop. */
static int64_t period(const struct check *c)
{
	return c->tally.ready ? c->cfg->ready_recheck_ms : c->cfg->ready_interval_ms;
}

static void schedule_next(struct check *c, int64_t now)
{
	int64_t p = period(c);
	c->due = c->active && p > 0 ? cond_next_due(c->started, now, p) : -1;
}

/* The next check is due, or the running one is out of time. */
static bool due_now(const struct check *c, int64_t now)
{
	return c->active && c->due >= 0 && now >= c->due;
}

static enum check_verdict succeeded(struct check *c, int64_t now)
{
	enum cond_change ch = cond_tally_add(&c->tally, true, c->cfg->ready_failures);
	c->why[0] = '\0';
	schedule_next(c, now);
	return ch == COND_NOW_READY ? CHECK_READY : CHECK_NONE;
}

/* A failed check is not an error: the app may not be ready yet. The log
 * says each new reason once; repeats go to debug. */
__attribute__((format(printf, 3, 4)))
static enum check_verdict failed(struct check *c, int64_t now, const char *fmt, ...)
{
	char why[sizeof c->why], d[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);

	bool was = c->tally.ready;
	enum cond_change ch = cond_tally_add(&c->tally, false, c->cfg->ready_failures);
	if (was) {
		log_event(c->log, V_WARN, "check", "%s: %s (%u of %u failures in a row%s)",
			  c->cond->name, why, c->tally.failed, c->cfg->ready_failures,
			  ch == COND_NOW_UNREADY ? ": not ready" : "");
	} else {
		bool repeat = strcmp(why, c->why) == 0;
		dur_format(c->cfg->ready_interval_ms, d, sizeof d);
		log_event(c->log, repeat ? V_DEBUG : V_INFO, "check", "%s: not yet: %s; checking every %s",
			  c->cond->name, why, d);
	}
	snprintf(c->why, sizeof c->why, "%s", why);
	schedule_next(c, now);
	return ch == COND_NOW_UNREADY ? CHECK_UNREADY : CHECK_NONE;
}

/* tcp: and http: */

static void end_io(struct check *c)
{
	close_fd(&c->net.sock);
	c->net.io = IO_IDLE;
}

static enum check_verdict io_failed(struct check *c, int64_t now, const char *what, int err)
{
	end_io(c);
	return failed(c, now, "%s: %s", what, strerror(err));
}

static enum check_verdict http_send(struct check *c, int64_t now)
{
	while (c->net.sent < c->net.req_len) {
		ssize_t n = send(c->net.sock, c->net.req + c->net.sent, c->net.req_len - c->net.sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return CHECK_NONE; /* POLLOUT again */
		if (n < 0)
			return io_failed(c, now, "sending the request", errno);
		c->net.sent += (size_t)n;
	}
	c->net.io = IO_READING;
	return CHECK_NONE;
}

/* For tcp:, which has nothing to send, the connect was the check. */
static enum check_verdict connected(struct check *c, int64_t now)
{
	if (c->net.req_len == 0) {
		end_io(c);
		return succeeded(c, now);
	}
	c->net.sent = 0;
	c->net.got = 0;
	c->net.io = IO_SENDING;
	return http_send(c, now);
}

static void discard(struct check *c, int64_t now);

static enum check_verdict http_read(struct check *c, int64_t now)
{
	for (;;) {
		ssize_t n = recv(c->net.sock, c->net.resp + c->net.got, sizeof c->net.resp - c->net.got,
				 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return CHECK_NONE;
		if (n < 0)
			return io_failed(c, now, "reading the answer", errno);
		if (n == 0) {
			end_io(c);
			return failed(c, now, "connection closed before an HTTP status line");
		}
		c->net.got += (size_t)n;
		int code = cond_http_status(c->net.resp, c->net.got);
		if (code == 0 && c->net.got < sizeof c->net.resp)
			continue;
		if (code <= 0) {
			end_io(c);
			return failed(c, now, "the answer is not HTTP");
		}
		c->net.io = IO_DISCARD;
		c->net.discard_until = now + c->cfg->ready_timeout_ms;
		c->net.head = 0;
		c->net.head_done = cond_http_head_end(&c->net.head, c->net.resp, c->net.got);
		c->net.discarded = 0;
		discard(c, now); /* often all there is: closed at once */
		if (code >= 200 && code <= 299)
			return succeeded(c, now);
		return failed(c, now, "answered %d", code);
	}
}

/* Reads what follows the verdict: the rest of the head and what came with
 * it. One read a wake-up, so that an endless answer neither keeps PID 1
 * busy nor holds off a signal; closed once the head was read and nothing
 * more is waiting (nothing unread, so no reset for the app), at the end, at
 * HTTP_DISCARD_MAX bytes, or at the deadline. */
static void discard(struct check *c, int64_t now)
{
	char buf[HTTP_READ_TURN];
	ssize_t n = recv(c->net.sock, buf, sizeof buf, MSG_DONTWAIT);
	int err = n < 0 ? errno : 0;

	if (n > 0) {
		c->net.discarded += (size_t)n;
		if (!c->net.head_done)
			c->net.head_done = cond_http_head_end(&c->net.head, buf, (size_t)n);
	}
	bool waiting = n == (ssize_t)sizeof buf || err == EINTR; /* maybe more there now */
	bool pending = err == EAGAIN || err == EWOULDBLOCK || err == EINTR || n > 0;
	if (!pending || c->net.discarded >= HTTP_DISCARD_MAX || now >= c->net.discard_until ||
	    (c->net.head_done && !waiting))
		end_io(c);
}

static enum check_verdict start_connect(struct check *c, int64_t now)
{
	struct sockaddr_storage ss;
	socklen_t len = (socklen_t)cond_sockaddr(c->cond->family, c->cond->addr, c->cond->port, &ss);

	c->started = now;
	c->net.sock = socket(c->cond->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->net.sock < 0)
		return io_failed(c, now, "socket", errno);
	c->net.io = IO_CONNECTING;
	c->due = now + c->cfg->ready_timeout_ms;
	if (connect(c->net.sock, (struct sockaddr *)&ss, len) == 0)
		return connected(c, now);
	if (errno == EINPROGRESS || errno == EINTR)
		return CHECK_NONE;
	return io_failed(c, now, "connect", errno);
}

static enum check_verdict io_event(struct check *c, short revents, int64_t now)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (c->net.io == IO_CONNECTING) {
		if (getsockopt(c->net.sock, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err == 0 && !(revents & (POLLERR | POLLHUP)))
			return connected(c, now);
		return io_failed(c, now, "connect", err ? err : ECONNREFUSED);
	}
	if (c->net.io == IO_SENDING)
		return http_send(c, now);
	return http_read(c, now);
}

/* http: the request is the same every time: made once. */
static int http_open(struct check *c, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	c->net.req_len = cond_http_request(c->cond, c->net.req, sizeof c->net.req);
	return 0;
}

static int net_fd(const struct check *c, short *events)
{
	if (c->net.io == IO_CONNECTING || c->net.io == IO_SENDING)
		*events = POLLOUT;
	return c->net.sock;
}

/* The next check, or the end of the wait for the server to close. */
static int64_t net_deadline(const struct check *c)
{
	int64_t due = c->active ? c->due : -1;
	if (c->net.io == IO_DISCARD && (due < 0 || c->net.discard_until < due))
		return c->net.discard_until;
	return due;
}

/* The deadline: the check in progress timed out, or the next one is due. */
static enum check_verdict net_due(struct check *c, int64_t now)
{
	char d[32];

	if (c->net.io == IO_DISCARD)
		end_io(c); /* the next check is due: enough waiting for the close */
	if (c->net.io != IO_IDLE) {
		end_io(c);
		dur_format(c->cfg->ready_timeout_ms, d, sizeof d);
		return failed(c, now, "no answer within %s", d);
	}
	return start_connect(c, now);
}

static enum check_verdict net_poll(struct check *c, short revents, int64_t now)
{
	if (c->net.io == IO_DISCARD) {
		if (revents || now >= c->net.discard_until)
			discard(c, now);
	} else if (c->net.io != IO_IDLE && revents) {
		return io_event(c, revents, now);
	}
	return due_now(c, now) ? net_due(c, now) : CHECK_NONE;
}

/* exec: */

/* In the child, between fork and exec: only async-signal-safe calls. */
static _Noreturn void become_check(const struct check *c)
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR);

	setpgid(0, 0);
	/* the app's user and capabilities: a check is the app's business */
	if (child_become(c->privs, c->self) != 0)
		_exit(EXIT_OSERR);
	/* Output goes nowhere, as with an exec probe; at -v the check's
	 * errors reach drainit's stderr. */
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (c->cfg->verbosity < V_DEBUG)
			dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	sigemptyset(&none); /* dispositions are the defaults already, as for the app */
	sigprocmask(SIG_SETMASK, &none, NULL);
	child_exec(c->cond->argv);
	_exit(child_exec_failure_code(errno));
}

static enum check_verdict start_exec(struct check *c, int64_t now)
{
	c->started = now;
	/* fork, not vfork as for the app: drainit must not wait on an exec
	 * that hangs, which is what the check's timeout is for. */
	pid_t pid = fork();
	if (pid < 0)
		return failed(c, now, "cannot fork: %s", strerror(errno));
	if (pid == 0)
		become_check(c);
	setpgid(pid, pid); /* as in child_spawn: both sides, whichever runs first */
	c->exec.pid = c->exec.group = pid;
	c->exec.timed_out = false;
	c->due = now + c->cfg->ready_timeout_ms;
	return CHECK_NONE;
}

/* Reaped with the rest: check_is_command still knows it. */
static void kill_exec(struct check *c)
{
	if (c->exec.pid > 0 && kill(-c->exec.pid, SIGKILL) != 0)
		kill(c->exec.pid, SIGKILL);
}

/* A typo in the command is an error before start, rather than a check
 * failing forever. */
static int exec_open(struct check *c, char *err, size_t errlen)
{
	char file[PATH_MAX];
	const char *cmd = c->cond->argv[0];
	int e = child_find(cmd, file, sizeof file);

	if (e == 0)
		return 0;
	snprintf(err, errlen, "--ready-when exec: '%s': %s", cmd,
		 strchr(cmd, '/') ? strerror(e) : "not found in PATH");
	return EXIT_USAGE;
}

/* The deadline, as there is no descriptor: the next command starts, or
 * the running one is out of time and killed. */
static enum check_verdict exec_poll(struct check *c, short revents, int64_t now)
{
	(void)revents;
	if (!due_now(c, now))
		return CHECK_NONE;
	if (c->exec.pid == 0)
		return start_exec(c, now);
	if (!c->exec.timed_out) {
		kill_exec(c);
		c->exec.timed_out = true;
	}
	c->due = -1; /* the verdict comes when it is reaped */
	return CHECK_NONE;
}

bool check_is_command(const struct check *c, pid_t pid)
{
	return c->exec.pid > 0 && pid == c->exec.pid;
}

bool check_had_group(const struct check *c)
{
	return c->exec.group > 0;
}

bool check_in_left_group(const struct check *c, pid_t pgid)
{
	return c->exec.group > 0 && pgid == c->exec.group;
}

pid_t check_running_group(const struct check *c)
{
	return c->exec.pid > 0 ? c->exec.pid : 0;
}

enum check_verdict check_reaped(struct check *c, int wstatus, int64_t now)
{
	char how[96], d[32];
	bool timed_out = c->exec.timed_out;

	c->exec.pid = 0;
	c->exec.timed_out = false;
	/* What the command left in its group (`sleep 4 &`) goes with it: it
	 * is neither the app nor a process to drain. Reaped as the check's kin. */
	if (c->exec.group > 0)
		kill(-c->exec.group, SIGKILL);
	if (!c->active)
		return CHECK_NONE;
	dur_format(c->cfg->ready_timeout_ms, d, sizeof d);
	/* Judged by the status: a command that exited 0 just as the timeout
	 * fired still passed. */
	if (timed_out && WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
		return failed(c, now, "no answer within %s (killed)", d);
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		return succeeded(c, now);
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == EXIT_NOTFOUND)
		return failed(c, now, "%s", "exited with status 127 (command not found?)");
	return failed(c, now, "%s", child_describe(wstatus, how, sizeof how));
}

/* file: */

/* Stops watching the file's folder; check_fd no longer offers the inotify
 * descriptor. Not close(): closing an inotify instance waits for the kernel
 * to tear its marks down, some 10 ms, which would delay the readiness file
 * being written (or removed). It is closed at exit. */
static void file_unwatch(struct check *c)
{
	if (c->file.inotify >= 0 && c->file.watch >= 0)
		inotify_rm_watch(c->file.inotify, c->file.watch);
	c->file.watch = -1;
}

static void file_watch(struct check *c)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(c->cond->path, '/');

	if (c->file.inotify < 0)
		c->file.inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (c->file.inotify < 0 || c->file.watch >= 0)
		return;
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == c->cond->path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - c->cond->path), c->cond->path);
	/* A folder that does not exist yet is polled until it does. */
	c->file.watch = inotify_add_watch(c->file.inotify, dir, IN_CREATE | IN_MOVED_TO | IN_DELETE |
					  IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
					  IN_ONLYDIR);
}

/* Reads the pending events; true when one concerns the file. */
static bool file_events(struct check *c)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const char *slash = strrchr(c->cond->path, '/');
	const char *base = slash ? slash + 1 : c->cond->path;
	bool ours = false;
	ssize_t n;

	while ((n = read(c->file.inotify, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
				c->file.watch = -1; /* the folder went: poll until it is back */
				ours = true;
			}
			if (ev->mask & IN_Q_OVERFLOW)
				ours = true;
			if (ev->len > 0 && strcmp(ev->name, base) == 0)
				ours = true;
			p += sizeof *ev + ev->len;
		}
	}
	return ours;
}

static enum check_verdict file_check(struct check *c, int64_t now)
{
	struct stat st;
	enum check_verdict v;

	c->started = now;
	if (c->file.watch < 0)
		file_watch(c);
	if (stat(c->cond->path, &st) == 0)
		v = succeeded(c, now);
	else
		v = failed(c, now, "%s", strerror(errno));
	if (c->due < 0)
		file_unwatch(c); /* ready, nothing more to watch: zero wake-ups */
	return v;
}

/* A check runs at once when the folder's events concern the file. */
static enum check_verdict file_poll(struct check *c, short revents, int64_t now)
{
	if (!c->active)
		return CHECK_NONE;
	bool ours = revents && file_events(c);
	if (ours || due_now(c, now))
		return file_check(c, now);
	return CHECK_NONE;
}

static int file_fd(const struct check *c, short *events)
{
	(void)events;
	return c->file.inotify >= 0 && c->file.watch >= 0 ? c->file.inotify : -1;
}

static void file_close(struct check *c)
{
	close_fd(&c->file.inotify);
}

/* notify */

/* The folders a notify socket's private folder may go in, in order: /run
 * (root's, a tmpfs on most hosts), /tmp, and /dev/shm, which an engine
 * mounts writable even on a read-only root filesystem. */
static const char *const notify_parents[] = { "/run", "/tmp", "/dev/shm" };

/* A path socket in a folder of its own that only the app's user (through
 * the app's group, 0710) and drainit can enter: reachable only where the
 * app runs, not from every container sharing the pod's network namespace
 * as an abstract name is. Returns 0, or -1 when no folder could be made. */
static int notify_bind_path(struct check *c, struct sockaddr_un *a, socklen_t *len)
{
	for (size_t i = 0; i < sizeof notify_parents / sizeof notify_parents[0]; i++) {
		snprintf(c->notify.dir, sizeof c->notify.dir, "%s/drainit.XXXXXX", notify_parents[i]);
		if (!mkdtemp(c->notify.dir))
			continue;
		if (c->notify.app_uid != c->notify.self_uid) {
			/* drainit owns it, so that it can remove it without
			 * privileges; the app's group may only pass through. */
			if (chown(c->notify.dir, (uid_t)-1, c->privs->gid) != 0 ||
			    chmod(c->notify.dir, 0710) != 0) {
				/* no CAP_CHOWN: anyone may pass who knows the name;
				 * the senders' credentials still decide */
				int e = errno;
				chmod(c->notify.dir, 0711);
				log_event(c->log, V_DEBUG, "check", "cannot give %s to the app's group: %s",
					  c->notify.dir, strerror(e));
			}
		}
		snprintf(c->notify.path, sizeof c->notify.path, "%s/notify", c->notify.dir);
		snprintf(a->sun_path, sizeof a->sun_path, "%s", c->notify.path);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
		if (bind(c->notify.sock, (struct sockaddr *)a, *len) == 0 && chmod(c->notify.path, 0666) == 0)
			return 0;
		unlink(c->notify.path);
		rmdir(c->notify.dir);
	}
	c->notify.dir[0] = c->notify.path[0] = '\0';
	return -1;
}

/* The socket, and NOTIFY_SOCKET in drainit's environment for the app to
 * inherit. */
static int notify_open(struct check *c, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sa_family_t);
	char value[sizeof a.sun_path + 1];
	int one = 1;

	c->notify.self_uid = geteuid();
	c->notify.app_uid = c->privs && c->privs->user ? c->privs->uid : c->notify.self_uid;
	c->notify.refused.told_at = -1;
	/* Credentials on every datagram, set before bind so that none comes
	 * without. */
	c->notify.sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->notify.sock < 0 ||
	    setsockopt(c->notify.sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) {
		snprintf(err, errlen, "cannot open the notify socket: %s", strerror(errno));
		goto fail;
	}
	if (notify_bind_path(c, &a, &len) == 0) {
		snprintf(value, sizeof value, "%s", c->notify.path);
	} else {
		/* Nowhere to make a folder (read-only root, no /dev/shm): an
		 * abstract name the kernel picks. Any container sharing the
		 * network namespace can reach it; the credentials still decide. */
		memset(&a, 0, sizeof a);
		a.sun_family = AF_UNIX;
		len = sizeof(sa_family_t);
		if (bind(c->notify.sock, (struct sockaddr *)&a, len) != 0) {
			snprintf(err, errlen, "cannot open the notify socket: %s", strerror(errno));
			goto fail;
		}
		len = sizeof a;
		if (getsockname(c->notify.sock, (struct sockaddr *)&a, &len) != 0 ||
		    len <= sizeof(sa_family_t) + 1 || a.sun_path[0] != '\0') {
			snprintf(err, errlen, "cannot name the notify socket: %s", strerror(errno));
			goto fail;
		}
		size_t n = len - sizeof(sa_family_t) - 1;
		value[0] = '@';
		memcpy(value + 1, a.sun_path + 1, n);
		value[n + 1] = '\0';
		log_event(c->log, V_WARN, "check", "no folder for the notify socket in /run, /tmp or "
			  "/dev/shm: using the abstract socket %s, which other containers sharing the "
			  "network namespace can reach (their messages are still refused)", value);
	}
	if (setenv("NOTIFY_SOCKET", value, 1) != 0) {
		snprintf(err, errlen, "cannot set NOTIFY_SOCKET: %s", strerror(errno));
		goto fail;
	}
	log_event(c->log, V_DEBUG, "check", "notify socket NOTIFY_SOCKET=%s", value);
	return 0;
fail:
	close_fd(&c->notify.sock);
	return EXIT_OSERR;
}

/* The refusals counted since the last line, once a second has passed (or
 * at the end): one line with the count and the last one's sender. */
static void notify_tell_refused(struct check *c, int64_t now, bool force)
{
	unsigned n = cond_refusal_flush(&c->notify.refused, now, force);
	if (n > 0)
		log_event(c->log, V_WARN, "notify", "%u more message%s ignored (the last from pid %d "
			  "uid %u: %s)", n, n == 1 ? "" : "s", (int)c->notify.refused_pid,
			  (unsigned)c->notify.refused_uid, cond_notify_refusal(c->notify.refused_why));
}

/* Who may speak for the app, on the kernel's word (cond_notify_trust); /proc
 * is read only for a sender whose uid passed. A refusal is logged at most
 * once a second, with the count of those since: a flood cannot fill the log. */
static bool notify_sender_ok(struct check *c, const struct notify_sender *who, int64_t now)
{
	struct notify_sender s = *who;

	if (s.creds && s.pid > 0 && cond_notify_uid_ok(s.uid, c->notify.app_uid, c->notify.self_uid))
		s.descends = proc_descends(s.pid, c->self);
	enum notify_trust t = cond_notify_trust(&s, c->notify.app_uid, c->notify.self_uid);
	if (t == NOTIFY_OK)
		return true;
	notify_tell_refused(c, now, false); /* those before this one, a second on */
	c->notify.refused_pid = s.pid;
	c->notify.refused_uid = s.uid;
	c->notify.refused_why = t;
	if (cond_refusal_add(&c->notify.refused, now))
		log_event(c->log, V_WARN, "notify", "message from pid %d uid %u ignored: %s", (int)s.pid,
			  (unsigned)s.uid, cond_notify_refusal(t));
	return false;
}

static enum check_verdict notify_one(struct check *c, const char *buf, size_t n, bool trunc,
				     const struct notify_sender *who, int64_t now)
{
	struct notify_msg m;
	enum check_verdict v = CHECK_NONE;
	pid_t pid = who->pid;

	if (!notify_sender_ok(c, who, now))
		return CHECK_NONE;
	notify_tell_refused(c, now, false);
	if (trunc) {
		/* as systemd does: half a message could say the wrong thing */
		log_event(c->log, V_WARN, "notify", "message from pid %d ignored: longer than %d bytes",
			  (int)pid, NOTIFY_MSG_MAX);
		return CHECK_NONE;
	}
	cond_notify_parse(buf, n, &m);
	if (m.has_status)
		log_event(c->log, V_INFO, "notify", "pid %d: STATUS=%s", (int)pid, m.status);
	if (m.unknown || m.bad)
		log_event(c->log, V_DEBUG, "notify", "pid %d: %u key%s ignored, %u line%s not KEY=VALUE",
			  (int)pid, m.unknown, m.unknown == 1 ? "" : "s", m.bad, m.bad == 1 ? "" : "s");
	if (!m.ready && !m.stopping)
		return CHECK_NONE;
	const char *key = m.ready ? "READY=1" : "STOPPING=1";
	if (!c->active) {
		log_event(c->log, V_INFO, "notify", "pid %d: %s: ignored, drainit is stopping", (int)pid, key);
		return CHECK_NONE;
	}
	/* the app's word counts at once: no tally */
	if (m.ready && !c->tally.ready)
		v = CHECK_READY;
	else if (m.stopping && c->tally.ready)
		v = CHECK_UNREADY;
	log_event(c->log, v == CHECK_NONE ? V_DEBUG : V_INFO, "notify", "pid %d: %s%s", (int)pid, key,
		  v != CHECK_NONE ? "" : m.ready ? " (already ready)" : " (not ready)");
	c->tally.ready = m.ready;
	return v;
}

/* Descriptors that came with a datagram (FDSTORE=1 and the like) are not
 * ours to keep; closing BARRIER=1's pipe is what its sender waits for. They
 * are closed once the datagram has been judged: a sender released earlier
 * may exit before drainit reads who it was. */
static void close_passed_fds(struct msghdr *msg)
{
	for (struct cmsghdr *h = CMSG_FIRSTHDR(msg); h; h = CMSG_NXTHDR(msg, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t j = 0; j < k; j++) {
			int fd;
			memcpy(&fd, CMSG_DATA(h) + j * sizeof fd, sizeof fd);
			close(fd);
		}
	}
}

/* At most NOTIFY_BATCH datagrams a wake-up: a flood cannot hold off a
 * signal or a deadline, which the loop handles between two batches. */
static enum check_verdict notify_read(struct check *c, int64_t now)
{
	enum check_verdict v = CHECK_NONE;

	for (int i = 0; i < NOTIFY_BATCH; i++) {
		char buf[NOTIFY_MSG_MAX];
		union {
			struct cmsghdr h;
			// cppcheck-suppress unusedStructMember ; sizes the control buffer
			char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(16 * sizeof(int))];
		} ctl;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = &ctl, .msg_controllen = sizeof ctl };
		struct notify_sender who = { .creds = false };

		ssize_t n = recvmsg(c->notify.sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
			if (h->cmsg_level != SOL_SOCKET)
				continue;
			if (h->cmsg_type == SCM_CREDENTIALS && h->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
				/* filled in by the kernel at send time: the word to go by */
				struct ucred cr;
				memcpy(&cr, CMSG_DATA(h), sizeof cr);
				who.creds = true;
				who.pid = cr.pid;
				who.uid = cr.uid;
			}
		}
		enum check_verdict one = notify_one(c, buf, (size_t)n, msg.msg_flags & MSG_TRUNC, &who, now);
		if (one != CHECK_NONE)
			v = one; /* the last word counts */
		close_passed_fds(&msg);
	}
	return v;
}

static int notify_fd(const struct check *c, short *events)
{
	(void)events;
	return c->notify.sock;
}

/* Read even once checks end: STATUS= is still logged while draining. */
static enum check_verdict notify_poll(struct check *c, short revents, int64_t now)
{
	return revents ? notify_read(c, now) : CHECK_NONE;
}

static void notify_close(struct check *c)
{
	if (c->notify.sock >= 0)
		notify_tell_refused(c, 0, true);
	close_fd(&c->notify.sock);
	if (c->notify.path[0])
		unlink(c->notify.path);
	if (c->notify.dir[0] && rmdir(c->notify.dir) != 0)
		log_event(c->log, V_WARN, "check", "cannot remove the notify socket's folder %s: %s",
			  c->notify.dir, strerror(errno));
	c->notify.path[0] = c->notify.dir[0] = '\0';
}

static const struct check_ops kinds[] = {
	[COND_START] = { 0 }, /* ready once exec'd: nothing to run */
	[COND_TCP] = { .fd = net_fd, .deadline = net_deadline, .poll = net_poll, .end = end_io },
	[COND_HTTP] = { .open = http_open, .fd = net_fd, .deadline = net_deadline, .poll = net_poll,
			.end = end_io },
	[COND_EXEC] = { .open = exec_open, .poll = exec_poll, .end = kill_exec },
	[COND_FILE] = { .fd = file_fd, .poll = file_poll, .end = file_unwatch, .close = file_close },
	[COND_NOTIFY] = { .open = notify_open, .fd = notify_fd, .poll = notify_poll,
			  .close = notify_close },
};

static const struct check_ops *ops(const struct check *c)
{
	return &kinds[c->cond->kind];
}

/* the interface */

int check_open(struct check *c, const struct config *cfg, const struct privs *privs,
	       struct log *log, pid_t self, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->cfg = cfg;
	c->privs = privs;
	c->cond = &cfg->ready_when;
	c->log = log;
	c->self = self;
	c->due = -1;
	c->net.sock = c->file.inotify = c->file.watch = c->notify.sock = -1;
	return ops(c)->open ? ops(c)->open(c, err, errlen) : 0;
}

void check_begin(struct check *c, int64_t now)
{
	c->active = true;
	c->begun = now;
	if (cond_polled(c->cond))
		c->due = now;
}

int check_fd(const struct check *c, short *events)
{
	*events = POLLIN;
	return ops(c)->fd ? ops(c)->fd(c, events) : -1;
}

int64_t check_deadline(const struct check *c)
{
	if (ops(c)->deadline)
		return ops(c)->deadline(c);
	return c->active ? c->due : -1;
}

enum check_verdict check_poll(struct check *c, short revents, int64_t now)
{
	return ops(c)->poll ? ops(c)->poll(c, revents, now) : CHECK_NONE;
}

void check_end(struct check *c)
{
	c->active = false;
	c->due = -1;
	if (ops(c)->end)
		ops(c)->end(c);
}

void check_close(struct check *c)
{
	check_end(c);
	if (ops(c)->close)
		ops(c)->close(c);
}
