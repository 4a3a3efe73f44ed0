/* e2e app: app NAME PORT WARMUP_MS
 *
 * The HTTP app of make e2e (tests/e2e/run.sh), a close relative of
 * tests/helpers/demoserver.c. It warms up for WARMUP_MS, then listens on
 * 127.0.0.1:PORT (backlog 1024) and answers
 *   GET /healthz    200 at once (the readiness check, not counted)
 *   GET /work/MS    200 after MS milliseconds (a slow request)
 * with HTTP/1.0, one request per connection. On SIGTERM it does what a
 * well-behaved app does: closes its listener (connections still in the
 * kernel's accept queue are reset by the kernel), finishes every request it
 * accepted, and exits 0. SIGTERM is blocked and read from a signalfd, so the
 * app hears it even as PID 1 of a PID namespace, as an app with a handler
 * does. Unlike demoserver, each request says how long it takes (the load
 * generator draws that from its seed), and the limits are far above the load:
 * a full accept queue or connection table must never be why a request fails.
 * One process, one poll loop; log lines on stderr. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../helpers/httpsrv.h"

#define MAXCONN 1000
#define REQMAX 2048

struct conn {
	int fd;
	long long due; /* when to answer, monotonic ms; 0: request not complete yet */
	int health;
	size_t len;
	char req[REQMAX];
};

static struct conn c[MAXCONN];
static const char *name = "app";

static void say(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char line[512];
	int n;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ldZ app %s (pid %d): ", tm.tm_hour,
		     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, name, (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	if (write(2, line, (size_t)n) < 0) {
		/* nothing to do: the log is best effort */
	}
}

/* A complete request head was read: when to answer it. */
static void parse(struct conn *k, long long now)
{
	long ms = 0;

	k->health = strncmp(k->req, "GET /healthz ", 13) == 0;
	if (!k->health && strncmp(k->req, "GET /work/", 10) == 0)
		ms = strtol(k->req + 10, NULL, 10);
	if (ms < 0 || ms > 600000)
		ms = 0;
	k->due = now + ms;
	if (k->due <= 0)
		k->due = 1;
}

int main(int argc, char **argv)
{
	int nconn = 0, lfd, sfd, one = 1;
	long served = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: app NAME PORT WARMUP_MS\n");
		return 2;
	}
	name = argv[1];
	int port = atoi(argv[2]);
	long long warmup_ms = atoll(argv[3]);
	sfd = httpsrv_sigterm_fd();
	signal(SIGPIPE, SIG_IGN);

	httpsrv_warm_up(warmup_ms);
	struct sockaddr_in a = httpsrv_loopback(port);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 1024) != 0) {
		say("cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
		return 1;
	}
	say("listening on 127.0.0.1:%d after %lld ms of warm-up", port, warmup_ms);

	for (;;) {
		static struct pollfd p[MAXCONN + 2];
		int np = 0, timeout = -1;
		long long now = httpsrv_now_ms();

		if (lfd < 0 && nconn == 0)
			break;
		p[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = lfd, .events = lfd >= 0 && nconn < MAXCONN ? POLLIN : 0 };
		for (int i = 0; i < nconn; i++)
			httpsrv_watch(p, &np, c[i].fd, c[i].due, now, &timeout);
		if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			return 1;
		}
		now = httpsrv_now_ms();
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) > 0 && lfd >= 0) {
				say("SIGTERM from pid %u: closing the listener, finishing %d request(s) in flight",
				    si.ssi_pid, nconn);
				close(lfd);
				lfd = -1;
			}
		}
		/* Accept everything that is queued, as event-loop servers do. */
		while (lfd >= 0 && (p[1].revents & POLLIN) && nconn < MAXCONN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd < 0)
				break;
			c[nconn].fd = fd;
			c[nconn].due = 0;
			c[nconn].health = 0;
			c[nconn].len = 0;
			nconn++;
		}
		for (int i = 0; i < nconn; i++) {
			if (!c[i].due) {
				ssize_t n = recv(c[i].fd, c[i].req + c[i].len, REQMAX - 1 - c[i].len, 0);
				if (n > 0) {
					c[i].len += (size_t)n;
					c[i].req[c[i].len] = '\0';
					if (strstr(c[i].req, "\r\n\r\n") || c[i].len >= REQMAX - 1)
						parse(&c[i], now);
				} else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
					c[i].due = -1; /* client gone */
				}
			}
			if (c[i].due && now >= c[i].due) {
				if (c[i].due > 0) {
					char r[256];
					int len = snprintf(r, sizeof r,
							   "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n"
							   "Connection: close\r\n\r\nok %s\n",
							   strlen(name) + 4, name);
					if (send(c[i].fd, r, (size_t)len, MSG_NOSIGNAL) == len && !c[i].health)
						served++;
				}
				close(c[i].fd);
				c[i--] = c[--nconn];
			}
		}
	}
	say("all requests answered (%ld served), exiting 0", served);
	return 0;
}
