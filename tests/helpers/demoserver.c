/* demoserver PORTFILE REQUEST_MS [PORT WARMUP_MS]: a tiny HTTP server for the demo.
 *
 * Listens on 127.0.0.1 (PORT, or a free port; written to PORTFILE), after
 * WARMUP_MS when given, and answers every request after REQUEST_MS, like an
 * app with slow requests; GET /healthz is answered at once. On SIGTERM it
 * does what a well-behaved app does: stops accepting, finishes the requests
 * in flight, exits 0. One process, one poll loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpsrv.h"

#define MAXCONN 64

struct conn {
	int fd;
	long long due; /* when to answer, monotonic ms; 0: request not read yet */
	int health;    /* a health check, not counted as a request */
};

static void say(const char *fmt, int n)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ demoserver: ", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	fprintf(stderr, fmt, n);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	struct conn c[MAXCONN];
	int nconn = 0, served = 0, lfd, sfd;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: demoserver PORTFILE REQUEST_MS [PORT WARMUP_MS]\n");
		return 2;
	}
	long long request_ms = atoll(argv[2]);
	int port = argc == 5 ? atoi(argv[3]) : 0;
	long long warmup_ms = argc == 5 ? atoll(argv[4]) : 0;
	sfd = httpsrv_sigterm_fd();

	if (warmup_ms > 0)
		say("warming up for %d ms before listening", (int)warmup_ms);
	httpsrv_warm_up(warmup_ms);
	struct sockaddr_in a = httpsrv_loopback(port);
	socklen_t alen = sizeof a;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 16) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
		perror("demoserver");
		return 1;
	}
	FILE *pf = fopen(argv[1], "w");
	if (!pf) {
		perror(argv[1]);
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(a.sin_port));
	fclose(pf);
	say("listening on port %d", ntohs(a.sin_port));

	for (;;) {
		struct pollfd p[MAXCONN + 2];
		int np = 0, timeout = -1;
		long long now = httpsrv_now_ms();

		if (lfd < 0 && nconn == 0)
			break;
		p[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (lfd >= 0)
			p[np++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < nconn; i++)
			httpsrv_watch(p, &np, c[i].fd, c[i].due, now, &timeout);
		poll(p, (nfds_t)np, timeout);
		now = httpsrv_now_ms();
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) > 0 && lfd >= 0) {
				say("SIGTERM: closing the listener, finishing %d request(s) in flight", nconn);
				close(lfd);
				lfd = -1;
			}
		}
		if (lfd >= 0 && (p[1].revents & POLLIN) && nconn < MAXCONN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				c[nconn++] = (struct conn){ fd, 0, 0 };
		}
		for (int i = 0; i < nconn; i++) {
			char buf[2048];
			if (!c[i].due) {
				ssize_t n = recv(c[i].fd, buf, sizeof buf, MSG_DONTWAIT);
				/* the health check is answered at once, as apps do */
				c[i].health = n >= 13 && strncmp(buf, "GET /healthz ", 13) == 0;
				if (n > 0)
					c[i].due = c[i].health ? now : now + request_ms;
				else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
					c[i].due = -1; /* client gone */
			}
			if (c[i].due && now >= c[i].due) {
				if (c[i].due > 0) {
					const char *r = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
					if (send(c[i].fd, r, strlen(r), MSG_NOSIGNAL) > 0 && !c[i].health)
						served++;
				}
				close(c[i].fd);
				c[i--] = c[--nconn];
			}
		}
	}
	say("all requests answered (%d served), exiting 0", served);
	return 0;
}
