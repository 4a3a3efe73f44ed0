#ifndef DRAINIT_HTTPD_H
#define DRAINIT_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cond.h"

struct pollfd;

/* Readiness over HTTP (--ready-http): drainit answers GET /ready with 200
 * or 503 and the line `drainit probe` prints, and GET /status with a JSON
 * object, in its own loop and never waiting: sockets are non-blocking, a
 * request must come whole within HTTPD_READ_MS and HTTPD_REQ_MAX bytes, an
 * answer is written once (a peer that does not read loses it), and every
 * connection is closed after one answer. The room for connections is
 * allocated at start; when it is full the oldest connection is dropped for
 * the newest, so that clients holding connections open cannot keep a probe
 * out. */

#define HTTPD_CONNS 32
#define HTTPD_REQ_MAX 4096
#define HTTPD_READ_MS 1000
#define HTTPD_ACCEPT_BATCH 64   /* connections taken in one turn of the loop */

/* What the answers say, filled by the supervisor when one is due. */
struct httpd_view {
	bool ready;
	char line[256];         /* the probe's line: "ready: app pid 7 since ..." */
	const char *state;      /* starting, ready, unready, draining */
	char since[64];         /* when that state began, as the files write it */
	const char *phase;      /* the lifecycle's phase */
	pid_t app;
	char kind[16];          /* the readiness condition's kind: start, tcp, exec, ... */
	const char *target;     /* its target, "tcp:8080"; NULL for exec (a command line may hold a token) */
	const char *last;       /* the last check's result, NULL when none yet */
	int64_t delay_left_ms;  /* the pre-stop delay left; -1 when not in it */
	int64_t drain_left_ms;  /* the drain left; -1 when not draining */
};

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };
enum http_target { HTTP_READY, HTTP_STATUS, HTTP_UNKNOWN };

struct http_request {
	enum http_method method;
	enum http_target target;
};

enum http_parsed {
	HTTP_MORE,      /* no blank line yet: read on */
	HTTP_DONE,      /* a whole request line and head */
	HTTP_BAD,       /* not HTTP/1.0 or 1.1 as drainit takes it: answered 400 */
};

/* Parses the request in buf (len bytes so far): the request line
 * (METHOD /PATH[?QUERY] HTTP/1.x; the query is not acted on) and header
 * lines up to the blank line, whose names and values are only checked for
 * bytes that have no place there. Bad bytes are found as soon as they come,
 * not only once the head is whole; a head that does not end within
 * HTTPD_REQ_MAX bytes is bad. Pure. */
enum http_parsed http_parse(const char *buf, size_t len, struct http_request *req);

/* The whole answer to req (or, with bad, 400 Bad Request) into out: status
 * line, headers, and for GET the body. Returns its length (0: out too
 * small). Pure. */
size_t http_answer(const struct http_request *req, bool bad, const struct httpd_view *v,
		   char *out, size_t len);

/* --ready-http's [ADDR:]PORT: ADDR an IPv4 address, [IPv6 address] or
 * localhost; without ADDR every address (family 0: IPv6 and IPv4 on one
 * socket, or IPv4 alone where the kernel has no IPv6). Returns 0, or -1
 * with a reason in err. Pure. */
int httpd_parse_addr(const char *s, struct hostport *hp, char *err, size_t errlen);

struct httpd_conn {
	int fd;                 /* -1: free */
	int64_t deadline;       /* dropped unless the request is whole by then */
	uint64_t order;         /* when accepted, to drop the oldest first */
	size_t len;
	char buf[HTTPD_REQ_MAX];
};

struct httpd {
	int sock;               /* the listening socket; -1: none */
	struct httpd_conn *conn; /* HTTPD_CONNS, allocated at start */
	uint64_t accepted;
	int64_t paused_until;   /* out of descriptors: accept again then; -1: not paused */
	char where[96];         /* what it listens on, for the log */
};

/* Listens on hp (before drainit drops its capabilities, so a port below
 * 1024 needs none later); every descriptor close-on-exec. Returns 0, or -1
 * with a reason in err. */
int httpd_open(struct httpd *h, const struct hostport *hp, char *err, size_t errlen);

/* The descriptors to poll, into p (room for HTTPD_CONNS + 1); their count. */
size_t httpd_pollfds(const struct httpd *h, struct pollfd *p);

/* The nearest read deadline; -1 when no connection waits. */
int64_t httpd_deadline(const struct httpd *h);

/* Serves what the polled descriptors p (n, as httpd_pollfds gave them) say
 * and drops connections past their deadline. view fills v when an answer
 * is due. Returns how many requests were answered. */
unsigned httpd_serve(struct httpd *h, const struct pollfd *p, size_t n, int64_t now,
		     void (*view)(void *arg, struct httpd_view *v), void *arg);

/* Closes everything; the memory is freed. */
void httpd_close(struct httpd *h);

#endif
