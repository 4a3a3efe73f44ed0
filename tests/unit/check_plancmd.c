#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dur.h"
#include "plancmd.h"
#include "suites.h"

/* ---- plancmd_parse ---- */

static struct plan_input in;
static enum plan_format fmt;
static char err[300];

/* plancmd_parse over argv (NULL-terminated, "plan" first); in and fmt start
 * out as garbage, so that the defaults must come from the parser. */
static enum plan_parsed parse_argv(const char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	memset(&in, 0x5a, sizeof in);
	fmt = (enum plan_format)99;
	strcpy(err, "untouched");
	return plancmd_parse(argc, (char **)argv, &in, &fmt, err, sizeof err);
}

#define PARSE(...) parse_argv((const char *[]){ "plan", __VA_ARGS__, NULL })

static void assert_defaults_but_for(const struct plan_input *got, size_t changed)
{
	struct plan_input want;
	plan_input_init(&want);
#define SAME(field) \
	if (offsetof(struct plan_input, field) != changed) \
		ck_assert_int_eq(got->field, want.field)
	SAME(probe_period_ms);
	SAME(probe_timeout_ms);
	SAME(probe_failures);
	SAME(lb_interval_ms);
	SAME(lb_failures);
	SAME(lb_lag_ms);
	SAME(longest_ms);
	SAME(shutdown_ms);
	SAME(margin_ms);
#undef SAME
}

#define NONE ((size_t)-1)

/* PLAN_BAD with one line in err that holds `want`. */
static void assert_bad(enum plan_parsed r, const char *want)
{
	ck_assert_msg(r == PLAN_BAD, "expected PLAN_BAD, got %d", (int)r);
	ck_assert_msg(strchr(err, '\n') == NULL, "reason is not one line: %s", err);
	ck_assert_msg(strstr(err, want) != NULL, "reason '%s' lacks '%s'", err, want);
}

START_TEST(test_parse_defaults)
{
	ck_assert_int_eq(parse_argv((const char *[]){ "plan", NULL }), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_TEXT);
	assert_defaults_but_for(&in, NONE);
	ck_assert_str_eq(err, "untouched");
}
END_TEST

static const struct {
	const char *name;
	size_t field;
	bool count;
} options[] = {
	{ "longest-request", offsetof(struct plan_input, longest_ms), false },
	{ "app-shutdown", offsetof(struct plan_input, shutdown_ms), false },
	{ "probe-period", offsetof(struct plan_input, probe_period_ms), false },
	{ "probe-timeout", offsetof(struct plan_input, probe_timeout_ms), false },
	{ "probe-failures", offsetof(struct plan_input, probe_failures), true },
	{ "lb-interval", offsetof(struct plan_input, lb_interval_ms), false },
	{ "lb-failures", offsetof(struct plan_input, lb_failures), true },
	{ "lb-lag", offsetof(struct plan_input, lb_lag_ms), false },
	{ "margin", offsetof(struct plan_input, margin_ms), false },
};

static int64_t field_value(size_t i)
{
	const char *base = (const char *)&in;
	if (options[i].count)
		return *(const long *)(base + options[i].field);
	return *(const int64_t *)(base + options[i].field);
}

