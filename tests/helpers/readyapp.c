/* readyapp RECFILE MODE [ARGS] [OPTIONS]: an app that becomes ready at a
 * chosen moment, for tests of a readiness checker. DELAY_MS counts from the
 * start.
 *   tcp PORT DELAY_MS [--host ADDR]   then listen on ADDR:PORT (127.0.0.1, or
 *       an IPv6 literal such as ::1), accept and close each connection
 *   http PORT DELAY_MS [--host ADDR] [--hang-first H] [--fail N] [--status CODE]
 *       listen the same way; read each request and never answer the first H,
 *       answer the next N with 503 and the rest with 200 (or CODE), then close
 *   file PATH DELAY_MS [--remove-after MS]   then create PATH (as PATH.tmp,
 *       renamed), and remove it MS later
 *   notify DELAY_MS [--status TEXT] [--extra TEXT] [--stop-after MS]
 *       [--ready-again-after MS]   then send "READY=1" (+ "\nSTATUS=TEXT",
 *       + "\n" TEXT) to $NOTIFY_SOCKET ("@name": abstract), "STOPPING=1" MS
 *       after it, and the READY message again MS after that
 *   sleep   nothing
 * Any mode: --no-exit-on-term (default: exit 0 on SIGTERM), --exit-after MS
 * (exit 0 on its own).
 *
 * Appends to RECFILE one line per event; ms=: realtime milliseconds,
 * mono_us=: CLOCK_MONOTONIC microseconds, to compare with a watcher's clock.
 *   start pid=P ms=T mono_us=U
 *   notify_socket=VALUE              notify, right after start; then, if unset:
 *   nonotify                         and exits 3
 *   ready ms=T mono_us=U             clock read just before the listen() (tcp),
 *       send of the first 2xx (http), rename (file), first READY=1 (notify)
 *   conn ms=T                        tcp and http, each accepted connection
 *   req n=K path=PATH status=S ms=T  http, S is the code sent or "hang"
 *   removed ms=T                     file
 *   sent READY=1 ms=T, sent STOPPING=1 ms=T              notify
 *   senderr errno=NAME sending=READY=1|STOPPING=1 ms=T   notify, not fatal
 *   error WHAT errno=NAME ms=T       WHAT (host, socket, bind, listen, create,
 *                                    rename, unlink) failed: exits 2
 *   sig SIGNAME ms=T                 SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2
 *   exit code=N ms=T
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN 64

enum { TCP, HTTP, FILEMODE, NOTIFY, SLEEP };
enum { T_ACT, T_REMOVE, T_STOP, T_AGAIN, T_EXIT, NTIMERS };

struct conn {
	int fd, hung;
	size_t len;
	char buf[4096];
};

static int out, mode, lfd = -1, nfd = -1, nconn, nreq, was_ready;
static int fail, hang_first, status = 200;
static long long due[NTIMERS], ready_mono, ready_ms; /* due: monotonic us, -1: off */
static long long remove_after = -1, stop_after = -1, again_after = -1;
static const char *host = "127.0.0.1", *port, *path, *notify_status, *extra;
static struct conn conns[MAXCONN];

static long long now_us(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long ms(void)
{
	return now_us(CLOCK_REALTIME) / 1000;
}

/* One write() per line: a test polling RECFILE never sees half a line. */
__attribute__((format(printf, 1, 2))) static void rec(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0 && write(out, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1) < 0) {
		/* nowhere to report it */
	}
}

/* The clock is read just before the call that makes the app ready, and the
 * line written once it succeeded: a watcher can then never see readiness
 * before ready's mono_us, only a few microseconds after it at best. */
static void stamp(void)
{
	ready_mono = now_us(CLOCK_MONOTONIC);
	ready_ms = ms();
}

static void ready(void)
{
	rec("ready ms=%lld mono_us=%lld\n", ready_ms, ready_mono);
	was_ready = 1;
}

static _Noreturn void finish(int code)
{
	rec("exit code=%d ms=%lld\n", code, ms());
	exit(code);
}

static _Noreturn void fatal(const char *what)
{
	int e = errno;
	fprintf(stderr, "readyapp: %s: %s\n", what, strerror(e));
	rec("error %s errno=%s ms=%lld\n", what, strerrorname_np(e), ms());
	finish(2);
}

static void start_listening(void)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM }, *ai;
	int one = 1;

	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		errno = EINVAL;
		fatal("host");
	}
	lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0)
		fatal("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* So that an IPv6 address never also takes the IPv4 port. */
	if (ai->ai_family == AF_INET6)
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(lfd, ai->ai_addr, ai->ai_addrlen) != 0)
		fatal("bind");
	stamp();
	if (listen(lfd, 64) != 0)
		fatal("listen");
	if (mode == TCP)
		ready();
	freeaddrinfo(ai);
}

