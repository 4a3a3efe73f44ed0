#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cond.h"

static bool prefix(const char *s, const char *p, const char **rest)
{
	size_t n = strlen(p);
	if (strncmp(s, p, n) != 0)
		return false;
	*rest = s + n;
	return true;
}

/* The condition's name for the readiness file and the log: one word, so
 * that the file stays one line of space-separated words. */
static void set_name(struct cond *c, const char *kind, const char *what, size_t len)
{
	size_t o = (size_t)snprintf(c->name, sizeof c->name, "%s", kind);
	for (size_t i = 0; i < len && o < sizeof c->name - 1; i++) {
		unsigned char ch = (unsigned char)what[i];
		c->name[o++] = ch <= ' ' || ch == 0x7f || ch == '=' ? '_' : (char)ch;
	}
	c->name[o] = '\0';
}

static int parse_port(const char *s, size_t len, unsigned short *port)
{
	unsigned long v = 0;
	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (unsigned short)v;
	return 0;
}

/* Whether a host that is no address was meant as a name ("myservice",
 * "db.example"), rather than a mistyped address ("1.2.3", "[::g]"). */
static bool host_name(const char *s, size_t len)
{
	bool letter = false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
			letter = true;
		else if (!(ch >= '0' && ch <= '9') && ch != '-' && ch != '.' && ch != '_')
			return false;
	}
	return letter;
}

/* Any IPv4 or IPv6 address is taken, not only loopback: apps often listen
 * on the pod's own address only, and that is a fair target. Host names are
 * not: resolving one would block PID 1 (and may ask a DNS server), and the
 * app is on this host anyway. Only "localhost" is known, as 127.0.0.1. */
int cond_hostport(const char *s, const char *end, bool any_host, struct hostport *hp, char *err,
		  size_t errlen)
{
	char host[64];
	const char *port = s;
	size_t hlen = 0;

	if (*s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));
		if (!close || close[1] != ':') {
			snprintf(err, errlen, "bad address '%.*s': expected [IPv6]:PORT", (int)(end - s), s);
			return -1;
		}
		hlen = (size_t)(close - s - 1);
		port = close + 2;
		if (hlen >= sizeof host)
			goto bad_host;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		hp->family = AF_INET6;
		if (inet_pton(AF_INET6, host, hp->addr) != 1)
			goto bad_host;
	} else {
		const char *colon = memchr(s, ':', (size_t)(end - s));
		if (colon) {
			hlen = (size_t)(colon - s);
			if (memchr(colon + 1, ':', (size_t)(end - colon - 1))) {
				snprintf(err, errlen, "bad address '%.*s': write an IPv6 address as [ADDR]:PORT",
					 (int)(end - s), s);
				return -1;
			}
			port = colon + 1;
			if (hlen >= sizeof host)
				goto bad_host;
			memcpy(host, s, hlen);
			host[hlen] = '\0';
		} else if (any_host) {
			host[0] = '\0';
		} else
			snprintf(host, sizeof host, "127.0.0.1");
		hp->family = host[0] || !any_host ? AF_INET : 0;
		/* No name lookups: they block, and the app is on this host. */
		if (strcmp(host, "localhost") == 0)
			snprintf(host, sizeof host, "127.0.0.1");
		if (hp->family == 0)
			memset(hp->addr, 0, sizeof hp->addr);
		else if (inet_pton(AF_INET, host, hp->addr) != 1)
			goto bad_host;
	}
	if (parse_port(port, (size_t)(end - port), &hp->port) != 0) {
		snprintf(err, errlen, "bad port '%.*s': expected 1-65535", (int)(end - port), port);
		return -1;
	}
	snprintf(hp->host, sizeof hp->host, hp->family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
		 (unsigned)hp->port);
	return 0;
bad_host:
	hlen = (size_t)(port > s ? port - s - 1 : end - s);
	if (host_name(s, hlen))
		snprintf(err, errlen, "bad host '%.*s': host names are not looked up (a lookup would "
			 "block PID 1); use the pod's own IP address, 127.0.0.1 or [::1]", (int)hlen, s);
	else
		snprintf(err, errlen, "bad host '%.*s': expected an IPv4 address, [IPv6 address] or "
			 "localhost", (int)hlen, s);
	return -1;
}

size_t cond_sockaddr(int family, const unsigned char *addr, unsigned short port,
		     struct sockaddr_storage *sa)
{
	memset(sa, 0, sizeof *sa);
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)sa;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, addr, 16);
		return sizeof *a;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)sa;
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	memcpy(&a->sin_addr, addr, 4);
	return sizeof *a;
}

/* A check's [HOST:]PORT, into c. */
static int parse_hostport(struct cond *c, const char *s, const char *end, char *err, size_t errlen)
{
	struct hostport hp;
	if (cond_hostport(s, end, false, &hp, err, errlen) != 0)
		return -1;
	c->family = hp.family;
	memcpy(c->addr, hp.addr, sizeof c->addr);
	c->port = hp.port;
	snprintf(c->host, sizeof c->host, "%s", hp.host);
	return 0;
}

