/* Readiness over HTTP: the request parser and the answers (pure), and the
 * listening socket with its connections, served from drainit's loop. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpd.h"
#include "log.h"

/* A byte of a method or header name (RFC 9110's tchar). */
static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Whether c may stand in a line of the head: the request line takes
 * visible ASCII and spaces, a header line also tabs and bytes past ASCII
 * (obs-text). A CR only ends a line. */
static bool line_byte(unsigned char c, bool header)
{
	return (c >= 0x20 && c < 0x7f) || (header && (c == '\t' || c >= 0x80));
}

/* Bytes of a line so far (no newline yet, or the line without it): all of
 * them allowed, a CR only last. */
static bool line_ok(const char *s, size_t n, bool header)
{
	for (size_t i = 0; i < n; i++)
		if (!line_byte((unsigned char)s[i], header) && !(s[i] == '\r' && i + 1 == n))
			return false;
	return true;
}

/* METHOD SP /PATH[?QUERY] SP HTTP/1.x, n bytes, the CR cut. */
static bool request_line(const char *s, size_t n, struct http_request *req)
{
	const char *sp1 = memchr(s, ' ', n);
	if (!sp1 || sp1 == s || sp1 - s > 16)
		return false;
	const char *target = sp1 + 1, *sp2 = memchr(target, ' ', n - (size_t)(target - s));
	if (!sp2 || *target != '/')
		return false;
	const char *version = sp2 + 1;
	size_t vlen = n - (size_t)(version - s);
	if (vlen != 8 || (memcmp(version, "HTTP/1.0", 8) != 0 && memcmp(version, "HTTP/1.1", 8) != 0))
		return false;
	for (const char *p = s; p < sp1; p++)
		if (!tchar((unsigned char)*p))
			return false;
	size_t mlen = (size_t)(sp1 - s), plen = strcspn(target, "? ");
	req->method = mlen == 3 && memcmp(s, "GET", 3) == 0 ? HTTP_GET
		    : mlen == 4 && memcmp(s, "HEAD", 4) == 0 ? HTTP_HEAD : HTTP_OTHER;
	req->target = plen == 6 && memcmp(target, "/ready", 6) == 0 ? HTTP_READY
		    : plen == 7 && memcmp(target, "/status", 7) == 0 ? HTTP_STATUS : HTTP_UNKNOWN;
	return true;
}

/* NAME: VALUE, n bytes, the CR cut. Folded lines (obsolete) are not taken. */
static bool header_line(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	if (!colon || colon == s)
		return false;
	for (const char *p = s; p < colon; p++)
		if (!tchar((unsigned char)*p))
			return false;
	return true;
}

enum http_parsed http_parse(const char *buf, size_t len, struct http_request *req)
{
	size_t at = 0;
	for (unsigned line = 0;; line++) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;
		if (!line_ok(buf + at, n, line > 0))
			return HTTP_BAD;
		if (!nl)
			return len >= HTTPD_REQ_MAX ? HTTP_BAD : HTTP_MORE;
		if (n > 0 && buf[at + n - 1] == '\r')
			n--;
		if (line == 0 ? !request_line(buf + at, n, req) : n > 0 && !header_line(buf + at, n))
			return HTTP_BAD;
		if (line > 0 && n == 0)
			return HTTP_DONE;
		at += (size_t)(nl - (buf + at)) + 1;
	}
}

/* s as a JSON string, quotes included, or null for NULL. */
static const char *json_string(const char *s, char *out, size_t len)
{
	if (!s)
		return "null";
	out[0] = '"';
	size_t k = log_json_escape(s, out + 1, len - 2);
	snprintf(out + 1 + k, len - 1 - k, "\"");
	return out;
}

/* A count of milliseconds, or null for -1. */
static const char *json_ms(int64_t ms, char *out, size_t len)
{
	if (ms < 0)
		return "null";
	snprintf(out, len, "%lld", (long long)ms);
	return out;
}

