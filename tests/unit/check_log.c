#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "suites.h"

/* ---- JSON escaping ---- */

static const struct {
	const char *in, *out;
} escapes[] = {
	{ "", "" },
	{ "plain text 123", "plain text 123" },
	{ "say \"hi\"", "say \\\"hi\\\"" },
	{ "C:\\dir", "C:\\\\dir" },
	{ "a\nb", "a\\nb" },
	{ "a\tb", "a\\tb" },
	{ "a\rb", "a\\rb" },
	{ "caf\xe9!", "caf\\ufffd!" },           /* a stray byte: JSON must stay UTF-8 */
	{ "\xc3", "\\ufffd" },                  /* a cut sequence */
	{ "\xc0\xaf", "\\ufffd\\ufffd" },       /* an overlong form */
	{ "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd" }, /* a surrogate */
	{ "\x01\x1f", "\\u0001\\u001f" },
	{ "\x1b[31m", "\\u001b[31m" },
	{ "del\x7f", "del\\u007f" },
	{ "caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93" }, /* UTF-8 passes through */
	{ "/path/with/slashes", "/path/with/slashes" },
	{ " ~}", " ~}" },
};

START_TEST(test_json_escape)
{
	char out[128];
	memset(out, 'X', sizeof out);
	size_t n = log_json_escape(escapes[_i].in, out, sizeof out);
	ck_assert_str_eq(out, escapes[_i].out);
	ck_assert_uint_eq(n, strlen(escapes[_i].out));
}
END_TEST

START_TEST(test_json_escape_truncates_whole_escapes)
{
	char out[16];
	size_t n;

	memset(out, 'X', sizeof out);
	n = log_json_escape("abcdef", out, 4);
	ck_assert_str_eq(out, "abc");
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(out[4], 'X');

	/* an escape that does not fit is left out entirely */
	n = log_json_escape("ab\"c", out, 4);
	ck_assert_str_eq(out, "ab");
	ck_assert_uint_eq(n, 2);
	n = log_json_escape("ab\"c", out, 5);
	ck_assert_str_eq(out, "ab\\\"");
	ck_assert_uint_eq(n, 4);
	n = log_json_escape("a\x01", out, 7);
	ck_assert_str_eq(out, "a");
	n = log_json_escape("a\x01", out, 8);
	ck_assert_str_eq(out, "a\\u0001");
	/* never ends on a lone backslash */
	for (size_t len = 1; len < 12; len++) {
		n = log_json_escape("\\\\\\\\\\\\", out, len);
		ck_assert_uint_eq(n % 2, 0);
		ck_assert_uint_lt(n, len);
		ck_assert_uint_eq(strlen(out), n);
	}
	/* room for nothing but the terminator */
	out[0] = 'X';
	ck_assert_uint_eq(log_json_escape("abc", out, 1), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_json_escape_zero_length)
{
	char out[4] = "XYZ";
	ck_assert_uint_eq(log_json_escape("abc", out, 0), 0);
	ck_assert_str_eq(out, "XYZ"); /* not even a terminator */
}
END_TEST

/* ---- timestamps ---- */

static const struct {
	long long ms;
	const char *out;
} stamps[] = {
	{ 0, "1970-01-01T00:00:00.000Z" },
	{ 1, "1970-01-01T00:00:00.001Z" },
	{ 999, "1970-01-01T00:00:00.999Z" },
	{ 1000, "1970-01-01T00:00:01.000Z" },
	{ 1764420505123LL, "2025-11-29T12:48:25.123Z" },
	{ 951782400999LL, "2000-02-29T00:00:00.999Z" },   /* leap day */
	{ 951868799000LL, "2000-02-29T23:59:59.000Z" },
	{ 1767225599999LL, "2025-12-31T23:59:59.999Z" },
	{ 2147483648000LL, "2038-01-19T03:14:08.000Z" },  /* past 32-bit time_t */
	{ 4102444800000LL, "2100-01-01T00:00:00.000Z" },
	{ 1704067200050LL, "2024-01-01T00:00:00.050Z" },
};

START_TEST(test_timestamp)
{
	char buf[40];
	memset(buf, 'X', sizeof buf);
	log_timestamp(stamps[_i].ms, buf, sizeof buf);
	ck_assert_str_eq(buf, stamps[_i].out);
}
END_TEST

/* The calendar arithmetic against glibc's gmtime_r, from 1900 to 2400,
 * every 9 days and 3,599,999 ms (so hours, minutes and milliseconds move),
 * before the epoch too. */
START_TEST(test_timestamp_matches_gmtime)
{
	const long long step = 9LL * 86400000 + 3599999;
	int n = 0;
	for (long long ms = -2208988800000LL; ms < 13569465600000LL; ms += step, n++) {
		char got[40], want[96];
		long long secs = ms / 1000 - (ms % 1000 < 0);
		time_t t = (time_t)secs;
		struct tm tm;
		ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
		snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ms - secs * 1000);
		log_timestamp(ms, got, sizeof got);
		ck_assert_str_eq(got, want);
	}
	ck_assert_int_gt(n, 20000);
}
END_TEST

