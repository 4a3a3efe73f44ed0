#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "httpd.h"
#include "suites.h"

/* ---- the request parser ---- */

struct parse_case {
	const char *in;         /* the bytes so far (a NUL: test_parse_nul) */
	enum http_parsed want;
	enum http_method method; /* when HTTP_DONE */
	enum http_target target;
};

#define DONE(in, m, t) { in, HTTP_DONE, m, t }
#define MORE(in) { in, HTTP_MORE, 0, 0 }
#define BAD(in) { in, HTTP_BAD, 0, 0 }

static const struct parse_case parse_cases[] = {
	/* what the kubelet, curl and load balancers send */
	DONE("GET /ready HTTP/1.1\r\nHost: 10.0.0.5:8081\r\nUser-Agent: kube-probe/1.29\r\n"
	     "Accept: */*\r\nConnection: close\r\n\r\n", HTTP_GET, HTTP_READY),
	DONE("GET /ready HTTP/1.0\r\n\r\n", HTTP_GET, HTTP_READY),
	DONE("HEAD /ready HTTP/1.1\r\nHost: x\r\n\r\n", HTTP_HEAD, HTTP_READY),
	DONE("GET /status HTTP/1.1\r\n\r\n", HTTP_GET, HTTP_STATUS),
	DONE("GET /ready HTTP/1.1\n\n", HTTP_GET, HTTP_READY),   /* bare LF, as some clients */
	/* a query is not acted on */
	DONE("GET /ready?verbose=1 HTTP/1.1\r\n\r\n", HTTP_GET, HTTP_READY),
	DONE("GET /status? HTTP/1.1\r\n\r\n", HTTP_GET, HTTP_STATUS),
	/* other paths and methods: answered 404 and 405, not refused */
	DONE("GET / HTTP/1.1\r\n\r\n", HTTP_GET, HTTP_UNKNOWN),
	DONE("GET /readyz HTTP/1.1\r\n\r\n", HTTP_GET, HTTP_UNKNOWN),
	DONE("GET /read HTTP/1.1\r\n\r\n", HTTP_GET, HTTP_UNKNOWN),
	DONE("GET /ready/ HTTP/1.1\r\n\r\n", HTTP_GET, HTTP_UNKNOWN),
	DONE("GET /READY HTTP/1.1\r\n\r\n", HTTP_GET, HTTP_UNKNOWN),
	DONE("POST /ready HTTP/1.1\r\nContent-Length: 0\r\n\r\n", HTTP_OTHER, HTTP_READY),
	DONE("get /ready HTTP/1.1\r\n\r\n", HTTP_OTHER, HTTP_READY), /* methods are case-sensitive */
	DONE("GETS /ready HTTP/1.1\r\n\r\n", HTTP_OTHER, HTTP_READY),
	/* header values may hold tabs and bytes past ASCII */
	DONE("GET /ready HTTP/1.1\r\nX-A:\tb\r\nX-B: caf\xc3\xa9\r\nX-C:\r\n\r\n", HTTP_GET, HTTP_READY),
	/* a head not whole yet */
	MORE(""),
	MORE("G"),
	MORE("GET /ready HTTP/1.1"),
	MORE("GET /ready HTTP/1.1\r"),
	MORE("GET /ready HTTP/1.1\r\n"),
	MORE("GET /ready HTTP/1.1\r\nHost: x\r\n"),
	MORE("GET /ready HTTP/1.1\r\nHost: x\r\n\r"),
	/* not HTTP/1.x as drainit takes it */
	BAD("GET /ready HTTP/2.0\r\n\r\n"),
	BAD("GET /ready HTTP/1.2\r\n\r\n"),
	BAD("GET /ready http/1.1\r\n\r\n"),
	BAD("GET /ready\r\n\r\n"),                           /* HTTP/0.9 */
	BAD("GET  /ready HTTP/1.1\r\n\r\n"),                 /* two spaces */
	BAD("GET /ready  HTTP/1.1\r\n\r\n"),
	BAD("GET /ready HTTP/1.1 \r\n\r\n"),
	BAD(" GET /ready HTTP/1.1\r\n\r\n"),
	BAD("GET ready HTTP/1.1\r\n\r\n"),                   /* not origin-form */
	BAD("GET http://x/ready HTTP/1.1\r\n\r\n"),
	BAD("GET * HTTP/1.1\r\n\r\n"),
	BAD("\r\n\r\n"),
	BAD("GET /ready HTTP/1.1\r\nno colon\r\n\r\n"),
	BAD("GET /ready HTTP/1.1\r\n: no name\r\n\r\n"),
	BAD("GET /ready HTTP/1.1\r\nBad Name: x\r\n\r\n"),
	BAD("GET /ready HTTP/1.1\r\nX: a\r\n folded\r\n\r\n"), /* obs-fold */
	BAD("G\rET /ready HTTP/1.1\r\n\r\n"),                /* a CR inside a line */
	BAD("TOOLONGMETHODNAMEX /ready HTTP/1.1\r\n\r\n"),   /* 17 bytes */
	/* bad bytes are bad at once, before the head is whole */
	BAD("\x16\x03\x01\x02\x00"),                         /* a TLS ClientHello */
	BAD("GET /re\x01"),
	BAD("GET /r\xc3\xa9"),                               /* past ASCII in the request line */
	BAD("GET /ready HTTP/1.1\r\nX: a\x7f"),
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	struct http_request req = { HTTP_OTHER, HTTP_UNKNOWN };
	enum http_parsed got = http_parse(c->in, strlen(c->in), &req);
	ck_assert_msg(got == c->want, "case %d '%s': got %d, want %d", _i, c->in, got, c->want);
	if (got == HTTP_DONE) {
		ck_assert_msg(req.method == c->method, "case %d: method %d", _i, req.method);
		ck_assert_msg(req.target == c->target, "case %d: target %d", _i, req.target);
	}
}
END_TEST

