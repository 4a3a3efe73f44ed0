/* What tests/helpers/demoserver.c and tests/e2e/app.c share: both are HTTP
 * servers of one process and one poll loop, on 127.0.0.1, that hear SIGTERM
 * from a signalfd. Static inline functions in a header alone, since the
 * Makefile builds each helper from its one .c file and tests/e2e/run.sh
 * builds app.c by itself. */
#ifndef DRAINIT_TESTS_HTTPSRV_H
#define DRAINIT_TESTS_HTTPSRV_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>

/* Now, monotonic, in ms. */
static inline long long httpsrv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGTERM blocked, and read from the signalfd this returns: the server
 * hears it even as PID 1 of a PID namespace, as an app with a handler does. */
static inline int httpsrv_sigterm_fd(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Like a real app: loading, connecting, warming caches before it listens. */
static inline void httpsrv_warm_up(long long ms)
{
	if (ms > 0)
		nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000 }, NULL);
}

/* 127.0.0.1:port (0: any free port). */
static inline struct sockaddr_in httpsrv_loopback(int port)
{
	return (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				     .sin_port = htons((unsigned short)port) };
}

/* Adds a connection to the poll set p[*np]: polled for its request while
 * due is 0, then not polled, its turn coming at due (monotonic ms; -1: the
 * client is gone, to be closed at once); *timeout (-1: none yet) becomes the
 * ms left until the earliest turn. */
static inline void httpsrv_watch(struct pollfd *p, int *np, int fd, long long due, long long now,
				 int *timeout)
{
	p[(*np)++] = (struct pollfd){ .fd = fd, .events = due ? 0 : POLLIN };
	if (due) {
		long long left = due - now;
		if (left < 0)
			left = 0;
		if (*timeout < 0 || left < *timeout)
			*timeout = (int)left;
	}
}

#endif