START_TEST(test_timestamp_truncates)
{
	char buf[16];
	memset(buf, 'X', sizeof buf);
	log_timestamp(1764420505123LL, buf, 11);
	ck_assert_str_eq(buf, "2025-11-29");
	ck_assert_int_eq(buf[11], 'X');
}
END_TEST

/* ---- log_event into a pipe ---- */

static int fds[2] = { -1, -1 };

static void open_pipe(void)
{
	ck_assert_int_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void close_pipe(void)
{
	close(fds[0]);
	close(fds[1]);
	fds[0] = fds[1] = -1;
}

/* Everything written so far. */
static const char *drain(void)
{
	static char buf[65536];
	size_t o = 0;
	ssize_t n;
	while (o < sizeof buf - 1 && (n = read(fds[0], buf + o, sizeof buf - 1 - o)) > 0)
		o += (size_t)n;
	buf[o] = '\0';
	return buf;
}

static void now_stamp(char *buf, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	log_timestamp((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, buf, len);
}

static void assert_matches(const char *text, const char *pattern)
{
	regex_t re;
	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	int r = regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	ck_assert_msg(r == 0, "\"%s\" does not match /%s/", text, pattern);
}

#define TS "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"

START_TEST(test_init)
{
	struct log l;
	memset(&l, 0xff, sizeof l);
	log_init(&l, V_WARN, LOG_JSON, 7);
	ck_assert_int_eq(l.verbosity, V_WARN);
	ck_assert_int_eq(l.format, LOG_JSON);
	ck_assert_int_eq(l.fd, 7);
}
END_TEST

START_TEST(test_text_shape)
{
	struct log l;
	char before[40], after[40];
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	now_stamp(before, sizeof before);
	log_event(&l, V_INFO, "signal", "SIGTERM from pid %d", 7);
	now_stamp(after, sizeof after);
	const char *out = drain();
	assert_matches(out, "^" TS " drainit: info: signal: SIGTERM from pid 7\n$");
	/* the time is now, in UTC */
	char ts[25];
	memcpy(ts, out, 24);
	ts[24] = '\0';
	ck_assert_msg(strcmp(before, ts) <= 0 && strcmp(ts, after) <= 0, "%s not in [%s, %s]", ts,
		      before, after);
}
END_TEST

START_TEST(test_text_levels)
{
	struct log l;
	log_init(&l, V_DEBUG, LOG_TEXT, fds[1]);
	log_event(&l, V_ERROR, "e", "one");
	log_event(&l, V_WARN, "w", "two");
	log_event(&l, V_INFO, "i", "three");
	log_event(&l, V_DEBUG, "d", "four");
	assert_matches(drain(), "^" TS " drainit: error: e: one\n"
				TS " drainit: warning: w: two\n"
				TS " drainit: info: i: three\n"
				TS " drainit: debug: d: four\n$");
}
END_TEST

START_TEST(test_text_not_escaped)
{
	/* text keeps the message as it is */
	struct log l;
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	log_event(&l, V_INFO, "x", "say \"%s\" \\ ok", "hi");
	assert_matches(drain(), "^" TS " drainit: info: x: say \"hi\" \\\\ ok\n$");
}
END_TEST

START_TEST(test_json_shape)
{
	struct log l;
	char before[40], after[40];
	log_init(&l, V_INFO, LOG_JSON, fds[1]);
	now_stamp(before, sizeof before);
	log_event(&l, V_WARN, "kill", "SIGKILL sent to %u processes", 3u);
	now_stamp(after, sizeof after);
	const char *out = drain();
	assert_matches(out, "^\\{\"time\":\"" TS "\",\"level\":\"warning\",\"event\":\"kill\","
			    "\"msg\":\"SIGKILL sent to 3 processes\"\\}\n$");
	char ts[25];
	memcpy(ts, out + strlen("{\"time\":\""), 24);
	ts[24] = '\0';
	ck_assert_msg(strcmp(before, ts) <= 0 && strcmp(ts, after) <= 0, "%s not in [%s, %s]", ts,
		      before, after);
}
END_TEST

START_TEST(test_json_escapes_message)
{
	struct log l;
	log_init(&l, V_DEBUG, LOG_JSON, fds[1]);
	log_event(&l, V_ERROR, "exec", "cannot run \"%s\":\n\t%s", "a\\b", "gone");
	log_event(&l, V_DEBUG, "state", "x");
	const char *out = drain();
	assert_matches(out, "^\\{\"time\":\"" TS "\",\"level\":\"error\",\"event\":\"exec\","
			    "\"msg\":\"cannot run \\\\\"a\\\\\\\\b\\\\\":\\\\n\\\\tgone\"\\}\n"
			    "\\{\"time\":\"" TS "\",\"level\":\"debug\",\"event\":\"state\",\"msg\":\"x\"\\}\n$");
}
END_TEST

START_TEST(test_json_facts_as_fields)
{
	struct log l;
	log_init(&l, V_INFO, LOG_JSON, fds[1]);
	l.phase = "draining";
	struct log_facts f = { .set = LF_PID | LF_FROM_PID | LF_FROM_UID | LF_EXIT_CODE, .pid = 2,
			       .from_pid = 0, .from_uid = 1000, .exit_code = 143, .comm = "a\"b",
			       .signal = "SIGTERM" };
	log_facts(&l, &f, V_INFO, "exit", "app pid %d", 2);
	/* numbers set to 0 are there; numbers not set are not */
	log_facts(&l, &(struct log_facts){ .set = LF_COUNT | LF_TOTAL_MS, .count = 0,
		  .total_ms = 1500, .delay_ms = 7 }, V_INFO, "summary", "x");
	log_event(&l, V_INFO, "plain", "y");
	l.phase = NULL;
	log_facts(&l, NULL, V_INFO, "none", "z");
	assert_matches(drain(),
		"^\\{\"time\":\"" TS "\",\"level\":\"info\",\"event\":\"exit\",\"msg\":\"app pid 2\","
		"\"phase\":\"draining\",\"pid\":2,\"from_pid\":0,\"from_uid\":1000,\"exit_code\":143,"
		"\"comm\":\"a\\\\\"b\",\"signal\":\"SIGTERM\"\\}\n"
		"\\{\"time\":\"" TS "\",\"level\":\"info\",\"event\":\"summary\",\"msg\":\"x\","
		"\"phase\":\"draining\",\"count\":0,\"total_ms\":1500\\}\n"
		"\\{\"time\":\"" TS "\",\"level\":\"info\",\"event\":\"plain\",\"msg\":\"y\","
		"\"phase\":\"draining\"\\}\n"
		"\\{\"time\":\"" TS "\",\"level\":\"info\",\"event\":\"none\",\"msg\":\"z\"\\}\n$");
}
END_TEST

START_TEST(test_text_leaves_facts_to_the_message)
{
	struct log l;
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	l.phase = "running";
	log_facts(&l, &(struct log_facts){ .set = LF_PID, .pid = 9, .signal = "SIGHUP" }, V_INFO,
		  "signal", "SIGHUP to pid 9");
	log_facts(&l, &(struct log_facts){ .set = LF_PID, .pid = 9 }, V_DEBUG, "signal", "hidden");
	assert_matches(drain(), "^" TS " drainit: info: signal: SIGHUP to pid 9\n$");
}
END_TEST

START_TEST(test_level_filtering)
{
	struct log l;
	log_init(&l, V_WARN, LOG_TEXT, fds[1]);
	log_event(&l, V_INFO, "i", "dropped");
	log_event(&l, V_DEBUG, "d", "dropped");
	ck_assert_str_eq(drain(), "");
	log_event(&l, V_WARN, "w", "kept");
	log_event(&l, V_ERROR, "e", "kept");
	assert_matches(drain(), "^" TS " drainit: warning: w: kept\n" TS " drainit: error: e: kept\n$");

	/* -q: errors only */
	log_init(&l, V_ERROR, LOG_JSON, fds[1]);
	log_event(&l, V_WARN, "w", "dropped");
	log_event(&l, V_INFO, "i", "dropped");
	ck_assert_str_eq(drain(), "");
	log_event(&l, V_ERROR, "e", "kept");
	assert_matches(drain(), "\"level\":\"error\",\"event\":\"e\",\"msg\":\"kept\"");

	/* default: info and up */
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	log_event(&l, V_DEBUG, "d", "dropped");
	ck_assert_str_eq(drain(), "");
	log_event(&l, V_INFO, "i", "kept");
	assert_matches(drain(), "^" TS " drainit: info: i: kept\n$");
}
END_TEST

START_TEST(test_errno_preserved)
{
	struct log l;
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	errno = ENOSPC;
	log_event(&l, V_INFO, "x", "written");
	ck_assert_int_eq(errno, ENOSPC);
	/* also when filtered out */
	errno = EINTR;
	log_event(&l, V_DEBUG, "x", "dropped");
	ck_assert_int_eq(errno, EINTR);
	/* also when the write fails: a closed stderr */
	log_init(&l, V_INFO, LOG_TEXT, -1);
	errno = ECHILD;
	log_event(&l, V_ERROR, "x", "lost");
	ck_assert_int_eq(errno, ECHILD);
	log_init(&l, V_INFO, LOG_JSON, -1);
	errno = ESRCH;
	log_event(&l, V_ERROR, "x", "lost");
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

START_TEST(test_percent_m)
{
	/* %m reads errno as it was when log_event was called */
	struct log l;
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	errno = ENOENT;
	log_event(&l, V_INFO, "exec", "cannot run: %m");
	ck_assert_int_eq(errno, ENOENT);
	assert_matches(drain(), "^" TS " drainit: info: exec: cannot run: No such file or directory\n$");
}
END_TEST

START_TEST(test_full_pipe_does_not_block)
{
	/* a stderr nobody reads (EAGAIN) is given up on, not spun on */
	struct log l;
	char junk[4096];
	memset(junk, 'j', sizeof junk);
	while (write(fds[1], junk, sizeof junk) > 0)
		;
	while (write(fds[1], junk, 1) > 0)
		;
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	errno = E2BIG;
	log_event(&l, V_ERROR, "x", "lost");
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

START_TEST(test_long_message_is_one_line)
{
	struct log l;
	static char big[5000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	const char *out;

	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	log_event(&l, V_INFO, "x", "%s", big);
	out = drain();
	ck_assert_uint_eq(count_char(out, '\n'), 1);
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
	assert_matches(out, "^" TS " drainit: info: x: a{1000,}\n$");

	/* the same in JSON, with every character escaped: still one line, and
	 * still valid (the string is closed) */
	memset(big, '"', sizeof big - 1);
	log_init(&l, V_INFO, LOG_JSON, fds[1]);
	log_event(&l, V_INFO, "x", "%s", big);
	out = drain();
	ck_assert_uint_eq(count_char(out, '\n'), 1);
	assert_matches(out, "^\\{\"time\":\"" TS "\",\"level\":\"info\",\"event\":\"x\",\"msg\":\"(\\\\\"){500,}\"\\}\n$");
}
END_TEST

START_TEST(test_text_escape)
{
	/* an argument holding a newline must not forge a second log line */
	char out[128];
	log_text_escape("two\nlines\x01 caf\xe9 \"q\" \\", out, sizeof out);
	ck_assert_str_eq(out, "two\\nlines\\x01 caf\xe9 \"q\" \\");
	struct log l;
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	log_event(&l, V_INFO, "start", "argv: %s", "a\nb\rc");
	const char *got = drain();
	ck_assert_uint_eq(count_char(got, '\n'), 1);
	assert_matches(got, "^" TS " drainit: info: start: argv: a\\\\nb\\\\rc\n$");
}
END_TEST

START_TEST(test_overlong_line_is_cut_with_newline)
{
	/* even a line longer than the buffer ends in one newline */
	struct log l;
	static char event[8000];
	memset(event, 'e', sizeof event - 1);
	event[sizeof event - 1] = '\0';
	log_init(&l, V_INFO, LOG_TEXT, fds[1]);
	log_event(&l, V_INFO, event, "message");
	const char *out = drain();
	ck_assert_uint_eq(count_char(out, '\n'), 1);
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
	ck_assert_uint_ge(strlen(out), 2000);
	assert_matches(out, "^" TS " drainit: info: e+\n$");
}
END_TEST

Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("pure");
	tcase_add_loop_test(tc, test_json_escape, 0, sizeof escapes / sizeof escapes[0]);
	tcase_add_test(tc, test_json_escape_truncates_whole_escapes);
	tcase_add_test(tc, test_json_escape_zero_length);
	tcase_add_loop_test(tc, test_timestamp, 0, sizeof stamps / sizeof stamps[0]);
	tcase_add_test(tc, test_timestamp_truncates);
	tcase_add_test(tc, test_timestamp_matches_gmtime);
	tcase_add_test(tc, test_init);
	suite_add_tcase(s, tc);

	tc = tcase_create("event");
	tcase_add_checked_fixture(tc, open_pipe, close_pipe);
	tcase_add_test(tc, test_text_shape);
	tcase_add_test(tc, test_text_levels);
	tcase_add_test(tc, test_text_not_escaped);
	tcase_add_test(tc, test_json_shape);
	tcase_add_test(tc, test_json_escapes_message);
	tcase_add_test(tc, test_level_filtering);
	tcase_add_test(tc, test_json_facts_as_fields);
	tcase_add_test(tc, test_text_leaves_facts_to_the_message);
	tcase_add_test(tc, test_errno_preserved);
	tcase_add_test(tc, test_percent_m);
	tcase_add_test(tc, test_full_pipe_does_not_block);
	tcase_add_test(tc, test_long_message_is_one_line);
	tcase_add_test(tc, test_overlong_line_is_cut_with_newline);
	tcase_add_test(tc, test_text_escape);
	suite_add_tcase(s, tc);
	return s;
}