/* The body of GET /status: the view as one JSON object. */
static size_t status_json(const struct httpd_view *v, char *out, size_t len)
{
	char state[48], since[96], phase[48], kind[48], target[192], last[384], line[512];
	char delay[24], drain[24];
	int n = snprintf(out, len, "{\"ready\":%s,\"state\":%s,\"since\":%s,\"phase\":%s,"
			 "\"app_pid\":%d,\"condition\":{\"kind\":%s,\"target\":%s,\"last\":%s},"
			 "\"pre_stop_delay_left_ms\":%s,\"drain_left_ms\":%s,\"line\":%s}\n",
			 v->ready ? "true" : "false", json_string(v->state, state, sizeof state),
			 json_string(v->since, since, sizeof since),
			 json_string(v->phase, phase, sizeof phase), (int)v->app,
			 json_string(v->kind, kind, sizeof kind),
			 json_string(v->target, target, sizeof target),
			 json_string(v->last, last, sizeof last),
			 json_ms(v->delay_left_ms, delay, sizeof delay),
			 json_ms(v->drain_left_ms, drain, sizeof drain),
			 json_string(v->line, line, sizeof line));
	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

size_t http_answer(const struct http_request *req, bool bad, const struct httpd_view *v,
		   char *out, size_t len)
{
	char body[1536];
	const char *type = "text/plain; charset=utf-8", *extra = "", *reason;
	int code;
	size_t blen;

	if (bad) {
		code = 400, reason = "Bad Request";
		blen = (size_t)snprintf(body, sizeof body, "bad request: drainit answers GET /ready "
					"and GET /status, HTTP/1.0 or 1.1, head within %d bytes\n",
					HTTPD_REQ_MAX);
	} else if (req->method == HTTP_OTHER) {
		code = 405, reason = "Method Not Allowed", extra = "Allow: GET, HEAD\r\n";
		blen = (size_t)snprintf(body, sizeof body, "method not allowed: GET or HEAD\n");
	} else if (req->target == HTTP_UNKNOWN) {
		code = 404, reason = "Not Found";
		blen = (size_t)snprintf(body, sizeof body, "not found: GET /ready or /status\n");
	} else if (req->target == HTTP_READY) {
		code = v->ready ? 200 : 503, reason = v->ready ? "OK" : "Service Unavailable";
		blen = (size_t)snprintf(body, sizeof body, "%s\n", v->line);
	} else {
		code = 200, reason = "OK", type = "application/json";
		blen = status_json(v, body, sizeof body);
	}
	if (blen >= sizeof body)
		blen = sizeof body - 1;
	int n = snprintf(out, len, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n", code, reason, type,
			 blen, extra);
	if (n < 0 || (size_t)n >= len)
		return 0;
	if (bad || req->method != HTTP_HEAD) {
		if ((size_t)n + blen >= len)
			return 0;
		memcpy(out + n, body, blen);
		n += (int)blen;
	}
	return (size_t)n;
}

int httpd_parse_addr(const char *s, struct hostport *hp, char *err, size_t errlen)
{
	return cond_hostport(s, s + strlen(s), true, hp, err, errlen);
}

/* A listening socket for hp: every address is IPv6 with IPv4 on the same
 * socket (IPV6_V6ONLY off), or IPv4 alone where there is no IPv6. */
static int listen_on(const struct hostport *hp, char *err, size_t errlen)
{
	struct sockaddr_storage sa;
	int family = hp->family ? hp->family : AF_INET6;
	for (;;) {
		socklen_t salen = (socklen_t)cond_sockaddr(family, hp->addr, hp->port, &sa);
		int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 && hp->family == 0 && family == AF_INET6 && errno == EAFNOSUPPORT) {
			family = AF_INET; /* a kernel without IPv6 */
			continue;
		}
		if (fd < 0) {
			snprintf(err, errlen, "--ready-http %s: cannot make a socket: %s", hp->host,
				 strerror(errno));
			return -1;
		}
		int on = 1, off = 0, wait_s = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
		/* accept() once the request's first bytes are there: a client that
		 * connects and says nothing does not take a connection's room */
		setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &wait_s, sizeof wait_s);
		if (family == AF_INET6 && hp->family == 0)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
		if (bind(fd, (struct sockaddr *)&sa, salen) == 0 && listen(fd, 128) == 0)
			return fd;
		int e = errno;
		close(fd);
		if (hp->family == 0 && family == AF_INET6 && e == EADDRNOTAVAIL) {
			family = AF_INET; /* IPv6 turned off (disable_ipv6) */
			continue;
		}
		snprintf(err, errlen, "--ready-http %s: cannot listen: %s", hp->host, strerror(e));
		return -1;
	}
}