START_TEST(test_parse_every_option)
{
	char flag[64], joined[64];
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		const char *name = options[i].name;
		const char *v1 = options[i].count ? "7" : "1.5s";
		const char *v2 = options[i].count ? "10000" : "2m";
		int64_t want1 = options[i].count ? 7 : 1500;
		int64_t want2 = options[i].count ? 10000 : 120000;

		/* --opt value */
		snprintf(flag, sizeof flag, "--%s", name);
		ck_assert_msg(PARSE(flag, v1) == PLAN_GO, "%s %s: %s", flag, v1, err);
		ck_assert_msg(field_value(i) == want1, "%s %s gave %lld", flag, v1, (long long)field_value(i));
		assert_defaults_but_for(&in, options[i].field);
		ck_assert_int_eq(fmt, PLAN_TEXT);

		/* --opt=value */
		snprintf(joined, sizeof joined, "--%s=%s", name, v2);
		ck_assert_msg(PARSE(joined) == PLAN_GO, "%s: %s", joined, err);
		ck_assert_msg(field_value(i) == want2, "%s gave %lld", joined, (long long)field_value(i));
		assert_defaults_but_for(&in, options[i].field);

		/* a value that looks like an option is still the value */
		if (!options[i].count) {
			ck_assert_int_eq(PARSE(flag, "0"), PLAN_GO);
			ck_assert_int_eq(field_value(i), 0);
			ck_assert_int_eq(PARSE(flag, "250ms"), PLAN_GO);
			ck_assert_int_eq(field_value(i), 250);
			ck_assert_int_eq(PARSE(flag, "8760h"), PLAN_GO);
			ck_assert_int_eq(field_value(i), DUR_MAX_MS);
		} else {
			ck_assert_int_eq(PARSE(flag, "1"), PLAN_GO);
			ck_assert_int_eq(field_value(i), 1);
			ck_assert_int_eq(PARSE(flag, "007"), PLAN_GO);
			ck_assert_int_eq(field_value(i), 7);
		}
	}
}
END_TEST

START_TEST(test_parse_format)
{
	ck_assert_int_eq(PARSE("--format", "text"), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_TEXT);
	ck_assert_int_eq(PARSE("--format", "yaml"), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_YAML);
	ck_assert_int_eq(PARSE("--format", "json"), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_JSON);
	ck_assert_int_eq(PARSE("--format=yaml"), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_YAML);
	ck_assert_int_eq(PARSE("--format=json"), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_JSON);
	ck_assert_int_eq(PARSE("--format=text"), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_TEXT);
	assert_defaults_but_for(&in, NONE);
}
END_TEST

START_TEST(test_parse_story)
{
	ck_assert_int_eq(PARSE("--longest-request", "51s", "--lb-interval", "10s",
			       "--lb-failures", "3", "--format", "json"), PLAN_GO);
	ck_assert_int_eq(in.longest_ms, 51000);
	ck_assert_int_eq(in.lb_interval_ms, 10000);
	ck_assert_int_eq(in.lb_failures, 3);
	ck_assert_int_eq(in.lb_lag_ms, -1);
	ck_assert_int_eq(in.probe_period_ms, 10000);
	ck_assert_int_eq(in.probe_timeout_ms, 1000);
	ck_assert_int_eq(in.probe_failures, 3);
	ck_assert_int_eq(in.shutdown_ms, 0);
	ck_assert_int_eq(in.margin_ms, 5000);
	ck_assert_int_eq(fmt, PLAN_JSON);
}
END_TEST

START_TEST(test_parse_later_wins)
{
	ck_assert_int_eq(PARSE("--longest-request", "1s", "--longest-request=2s"), PLAN_GO);
	ck_assert_int_eq(in.longest_ms, 2000);
	ck_assert_int_eq(PARSE("--longest-request=2s", "--longest-request", "1s"), PLAN_GO);
	ck_assert_int_eq(in.longest_ms, 1000);
	ck_assert_int_eq(PARSE("--format", "json", "--format", "yaml"), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_YAML);
	ck_assert_int_eq(PARSE("--format=yaml", "--format=text"), PLAN_GO);
	ck_assert_int_eq(fmt, PLAN_TEXT);
	ck_assert_int_eq(PARSE("--probe-failures", "5", "--probe-failures", "2"), PLAN_GO);
	ck_assert_int_eq(in.probe_failures, 2);
	/* setting a default explicitly is the same as leaving it */
	ck_assert_int_eq(PARSE("--margin", "1s", "--margin", "5s"), PLAN_GO);
	assert_defaults_but_for(&in, NONE);
}
END_TEST