static void create_file(void)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "ready\n", 6) != 6 || close(fd) != 0)
		fatal("create");
	stamp();
	if (rename(tmp, path) != 0)
		fatal("rename");
	ready();
}

/* Records only the first line of msg, the one the tests look for. */
static int notify(const char *msg)
{
	const char *ns = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(ns);
	int first = (int)strcspn(msg, "\n");

	errno = ENAMETOOLONG;
	if (n < sizeof sa.sun_path) {
		memcpy(sa.sun_path, ns, n);
		/* Abstract: the address is exactly the name's bytes, with no NUL after. */
		if (ns[0] == '@')
			sa.sun_path[0] = '\0';
		socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (ns[0] != '@'));
		if (sendto(nfd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, len) >= 0) {
			rec("sent %.*s ms=%lld\n", first, msg, ms());
			return 1;
		}
	}
	rec("senderr errno=%s sending=%.*s ms=%lld\n", strerrorname_np(errno), first, msg, ms());
	return 0;
}

static void send_ready(void)
{
	char msg[4096];
	snprintf(msg, sizeof msg, "READY=1%s%s%s%s", notify_status ? "\nSTATUS=" : "",
		 notify_status ? notify_status : "", extra ? "\n" : "", extra ? extra : "");
	stamp();
	if (notify(msg) && !was_ready)
		ready();
}

/* Follow-up timers count from the end of the action they follow. */
static void fire(int t)
{
	switch (t) {
	case T_ACT:
		if (mode == TCP || mode == HTTP)
			start_listening();
		else if (mode == FILEMODE)
			create_file();
		else
			send_ready();
		if (mode == FILEMODE && remove_after >= 0)
			due[T_REMOVE] = now_us(CLOCK_MONOTONIC) + remove_after * 1000;
		if (mode == NOTIFY && stop_after >= 0)
			due[T_STOP] = now_us(CLOCK_MONOTONIC) + stop_after * 1000;
		break;
	case T_REMOVE:
		if (unlink(path) != 0)
			fatal("unlink");
		rec("removed ms=%lld\n", ms());
		break;
	case T_STOP:
		notify("STOPPING=1");
		if (again_after >= 0)
			due[T_AGAIN] = now_us(CLOCK_MONOTONIC) + again_after * 1000;
		break;
	case T_AGAIN:
		send_ready();
		break;
	case T_EXIT:
		finish(0);
	}
}

/* A whole request head is in c->buf: answer it, or not; 1 when c is done. */
static int answer(struct conn *c)
{
	char p[256] = "-", clen[64] = "", resp[512];
	int n = ++nreq;

	sscanf(c->buf, "%*s %255s", p);
	if (n <= hang_first) {
		rec("req n=%d path=%s status=hang ms=%lld\n", n, p, ms());
		c->hung = 1;
		return 0;
	}
	int code = n <= hang_first + fail ? 503 : status;
	const char *why = code == 200 ? "OK" : code == 503 ? "Service Unavailable"
			: code == 204 ? "No Content" : code == 404 ? "Not Found" : "Status";
	/* These must have no body (RFC 9110), and a strict checker may insist. */
	int bodyless = code < 200 || code == 204 || code == 304;
	const char *body = bodyless ? "" : code / 100 == 2 ? "ok\n" : "not ready\n";
	if (!bodyless)
		snprintf(clen, sizeof clen, "Content-Length: %zu\r\n", strlen(body));
	int len = snprintf(resp, sizeof resp, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
			   "%sConnection: close\r\n\r\n%s", code, why, clen, body);
	rec("req n=%d path=%s status=%d ms=%lld\n", n, p, code, ms());
	stamp();
	if (send(c->fd, resp, (size_t)len, MSG_NOSIGNAL) == len && code / 100 == 2 && !was_ready)
		ready();
	return 1;
}