/* Splits an exec command into words at blanks; '...' and "..." group. */
static int split_words(struct cond *c, const char *s, char *err, size_t errlen)
{
	size_t o = 0, n = 0;
	const char *p = s;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n == COND_ARGS_MAX) {
			snprintf(err, errlen, "exec: more than %d words", COND_ARGS_MAX);
			return -1;
		}
		c->argv[n++] = c->words + o;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '\'' || *p == '"') {
				const char *close = strchr(p + 1, *p);
				if (!close) {
					snprintf(err, errlen, "exec: unterminated %c quote", *p);
					return -1;
				}
				for (p++; p < close; p++) {
					if (o >= sizeof c->words - 2)
						goto too_long;
					c->words[o++] = *p;
				}
				p++;
				continue;
			}
			if (o >= sizeof c->words - 2)
				goto too_long;
			c->words[o++] = *p++;
		}
		if (o >= sizeof c->words - 1) /* empty '' words take room too */
			goto too_long;
		c->words[o++] = '\0';
	}
	c->argv[n] = NULL;
	if (n == 0 || c->argv[0][0] == '\0') {
		snprintf(err, errlen, "exec: no command: expected exec:CMD [ARG...]");
		return -1;
	}
	return 0;
too_long:
	snprintf(err, errlen, "exec: command longer than %d bytes", COND_TEXT_MAX - 2);
	return -1;
}

int cond_parse(const char *s, struct cond *c, char *err, size_t errlen)
{
	const char *rest;

	memset(c, 0, sizeof *c);
	if (strcmp(s, "start") == 0 || strcmp(s, "notify") == 0) {
		c->kind = *s == 's' ? COND_START : COND_NOTIFY;
		snprintf(c->name, sizeof c->name, "%s", s);
		return 0;
	}
	if (prefix(s, "tcp:", &rest)) {
		c->kind = COND_TCP;
		if (parse_hostport(c, rest, rest + strlen(rest), err, errlen) != 0)
			return -1;
		set_name(c, "tcp:", rest, strlen(rest));
		return 0;
	}
	if (prefix(s, "http:", &rest)) {
		c->kind = COND_HTTP;
		if (rest[0] == '/' && rest[1] == '/')
			rest += 2; /* http://127.0.0.1:8080/ready reads the same */
		const char *from = rest[0] == '[' && strchr(rest, ']') ? strchr(rest, ']') : rest;
		const char *slash = strchr(from, '/');
		const char *end = slash ? slash : rest + strlen(rest);
		if (parse_hostport(c, rest, end, err, errlen) != 0)
			return -1;
		if (snprintf(c->path, sizeof c->path, "%s", slash ? slash : "/") >= (int)sizeof c->path) {
			snprintf(err, errlen, "http: path too long");
			return -1;
		}
		for (const char *q = c->path; *q; q++)
			if ((unsigned char)*q <= ' ' || *q == 0x7f) {
				snprintf(err, errlen, "http: the path may not hold blanks or control characters");
				return -1;
			}
		set_name(c, "http:", rest, strlen(rest));
		return 0;
	}
	if (prefix(s, "https:", &rest)) {
		snprintf(err, errlen, "https: is not supported: drainit does not speak TLS; check the "
			 "app's plain-HTTP port (http:PORT/PATH) or its TCP port (tcp:PORT), "
			 "or run a checker with exec:CMD");
		return -1;
	}
	if (prefix(s, "exec:", &rest)) {
		c->kind = COND_EXEC;
		if (split_words(c, rest, err, errlen) != 0)
			return -1;
		const char *base = strrchr(c->argv[0], '/');
		base = base ? base + 1 : c->argv[0];
		set_name(c, "exec:", base, strlen(base));
		return 0;
	}
	if (prefix(s, "file:", &rest)) {
		c->kind = COND_FILE;
		if (*rest == '\0') {
			snprintf(err, errlen, "file: no path: expected file:PATH");
			return -1;
		}
		if (snprintf(c->path, sizeof c->path, "%s", rest) >= (int)sizeof c->path) {
			snprintf(err, errlen, "file: path too long");
			return -1;
		}
		set_name(c, "file:", rest, strlen(rest));
		return 0;
	}
	snprintf(err, errlen, "bad condition '%s': expected start, tcp:[HOST:]PORT, "
		 "http:[HOST:]PORT/PATH, exec:CMD [ARG...], file:PATH or notify", s);
	return -1;
}

bool cond_polled(const struct cond *c)
{
	return c->kind != COND_START && c->kind != COND_NOTIFY;
}

size_t cond_http_request(const struct cond *c, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: drainit\r\n"
			 "Accept: */*\r\nConnection: close\r\n\r\n", c->path, c->host);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