START_TEST(test_parse_help)
{
	ck_assert_int_eq(PARSE("-h"), PLAN_HELP);
	ck_assert_int_eq(PARSE("--help"), PLAN_HELP);
	ck_assert_int_eq(PARSE("--longest-request", "5s", "--help"), PLAN_HELP);
	ck_assert_int_eq(PARSE("--format", "json", "-h"), PLAN_HELP);
	/* help asked for first wins over what follows */
	ck_assert_int_eq(PARSE("--help", "--format", "xml"), PLAN_HELP);
	/* --help takes no value */
	assert_bad(PARSE("--help=x"), "plan: option '--help' takes no value");
	assert_bad(PARSE("--help="), "plan: option '--help' takes no value");
	/* -h is a flag, never a value: "-h" after an option is its value */
	assert_bad(PARSE("--longest-request", "-h"), "plan: --longest-request: bad duration '-h'");
}
END_TEST

START_TEST(test_parse_unknown)
{
	assert_bad(PARSE("--bogus"), "plan: unknown option '--bogus'");
	ck_assert_str_eq(err, "plan: unknown option '--bogus'");
	/* the value is not part of the name */
	assert_bad(PARSE("--bogus=3"), "plan: unknown option '--bogus'");
	ck_assert_str_eq(err, "plan: unknown option '--bogus'");
	/* no abbreviations, no other case, none of drainit's own options */
	assert_bad(PARSE("--longest", "5s"), "plan: unknown option '--longest'");
	assert_bad(PARSE("--Format", "json"), "plan: unknown option '--Format'");
	assert_bad(PARSE("--pre-stop-delay", "5s"), "plan: unknown option '--pre-stop-delay'");
	assert_bad(PARSE("--"), "plan: unknown option '--'");
	/* after a good option too */
	assert_bad(PARSE("--longest-request", "5s", "--lb-lagg", "1s"), "plan: unknown option '--lb-lagg'");
}
END_TEST

START_TEST(test_parse_positional)
{
	assert_bad(PARSE("51s"), "plan: unexpected argument '51s'");
	ck_assert_str_eq(err, "plan: unexpected argument '51s'");
	assert_bad(PARSE("--longest-request", "51s", "extra"), "plan: unexpected argument 'extra'");
	assert_bad(PARSE("-x"), "plan: unknown option '-x'");
	assert_bad(PARSE(""), "plan: unexpected argument ''");
}
END_TEST

START_TEST(test_parse_missing_value)
{
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		char flag[64], want[96];
		snprintf(flag, sizeof flag, "--%s", options[i].name);
		snprintf(want, sizeof want, "plan: option '--%s' needs a value", options[i].name);
		assert_bad(PARSE(flag), want);
		ck_assert_str_eq(err, want);
	}
	assert_bad(PARSE("--longest-request", "5s", "--format"), "plan: option '--format' needs a value");
}
END_TEST

START_TEST(test_parse_bad_duration)
{
	assert_bad(PARSE("--longest-request", "5x"),
		   "plan: --longest-request: bad duration '5x': unknown unit 'x' (use ms, s, m or h, "
		   "or a compound such as 1m30s)");
	ck_assert_str_eq(err, "plan: --longest-request: bad duration '5x': unknown unit 'x' "
			 "(use ms, s, m or h, or a compound such as 1m30s)");
	assert_bad(PARSE("--lb-lag=-1s"), "plan: --lb-lag: bad duration '-1s': must not be negative");
	assert_bad(PARSE("--margin="), "plan: --margin: bad duration '': expected a number");
	assert_bad(PARSE("--app-shutdown", "8761h"), "plan: --app-shutdown: bad duration '8761h': too large");
	assert_bad(PARSE("--probe-period", "0.0001s"), "plan: --probe-period: bad duration '0.0001s': finer than a millisecond");
	assert_bad(PARSE("--probe-timeout", "soon"), "plan: --probe-timeout: bad duration 'soon'");
	assert_bad(PARSE("--lb-interval", "--lb-failures", "3"), "plan: --lb-interval: bad duration '--lb-failures'");
}
END_TEST

