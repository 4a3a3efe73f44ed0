#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cond.h"
#include "ready.h"
#include "suites.h"

static struct cond c;
static char err[512];

/* Parses s into c; on success also checks that the name is one word that a
 * readiness line carries through intact. */
static int parse(const char *s)
{
	memset(&c, 0xA5, sizeof c); /* cond_parse must set every field itself */
	strcpy(err, "");
	int r = cond_parse(s, &c, err, sizeof err);
	if (r == 0) {
		char line[READY_LINE_MAX];
		struct ready_info info;
		ck_assert_msg(c.name[0] != '\0', "%s: empty name", s);
		ck_assert_msg(strlen(c.name) < sizeof c.name, "%s: name not terminated", s);
		for (const char *p = c.name; *p; p++)
			ck_assert_msg((unsigned char)*p > ' ' && *p != 0x7f && *p != '=',
				      "%s: name '%s' is not one word", s, c.name);
		ready_line(line, sizeof line, "ready", c.name, 7, 0);
		ck_assert_int_eq(ready_parse(line, &info), 0);
		ck_assert_str_eq(info.by, c.name);
		ck_assert_int_eq(info.pid, 7);
	}
	return r;
}

#define assert_ok(s) ck_assert_msg(parse(s) == 0, "'%s' refused: %s", (s), err)
#define assert_bad(s, text) do { \
		ck_assert_msg(parse(s) == -1, "'%s' accepted", (s)); \
		ck_assert_str_eq(err, (text)); \
	} while (0)
#define assert_bad_starts(s, prefix) do { \
		ck_assert_msg(parse(s) == -1, "'%s' accepted", (s)); \
		ck_assert_msg(strncmp(err, (prefix), strlen(prefix)) == 0, \
			      "'%s': error does not start with \"%s\": %s", (s), (prefix), err); \
	} while (0)

static void assert_v4(unsigned char a, unsigned char b, unsigned char x, unsigned char d)
{
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.addr[0], a);
	ck_assert_uint_eq(c.addr[1], b);
	ck_assert_uint_eq(c.addr[2], x);
	ck_assert_uint_eq(c.addr[3], d);
}

static void assert_v6(const char *text)
{
	unsigned char want[16];
	ck_assert_int_eq(inet_pton(AF_INET6, text, want), 1);
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_mem_eq(c.addr, want, 16);
}

/* ---- start, notify ---- */

START_TEST(test_start_notify)
{
	assert_ok("start");
	ck_assert_int_eq(c.kind, COND_START);
	ck_assert_str_eq(c.name, "start");
	ck_assert(!cond_polled(&c));
	ck_assert_ptr_null(c.argv[0]);
	assert_ok("notify");
	ck_assert_int_eq(c.kind, COND_NOTIFY);
	ck_assert_str_eq(c.name, "notify");
	ck_assert(!cond_polled(&c));
	/* exact words only */
	assert_bad_starts("start:", "bad condition 'start:'");
	assert_bad_starts("starting", "bad condition 'starting'");
	assert_bad_starts("Start", "bad condition 'Start'");
	assert_bad_starts("notify:x", "bad condition 'notify:x'");
	assert_bad_starts(" start", "bad condition ' start'");
}
END_TEST

START_TEST(test_unknown_kind)
{
	assert_bad("bogus", "bad condition 'bogus': expected start, tcp:[HOST:]PORT, "
		   "http:[HOST:]PORT/PATH, exec:CMD [ARG...], file:PATH or notify");
	assert_bad("", "bad condition '': expected start, tcp:[HOST:]PORT, "
		   "http:[HOST:]PORT/PATH, exec:CMD [ARG...], file:PATH or notify");
	assert_bad_starts("tcp", "bad condition 'tcp'");
	assert_bad_starts("TCP:8080", "bad condition 'TCP:8080'");
	assert_bad_starts("HTTPS://127.0.0.1:8443/x", "bad condition 'HTTPS:");
	assert_bad_starts("https", "bad condition 'https'");
	assert_bad_starts("udp:53", "bad condition 'udp:53'");
	assert_bad_starts("8080", "bad condition '8080'");
	/* the message lists every form */
	ck_assert(parse("x") == -1);
	static const char *const forms[] = { "start", "tcp:[HOST:]PORT", "http:[HOST:]PORT/PATH",
					     "exec:CMD [ARG...]", "file:PATH", "notify" };
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		ck_assert_msg(strstr(err, forms[i]) != NULL, "no %s in: %s", forms[i], err);
}
END_TEST

START_TEST(test_error_buffer_truncated)
{
	/* a short error buffer is cut, never overrun */
	char small[16];
	memset(small, 'X', sizeof small);
	ck_assert_int_eq(cond_parse("bogus-condition-with-a-long-name", &c, small, 10), -1);
	ck_assert_str_eq(small, "bad condi");
	ck_assert_int_eq(small[10], 'X');
	memset(small, 'X', sizeof small);
	ck_assert_int_eq(cond_parse("tcp:99999", &c, small, 10), -1);
	ck_assert_uint_eq(strlen(small), 9);
	ck_assert_int_eq(small[10], 'X');
}
END_TEST

/* ---- tcp ---- */

START_TEST(test_tcp_port_only)
{
	assert_ok("tcp:8080");
	ck_assert_int_eq(c.kind, COND_TCP);
	assert_v4(127, 0, 0, 1);
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.host, "127.0.0.1:8080");
	ck_assert_str_eq(c.name, "tcp:8080");
	ck_assert(cond_polled(&c));
	ck_assert_ptr_null(c.argv[0]);
	ck_assert_str_eq(c.path, "");
	/* the ends of the range; leading zeros are the same number */
	assert_ok("tcp:1");
	ck_assert_uint_eq(c.port, 1);
	assert_ok("tcp:65535");
	ck_assert_uint_eq(c.port, 65535);
	ck_assert_str_eq(c.host, "127.0.0.1:65535");
	assert_ok("tcp:080");
	ck_assert_uint_eq(c.port, 80);
}
END_TEST

START_TEST(test_tcp_hosts)
{
	assert_ok("tcp:localhost:8080");
	assert_v4(127, 0, 0, 1); /* no name lookup */
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.host, "127.0.0.1:8080");
	ck_assert_str_eq(c.name, "tcp:localhost:8080");

	assert_ok("tcp:10.1.2.3:80");
	assert_v4(10, 1, 2, 3);
	ck_assert_uint_eq(c.port, 80);
	ck_assert_str_eq(c.host, "10.1.2.3:80");
	ck_assert_str_eq(c.name, "tcp:10.1.2.3:80");

	assert_ok("tcp:0.0.0.0:9");
	assert_v4(0, 0, 0, 0);
	assert_ok("tcp:255.255.255.255:9");
	assert_v4(255, 255, 255, 255);
}
END_TEST