/* A NUL byte anywhere is bad, in the request line or a header. */
START_TEST(test_parse_nul)
{
	struct http_request req;
	static const char a[] = "GET /ready HTTP/1.1\r\nX: a\0b\r\n\r\n";
	ck_assert_int_eq(http_parse(a, sizeof a - 1, &req), HTTP_BAD);
	static const char b[] = "GET /re\0ady HTTP/1.1\r\n\r\n";
	ck_assert_int_eq(http_parse(b, sizeof b - 1, &req), HTTP_BAD);
	ck_assert_int_eq(http_parse(b, 8, &req), HTTP_BAD); /* as soon as it comes */
}
END_TEST

/* The size limit: a head that is whole within HTTPD_REQ_MAX is taken, one
 * that is not by then is bad. */
START_TEST(test_parse_size_limit)
{
	static char buf[HTTPD_REQ_MAX + 64];
	struct http_request req;
	const char *line = "GET /ready HTTP/1.1\r\nX: ";
	size_t n = strlen(line);
	memcpy(buf, line, n);
	memset(buf + n, 'a', sizeof buf - n);

	/* whole at exactly HTTPD_REQ_MAX bytes */
	memcpy(buf + HTTPD_REQ_MAX - 4, "\r\n\r\n", 4);
	ck_assert_int_eq(http_parse(buf, HTTPD_REQ_MAX, &req), HTTP_DONE);
	/* one byte short of the end at the limit: no more may come */
	memset(buf + n, 'a', sizeof buf - n);
	ck_assert_int_eq(http_parse(buf, HTTPD_REQ_MAX - 1, &req), HTTP_MORE);
	ck_assert_int_eq(http_parse(buf, HTTPD_REQ_MAX, &req), HTTP_BAD);
}
END_TEST

/* ---- the answers ---- */

static struct httpd_view view(bool ready)
{
	struct httpd_view v = {
		.ready = ready, .state = ready ? "ready" : "draining", .since = "2026-12-08T01:02:03.456Z",
		.phase = ready ? "running" : "delay", .app = 7, .kind = "tcp", .target = "tcp:8080",
		.last = "ok", .delay_left_ms = ready ? -1 : 4200, .drain_left_ms = -1,
	};
	snprintf(v.line, sizeof v.line, ready ? "ready: app pid 7 since %s (tcp:8080)"
					     : "not ready: draining since %s", v.since);
	return v;
}

static char out[4096];

static const char *answer(enum http_method m, enum http_target t, bool bad, bool ready)
{
	struct http_request req = { m, t };
	struct httpd_view v = view(ready);
	size_t n = http_answer(&req, bad, &v, out, sizeof out);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, sizeof out);
	out[n] = '\0';
	return out;
}

/* The body: what follows the blank line. */
static const char *body_of(const char *a)
{
	const char *b = strstr(a, "\r\n\r\n");
	ck_assert_ptr_nonnull(b);
	return b + 4;
}