START_TEST(test_parse_bad_count)
{
	static const char *const bad[] = {
		"0", "-1", "+3", " 3", "3 ", "3x", "x", "", "1.5", "10001", "99999999999999999999999",
	};
	char want[96];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(want, sizeof want, "plan: --probe-failures: bad count '%s': expected 1 to 10000", bad[i]);
		assert_bad(PARSE("--probe-failures", bad[i]), want);
		ck_assert_str_eq(err, want);
		snprintf(want, sizeof want, "plan: --lb-failures: bad count '%s': expected 1 to 10000", bad[i]);
		assert_bad(PARSE("--lb-interval", "5s", "--lb-failures", bad[i]), want);
		ck_assert_str_eq(err, want);
	}
}
END_TEST

START_TEST(test_parse_bad_format)
{
	assert_bad(PARSE("--format", "xml"), "plan: --format: unknown format 'xml' (text, yaml or json)");
	ck_assert_str_eq(err, "plan: --format: unknown format 'xml' (text, yaml or json)");
	assert_bad(PARSE("--format", "JSON"), "unknown format 'JSON'");
	assert_bad(PARSE("--format=yml"), "unknown format 'yml'");
	assert_bad(PARSE("--format="), "unknown format ''");
}
END_TEST

START_TEST(test_parse_err_truncated)
{
	/* a short err buffer: terminated, nothing written past it */
	char small[24];
	memset(small, 'x', sizeof small);
	const char *argv[] = { "plan", "--format", "a-very-long-format-name", NULL };
	ck_assert_int_eq(plancmd_parse(3, (char **)argv, &in, &fmt, small, 16), PLAN_BAD);
	ck_assert_int_eq(strlen(small), 15);
	ck_assert_int_eq(small[16], 'x');
}
END_TEST

/* ---- plancmd_print ---- */

/* The plan for `drainit plan ARGS` printed in fmt, in a malloc'd string. */
static char *printed(enum plan_format f, const char **argv)
{
	enum plan_format ignored;
	struct plan p;
	char e[300];
	int argc = 0;
	while (argv[argc])
		argc++;
	ck_assert_int_eq(plancmd_parse(argc, (char **)argv, &in, &ignored, e, sizeof e), PLAN_GO);
	ck_assert_msg(plan_compute(&in, &p, e, sizeof e) == 0, "%s", e);

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	plancmd_print(out, &in, &p, f);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_int_eq(strlen(text), len);
	ck_assert_msg(len > 0 && text[len - 1] == '\n', "output does not end in a newline");
	return text;
}

#define PRINTED(f, ...) printed(f, (const char *[]){ "plan", __VA_ARGS__, NULL })
#define STORY "--longest-request", "51s", "--lb-interval", "10s", "--lb-failures", "3"
#define LAGGED "--longest-request", "51.5s", "--lb-lag", "800ms", "--probe-period", "2s", \
	"--probe-failures", "1", "--app-shutdown", "3s"

static void assert_has(const char *text, const char *want)
{
	ck_assert_msg(strstr(text, want) != NULL, "output lacks '%s':\n%s", want, text);
}

static void assert_lacks(const char *text, const char *unwanted)
{
	ck_assert_msg(strstr(text, unwanted) == NULL, "output has '%s':\n%s", unwanted, text);
}

static void assert_starts(const char *text, const char *want)
{
	ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "output does not start with '%s':\n%s",
		      want, text);
}

static int count_of(const char *text, const char *what)
{
	int n = 0;
	for (const char *s = text; (s = strstr(s, what)) != NULL; s += strlen(what))
		n++;
	return n;
}