START_TEST(test_tcp_ipv6)
{
	assert_ok("tcp:[::1]:8080");
	ck_assert_int_eq(c.kind, COND_TCP);
	ck_assert_int_eq(c.family, AF_INET6);
	static const unsigned char loop6[16] = { [15] = 1 };
	ck_assert_mem_eq(c.addr, loop6, 16);
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.host, "[::1]:8080");
	ck_assert_str_eq(c.name, "tcp:[::1]:8080");

	assert_ok("tcp:[fe80::1:2]:443");
	assert_v6("fe80::1:2");
	ck_assert_uint_eq(c.addr[0], 0xfe);
	ck_assert_uint_eq(c.addr[1], 0x80);
	ck_assert_uint_eq(c.addr[13], 0x01);
	ck_assert_uint_eq(c.addr[15], 0x02);
	ck_assert_str_eq(c.host, "[fe80::1:2]:443");

	/* the longest IPv6 text still fits the Host header */
	assert_ok("tcp:[0000:0000:0000:0000:0000:ffff:255.255.255.255]:65535");
	assert_v6("::ffff:255.255.255.255");
	ck_assert_str_eq(c.host, "[0000:0000:0000:0000:0000:ffff:255.255.255.255]:65535");
}
END_TEST

START_TEST(test_tcp_bare_ipv6)
{
	/* an IPv6 address must be bracketed, and the error says so */
	assert_bad("tcp:::1:80", "bad address '::1:80': write an IPv6 address as [ADDR]:PORT");
	assert_bad_starts("tcp:fe80::1:80", "bad address 'fe80::1:80': write an IPv6 address as [ADDR]:PORT");
	assert_bad_starts("tcp:1:2:3", "bad address '1:2:3'");
}
END_TEST

START_TEST(test_tcp_bad_ports)
{
	assert_bad("tcp:0", "bad port '0': expected 1-65535");
	assert_bad("tcp:65536", "bad port '65536': expected 1-65535");
	assert_bad("tcp:99999", "bad port '99999': expected 1-65535");
	assert_bad("tcp:abc", "bad port 'abc': expected 1-65535");
	assert_bad("tcp:", "bad port '': expected 1-65535");
	assert_bad("tcp:127.0.0.1:", "bad port '': expected 1-65535");
	assert_bad("tcp:[::1]:", "bad port '': expected 1-65535");
	assert_bad("tcp:[::1]:0", "bad port '0': expected 1-65535");
	assert_bad("tcp:-1", "bad port '-1': expected 1-65535");
	assert_bad("tcp:+80", "bad port '+80': expected 1-65535");
	assert_bad("tcp: 80", "bad port ' 80': expected 1-65535");
	assert_bad("tcp:80 ", "bad port '80 ': expected 1-65535");
	assert_bad("tcp:8080x", "bad port '8080x': expected 1-65535");
	assert_bad("tcp:0x50", "bad port '0x50': expected 1-65535");
	assert_bad("tcp:000080", "bad port '000080': expected 1-65535");
	assert_bad("tcp:4294967377", "bad port '4294967377': expected 1-65535"); /* 2^32 + 81 */
	assert_bad("tcp:8080/x", "bad port '8080/x': expected 1-65535");
}
END_TEST

START_TEST(test_tcp_bad_hosts)
{
	/* only IPv4, [IPv6] and localhost: what is none of them, and no name,
	 * is a mistyped address */
	static const char *const bad[] = {
		"tcp:1.2.3:80", "tcp:256.1.1.1:80", "tcp:1.2.3.4.5:80", "tcp:01.2.3.4:80",
		"tcp::80", "tcp:[]:80", "tcp:[1.2.3.4]:80", "tcp:[::1%lo]:80", "tcp:[localhost]:80",
		"tcp:[::g]:80", "tcp:a b:80", "tcp:x/y:80", "tcp:%:80",
		"tcp:[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]:80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_bad_starts(bad[i], "bad host '");
		ck_assert_msg(strstr(err, "expected an IPv4 address, [IPv6 address] or localhost"),
			      "%s: %s", bad[i], err);
	}
	/* names: never looked up, and the error says what to write instead */
	static const char *const names[] = {
		"tcp:example.com:80", "tcp:LOCALHOST:80", "tcp:localhost6:80", "tcp:ip6-localhost:80",
		"tcp:myservice:8080", "tcp:my_service:80", "tcp:db.ns.svc.cluster.local:5432",
		"tcp:1.2.3.4x:80",
		"tcp:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:80",
		"http:example.com:80/x", "http://myservice:8080/ready",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_bad_starts(names[i], "bad host '");
		ck_assert_msg(strstr(err, ": host names are not looked up (a lookup would block PID 1); "
				     "use the pod's own IP address, 127.0.0.1 or [::1]"),
			      "%s: %s", names[i], err);
	}
	/* malformed brackets */
	assert_bad("tcp:[::1]8080", "bad address '[::1]8080': expected [IPv6]:PORT");
	assert_bad("tcp:[::1", "bad address '[::1': expected [IPv6]:PORT");
	assert_bad("tcp:[::1]", "bad address '[::1]': expected [IPv6]:PORT");
}
END_TEST

START_TEST(test_bad_host_names_the_host)
{
	/* the error quotes the host as written, without the ':' before the
	 * port */
	assert_bad("tcp:1.2.3:80",
		   "bad host '1.2.3': expected an IPv4 address, [IPv6 address] or localhost");
	assert_bad("http:[::g]:80/x",
		   "bad host '[::g]': expected an IPv4 address, [IPv6 address] or localhost");
}
END_TEST

START_TEST(test_names_and_tls_refused)
{
	/* a host name: refused in one line, with what to use instead */
	assert_bad("http://myservice:8080/ready",
		   "bad host 'myservice': host names are not looked up (a lookup would block PID 1); "
		   "use the pod's own IP address, 127.0.0.1 or [::1]");
	assert_bad("http:myservice:8080/ready",
		   "bad host 'myservice': host names are not looked up (a lookup would block PID 1); "
		   "use the pod's own IP address, 127.0.0.1 or [::1]");
	assert_bad("tcp:myservice:8080",
		   "bad host 'myservice': host names are not looked up (a lookup would block PID 1); "
		   "use the pod's own IP address, 127.0.0.1 or [::1]");
	assert_bad("tcp:db.example:5432",
		   "bad host 'db.example': host names are not looked up (a lookup would block PID 1); "
		   "use the pod's own IP address, 127.0.0.1 or [::1]");

	/* https: no TLS, whatever follows */
	static const char *const tls =
		"https: is not supported: drainit does not speak TLS; check the app's plain-HTTP "
		"port (http:PORT/PATH) or its TCP port (tcp:PORT), or run a checker with exec:CMD";
	assert_bad("https://127.0.0.1:8443/ready", tls);
	assert_bad("https://myservice/ready", tls);
	assert_bad("https:8443/x", tls);
	assert_bad("https:", tls);
	assert_bad("https://", tls);

	/* addresses are still taken, loopback or not: the pod's own IP is a fair target */
	assert_ok("http://10.0.0.5:8080/x");
	assert_v4(10, 0, 0, 5);
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.path, "/x");
	assert_ok("http://[::1]:8080/x");
	assert_v6("::1");
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.path, "/x");
	assert_ok("tcp:10.0.0.5:8080");
	assert_v4(10, 0, 0, 5);
	assert_ok("http://[fd00::5]:8080/x");
	assert_v6("fd00::5");
	assert_ok("http://localhost:8080/x");
	assert_v4(127, 0, 0, 1);
}
END_TEST

