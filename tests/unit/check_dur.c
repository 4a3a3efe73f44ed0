#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dur.h"
#include "suites.h"

static const struct {
	const char *in;
	int64_t ms;
} good[] = {
	{ "500ms", 500 },
	{ "15s", 15000 },
	{ "1.5s", 1500 },
	{ "2m", 120000 },
	{ "1h", 3600000 },
	{ "10", 10000 },          /* plain seconds */
	{ "0", 0 },
	{ "0s", 0 },
	{ "0ms", 0 },
	{ "1.25", 1250 },         /* plain seconds with decimals */
	{ ".5s", 500 },
	{ "0.001s", 1 },          /* exactly one millisecond */
	{ "1.5m", 90000 },
	{ "0.0001h", 360 },       /* 4 decimals, still whole milliseconds */
	{ "1.500000000s", 1500 }, /* 9 decimals, all zeros */
	{ "007s", 7000 },
	{ "8760h", DUR_MAX_MS },  /* the longest accepted */
	{ "31536000000ms", DUR_MAX_MS },
	/* compounds, as Go and Kubernetes write them: from hours down, each unit once */
	{ "1m30s", 90000 },
	{ "1h2m3s", 3723000 },
	{ "1h2m3s4ms", 3723004 },
	{ "2m0.5s", 120500 },
	{ "1h30m", 5400000 },
	{ "1s500ms", 1500 },
	{ "1h500ms", 3600500 },   /* units may be skipped */
	{ "1m.5s", 60500 },
	{ "1.5h30m", 7200000 },   /* decimals in any part */
	{ "0.5m0.25s", 30250 },
	{ "0h0m0s0ms", 0 },
	{ "01m05s", 65000 },
	{ "90m", 5400000 },       /* a part may exceed the next unit up */
	{ "8759h60m", DUR_MAX_MS },
	{ "8759h59m59s1000ms", DUR_MAX_MS },
};

START_TEST(test_parse_good)
{
	int64_t ms = -42;
	char err[128] = "untouched";
	ck_assert_msg(dur_parse(good[_i].in, &ms, err, sizeof err) == 0,
		      "dur_parse(\"%s\") failed: %s", good[_i].in, err);
	ck_assert_msg(ms == good[_i].ms, "dur_parse(\"%s\") = %lld, want %lld", good[_i].in,
		      (long long)ms, (long long)good[_i].ms);
}
END_TEST

static const struct {
	const char *in;
	const char *why; /* a piece of the reason */
} bad[] = {
	{ "5x", "unknown unit" },
	{ "-1s", "negative" },
	{ "", "expected a number" },
	{ "s", "expected a number" },
	{ ".s", "expected a number" },
	{ "1.0005s", "finer than a millisecond" },
	{ "1.5ms", "finer than a millisecond" },
	{ "99999999999999999999s", "too large" },
	{ "9000h", "too large" },
	{ "8761h", "too large" },
	{ "8760.5h", "too large" },
	{ "31536000001ms", "too large" },
	{ "525601m", "too large" },
	{ "1.5.5s", "unknown unit" },
	{ "1.1234567891s", "too many decimals" },
	{ "15 s", "unknown unit" },
	{ " 15s", "expected a number" },
	{ "15sec", "unknown unit" },
	{ "15S", "unknown unit" },
	{ "1e3", "unknown unit" },
	{ "+5s", "expected a number" },
	/* compounds */
	{ "1m30x", "unknown unit 'x' (use ms, s, m or h, or a compound such as 1m30s)" },
	{ "1m30sec", "unknown unit 'sec'" },
	{ "1M30s", "unknown unit 'M'" },
	{ "1m 30s", "unknown unit 'm '" },
	{ "1m30s.", "expected a number" },
	{ "30s1m", "'m' after 's': units must go from hours down" },
	{ "1s1h", "'h' after 's'" },
	{ "500ms1s", "'s' after 'ms'" },
	{ "1m1m", "unit 'm' is repeated" },
	{ "1h2m3s3s", "unit 's' is repeated" },
	{ "1m30", "the number after 1m has no unit, such as s in 1m30s" },
	{ "1h30", "the number after 1h has no unit, such as m in 1h30m" },
	{ "1s500", "the number after 1s has no unit, such as ms in 1s500ms" },
	{ "1ms5", "the number after 1ms has no unit, and no unit may follow ms" },
	{ "2m0.5", "the number after 2m has no unit" },
	{ "1m.s", "expected a number" },
	{ "1m-30s", "unknown unit 'm-'" },
	{ "1s0.5ms", "finer than a millisecond" },
	{ "1m0.0001s", "finer than a millisecond" },
	{ "8760h1ms", "too large" },
	{ "8000h761h", "unit 'h' is repeated" },
	{ "8759h61m", "too large" },
	{ "1h99999999999999999999s", "too large" },
	{ "1m1.1234567891s", "too many decimals" },
};