START_TEST(test_print_text_story)
{
	char *t = PRINTED(PLAN_TEXT, STORY);
	assert_starts(t, "pre-stop delay                 36s\n"
			 "drain timeout                  56s\n"
			 "terminationGracePeriodSeconds  94\n"
			 "\n"
			 "Why, counting from the SIGTERM at which drainit withdraws readiness:\n");
	assert_has(t, "\n  Kubernetes' readiness probe (every 10s, 3 failures, 1s timeout) takes the pod out\n"
		      "    20s to 31s after SIGTERM (0s if the pod is deleted): at worst 3 x 10s + 1s");
	assert_has(t, "\n  The load balancer's health check (every 10s, 3 failures) marks it unhealthy\n"
		      "    20s to 30s after SIGTERM: at worst 3 x 10s\n");
	assert_has(t, "\n  Out of phase, the load balancer still routes for up to 10s after Kubernetes\n"
		      "    took the pod out (30s - 20s)");
	assert_has(t, "\n  pre-stop delay = the last of these, 31s, + margin 5s = 36s\n");
	assert_has(t, "\n  drain timeout  = longest request 51s + app shutdown 0s + margin 5s = 56s\n");
	assert_has(t, "\n  grace period   = 36s + 56s + 2s for drainit to kill, log and exit = 94s\n");
	assert_lacks(t, "rounded up");
	assert_lacks(t, "lets go 0s"); /* no lag line without --lb-lag */
	/* the snippet, indented under its heading */
	assert_has(t, "\n  terminationGracePeriodSeconds: 94\n  containers:\n    - name: app\n");
	assert_has(t, "        - name: DRAINIT_PRE_STOP_DELAY\n          value: 36s\n");
	assert_has(t, "        - name: DRAINIT_DRAIN_TIMEOUT\n          value: 56s\n");
	assert_has(t, "        - name: DRAINIT_GRACE_PERIOD\n          value: 94s\n");
	assert_has(t, "        - name: DRAINIT_READY_FILE\n          value: /run/drainit/ready\n");
	assert_has(t, "        periodSeconds: 10\n        timeoutSeconds: 1\n        failureThreshold: 3\n");
	free(t);
}
END_TEST

START_TEST(test_print_text_rounding)
{
	char *t = PRINTED(PLAN_TEXT, LAGGED);
	assert_starts(t, "pre-stop delay                 9s\n"
			 "drain timeout                  60s\n"
			 "terminationGracePeriodSeconds  71\n\n");
	assert_has(t, "(every 2s, 1 failure, 1s timeout)");
	assert_has(t, "    0s to 3s after SIGTERM (0s if the pod is deleted): at worst 1 x 2s + 1s");
	assert_has(t, "\n  The load balancer lets go 800ms after Kubernetes: by 3s + 800ms = 3.8s\n");
	assert_has(t, "\n  pre-stop delay = the last of these, 3.8s, + margin 5s = 8.8s, rounded up to 9s\n");
	assert_has(t, "longest request 51.5s + app shutdown 3s + margin 5s = 59.5s, rounded up to 60s\n");
	assert_has(t, "\n  grace period   = 9s + 60s + 2s for drainit to kill, log and exit = 71s\n");
	/* no load balancer health check given: nothing about it */
	assert_lacks(t, "health check");
	assert_lacks(t, "Out of phase");
	assert_has(t, "        periodSeconds: 2\n        timeoutSeconds: 1\n        failureThreshold: 1\n");
	free(t);
}
END_TEST

START_TEST(test_print_singular)
{
	char *t = PRINTED(PLAN_TEXT, "--longest-request", "5s", "--probe-failures", "1",
			  "--lb-interval", "5s", "--lb-failures", "1");
	assert_has(t, "(every 10s, 1 failure, 1s timeout)");
	assert_has(t, "(every 5s, 1 failure) marks it unhealthy");
	assert_has(t, "at worst 1 x 10s + 1s");
	assert_has(t, "    0s to 5s after SIGTERM: at worst 1 x 5s\n");
	assert_lacks(t, "1 failures");
	free(t);
	t = PRINTED(PLAN_TEXT, "--longest-request", "5s", "--probe-failures", "2",
		    "--lb-interval", "5s", "--lb-failures", "2");
	assert_has(t, "(every 10s, 2 failures, 1s timeout)");
	assert_has(t, "(every 5s, 2 failures) marks it unhealthy");
	free(t);
}
END_TEST