/* ---- http ---- */

START_TEST(test_http_forms)
{
	assert_ok("http:8080/healthz");
	ck_assert_int_eq(c.kind, COND_HTTP);
	assert_v4(127, 0, 0, 1);
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.path, "/healthz");
	ck_assert_str_eq(c.host, "127.0.0.1:8080");
	ck_assert_str_eq(c.name, "http:8080/healthz");
	ck_assert(cond_polled(&c));

	/* no path: "/" */
	assert_ok("http:8080");
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.path, "/");
	ck_assert_str_eq(c.name, "http:8080");
	assert_ok("http:8080/");
	ck_assert_str_eq(c.path, "/");

	/* the // of a URL is accepted */
	assert_ok("http://127.0.0.1:8080/x");
	assert_v4(127, 0, 0, 1);
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.path, "/x");
	ck_assert_str_eq(c.host, "127.0.0.1:8080");
	ck_assert_str_eq(c.name, "http:127.0.0.1:8080/x");
	assert_ok("http://9000");
	ck_assert_uint_eq(c.port, 9000);
	ck_assert_str_eq(c.path, "/");

	assert_ok("http:[::1]:8080/ready");
	assert_v6("::1");
	ck_assert_uint_eq(c.port, 8080);
	ck_assert_str_eq(c.path, "/ready");
	ck_assert_str_eq(c.host, "[::1]:8080");
	ck_assert_str_eq(c.name, "http:[::1]:8080/ready");
	assert_ok("http://[::1]:81");
	ck_assert_str_eq(c.path, "/");
	ck_assert_str_eq(c.host, "[::1]:81");

	assert_ok("http:localhost:3000/a/b?x=1&y=2");
	assert_v4(127, 0, 0, 1);
	ck_assert_str_eq(c.path, "/a/b?x=1&y=2"); /* the path keeps its '=' */
	ck_assert_str_eq(c.host, "127.0.0.1:3000");
	ck_assert_str_eq(c.name, "http:localhost:3000/a/b?x_1&y_2"); /* the name does not */

	assert_ok("http:10.0.0.5:80/p:q");
	assert_v4(10, 0, 0, 5);
	ck_assert_uint_eq(c.port, 80);
	ck_assert_str_eq(c.path, "/p:q");
}
END_TEST

START_TEST(test_http_errors)
{
	static const char *const path_err = "http: the path may not hold blanks or control characters";
	assert_bad("http:8080/a b", path_err);
	assert_bad("http:8080/a\tb", path_err);
	assert_bad("http:8080/a\r\nHost: evil", path_err); /* no header injection */
	assert_bad("http:8080/\x01", path_err);
	assert_bad("http:8080/x\x7f", path_err);
	assert_bad("http:8080/ ", path_err);

	assert_bad("http:", "bad port '': expected 1-65535");
	assert_bad("http://", "bad port '': expected 1-65535");
	assert_bad("http:/x", "bad port '': expected 1-65535");
	assert_bad("http:0/x", "bad port '0': expected 1-65535");
	assert_bad("http:65536", "bad port '65536': expected 1-65535");
	assert_bad("http:example.com/x", "bad port 'example.com': expected 1-65535");
	assert_bad_starts("http:example.com:80/x", "bad host '");
	assert_bad_starts("http:::1:80/x", "bad address '::1:80'");
	assert_bad("http:[::1]/x", "bad address '[::1]': expected [IPv6]:PORT");

	/* the longest path that fits, and one byte more */
	static char s[COND_TEXT_MAX + 64];
	int n = snprintf(s, sizeof s, "http:80/");
	memset(s + n, 'p', COND_TEXT_MAX - 2);
	s[n + COND_TEXT_MAX - 2] = '\0';
	assert_ok(s);
	ck_assert_uint_eq(strlen(c.path), COND_TEXT_MAX - 1);
	ck_assert_uint_eq(strlen(c.name), sizeof c.name - 1); /* cut, still one word */
	ck_assert_int_eq(strncmp(c.name, "http:80/ppp", 11), 0);
	s[n + COND_TEXT_MAX - 2] = 'p';
	s[n + COND_TEXT_MAX - 1] = '\0';
	assert_bad(s, "http: path too long");
}
END_TEST

START_TEST(test_http_request)
{
	char buf[COND_TEXT_MAX + 256];
	static const char want[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
				   "User-Agent: drainit\r\nAccept: */*\r\nConnection: close\r\n\r\n";
	assert_ok("http:8080/healthz");
	size_t n = cond_http_request(&c, buf, sizeof buf);
	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq(n, sizeof want - 1);

	assert_ok("http:[::1]:9000");
	n = cond_http_request(&c, buf, sizeof buf);
	ck_assert_str_eq(buf, "GET / HTTP/1.1\r\nHost: [::1]:9000\r\nUser-Agent: drainit\r\n"
			      "Accept: */*\r\nConnection: close\r\n\r\n");
	ck_assert_uint_eq(n, strlen(buf));

	assert_ok("http://localhost:81/a?b=c");
	n = cond_http_request(&c, buf, sizeof buf);
	ck_assert_str_eq(buf, "GET /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:81\r\nUser-Agent: drainit\r\n"
			      "Accept: */*\r\nConnection: close\r\n\r\n");
	ck_assert_uint_eq(n, strlen(buf));

	/* a short buffer is cut, never overrun, and the length says what it holds */
	assert_ok("http:8080/healthz");
	memset(buf, 'X', 64);
	n = cond_http_request(&c, buf, 20);
	ck_assert_str_eq(buf, "GET /healthz HTTP/1");
	ck_assert_uint_eq(n, 19);
	ck_assert_int_eq(buf[20], 'X');

	/* the longest path fits the buffer the checks use */
	static char s[COND_TEXT_MAX + 64];
	int k = snprintf(s, sizeof s, "http:[0000:0000:0000:0000:0000:ffff:255.255.255.255]:65535/");
	memset(s + k, 'p', COND_TEXT_MAX - 2);
	s[k + COND_TEXT_MAX - 2] = '\0';
	assert_ok(s);
	n = cond_http_request(&c, buf, sizeof buf);
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_int_eq(strcmp(buf + n - 4, "\r\n\r\n"), 0);
}
END_TEST

/* cond_http_status on exactly len bytes of a heap copy, so that reading
 * past the end shows under the address sanitizer. */
static int status(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, len);
	int r = cond_http_status(copy, len);
	free(copy);
	return r;
}
#define STATUS(lit) status((lit), sizeof(lit) - 1)