int cond_http_status(const char *buf, size_t len)
{
	/* "HTTP/1.1 200 OK\r\n": the version, one space, three digits, then a
	 * space or the end of the line. */
	static const char proto[] = "HTTP/";
	size_t i;

	for (i = 0; i < len && i < 5; i++)
		if (buf[i] != proto[i])
			return -1;
	if (len < 13) {
		/* wait for "HTTP/x.y NNN" and one more byte, unless the line already ended */
		if (memchr(buf, '\n', len))
			return -1;
		return 0;
	}
	if (buf[5] < '0' || buf[5] > '9' || buf[6] != '.' || buf[7] < '0' || buf[7] > '9' ||
	    buf[8] != ' ')
		return -1;
	int code = 0;
	for (i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		code = code * 10 + (buf[i] - '0');
	}
	if (buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n')
		return -1;
	return code >= 100 && code <= 599 ? code : -1;
}

void cond_notify_parse(const char *buf, size_t len, struct notify_msg *m)
{
	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < len;) {
		const char *line = buf + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;
		i += n + 1;
		if (n == 0)
			continue;
		const char *eq = memchr(line, '=', n);
		if (!eq || eq == line) {
			m->bad++;
			continue;
		}
		size_t k = (size_t)(eq - line), vlen = n - k - 1;
		if (k == 5 && memcmp(line, "READY", 5) == 0 && vlen == 1 && eq[1] == '1') {
			m->ready = true;
			m->stopping = false;
		} else if (k == 8 && memcmp(line, "STOPPING", 8) == 0 && vlen == 1 && eq[1] == '1') {
			m->stopping = true;
			m->ready = false;
		} else if (k == 6 && memcmp(line, "STATUS", 6) == 0) {
			if (vlen >= sizeof m->status)
				vlen = sizeof m->status - 1;
			memcpy(m->status, eq + 1, vlen);
			m->status[vlen] = '\0';
			m->has_status = true;
		} else
			m->unknown++;
	}
}

enum cond_change cond_tally_add(struct cond_tally *t, bool ok, unsigned failures)
{
	if (ok) {
		bool was = t->ready;
		t->failed = 0;
		t->ready = true;
		return was ? COND_SAME : COND_NOW_READY;
	}
	if (t->failed < UINT_MAX)
		t->failed++;
	if (t->ready && t->failed >= failures) {
		t->ready = false;
		return COND_NOW_UNREADY;
	}
	return COND_SAME;
}

int64_t cond_next_due(int64_t started, int64_t now, int64_t period)
{
	return started + period > now ? started + period : now;
}

bool cond_notify_uid_ok(uid_t uid, uid_t app, uid_t self)
{
	return uid == app || uid == self || uid == 0;
}

enum notify_trust cond_notify_trust(const struct notify_sender *s, uid_t app, uid_t self)
{
	if (!s->creds)
		return NOTIFY_NO_CREDS;
	if (!cond_notify_uid_ok(s->uid, app, self))
		return NOTIFY_BAD_UID;
	if (s->pid <= 0)
		return NOTIFY_OTHER_NS;
	if (s->descends > 0)
		return NOTIFY_OK;
	if (s->descends == 0)
		return NOTIFY_OUTSIDE;
	/* Gone: its pid says nothing any more, its uid still does. Root other
	 * than drainit does not count here: a docker exec as root that exits
	 * at once would otherwise pass where a live one is refused. */
	return s->uid == app || s->uid == self ? NOTIFY_OK : NOTIFY_GONE_UID;
}

const char *cond_notify_refusal(enum notify_trust t)
{
	switch (t) {
	case NOTIFY_OK:
		return "accepted";
	case NOTIFY_NO_CREDS:
		return "no sender credentials";
	case NOTIFY_BAD_UID:
		return "its uid is neither the app's, drainit's nor root's";
	case NOTIFY_OTHER_NS:
		return "sent from another PID namespace";
	case NOTIFY_OUTSIDE:
		return "not a process started under drainit";
	case NOTIFY_GONE_UID:
		return "its sender has exited and its uid is neither the app's nor drainit's";
	}
	return "refused";
}

bool cond_refusal_add(struct cond_refusals *r, int64_t now)
{
	if (r->told_at >= 0 && now - r->told_at < COND_REFUSAL_QUIET_MS) {
		if (r->untold < UINT_MAX)
			r->untold++;
		return false;
	}
	r->told_at = now;
	return true;
}

unsigned cond_refusal_flush(struct cond_refusals *r, int64_t now, bool force)
{
	unsigned n = r->untold;
	if (n == 0 || (!force && now - r->told_at < COND_REFUSAL_QUIET_MS))
		return 0;
	r->untold = 0;
	r->told_at = now;
	return n;
}

bool cond_http_head_end(unsigned *matched, const char *buf, size_t len)
{
	/* *matched: 0 nothing, 1 "\n" seen (a line ended), 2 "\n\r". A blank
	 * line is "\n\n" or "\n\r\n"; the status line ends with the first. */
	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];
		if (*matched == 3)
			return true;
		if (ch == '\n')
			*matched = *matched >= 1 ? 3 : 1;
		else if (ch == '\r' && *matched == 1)
			*matched = 2;
		else if (ch != '\r')
			*matched = 0;
	}
	return *matched == 3;
}