START_TEST(test_print_no_window)
{
	/* 2 x 5s: the load balancer is done before Kubernetes can be */
	char *t = PRINTED(PLAN_TEXT, "--longest-request", "51s", "--lb-interval", "5s",
			  "--lb-failures", "2");
	assert_has(t, "\n  The load balancer concludes no later than Kubernetes can: no out-of-phase window\n");
	assert_lacks(t, "Out of phase");
	free(t);
	t = PRINTED(PLAN_JSON, "--longest-request", "51s", "--lb-interval", "5s", "--lb-failures", "2");
	assert_has(t, "\n  \"load_balancer_out_ms\": [5000, 10000],\n");
	assert_has(t, "\n  \"out_of_phase_ms\": 0,\n");
	free(t);
}
END_TEST

START_TEST(test_print_json_story)
{
	char *t = PRINTED(PLAN_JSON, STORY);
	assert_starts(t, "{\n  \"pre_stop_delay\": \"36s\",\n  \"drain_timeout\": \"56s\",\n"
			 "  \"termination_grace_period_seconds\": 94,\n");
	assert_has(t, "\n  \"pre_stop_delay_ms\": 36000,\n");
	assert_has(t, "\n  \"drain_timeout_ms\": 56000,\n");
	assert_has(t, "\n  \"kubernetes_out_ms\": [20000, 31000],\n");
	assert_has(t, "\n  \"load_balancer_out_ms\": [20000, 30000],\n");
	assert_has(t, "\n  \"out_of_phase_ms\": 10000,\n");
	assert_has(t, "\n  \"lag_out_ms\": null,\n");
	assert_has(t, "\n  \"last_out_ms\": 31000,\n");
	assert_has(t, "\n    \"lb_interval_ms\": 10000,\n");
	assert_has(t, "\n    \"lb_failures\": 3,\n");
	assert_has(t, "\n    \"lb_lag_ms\": null,\n");
	assert_has(t, "\n    \"longest_request_ms\": 51000,\n");
	assert_has(t, "\n    \"margin_ms\": 5000\n  },\n");
	assert_has(t, "\n    \"Kubernetes' readiness probe (every 10s, 3 failures, 1s timeout) takes the pod out\",\n");
	assert_has(t, "\n    \"grace period   = 36s + 56s + 2s for drainit to kill, log and exit = 94s\"\n  ]\n}\n");
	/* balanced, and the last line closes it */
	ck_assert_int_eq(count_of(t, "{"), count_of(t, "}"));
	ck_assert_int_eq(count_of(t, "["), count_of(t, "]"));
	ck_assert_int_eq(count_of(t, "null"), 2);
	/* no trailing commas */
	assert_lacks(t, ",\n  }");
	assert_lacks(t, ",\n  ]");
	assert_lacks(t, ",\n}");
	free(t);
}
END_TEST

START_TEST(test_print_json_no_lb)
{
	char *t = PRINTED(PLAN_JSON, LAGGED);
	/* no health check given: null for its fields, the lag's are set */
	assert_has(t, "\n  \"load_balancer_out_ms\": null,\n");
	assert_has(t, "\n  \"out_of_phase_ms\": null,\n");
	assert_has(t, "\n  \"lag_out_ms\": 3800,\n");
	assert_has(t, "\n  \"last_out_ms\": 3800,\n");
	assert_has(t, "\n    \"lb_interval_ms\": null,\n");
	assert_has(t, "\n    \"lb_failures\": null,\n");
	assert_has(t, "\n    \"lb_lag_ms\": 800,\n");
	assert_has(t, "\n  \"kubernetes_out_ms\": [0, 3000],\n");
	assert_has(t, "\n  \"pre_stop_delay\": \"9s\",\n");
	assert_has(t, "\n  \"drain_timeout\": \"60s\",\n");
	assert_has(t, "\n  \"termination_grace_period_seconds\": 71,\n");
	assert_has(t, "\n  \"pre_stop_delay_ms\": 9000,\n");
	assert_has(t, "\n  \"drain_timeout_ms\": 60000,\n");
	assert_has(t, "\n    \"longest_request_ms\": 51500,\n");
	assert_has(t, "\n    \"app_shutdown_ms\": 3000,\n");
	assert_has(t, "\n    \"probe_period_ms\": 2000,\n");
	assert_has(t, "\n    \"probe_failures\": 1,\n");
	ck_assert_int_eq(count_of(t, "null"), 4);
	free(t);

	/* --lb-lag 0 is given, not absent */
	t = PRINTED(PLAN_JSON, "--longest-request", "51s", "--lb-lag", "0");
	assert_has(t, "\n  \"lag_out_ms\": 31000,\n");
	assert_has(t, "\n    \"lb_lag_ms\": 0,\n");
	assert_has(t, "\n    \"lb_interval_ms\": null,\n");
	free(t);
}
END_TEST