START_TEST(test_parse_bad)
{
	int64_t ms = -42;
	char err[256] = "";
	char quoted[64];
	ck_assert_msg(dur_parse(bad[_i].in, &ms, err, sizeof err) == -1,
		      "dur_parse(\"%s\") accepted it as %lld ms", bad[_i].in, (long long)ms);
	ck_assert_msg(ms == -42, "dur_parse(\"%s\") wrote %lld on failure", bad[_i].in,
		      (long long)ms);
	/* the message names the input, quoted, and says why */
	snprintf(quoted, sizeof quoted, "'%s'", bad[_i].in);
	ck_assert_msg(strstr(err, quoted) != NULL, "error for \"%s\" does not name it: %s",
		      bad[_i].in, err);
	ck_assert_msg(strstr(err, bad[_i].why) != NULL, "error for \"%s\" lacks \"%s\": %s",
		      bad[_i].in, bad[_i].why, err);
}
END_TEST

START_TEST(test_parse_error_text)
{
	int64_t ms;
	char err[256];
	ck_assert_int_eq(dur_parse("5x", &ms, err, sizeof err), -1);
	ck_assert_str_eq(err, "bad duration '5x': unknown unit 'x' (use ms, s, m or h, "
			 "or a compound such as 1m30s)");
	/* each way a compound goes wrong, in full */
	ck_assert_int_eq(dur_parse("1m30x", &ms, err, sizeof err), -1);
	ck_assert_str_eq(err, "bad duration '1m30x': unknown unit 'x' (use ms, s, m or h, "
			 "or a compound such as 1m30s)");
	ck_assert_int_eq(dur_parse("30s1m", &ms, err, sizeof err), -1);
	ck_assert_str_eq(err, "bad duration '30s1m': 'm' after 's': units must go from hours down, "
			 "as in 1h2m3s");
	ck_assert_int_eq(dur_parse("1m1m", &ms, err, sizeof err), -1);
	ck_assert_str_eq(err, "bad duration '1m1m': unit 'm' is repeated: each unit at most once, "
			 "as in 1h2m3s");
	ck_assert_int_eq(dur_parse("1m30", &ms, err, sizeof err), -1);
	ck_assert_str_eq(err, "bad duration '1m30': the number after 1m has no unit, such as s in 1m30s");
}
END_TEST

START_TEST(test_parse_error_truncated)
{
	/* a short error buffer is cut, never overrun */
	int64_t ms;
	char err[12];
	memset(err, 'X', sizeof err);
	ck_assert_int_eq(dur_parse("5x", &ms, err, 8), -1);
	ck_assert_str_eq(err, "bad dur");
	ck_assert_int_eq(err[8], 'X');
}
END_TEST

/* format(parse(s)) gives s back for the shortest forms */
static const char *const round_trip[] = {
	"0s", "250ms", "1ms", "999ms", "1.5s", "1.05s", "1.001s", "25s", "2m", "1h", "90s",
	"61.5s", "36h", "8760h", "59m", "3601s",
};

START_TEST(test_format_round_trip)
{
	int64_t ms;
	char err[128], buf[32];
	ck_assert_msg(dur_parse(round_trip[_i], &ms, err, sizeof err) == 0, "%s", err);
	dur_format(ms, buf, sizeof buf);
	ck_assert_str_eq(buf, round_trip[_i]);
}
END_TEST

static const struct {
	int64_t ms;
	const char *out;
} formats[] = {
	{ 0, "0s" },
	{ 250, "250ms" },
	{ 1500, "1.5s" },
	{ 1050, "1.05s" },
	{ 1001, "1.001s" },
	{ 1000, "1s" },
	{ 25000, "25s" },
	{ 60000, "1m" },
	{ 120000, "2m" },
	{ 90000, "90s" },
	{ 3600000, "1h" },
	{ 5400000, "90m" },
	{ 3660000, "61m" },
	{ 3601000, "3601s" },
	{ 2000, "2s" },
};

START_TEST(test_format)
{
	char buf[32];
	memset(buf, 'X', sizeof buf);
	dur_format(formats[_i].ms, buf, sizeof buf);
	ck_assert_str_eq(buf, formats[_i].out);
}
END_TEST

START_TEST(test_format_parses_back)
{
	/* every millisecond count comes back from its formatted text */
	static const int64_t v[] = { 1, 10, 100, 999, 1000, 1001, 1010, 1100, 59999, 60000,
				     60001, 3599999, 3600000, 3600001, 86400000, DUR_MAX_MS };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char buf[32], err[128];
		int64_t back = -1;
		dur_format(v[i], buf, sizeof buf);
		ck_assert_msg(dur_parse(buf, &back, err, sizeof err) == 0, "%s", err);
		ck_assert_msg(back == v[i], "%lld -> \"%s\" -> %lld", (long long)v[i], buf,
			      (long long)back);
	}
}
END_TEST

Suite *dur_suite(void)
{
	Suite *s = suite_create("dur");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_good, 0, sizeof good / sizeof good[0]);
	tcase_add_loop_test(tc, test_parse_bad, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, test_parse_error_text);
	tcase_add_test(tc, test_parse_error_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, test_format, 0, sizeof formats / sizeof formats[0]);
	tcase_add_loop_test(tc, test_format_round_trip, 0, sizeof round_trip / sizeof round_trip[0]);
	tcase_add_test(tc, test_format_parses_back);
	suite_add_tcase(s, tc);
	return s;
}