static size_t content_length(const char *a)
{
	const char *cl = strstr(a, "\r\nContent-Length: ");
	ck_assert_ptr_nonnull(cl);
	return (size_t)strtoul(cl + 18, NULL, 10);
}

START_TEST(test_answer_ready)
{
	const char *a = answer(HTTP_GET, HTTP_READY, false, true);
	ck_assert_msg(strncmp(a, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", a);
	ck_assert_str_eq(body_of(a), "ready: app pid 7 since 2026-12-08T01:02:03.456Z (tcp:8080)\n");
	ck_assert_uint_eq(content_length(a), strlen(body_of(a)));
	ck_assert_ptr_nonnull(strstr(a, "\r\nConnection: close\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "\r\nCache-Control: no-store\r\n"));
	ck_assert_ptr_nonnull(strstr(a, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));

	a = answer(HTTP_GET, HTTP_READY, false, false);
	ck_assert_msg(strncmp(a, "HTTP/1.1 503 Service Unavailable\r\n", 34) == 0, "%s", a);
	ck_assert_str_eq(body_of(a), "not ready: draining since 2026-12-08T01:02:03.456Z\n");
	ck_assert_uint_eq(content_length(a), strlen(body_of(a)));
}
END_TEST

START_TEST(test_answer_head)
{
	const char *a = answer(HTTP_HEAD, HTTP_READY, false, false);
	ck_assert_msg(strncmp(a, "HTTP/1.1 503 ", 13) == 0, "%s", a);
	ck_assert_str_eq(body_of(a), ""); /* no body, the length GET's would have */
	ck_assert_uint_eq(content_length(a), strlen("not ready: draining since 2026-12-08T01:02:03.456Z\n"));
}
END_TEST

START_TEST(test_answer_status)
{
	const char *a = answer(HTTP_GET, HTTP_STATUS, false, false);
	ck_assert_msg(strncmp(a, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", a);
	ck_assert_ptr_nonnull(strstr(a, "\r\nContent-Type: application/json\r\n"));
	ck_assert_str_eq(body_of(a),
		"{\"ready\":false,\"state\":\"draining\",\"since\":\"2026-12-08T01:02:03.456Z\","
		"\"phase\":\"delay\",\"app_pid\":7,\"condition\":{\"kind\":\"tcp\",\"target\":\"tcp:8080\","
		"\"last\":\"ok\"},\"pre_stop_delay_left_ms\":4200,\"drain_left_ms\":null,"
		"\"line\":\"not ready: draining since 2026-12-08T01:02:03.456Z\"}\n");
	ck_assert_uint_eq(content_length(a), strlen(body_of(a)));
}
END_TEST

/* An exec check's target is never shown; strings are escaped. */
START_TEST(test_answer_status_escapes)
{
	struct http_request req = { HTTP_GET, HTTP_STATUS };
	struct httpd_view v = view(true);
	v.target = NULL;
	snprintf(v.kind, sizeof v.kind, "exec");
	v.last = "said \"no\"\n\x01";
	v.since[0] = '\0';
	size_t n = http_answer(&req, false, &v, out, sizeof out);
	ck_assert_uint_gt(n, 0);
	out[n] = '\0';
	ck_assert_ptr_nonnull(strstr(out, "\"condition\":{\"kind\":\"exec\",\"target\":null,"
					  "\"last\":\"said \\\"no\\\"\\n\\u0001\"}"));
}
END_TEST

START_TEST(test_answer_errors)
{
	const char *a = answer(HTTP_GET, HTTP_UNKNOWN, false, true);
	ck_assert_msg(strncmp(a, "HTTP/1.1 404 Not Found\r\n", 24) == 0, "%s", a);
	ck_assert_str_eq(body_of(a), "not found: GET /ready or /status\n");

	a = answer(HTTP_OTHER, HTTP_READY, false, true);
	ck_assert_msg(strncmp(a, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0, "%s", a);
	ck_assert_ptr_nonnull(strstr(a, "\r\nAllow: GET, HEAD\r\n"));
	ck_assert_uint_eq(content_length(a), strlen(body_of(a)));

	a = answer(HTTP_HEAD, HTTP_READY, true, true); /* bad: the body always */
	ck_assert_msg(strncmp(a, "HTTP/1.1 400 Bad Request\r\n", 26) == 0, "%s", a);
	ck_assert_uint_gt(strlen(body_of(a)), 0);
	ck_assert_uint_eq(content_length(a), strlen(body_of(a)));
}
END_TEST

START_TEST(test_answer_small_buffer)
{
	struct http_request req = { HTTP_GET, HTTP_STATUS };
	struct httpd_view v = view(true);
	char small[64];
	ck_assert_uint_eq(http_answer(&req, false, &v, small, sizeof small), 0);
}
END_TEST

/* ---- --ready-http's address ---- */

START_TEST(test_addr)
{
	struct hostport hp;
	char err[256];

	ck_assert_int_eq(httpd_parse_addr("8081", &hp, err, sizeof err), 0);
	ck_assert_int_eq(hp.family, 0); /* every address */
	ck_assert_uint_eq(hp.port, 8081);
	ck_assert_str_eq(hp.host, ":8081");

	ck_assert_int_eq(httpd_parse_addr(":80", &hp, err, sizeof err), 0);
	ck_assert_int_eq(hp.family, 0);
	ck_assert_uint_eq(hp.port, 80);

	ck_assert_int_eq(httpd_parse_addr("127.0.0.1:8081", &hp, err, sizeof err), 0);
	ck_assert_int_eq(hp.family, AF_INET);
	ck_assert_str_eq(hp.host, "127.0.0.1:8081");

	ck_assert_int_eq(httpd_parse_addr("localhost:9", &hp, err, sizeof err), 0);
	ck_assert_int_eq(hp.family, AF_INET);
	ck_assert_str_eq(hp.host, "127.0.0.1:9");

	ck_assert_int_eq(httpd_parse_addr("[::1]:8081", &hp, err, sizeof err), 0);
	ck_assert_int_eq(hp.family, AF_INET6);
	ck_assert_str_eq(hp.host, "[::1]:8081");

	ck_assert_int_eq(httpd_parse_addr("[::]:65535", &hp, err, sizeof err), 0);
	ck_assert_int_eq(hp.family, AF_INET6);
	ck_assert_uint_eq(hp.port, 65535);
}
END_TEST

static const struct { const char *in, *err; } bad_addrs[] = {
	{ "0", "bad port '0': expected 1-65535" },
	{ "65536", "bad port '65536': expected 1-65535" },
	{ "80x", "bad port '80x': expected 1-65535" },
	{ "", "bad port '': expected 1-65535" },
	{ "127.0.0.1:", "bad port '': expected 1-65535" },
	{ "example.com:80", "bad host 'example.com': host names are not looked up" },
	{ "::1:80", "bad address '::1:80': write an IPv6 address as [ADDR]:PORT" },
	{ "[::1]80", "bad address '[::1]80': expected [IPv6]:PORT" },
	{ "300.1.1.1:80", "bad host '300.1.1.1': expected an IPv4 address" },
};

START_TEST(test_addr_bad)
{
	struct hostport hp;
	char err[256];
	ck_assert_int_eq(httpd_parse_addr(bad_addrs[_i].in, &hp, err, sizeof err), -1);
	ck_assert_msg(strncmp(err, bad_addrs[_i].err, strlen(bad_addrs[_i].err)) == 0,
		      "'%s': %s", bad_addrs[_i].in, err);
}
END_TEST

/* Without --ready-http: nothing to poll, no deadline (a deadline would
 * wake drainit up for nothing, over and over). */
START_TEST(test_not_listening)
{
	struct httpd h = { .sock = -1 };
	struct pollfd p[HTTPD_CONNS + 1];
	ck_assert_uint_eq(httpd_pollfds(&h, p), 0);
	ck_assert_int_eq(httpd_deadline(&h), -1);
	ck_assert_uint_eq(httpd_serve(&h, p, 0, 0, NULL, NULL), 0);
	httpd_close(&h);
}
END_TEST

Suite *httpd_suite(void)
{
	Suite *s = suite_create("httpd");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_parse_table, 0, sizeof parse_cases / sizeof parse_cases[0]);
	tcase_add_test(tc, test_parse_nul);
	tcase_add_test(tc, test_parse_size_limit);
	tcase_add_test(tc, test_answer_ready);
	tcase_add_test(tc, test_answer_head);
	tcase_add_test(tc, test_answer_status);
	tcase_add_test(tc, test_answer_status_escapes);
	tcase_add_test(tc, test_answer_errors);
	tcase_add_test(tc, test_answer_small_buffer);
	tcase_add_test(tc, test_not_listening);
	tcase_add_test(tc, test_addr);
	tcase_add_loop_test(tc, test_addr_bad, 0, sizeof bad_addrs / sizeof bad_addrs[0]);
	suite_add_tcase(s, tc);
	return s;
}