int httpd_open(struct httpd *h, const struct hostport *hp, char *err, size_t errlen)
{
	h->sock = -1;
	h->accepted = 0;
	h->paused_until = -1;
	h->conn = calloc(HTTPD_CONNS, sizeof *h->conn);
	if (!h->conn) {
		snprintf(err, errlen, "--ready-http: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < HTTPD_CONNS; i++)
		h->conn[i].fd = -1;
	h->sock = listen_on(hp, err, errlen);
	if (h->sock < 0) {
		free(h->conn);
		h->conn = NULL;
		return -1;
	}
	snprintf(h->where, sizeof h->where, "%s%s", hp->family ? "" : "every address, port ",
		 hp->family ? hp->host : hp->host + 1);
	return 0;
}

size_t httpd_pollfds(const struct httpd *h, struct pollfd *p)
{
	size_t n = 0;
	if (h->sock < 0)
		return 0;
	/* paused, the socket stays in the set (first, as httpd_serve expects)
	 * but asks for nothing */
	p[n++] = (struct pollfd){ .fd = h->sock, .events = h->paused_until >= 0 ? 0 : POLLIN };
	for (size_t i = 0; i < HTTPD_CONNS; i++)
		if (h->conn[i].fd >= 0)
			p[n++] = (struct pollfd){ .fd = h->conn[i].fd, .events = POLLIN };
	return n;
}

int64_t httpd_deadline(const struct httpd *h)
{
	if (h->sock < 0)
		return -1;
	int64_t d = h->paused_until;
	for (size_t i = 0; i < HTTPD_CONNS; i++)
		if (h->conn[i].fd >= 0 && (d < 0 || h->conn[i].deadline < d))
			d = h->conn[i].deadline;
	return d;
}

static void drop(struct httpd_conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* The answer, written once without waiting; then what the peer sent
 * beyond the head is read away (once), so that closing does not reset the
 * connection before the peer has read the answer. */
static void answer(struct httpd_conn *c, const struct http_request *req, bool bad,
		   void (*view)(void *arg, struct httpd_view *v), void *arg)
{
	char out[2048], sink[512];
	struct httpd_view v;
	view(arg, &v);
	size_t n = http_answer(req, bad, &v, out, sizeof out);
	if (n > 0)
		(void)!send(c->fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)!recv(c->fd, sink, sizeof sink, MSG_DONTWAIT);
	shutdown(c->fd, SHUT_WR);
	drop(c);
}

/* Reads what came on c and answers once the request is whole or bad;
 * 1 when answered. */
static int take(struct httpd_conn *c, void (*view)(void *arg, struct httpd_view *v), void *arg)
{
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) { /* closed, or half-closed, before a whole request */
		drop(c);
		return 0;
	}
	c->len += (size_t)n;
	struct http_request req;
	enum http_parsed r = http_parse(c->buf, c->len, &req);
	if (r == HTTP_MORE)
		return 0;
	answer(c, &req, r == HTTP_BAD, view, arg);
	return 1;
}

/* A slot for a new connection: a free one, or else one to drop: the
 * oldest that sent part of a request and no more (a slow client's; a probe
 * sends its request at once), or the oldest of all. */
static struct httpd_conn *slot(struct httpd *h)
{
	struct httpd_conn *victim = NULL;
	for (size_t i = 0; i < HTTPD_CONNS; i++) {
		struct httpd_conn *c = &h->conn[i];
		if (c->fd < 0)
			return c;
		if (!victim || (c->len > 0) > (victim->len > 0) ||
		    ((c->len > 0) == (victim->len > 0) && c->order < victim->order))
			victim = c;
	}
	drop(victim);
	return victim;
}

unsigned httpd_serve(struct httpd *h, const struct pollfd *p, size_t n, int64_t now,
		     void (*view)(void *arg, struct httpd_view *v), void *arg)
{
	unsigned answered = 0;
	if (h->sock < 0)
		return 0;
	/* the connections first: a connection taken below is read at once */
	for (size_t k = 1; k < n; k++) {
		if (!p[k].revents)
			continue;
		for (size_t i = 0; i < HTTPD_CONNS; i++)
			if (h->conn[i].fd == p[k].fd) {
				answered += (unsigned)take(&h->conn[i], view, arg);
				break;
			}
	}
	if (h->paused_until >= 0 && now >= h->paused_until)
		h->paused_until = -1;
	for (int i = 0; n > 0 && (p[0].revents & POLLIN) && i < HTTPD_ACCEPT_BATCH; i++) {
		int fd = accept4(h->sock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) {
			/* the connection stays queued: taken again in a while, not
			 * in a loop that would keep PID 1 busy meanwhile */
			h->paused_until = now + 100;
			break;
		}
		if (fd < 0)
			break; /* EAGAIN: none left; anything else: the peer gave up */
		struct httpd_conn *c = slot(h);
		c->fd = fd;
		c->deadline = now + HTTPD_READ_MS;
		c->order = ++h->accepted;
		c->len = 0;
		answered += (unsigned)take(c, view, arg);
	}
	for (size_t i = 0; i < HTTPD_CONNS; i++)
		if (h->conn[i].fd >= 0 && now >= h->conn[i].deadline)
			drop(&h->conn[i]);
	return answered;
}

void httpd_close(struct httpd *h)
{
	for (size_t i = 0; h->conn && i < HTTPD_CONNS; i++)
		if (h->conn[i].fd >= 0)
			drop(&h->conn[i]);
	if (h->sock >= 0)
		close(h->sock);
	h->sock = -1;
	free(h->conn);
	h->conn = NULL;
}