START_TEST(test_print_yaml)
{
	char *t = PRINTED(PLAN_YAML, STORY);
	assert_starts(t, "# drainit plan: pre-stop delay 36s, drain timeout 56s, grace period 94s\n");
	/* the comments first, then the snippet; nothing of the explanation
	 * outside a comment */
	int comments = 0, snippet = 0;
	bool in_snippet = false;
	for (char *line = t, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		if (line[0] == '#') {
			ck_assert_msg(!in_snippet, "a comment inside the snippet: %s", line);
			comments++;
		} else {
			in_snippet = true;
			snippet++;
			ck_assert_msg(strchr(line, '#') == NULL, "'#' in a snippet line: %s", line);
			ck_assert_msg(strstr(line, "SIGTERM") == NULL && strstr(line, " = ") == NULL,
				      "explanation outside a comment: %s", line);
		}
		*nl = '\n';
	}
	/* the heading, the text form's explanation line for line, the
	 * emptyDir note */
	char *text = PRINTED(PLAN_TEXT, STORY);
	const char *why = strstr(text, "\nWhy, counting from the SIGTERM");
	ck_assert_ptr_nonnull(why);
	why = strchr(why + 1, '\n') + 1;
	const char *end = strstr(why, "\n\n");
	ck_assert_ptr_nonnull(end);
	int why_lines = 0;
	const char *c = strchr(t, '\n') + 1; /* the second comment */
	for (const char *w = why; w <= end; w = strchr(w, '\n') + 1) {
		size_t len = (size_t)(strchr(w, '\n') - w) - 2; /* without "  " */
		ck_assert_msg(strncmp(w, "  ", 2) == 0, "text why line not indented: %.*s", (int)len + 2, w);
		ck_assert_msg(strncmp(c, "#   ", 4) == 0 && strncmp(c + 4, w + 2, len) == 0 && c[4 + len] == '\n',
			      "YAML comment '%.*s' is not the text's '%.*s'",
			      (int)(strchr(c, '\n') - c), c, (int)len, w + 2);
		c = strchr(c, '\n') + 1;
		why_lines++;
	}
	ck_assert_int_ge(why_lines, 9);
	assert_starts(c, "# For the pod template's spec; /run/drainit/ready wants an emptyDir (docs/kubernetes.yaml).\n"
			 "terminationGracePeriodSeconds: 94\n");
	ck_assert_int_eq(comments, why_lines + 2);
	ck_assert_int_eq(snippet, 18);
	free(text);
	assert_has(t, "\n#   pre-stop delay = the last of these, 31s, + margin 5s = 36s\n");
	assert_has(t, "\n#     20s to 31s after SIGTERM (0s if the pod is deleted): at worst 3 x 10s + 1s");
	assert_has(t, "\nterminationGracePeriodSeconds: 94\ncontainers:\n  - name: app\n    env:\n");
	assert_has(t, "\n      - name: DRAINIT_PRE_STOP_DELAY\n        value: 36s\n");
	assert_has(t, "\n      - name: DRAINIT_DRAIN_TIMEOUT\n        value: 56s\n");
	assert_has(t, "\n      - name: DRAINIT_GRACE_PERIOD\n        value: 94s\n");
	assert_has(t, "\n    readinessProbe:\n      exec:\n"
		      "        command: [\"/usr/local/bin/drainit\", \"probe\"]\n"
		      "      periodSeconds: 10\n      timeoutSeconds: 1\n      failureThreshold: 3\n");
	free(t);
}
END_TEST