/* 1 when the connection is done with. */
static int on_readable(struct conn *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, MSG_DONTWAIT);
	if (n < 0)
		return errno != EAGAIN && errno != EINTR;
	if (n == 0)
		return 1; /* the client gave up */
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (strstr(c->buf, "\r\n\r\n"))
		return answer(c);
	return c->len == sizeof c->buf - 1; /* no request we can parse */
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: readyapp RECFILE tcp|http PORT DELAY_MS | file PATH DELAY_MS | "
		"notify DELAY_MS | sleep [OPTIONS] (see readyapp.c)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *modes[] = { "tcp", "http", "file", "notify", "sleep" };
	static const int npos[] = { 2, 2, 2, 1, 0 };
	const char *pos[2] = { 0 };
	long long exit_after = -1, delay = 0;
	int np = 0, exit_on_term = 1;

	if (argc < 3)
		usage();
	for (mode = 0; mode < 5 && strcmp(argv[2], modes[mode]); mode++)
		;
	if (mode == 5)
		usage();
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i], *v = argv[i + 1];
		int flag = !strcmp(a, "--exit-on-term") || !strcmp(a, "--no-exit-on-term");
		if (!strncmp(a, "--", 2) && !flag && !v)
			usage();
		if (flag) exit_on_term = !strcmp(a, "--exit-on-term");
		else if (!strcmp(a, "--exit-after")) { exit_after = atoll(v); i++; }
		else if (!strcmp(a, "--host")) { host = v; i++; }
		else if (!strcmp(a, "--fail")) { fail = atoi(v); i++; }
		else if (!strcmp(a, "--hang-first")) { hang_first = atoi(v); i++; }
		else if (!strcmp(a, "--status") && mode == HTTP) { status = atoi(v); i++; }
		else if (!strcmp(a, "--status")) { notify_status = v; i++; }
		else if (!strcmp(a, "--extra")) { extra = v; i++; }
		else if (!strcmp(a, "--remove-after")) { remove_after = atoll(v); i++; }
		else if (!strcmp(a, "--stop-after")) { stop_after = atoll(v); i++; }
		else if (!strcmp(a, "--ready-again-after")) { again_after = atoll(v); i++; }
		else if (strncmp(a, "--", 2) && np < npos[mode]) pos[np++] = a;
		else usage();
	}
	if (np != npos[mode])
		usage();
	if (np == 2)
		port = path = pos[0];
	if (np)
		delay = atoll(pos[np - 1]);

	out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0) {
		perror(argv[1]);
		return 2;
	}
	/* Blocked before the start line, so a test may signal as soon as it sees it. */
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		perror("signalfd");
		return 2;
	}

	long long start = now_us(CLOCK_MONOTONIC);
	rec("start pid=%d ms=%lld mono_us=%lld\n", (int)getpid(), ms(), start);
	if (mode == NOTIFY) {
		const char *ns = getenv("NOTIFY_SOCKET");
		rec("notify_socket=%s\n", ns ? ns : "");
		if (!ns || !*ns) {
			rec("nonotify\n");
			finish(3);
		}
		nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (nfd < 0)
			fatal("socket");
	}
	for (int t = 0; t < NTIMERS; t++)
		due[t] = -1;
	if (mode != SLEEP)
		due[T_ACT] = start + delay * 1000;
	if (exit_after >= 0)
		due[T_EXIT] = start + exit_after * 1000;

	for (;;) {
		struct pollfd p[MAXCONN + 2];
		struct conn *pc[MAXCONN + 2];
		int n = 0, timeout = -1;
		long long now = now_us(CLOCK_MONOTONIC);

		for (int t = 0; t < NTIMERS; t++)
			if (due[t] >= 0 && now >= due[t]) {
				due[t] = -1;
				fire(t);
			}
		now = now_us(CLOCK_MONOTONIC);
		for (int t = 0; t < NTIMERS; t++)
			if (due[t] >= 0) {
				/* Rounded up: a timer never fires early. */
				long long left = due[t] > now ? (due[t] - now + 999) / 1000 : 0;
				if (timeout < 0 || left < timeout)
					timeout = (int)left;
			}
		p[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (lfd >= 0 && nconn < MAXCONN)
			p[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		/* Hung connections stay open but unwatched: nothing more to read. */
		for (int i = 0; i < nconn; i++)
			if (!conns[i].hung) {
				pc[n] = &conns[i];
				p[n++] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
			}
		if (poll(p, (nfds_t)n, timeout) <= 0)
			continue;

		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof si) == sizeof si) {
			rec("sig SIG%s ms=%lld\n", sigabbrev_np((int)si.ssi_signo), ms());
			if (si.ssi_signo == SIGTERM && exit_on_term)
				finish(0);
		}
		for (int i = 1; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == lfd) {
				int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
				if (fd < 0)
					continue;
				rec("conn ms=%lld\n", ms());
				if (mode == TCP)
					close(fd);
				else
					conns[nconn++] = (struct conn){ .fd = fd };
			} else if (on_readable(pc[i])) {
				close(pc[i]->fd);
				pc[i]->fd = -1;
			}
		}
		/* Dropped only now, so that the pointers in pc stay valid above. */
		for (int i = 0; i < nconn; i++)
			if (conns[i].fd < 0)
				conns[i--] = conns[--nconn];
	}
}