START_TEST(test_http_status_complete)
{
	ck_assert_int_eq(STATUS("HTTP/1.1 200 OK\r\n"), 200);
	ck_assert_int_eq(STATUS("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 200);
	ck_assert_int_eq(STATUS("HTTP/1.0 503 Service Unavailable\r\n"), 503);
	ck_assert_int_eq(STATUS("HTTP/1.1 204 \r\n"), 204);
	ck_assert_int_eq(STATUS("HTTP/1.1 200\r\n"), 200); /* no reason phrase */
	ck_assert_int_eq(STATUS("HTTP/1.1 200\nServer: x\n"), 200); /* bare LF */
	ck_assert_int_eq(STATUS("HTTP/1.1 100 Continue\r\n"), 100);
	ck_assert_int_eq(STATUS("HTTP/1.1 599 x\r\n"), 599);
	ck_assert_int_eq(STATUS("HTTP/1.1 301 Moved\r\n"), 301);
	ck_assert_int_eq(STATUS("HTTP/1.1 404 Not Found\r\n"), 404);
	ck_assert_int_eq(STATUS("HTTP/9.9 200 OK\r\n"), 200);
	/* what the checks hold: 64 bytes of a longer answer */
	ck_assert_int_eq(STATUS("HTTP/1.1 200 OK\r\nDate: Sat, 29 Nov 2025 12:48:25 GMT\r\nServer: "), 200);
}
END_TEST

START_TEST(test_http_status_partial)
{
	/* every prefix of a status line: more bytes needed, never a verdict */
	static const char full[] = "HTTP/1.1 200 OK\r\n";
	for (size_t k = 0; k < 13; k++)
		ck_assert_msg(status(full, k) == 0, "%zu bytes: %d", k, status(full, k));
	int at13 = status(full, 13); /* "HTTP/1.1 200 ": either is right */
	ck_assert_msg(at13 == 0 || at13 == 200, "13 bytes: %d", at13);
	for (size_t k = 14; k <= sizeof full - 1; k++)
		ck_assert_int_eq(status(full, k), 200);

	ck_assert_int_eq(STATUS("HTTP/1.0 503"), 0);
	ck_assert_int_eq(STATUS("HTTP/1.1 20"), 0);
	ck_assert_int_eq(STATUS("HTTP/1.1 "), 0);
	ck_assert_int_eq(STATUS("HTTP/"), 0);
	ck_assert_int_eq(STATUS("HTT"), 0);
	ck_assert_int_eq(STATUS("H"), 0);
	ck_assert_int_eq(STATUS(""), 0);
}
END_TEST

START_TEST(test_http_status_short_line)
{
	/* a whole status line of 13 bytes: "HTTP/1.1 200" and a bare LF */
	ck_assert_int_eq(STATUS("HTTP/1.1 200\n"), 200);
	ck_assert_int_eq(STATUS("HTTP/1.0 503\n"), 503);
}
END_TEST

START_TEST(test_http_status_garbage)
{
	ck_assert_int_eq(STATUS("SSH-2.0-OpenSSH_9.6\r\n"), -1);
	ck_assert_int_eq(STATUS("SSH-2.0"), -1);
	ck_assert_int_eq(STATUS("S"), -1);
	ck_assert_int_eq(STATUS("http/1.1 200 OK\r\n"), -1);
	ck_assert_int_eq(STATUS("HTTPS/1.1 200 OK\r\n"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1 2000 x"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1 099 x"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1 000 x"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1 600 x"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1 999 x"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1 2x0 x"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1  200 OK"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1 200OK\r\n"), -1);
	ck_assert_int_eq(STATUS("HTTP/x.1 200 OK\r\n"), -1);
	ck_assert_int_eq(STATUS("HTTP/1x1 200 OK\r\n"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.x 200 OK\r\n"), -1);
	ck_assert_int_eq(STATUS("HTTP/11.1 200 OK\r\n"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1\r\n"), -1);  /* the line ended early */
	ck_assert_int_eq(STATUS("HTTP/1.1 20\n"), -1);
	ck_assert_int_eq(STATUS("HTTP/\n"), -1);
	ck_assert_int_eq(STATUS("<html>hello</html>\n"), -1);
	ck_assert_int_eq(STATUS("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), -1);
	ck_assert_int_eq(STATUS("HTTP/1.1 \0\0\0 OK\r\n"), -1);
	ck_assert_int_eq(STATUS("\xff\xfe\xfd"), -1);
}
END_TEST

/* ---- exec ---- */

static void assert_argv(const char *const *want)
{
	size_t i;
	for (i = 0; want[i]; i++) {
		ck_assert_msg(c.argv[i] != NULL, "argv[%zu] missing, want '%s'", i, want[i]);
		ck_assert_str_eq(c.argv[i], want[i]);
	}
	ck_assert_msg(c.argv[i] == NULL, "argv[%zu] is '%s', want the end", i, c.argv[i]);
}
#define ASSERT_ARGV(...) assert_argv((const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_exec_words)
{
	assert_ok("exec:curl -fs http://x");
	ck_assert_int_eq(c.kind, COND_EXEC);
	ASSERT_ARGV("curl", "-fs", "http://x");
	ck_assert_str_eq(c.name, "exec:curl");
	ck_assert(cond_polled(&c));
	/* argv points into words */
	ck_assert(c.argv[0] == c.words);
	ck_assert(c.argv[2] >= c.words && c.argv[2] < c.words + sizeof c.words);

	assert_ok("exec:/usr/bin/pg_isready -h 127.0.0.1");
	ASSERT_ARGV("/usr/bin/pg_isready", "-h", "127.0.0.1");
	ck_assert_str_eq(c.name, "exec:pg_isready"); /* the base name */

	assert_ok("exec:  true  ");
	ASSERT_ARGV("true");
	ck_assert_str_eq(c.name, "exec:true");
	assert_ok("exec:a\tb \t c");
	ASSERT_ARGV("a", "b", "c");
	assert_ok("exec:./check.sh");
	ASSERT_ARGV("./check.sh");
	ck_assert_str_eq(c.name, "exec:check.sh");
	assert_ok("exec:my=prog x=1");
	ASSERT_ARGV("my=prog", "x=1");
	ck_assert_str_eq(c.name, "exec:my_prog");
}
END_TEST

START_TEST(test_exec_quotes)
{
	assert_ok("exec:sh -c 'a b' \"c d\"");
	ASSERT_ARGV("sh", "-c", "a b", "c d");
	ck_assert_str_eq(c.name, "exec:sh");
	/* quotes join with what touches them, and hold the other quote */
	assert_ok("exec:echo a'b c'd \"it's\" '\"q\"'");
	ASSERT_ARGV("echo", "ab cd", "it's", "\"q\"");
	/* an empty quote is an empty word */
	assert_ok("exec:printf '' x");
	ASSERT_ARGV("printf", "", "x");
	assert_ok("exec:'my prog' arg");
	ASSERT_ARGV("my prog", "arg");
	ck_assert_str_eq(c.name, "exec:my_prog"); /* one word */
	assert_ok("exec:sh -c 'curl -fs http://127.0.0.1:8080/ready || exit 1'");
	ASSERT_ARGV("sh", "-c", "curl -fs http://127.0.0.1:8080/ready || exit 1");
}
END_TEST

START_TEST(test_exec_errors)
{
	assert_bad("exec:sh -c 'a b", "exec: unterminated ' quote");
	assert_bad("exec:sh -c \"a b", "exec: unterminated \" quote");
	assert_bad("exec:'", "exec: unterminated ' quote");
	assert_bad("exec:a \"b' c", "exec: unterminated \" quote");
	assert_bad("exec:", "exec: no command: expected exec:CMD [ARG...]");
	assert_bad("exec:   ", "exec: no command: expected exec:CMD [ARG...]");
	assert_bad("exec:\t", "exec: no command: expected exec:CMD [ARG...]");
	assert_bad("exec:'' x", "exec: no command: expected exec:CMD [ARG...]");
	assert_bad("exec:\"\"", "exec: no command: expected exec:CMD [ARG...]");
}
END_TEST

START_TEST(test_exec_word_count)
{
	static char s[512];
	int n = snprintf(s, sizeof s, "exec:cmd");
	for (int i = 1; i < COND_ARGS_MAX; i++)
		n += snprintf(s + n, sizeof s - (size_t)n, " %d", i);
	assert_ok(s); /* COND_ARGS_MAX words */
	ck_assert_str_eq(c.argv[COND_ARGS_MAX - 1], "63");
	ck_assert_ptr_null(c.argv[COND_ARGS_MAX]);
	snprintf(s + n, sizeof s - (size_t)n, " x");
	assert_bad(s, "exec: more than 64 words");
	ck_assert_int_eq(COND_ARGS_MAX, 64);
}
END_TEST

START_TEST(test_exec_length)
{
	/* the longest command: one word of COND_TEXT_MAX - 2 bytes */
	static char s[COND_TEXT_MAX + 64];
	int n = snprintf(s, sizeof s, "exec:");
	memset(s + n, 'a', COND_TEXT_MAX - 2);
	s[n + COND_TEXT_MAX - 2] = '\0';
	assert_ok(s);
	ck_assert_uint_eq(strlen(c.argv[0]), COND_TEXT_MAX - 2);
	ck_assert_ptr_null(c.argv[1]);
	ck_assert_uint_eq(strlen(c.name), sizeof c.name - 1);
	s[n + COND_TEXT_MAX - 2] = 'a';
	s[n + COND_TEXT_MAX - 1] = '\0';
	assert_bad(s, "exec: command longer than 2046 bytes");
	/* in several words, quoted too */
	n = snprintf(s, sizeof s, "exec:x '");
	memset(s + n, 'b', COND_TEXT_MAX);
	snprintf(s + n + COND_TEXT_MAX, sizeof s - (size_t)n - COND_TEXT_MAX, "'");
	assert_bad(s, "exec: command longer than 2046 bytes");
}
END_TEST

START_TEST(test_exec_empty_words_at_the_limit)
{
	/* empty words ('') each take one byte for their terminator: near the
	 * limit they must be refused like any other byte, never written past
	 * the end of words[] */
	static char s[COND_TEXT_MAX + 64];
	int n = snprintf(s, sizeof s, "exec:");
	memset(s + n, 'a', COND_TEXT_MAX - 3);
	n += COND_TEXT_MAX - 3;
	snprintf(s + n, sizeof s - (size_t)n, " '' '' ''");
	int r = parse(s);
	ck_assert_msg(r == -1, "accepted: %zu bytes of words in words[%zu]",
		      (size_t)(COND_TEXT_MAX - 3) + 1 + 3, sizeof c.words);
	ck_assert_str_eq(err, "exec: command longer than 2046 bytes");
}
END_TEST

/* ---- file ---- */

START_TEST(test_file)
{
	assert_ok("file:/run/app/ready");
	ck_assert_int_eq(c.kind, COND_FILE);
	ck_assert_str_eq(c.path, "/run/app/ready");
	ck_assert_str_eq(c.name, "file:/run/app/ready");
	ck_assert(cond_polled(&c));
	ck_assert_ptr_null(c.argv[0]);

	assert_ok("file:ready");
	ck_assert_str_eq(c.path, "ready");
	assert_ok("file:/tmp/a b=c\td");
	ck_assert_str_eq(c.path, "/tmp/a b=c\td");
	ck_assert_str_eq(c.name, "file:/tmp/a_b_c_d");
	assert_ok("file:/tmp/\x01\x7f\xc3\xa9");
	ck_assert_str_eq(c.name, "file:/tmp/__\xc3\xa9"); /* UTF-8 stays */

	assert_bad("file:", "file: no path: expected file:PATH");
	static char s[COND_TEXT_MAX + 64];
	int n = snprintf(s, sizeof s, "file:/");
	memset(s + n, 'f', COND_TEXT_MAX - 2);
	s[n + COND_TEXT_MAX - 2] = '\0';
	assert_ok(s);
	ck_assert_uint_eq(strlen(c.path), COND_TEXT_MAX - 1);
	s[n + COND_TEXT_MAX - 2] = 'f';
	s[n + COND_TEXT_MAX - 1] = '\0';
	assert_bad(s, "file: path too long");
}
END_TEST

START_TEST(test_reparse_clears)
{
	/* a second parse leaves nothing of the first */
	assert_ok("exec:a b c");
	assert_ok("tcp:9");
	ck_assert_ptr_null(c.argv[0]);
	ck_assert_str_eq(c.path, "");
	ck_assert_str_eq(c.name, "tcp:9");
	struct cond d;
	memset(&d, 0xA5, sizeof d);
	ck_assert_int_eq(cond_parse("http:[::1]:1/x", &d, err, sizeof err), 0);
	ck_assert_int_eq(cond_parse("file:/f", &d, err, sizeof err), 0);
	ck_assert_int_eq(d.kind, COND_FILE);
	ck_assert_uint_eq(d.port, 0);
	ck_assert_int_eq(d.family, 0);
	ck_assert_str_eq(d.host, "");
	ck_assert_str_eq(d.path, "/f");
}
END_TEST

START_TEST(test_polled)
{
	static const struct {
		const char *s;
		bool polled;
	} kinds[] = {
		{ "start", false }, { "notify", false }, { "tcp:1", true },
		{ "http:1", true }, { "exec:true", true }, { "file:/x", true },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		assert_ok(kinds[i].s);
		ck_assert_msg(cond_polled(&c) == kinds[i].polled, "%s", kinds[i].s);
	}
}
END_TEST

/* ---- notify datagrams ---- */

static struct notify_msg msg;

/* cond_notify_parse on exactly len bytes of a heap copy. */
static void notify(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, len);
	memset(&msg, 0xA5, sizeof msg);
	cond_notify_parse(copy, len, &msg);
	free(copy);
}
#define NOTIFY(lit) notify((lit), sizeof(lit) - 1)

static void assert_msg(bool ready, bool stopping, const char *status, unsigned unknown, unsigned bad)
{
	ck_assert_int_eq(msg.ready, ready);
	ck_assert_int_eq(msg.stopping, stopping);
	ck_assert_int_eq(msg.has_status, status != NULL);
	ck_assert_str_eq(msg.status, status ? status : "");
	ck_assert_uint_eq(msg.unknown, unknown);
	ck_assert_uint_eq(msg.bad, bad);
}

START_TEST(test_notify_ready_stopping)
{
	NOTIFY("READY=1");
	assert_msg(true, false, NULL, 0, 0);
	NOTIFY("READY=1\n");
	assert_msg(true, false, NULL, 0, 0);
	NOTIFY("STOPPING=1\n");
	assert_msg(false, true, NULL, 0, 0);
	/* both in one datagram: the last wins */
	NOTIFY("READY=1\nSTOPPING=1\n");
	assert_msg(false, true, NULL, 0, 0);
	NOTIFY("STOPPING=1\nREADY=1");
	assert_msg(true, false, NULL, 0, 0);
	NOTIFY("READY=1\nREADY=1\n");
	assert_msg(true, false, NULL, 0, 0);
}
END_TEST

START_TEST(test_notify_not_ready)
{
	NOTIFY("READY=0\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("READY=\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("READY=10\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("READY=yes\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("ready=1\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY(" READY=1\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("READY =1\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("XREADY=1\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("STOPPING=0\n");
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("READY\n");
	assert_msg(false, false, NULL, 0, 1);
	/* a later READY=0 does not undo an earlier READY=1: it is unknown */
	NOTIFY("READY=1\nREADY=0\n");
	assert_msg(true, false, NULL, 1, 0);
}
END_TEST

START_TEST(test_notify_status)
{
	NOTIFY("STATUS=Loading 50% (cache warm-up)\n");
	assert_msg(false, false, "Loading 50% (cache warm-up)", 0, 0);
	NOTIFY("READY=1\nSTATUS=serving");
	assert_msg(true, false, "serving", 0, 0);
	NOTIFY("STATUS=\n");
	assert_msg(false, false, "", 0, 0);
	NOTIFY("STATUS=a=b\n");
	assert_msg(false, false, "a=b", 0, 0);
	NOTIFY("STATUS=first\nSTATUS=second\n");
	assert_msg(false, false, "second", 0, 0);
	NOTIFY("STATUS=long one\nSTATUS=x\n"); /* nothing of the longer one is left */
	assert_msg(false, false, "x", 0, 0);
}
END_TEST

START_TEST(test_notify_status_truncated)
{
	char buf[400], want[256];
	memcpy(buf, "STATUS=", 7);
	for (int i = 0; i < 300; i++)
		buf[7 + i] = (char)('a' + i % 26);
	buf[307] = '\n';
	memcpy(want, buf + 7, 255);
	want[255] = '\0';
	notify(buf, 308);
	assert_msg(false, false, want, 0, 0);
	ck_assert_uint_eq(strlen(msg.status), 255);
	/* exactly 255 bytes: whole; 256: cut by one */
	notify(buf, 7 + 255);
	assert_msg(false, false, want, 0, 0);
	notify(buf, 7 + 256);
	assert_msg(false, false, want, 0, 0);
	notify(buf, 7 + 254);
	want[254] = '\0';
	assert_msg(false, false, want, 0, 0);
}
END_TEST

START_TEST(test_notify_unknown_and_bad)
{
	NOTIFY("MAINPID=42\nWATCHDOG=1\nREADY=1\nERRNO=2\n");
	assert_msg(true, false, NULL, 3, 0);
	NOTIFY("garbage\n=x\nREADY=1\nno equals here\n");
	assert_msg(true, false, NULL, 0, 3);
	NOTIFY("=\n");
	assert_msg(false, false, NULL, 0, 1);
	NOTIFY("X=\n");
	assert_msg(false, false, NULL, 1, 0);
	/* FDSTORE, EXTEND_TIMEOUT_USEC, ...: never acted on */
	NOTIFY("FDSTORE=1\nEXTEND_TIMEOUT_USEC=5000000\nRELOADING=1\nMONOTONIC_USEC=1\n");
	assert_msg(false, false, NULL, 4, 0);
}
END_TEST

START_TEST(test_notify_empty_lines)
{
	NOTIFY("");
	assert_msg(false, false, NULL, 0, 0);
	NOTIFY("\n");
	assert_msg(false, false, NULL, 0, 0);
	NOTIFY("\n\n\nREADY=1\n\n\n");
	assert_msg(true, false, NULL, 0, 0);
	NOTIFY("\nSTATUS=x\n\nSTOPPING=1");
	assert_msg(false, true, "x", 0, 0);
}
END_TEST

START_TEST(test_notify_nul_bytes)
{
	/* NUL bytes are data: nothing crashes, nothing reads past len */
	NOTIFY("READY=1\n\0garbage\n");
	assert_msg(true, false, NULL, 0, 1);
	NOTIFY("READY=1\0STOPPING=1");  /* one line; READY's value is not "1" */
	assert_msg(false, false, NULL, 1, 0);
	NOTIFY("\0\0\0\0");
	assert_msg(false, false, NULL, 0, 1);
	NOTIFY("STATUS=a\0b\nREADY=1\n");
	ck_assert(msg.has_status);
	ck_assert_mem_eq(msg.status, "a\0b", 4);
	ck_assert(msg.ready);
	NOTIFY("\0=1\n");
	assert_msg(false, false, NULL, 1, 0);
	/* a huge datagram of newlines and NULs */
	size_t big = 65536;
	char *buf = malloc(big);
	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < big; i++)
		buf[i] = i % 3 == 0 ? '\n' : i % 3 == 1 ? '\0' : '=';
	notify(buf, big);
	free(buf);
	ck_assert(!msg.ready);
	/* an empty first line, then 21845 lines "\0=": a key that is a NUL */
	ck_assert_uint_eq(msg.unknown, 21845);
	ck_assert_uint_eq(msg.bad, 0);
}
END_TEST

/* ---- the tally of check results ---- */

START_TEST(test_tally_first_success_makes_ready)
{
	struct cond_tally t = { 0 };
	/* before ready, failures are only counted, whatever their number */
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(cond_tally_add(&t, false, 3), COND_SAME);
	ck_assert(!t.ready);
	ck_assert_uint_eq(t.failed, 10);
	ck_assert_int_eq(cond_tally_add(&t, true, 3), COND_NOW_READY);
	ck_assert(t.ready);
	ck_assert_uint_eq(t.failed, 0);
	ck_assert_int_eq(cond_tally_add(&t, true, 3), COND_SAME);
}
END_TEST

START_TEST(test_tally_failures_in_a_row_withdraw)
{
	struct cond_tally t = { .ready = true };
	ck_assert_int_eq(cond_tally_add(&t, false, 3), COND_SAME);
	ck_assert_int_eq(cond_tally_add(&t, false, 3), COND_SAME);
	/* a success in between starts the count again */
	ck_assert_int_eq(cond_tally_add(&t, true, 3), COND_SAME);
	ck_assert_int_eq(cond_tally_add(&t, false, 3), COND_SAME);
	ck_assert_int_eq(cond_tally_add(&t, false, 3), COND_SAME);
	ck_assert(t.ready);
	ck_assert_int_eq(cond_tally_add(&t, false, 3), COND_NOW_UNREADY);
	ck_assert(!t.ready);
	ck_assert_uint_eq(t.failed, 3);
	/* withdrawn once, not again at every failure */
	ck_assert_int_eq(cond_tally_add(&t, false, 3), COND_SAME);
	/* one success restores */
	ck_assert_int_eq(cond_tally_add(&t, true, 3), COND_NOW_READY);
	/* failures 1: the first failure withdraws */
	ck_assert_int_eq(cond_tally_add(&t, false, 1), COND_NOW_UNREADY);
}
END_TEST

START_TEST(test_tally_count_does_not_wrap)
{
	struct cond_tally t = { .ready = false, .failed = UINT_MAX };
	ck_assert_int_eq(cond_tally_add(&t, false, 3), COND_SAME);
	ck_assert_uint_eq(t.failed, UINT_MAX);
}
END_TEST

START_TEST(test_next_due)
{
	/* one period after the last start */
	ck_assert_int_eq(cond_next_due(1000, 1005, 1000), 2000);
	/* a check that took longer than the period: the next one at once */
	ck_assert_int_eq(cond_next_due(1000, 2500, 1000), 2500);
	ck_assert_int_eq(cond_next_due(1000, 2000, 1000), 2000);
}
END_TEST

/* ---- who may speak on the notify socket ---- */

/* The app runs as 1000, drainit as root (0) unless a row says otherwise. */
START_TEST(test_notify_trust_table)
{
	static const struct {
		bool creds;
		pid_t pid;
		uid_t uid;
		int descends;
		uid_t app, self;
		enum notify_trust want;
	} rows[] = {
		/* the app, alive, started under drainit */
		{ true, 7, 1000, 1, 1000, 0, NOTIFY_OK },
		/* drainit's own uid (root) and root: trusted uids */
		{ true, 7, 0, 1, 1000, 0, NOTIFY_OK },
		{ true, 7, 0, 1, 1000, 500, NOTIFY_OK },
		{ true, 7, 500, 1, 1000, 500, NOTIFY_OK },
		/* the app's uid, already exited: systemd-notify from its script */
		{ true, 7, 1000, -1, 1000, 0, NOTIFY_OK },
		/* drainit's uid, exited */
		{ true, 7, 500, -1, 1000, 500, NOTIFY_OK },
		/* root, exited, when drainit is not root: no */
		{ true, 7, 0, -1, 1000, 500, NOTIFY_GONE_UID },
		/* root drainit: an exited root sender is drainit's uid */
		{ true, 7, 0, -1, 1000, 0, NOTIFY_OK },
		/* another uid: refused alive, exited, under drainit or not */
		{ true, 7, 1001, 1, 1000, 0, NOTIFY_BAD_UID },
		{ true, 7, 1001, -1, 1000, 0, NOTIFY_BAD_UID },
		{ true, 7, 1001, 0, 1000, 0, NOTIFY_BAD_UID },
		{ true, 0, 1001, 0, 1000, 0, NOTIFY_BAD_UID },
		/* another PID namespace (pid 0), even the app's uid or root */
		{ true, 0, 1000, 0, 1000, 0, NOTIFY_OTHER_NS },
		{ true, 0, 0, 0, 1000, 0, NOTIFY_OTHER_NS },
		/* alive, not under drainit: docker exec, as root or as the app */
		{ true, 9, 0, 0, 1000, 0, NOTIFY_OUTSIDE },
		{ true, 9, 1000, 0, 1000, 0, NOTIFY_OUTSIDE },
		/* no credentials at all */
		{ false, 7, 1000, 1, 1000, 0, NOTIFY_NO_CREDS },
		/* app and drainit the same user */
		{ true, 7, 1000, -1, 1000, 1000, NOTIFY_OK },
		{ true, 7, 1001, 1, 1000, 1000, NOTIFY_BAD_UID },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct notify_sender s = { rows[i].creds, rows[i].pid, rows[i].uid, rows[i].descends };
		ck_assert_msg(cond_notify_trust(&s, rows[i].app, rows[i].self) == rows[i].want,
			      "row %zu: got %d, want %d", i, (int)cond_notify_trust(&s, rows[i].app, rows[i].self),
			      (int)rows[i].want);
	}
}
END_TEST

START_TEST(test_notify_uid_ok)
{
	ck_assert(cond_notify_uid_ok(1000, 1000, 500));
	ck_assert(cond_notify_uid_ok(500, 1000, 500));
	ck_assert(cond_notify_uid_ok(0, 1000, 500));
	ck_assert(!cond_notify_uid_ok(1001, 1000, 500));
	ck_assert(!cond_notify_uid_ok(65534, 1000, 0));
}
END_TEST

START_TEST(test_notify_refusal_words)
{
	ck_assert_str_eq(cond_notify_refusal(NOTIFY_BAD_UID), "its uid is neither the app's, drainit's nor root's");
	ck_assert_str_eq(cond_notify_refusal(NOTIFY_OTHER_NS), "sent from another PID namespace");
	ck_assert_str_eq(cond_notify_refusal(NOTIFY_OUTSIDE), "not a process started under drainit");
	ck_assert_str_eq(cond_notify_refusal(NOTIFY_GONE_UID),
			 "its sender has exited and its uid is neither the app's nor drainit's");
	ck_assert_str_eq(cond_notify_refusal(NOTIFY_NO_CREDS), "no sender credentials");
}
END_TEST

/* ---- refusals logged at most once a second ---- */

START_TEST(test_refusals_once_a_second)
{
	struct cond_refusals r = { 0, -1 };

	/* the first is told at once */
	ck_assert(cond_refusal_add(&r, 5000));
	ck_assert_uint_eq(r.untold, 0);
	/* within the second: counted */
	for (int i = 0; i < 1000; i++)
		ck_assert(!cond_refusal_add(&r, 5000 + i % 1000));
	ck_assert_uint_eq(r.untold, 1000);
	/* nothing to flush before the second has passed, unless forced */
	ck_assert_uint_eq(cond_refusal_flush(&r, 5999, false), 0);
	ck_assert_uint_eq(r.untold, 1000);
	/* a second on: the count, once */
	ck_assert_uint_eq(cond_refusal_flush(&r, 6000, false), 1000);
	ck_assert_uint_eq(cond_refusal_flush(&r, 6000, false), 0);
	/* the flush was a line: the next refusal within its second is counted */
	ck_assert(!cond_refusal_add(&r, 6500));
	ck_assert_uint_eq(cond_refusal_flush(&r, 6600, false), 0);
	/* at the end, forced */
	ck_assert_uint_eq(cond_refusal_flush(&r, 6600, true), 1);
	ck_assert_uint_eq(cond_refusal_flush(&r, 6600, true), 0);
	/* nothing untold, a second after the last line: told at once */
	ck_assert(cond_refusal_add(&r, 7600));
	ck_assert_uint_eq(r.untold, 0);
	/* as the notify socket does: flush, then add */
	ck_assert(!cond_refusal_add(&r, 7700));
	ck_assert_uint_eq(cond_refusal_flush(&r, 8600, false), 1);
	ck_assert(!cond_refusal_add(&r, 8600)); /* counted: a line just went out */
	ck_assert_uint_eq(r.untold, 1);
}
END_TEST

START_TEST(test_refusals_count_does_not_wrap)
{
	struct cond_refusals r = { UINT_MAX - 1, 0 };
	ck_assert(!cond_refusal_add(&r, 10));
	ck_assert(!cond_refusal_add(&r, 20));
	ck_assert_uint_eq(r.untold, UINT_MAX);
}
END_TEST

/* ---- the end of an HTTP answer's head ---- */

static bool head_in_pieces(const char *s, size_t piece)
{
	unsigned m = 0;
	bool done = false;
	for (size_t i = 0, n = strlen(s); i < n; i += piece)
		done = cond_http_head_end(&m, s + i, n - i < piece ? n - i : piece);
	return done;
}

START_TEST(test_http_head_end)
{
	static const struct {
		const char *s;
		bool done;
	} rows[] = {
		{ "HTTP/1.1 200 OK\r\n\r\n", true },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true },
		{ "HTTP/1.1 200 OK\n\n", true },
		{ "HTTP/1.1 200 OK\nA: b\n\nbody", true },
		{ "HTTP/1.1 200 OK\r\n", false },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", false },
		{ "HTTP/1.1 200 OK\r\nX: \r\r\n", false },
		{ "HTTP/1.1 200 OK\r\nX: y\r\n\r", false },
		{ "", false },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		for (size_t piece = 1; piece <= 64; piece++)
			ck_assert_msg(head_in_pieces(rows[i].s, piece) == rows[i].done, "row %zu in pieces of %zu",
				      i, piece);
	/* once seen, it stays seen */
	unsigned m = 0;
	ck_assert(cond_http_head_end(&m, "HTTP/1.1 200 OK\r\n\r\n", 19));
	ck_assert(cond_http_head_end(&m, "xxxx", 4));
	ck_assert(cond_http_head_end(&m, "", 0));
}
END_TEST

/* The address a check connects to, and --ready-http binds, from a parsed
 * [HOST:]PORT. */
START_TEST(test_sockaddr)
{
	struct hostport hp;
	struct sockaddr_storage sa;
	char err[256], text[64];

	const char *v4 = "10.1.2.3:8080", *v6 = "[fe80::1:2]:443";
	ck_assert_int_eq(cond_hostport(v4, v4 + strlen(v4), false, &hp, err, sizeof err), 0);
	ck_assert_uint_eq(cond_sockaddr(hp.family, hp.addr, hp.port, &sa), sizeof(struct sockaddr_in));
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&sa;
	ck_assert_int_eq(a4->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(a4->sin_port), 8080);
	ck_assert_str_eq(inet_ntop(AF_INET, &a4->sin_addr, text, sizeof text), "10.1.2.3");

	ck_assert_int_eq(cond_hostport(v6, v6 + strlen(v6), false, &hp, err, sizeof err), 0);
	ck_assert_uint_eq(cond_sockaddr(hp.family, hp.addr, hp.port, &sa), sizeof(struct sockaddr_in6));
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&sa;
	ck_assert_int_eq(a6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(a6->sin6_port), 443);
	ck_assert_str_eq(inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text), "fe80::1:2");
}
END_TEST

Suite *cond_suite(void)
{
	Suite *s = suite_create("cond");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_start_notify);
	tcase_add_test(tc, test_sockaddr);
	tcase_add_test(tc, test_unknown_kind);
	tcase_add_test(tc, test_error_buffer_truncated);
	tcase_add_test(tc, test_tcp_port_only);
	tcase_add_test(tc, test_tcp_hosts);
	tcase_add_test(tc, test_tcp_ipv6);
	tcase_add_test(tc, test_tcp_bare_ipv6);
	tcase_add_test(tc, test_tcp_bad_ports);
	tcase_add_test(tc, test_tcp_bad_hosts);
	tcase_add_test(tc, test_bad_host_names_the_host);
	tcase_add_test(tc, test_http_forms);
	tcase_add_test(tc, test_names_and_tls_refused);
	tcase_add_test(tc, test_http_errors);
	tcase_add_test(tc, test_exec_words);
	tcase_add_test(tc, test_exec_quotes);
	tcase_add_test(tc, test_exec_errors);
	tcase_add_test(tc, test_exec_word_count);
	tcase_add_test(tc, test_exec_length);
	tcase_add_test(tc, test_exec_empty_words_at_the_limit);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_reparse_clears);
	tcase_add_test(tc, test_polled);
	suite_add_tcase(s, tc);

	tc = tcase_create("http");
	tcase_add_test(tc, test_http_request);
	tcase_add_test(tc, test_http_status_complete);
	tcase_add_test(tc, test_http_status_partial);
	tcase_add_test(tc, test_http_status_short_line);
	tcase_add_test(tc, test_http_status_garbage);
	suite_add_tcase(s, tc);

	tc = tcase_create("notify");
	tcase_add_test(tc, test_notify_ready_stopping);
	tcase_add_test(tc, test_notify_not_ready);
	tcase_add_test(tc, test_notify_status);
	tcase_add_test(tc, test_notify_status_truncated);
	tcase_add_test(tc, test_notify_unknown_and_bad);
	tcase_add_test(tc, test_notify_empty_lines);
	tcase_add_test(tc, test_notify_nul_bytes);
	tcase_add_test(tc, test_tally_first_success_makes_ready);
	tcase_add_test(tc, test_tally_failures_in_a_row_withdraw);
	tcase_add_test(tc, test_tally_count_does_not_wrap);
	tcase_add_test(tc, test_next_due);
	tcase_add_test(tc, test_notify_trust_table);
	tcase_add_test(tc, test_notify_uid_ok);
	tcase_add_test(tc, test_notify_refusal_words);
	tcase_add_test(tc, test_refusals_once_a_second);
	tcase_add_test(tc, test_refusals_count_does_not_wrap);
	tcase_add_test(tc, test_http_head_end);
	suite_add_tcase(s, tc);
	return s;
}