START_TEST(test_print_formats_agree)
{
	/* the three formats carry the same numbers */
	char *text = PRINTED(PLAN_TEXT, LAGGED, "--margin", "2s", "--probe-timeout", "2s");
	char *yaml = PRINTED(PLAN_YAML, LAGGED, "--margin", "2s", "--probe-timeout", "2s");
	char *json = PRINTED(PLAN_JSON, LAGGED, "--margin", "2s", "--probe-timeout", "2s");
	/* 1 x 2s + 2s = 4s, + 800ms = 4.8s, + 2s = 6.8s -> 7s;
	 * 51.5 + 3 + 2 = 56.5s -> 57s; 7 + 57 + 2 = 66 */
	assert_has(text, "pre-stop delay                 7s\n");
	assert_has(text, "drain timeout                  57s\n");
	assert_has(text, "terminationGracePeriodSeconds  66\n");
	assert_has(text, "\n  terminationGracePeriodSeconds: 66\n");
	assert_has(text, "        timeoutSeconds: 2\n");
	assert_has(yaml, "# drainit plan: pre-stop delay 7s, drain timeout 57s, grace period 66s\n");
	assert_has(yaml, "\nterminationGracePeriodSeconds: 66\n");
	assert_has(yaml, "        value: 7s\n");
	assert_has(yaml, "        value: 57s\n");
	assert_has(yaml, "        value: 66s\n");
	assert_has(json, "\"pre_stop_delay\": \"7s\"");
	assert_has(json, "\"drain_timeout\": \"57s\"");
	assert_has(json, "\"termination_grace_period_seconds\": 66,");
	assert_has(json, "\"lag_out_ms\": 4800,");
	/* the explanation is the same in all three */
	const char *why = "pre-stop delay = the last of these, 4.8s, + margin 2s = 6.8s, rounded up to 7s";
	assert_has(text, why);
	assert_has(yaml, why);
	assert_has(json, why);
	free(text);
	free(yaml);
	free(json);
}
END_TEST

START_TEST(test_help_mentions_everything)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	plancmd_help(f);
	fclose(f);
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		char flag[64];
		snprintf(flag, sizeof flag, "--%s", options[i].name);
		ck_assert_msg(strstr(text, flag) != NULL, "help does not mention %s", flag);
	}
	ck_assert_ptr_nonnull(strstr(text, "--format"));
	ck_assert_ptr_nonnull(strstr(text, "-h, --help"));
	ck_assert_ptr_nonnull(strstr(text, "usage: drainit plan "));
	free(text);
}
END_TEST

Suite *plancmd_suite(void)
{
	Suite *s = suite_create("plancmd");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_defaults);
	tcase_add_test(tc, test_parse_every_option);
	tcase_add_test(tc, test_parse_format);
	tcase_add_test(tc, test_parse_story);
	tcase_add_test(tc, test_parse_later_wins);
	tcase_add_test(tc, test_parse_help);
	tcase_add_test(tc, test_parse_unknown);
	tcase_add_test(tc, test_parse_positional);
	tcase_add_test(tc, test_parse_missing_value);
	tcase_add_test(tc, test_parse_bad_duration);
	tcase_add_test(tc, test_parse_bad_count);
	tcase_add_test(tc, test_parse_bad_format);
	tcase_add_test(tc, test_parse_err_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("print");
	tcase_add_test(tc, test_print_text_story);
	tcase_add_test(tc, test_print_text_rounding);
	tcase_add_test(tc, test_print_singular);
	tcase_add_test(tc, test_print_no_window);
	tcase_add_test(tc, test_print_json_story);
	tcase_add_test(tc, test_print_json_no_lb);
	tcase_add_test(tc, test_print_yaml);
	tcase_add_test(tc, test_print_formats_agree);
	tcase_add_test(tc, test_help_mentions_everything);
	suite_add_tcase(s, tc);
	return s;
}
