/* The invariants of a parsed readiness condition, shared by fuzz_cond and
 * fuzz_opt (which parses one from --ready-when or DRAINIT_READY_WHEN). */
#ifndef DRAINIT_FUZZ_COND_CHECK_H
#define DRAINIT_FUZZ_COND_CHECK_H

#include <sys/socket.h>

#include "cond.h"
#include "fuzz.h"
#include "ready.h"

/* The condition's name is one word of the readiness line: a probe must read
 * it back as the `by` word. */
static inline void check_name_in_ready_line(const struct cond *c)
{
	static const char *const states[] = { "starting", "ready", "unready", "draining" };
	char line[READY_LINE_MAX];
	struct ready_info info;

	for (size_t s = 0; s < sizeof states / sizeof states[0]; s++) {
		size_t n = ready_line(line, sizeof line, states[s], c->name, 4194304,
				      253402300799999LL);
		CHECK(n > 0 && n < sizeof line - 1 && line[n - 1] == '\n',
		      "readiness line for '%s' cut short (%zu bytes)", c->name, n);
		CHECK(strchr(line, '\n') == line + n - 1, "readiness line for '%s' is not one line",
		      c->name);
		CHECK(ready_parse(line, &info) == 0, "ready_parse refuses ready_line's own line '%s'",
		      line);
		CHECK(strcmp(info.state, states[s]) == 0, "state '%s' read back as '%s'", states[s],
		      info.state);
		CHECK(strcmp(info.by, c->name) == 0, "condition name '%s' read back as '%s'", c->name,
		      info.by);
		CHECK(info.pid == 4194304, "pid read back as %d", (int)info.pid);
		CHECK(info.ready == (s == 1), "ready is %d for state %s", (int)info.ready, states[s]);
	}
}

static inline void check_cond(const struct cond *c)
{
	CHECK(c->kind >= COND_START && c->kind <= COND_NOTIFY, "kind %d", (int)c->kind);
	CHECK(fz_terminated(c->name, sizeof c->name), "name not terminated");
	CHECK(c->name[0] != '\0', "empty name");
	for (const char *q = c->name; *q; q++) {
		unsigned char ch = (unsigned char)*q;
		CHECK(ch > ' ' && ch != 0x7f && ch != '=',
		      "name '%s' holds byte 0x%02x: not one word of the readiness line", c->name, ch);
	}
	CHECK(cond_polled(c) == (c->kind != COND_START && c->kind != COND_NOTIFY), "cond_polled");
	switch (c->kind) {
	case COND_START:
		CHECK(strcmp(c->name, "start") == 0, "start named '%s'", c->name);
		break;
	case COND_NOTIFY:
		CHECK(strcmp(c->name, "notify") == 0, "notify named '%s'", c->name);
		break;
	case COND_TCP:
	case COND_HTTP: {
		CHECK(c->family == AF_INET || c->family == AF_INET6, "family %d", c->family);
		CHECK(c->port >= 1, "port 0");
		CHECK(fz_terminated(c->host, sizeof c->host), "host not terminated");
		char tail[16];
		snprintf(tail, sizeof tail, ":%u", (unsigned)c->port);
		size_t hl = strlen(c->host), tl = strlen(tail);
		CHECK(hl > tl && strcmp(c->host + hl - tl, tail) == 0, "host '%s' does not end in %s",
		      c->host, tail);
		CHECK((c->family == AF_INET6) == (c->host[0] == '['), "host '%s' for family %d",
		      c->host, c->family);
		CHECK(strncmp(c->name, c->kind == COND_TCP ? "tcp:" : "http:",
			      c->kind == COND_TCP ? 4 : 5) == 0, "name '%s'", c->name);
		if (c->kind == COND_TCP)
			break;
		CHECK(fz_terminated(c->path, sizeof c->path), "path not terminated");
		CHECK(c->path[0] == '/', "http path '%s' does not start with /", c->path);
		/* The request as checks.c builds it, in a buffer of its size: it
		 * must fit whole and be exactly the six lines it means to be, or
		 * the path would smuggle a header in. */
		char req[COND_TEXT_MAX + 256];
		size_t n = cond_http_request(c, req, sizeof req);
		CHECK(n < sizeof req - 1, "http request cut short (%zu bytes)", n);
		CHECK(strlen(req) == n, "request length %zu, strlen %zu", n, strlen(req));
		CHECK(strncmp(req, "GET /", 5) == 0, "request starts '%.20s'", req);
		CHECK(n >= 4 && strcmp(req + n - 4, "\r\n\r\n") == 0, "request does not end in a blank line");
		size_t crlf = 0;
		for (size_t i = 0; i < n; i++) {
			if (req[i] == '\n') {
				CHECK(i > 0 && req[i - 1] == '\r', "bare LF at %zu of the request", i);
				crlf++;
			} else if (req[i] == '\r') {
				CHECK(i + 1 < n && req[i + 1] == '\n', "bare CR at %zu of the request", i);
			}
		}
		CHECK(crlf == 6, "the request has %zu lines, not 6: path '%s'", crlf, c->path);
		break;
	}
	case COND_EXEC: {
		size_t n = 0;
		while (n <= COND_ARGS_MAX && c->argv[n])
			n++;
		CHECK(n >= 1 && n <= COND_ARGS_MAX, "exec with %zu words", n);
		CHECK(c->argv[n] == NULL, "exec argv not NULL-terminated");
		CHECK(c->argv[0][0] != '\0', "exec with an empty command");
		for (size_t i = 0; i < n; i++) {
			CHECK(c->argv[i] >= c->words && c->argv[i] < c->words + sizeof c->words,
			      "argv[%zu] outside words", i);
			CHECK(fz_terminated(c->argv[i], (size_t)(c->words + sizeof c->words - c->argv[i])),
			      "argv[%zu] not terminated inside words", i);
		}
		CHECK(strncmp(c->name, "exec:", 5) == 0, "name '%s'", c->name);
		break;
	}
	case COND_FILE:
		CHECK(fz_terminated(c->path, sizeof c->path), "path not terminated");
		CHECK(c->path[0] != '\0', "file with an empty path");
		CHECK(strncmp(c->name, "file:", 5) == 0, "name '%s'", c->name);
		break;
	}
	check_name_in_ready_line(c);
}

#endif
