#include <string.h>

#include "dur.h"
#include "plan.h"
#include "suites.h"

START_TEST(test_margin_edge)
{
	ck_assert_int_eq(PLAN_MARGIN_MS, 2000);
	/* 25s drain in the default 30s grace period fits */
	ck_assert(plan_fits(0, 25000, 30000));
	/* exactly delay + drain + 2s fits; one millisecond more does not */
	ck_assert(plan_fits(0, 28000, 30000));
	ck_assert(!plan_fits(0, 28001, 30000));
	ck_assert(plan_fits(5000, 23000, 30000));
	ck_assert(!plan_fits(5001, 23000, 30000));
	ck_assert(!plan_fits(5000, 23001, 30000));
	ck_assert(plan_fits(5000, 23000, 30001));
	/* the margin alone */
	ck_assert(plan_fits(0, 0, 2000));
	ck_assert(!plan_fits(0, 0, 1999));
	ck_assert(!plan_fits(0, 0, 0));
}
END_TEST

START_TEST(test_delay_counts)
{
	/* the delay is spent before the drain starts */
	ck_assert(plan_fits(10000, 18000, 30000));
	ck_assert(!plan_fits(10000, 25000, 30000));
	ck_assert(!plan_fits(30000, 0, 30000));
}
END_TEST

START_TEST(test_long_durations)
{
	/* the longest durations add up without overflow */
	ck_assert(plan_fits(DUR_MAX_MS, DUR_MAX_MS, 2 * DUR_MAX_MS + 2000));
	ck_assert(!plan_fits(DUR_MAX_MS, DUR_MAX_MS, 2 * DUR_MAX_MS + 1999));
	ck_assert(!plan_fits(DUR_MAX_MS, DUR_MAX_MS, DUR_MAX_MS));
	ck_assert(plan_fits(0, 0, DUR_MAX_MS));
}
END_TEST

#define PHASES(term, stop, kill, end) plan_phases((struct plan_marks){ term, stop, kill, end })

START_TEST(test_phases_sigterm_led)
{
	/* SIGTERM at 1000, stop signal at 6000, everything gone at 8500 */
	struct plan_phases p = PHASES(1000, 6000, -1, 8500);
	ck_assert(p.by_term);
	ck_assert(p.stopped);
	ck_assert_int_eq(p.total, 7500);
	ck_assert_int_eq(p.delay, 5000);
	ck_assert_int_eq(p.drain, 2500);
	/* and with SIGKILL at the deadline, 30000 after the stop */
	p = PHASES(1000, 6000, 36000, 37000);
	ck_assert_int_eq(p.total, 36000);
	ck_assert_int_eq(p.delay, 5000);
	ck_assert_int_eq(p.drain, 30000);
}
END_TEST

START_TEST(test_phases_app_exits_first_then_sigterm)
{
	/* the app exited on its own (stop to its leftovers at 2000), SIGTERM
	 * came during that drain: nothing may come out negative */
	struct plan_phases p = PHASES(2700, 2000, -1, 3500);
	ck_assert(!p.by_term);
	ck_assert(p.stopped);
	ck_assert_int_eq(p.delay, 0);
	ck_assert_int_eq(p.total, 0);
	ck_assert_int_eq(p.drain, 1500);
}
END_TEST

START_TEST(test_phases_third_sigterm_during_delay)
{
	/* SIGTERM at 0, kill at once by a third SIGTERM at 400: no stop signal */
	struct plan_phases p = PHASES(0, -1, 400, 450);
	ck_assert(p.by_term);
	ck_assert(!p.stopped);
	ck_assert_int_eq(p.delay, 400);
	ck_assert_int_eq(p.drain, 0);
	ck_assert_int_eq(p.total, 450);
}
END_TEST

START_TEST(test_phases_nothing_happened)
{
	/* the app exited with nothing left: no shutdown phases at all */
	struct plan_phases p = PHASES(-1, -1, -1, 900);
	ck_assert(!p.by_term);
	ck_assert(!p.stopped);
	ck_assert_int_eq(p.total + p.delay + p.drain, 0);
}
END_TEST

/* ---- plan_compute: drainit plan's arithmetic ---- */

/* No int64 overflow is possible: every duration is at most DUR_MAX_MS (dur_parse
 * refuses more) and every count at most PLAN_FAILURES_MAX. The largest value
 * plan_compute forms is the grace sum, delay + drain + PLAN_MARGIN_MS + 999,
 * where delay <= (failures + 3) x DUR_MAX_MS + 999 (failures x period +
 * timeout + lag + margin, rounded up) and drain <= 3 x DUR_MAX_MS + 999: below
 * (PLAN_FAILURES_MAX + 7) x DUR_MAX_MS, about 2^48.2, far from 2^63. */
_Static_assert((PLAN_FAILURES_MAX + 7) * DUR_MAX_MS < (1LL << 50),
	       "plan_compute's largest sum stays far below INT64_MAX");

static char plan_err[512];

/* Kubernetes' defaults and nothing else given. */
static struct plan_input base(int64_t longest_ms)
{
	struct plan_input in;
	plan_input_init(&in);
	in.longest_ms = longest_ms;
	return in;
}

/* The story's input: default probe (10s x 3, 1s timeout), a load balancer
 * health check of 10s x 3, the slowest request 51s. */
static struct plan_input story(void)
{
	struct plan_input in = base(51000);
	in.lb_interval_ms = 10000;
	in.lb_failures = 3;
	return in;
}

/* Computes a plan that must succeed; err stays untouched. */
static struct plan ok_plan(const struct plan_input *in)
{
	struct plan p;
	memset(&p, 0x5a, sizeof p);
	strcpy(plan_err, "untouched");
	int rc = plan_compute(in, &p, plan_err, sizeof plan_err);
	ck_assert_msg(rc == 0, "plan_compute failed: %s", plan_err);
	ck_assert_str_eq(plan_err, "untouched");
	/* the result always fits its own grace period, exactly */
	ck_assert(plan_fits(p.delay_ms, p.drain_ms, p.grace_s * 1000));
	ck_assert(!plan_fits(p.delay_ms, p.drain_ms, p.grace_s * 1000 - 1));
	return p;
}

#define ASSERT_PLAN(p, k1, k2, l1, l2, win, lag, last, delay, drain, grace) \
	do { \
		ck_assert_int_eq((p).k8s_first_ms, (k1)); \
		ck_assert_int_eq((p).k8s_last_ms, (k2)); \
		ck_assert_int_eq((p).lb_first_ms, (l1)); \
		ck_assert_int_eq((p).lb_last_ms, (l2)); \
		ck_assert_int_eq((p).window_ms, (win)); \
		ck_assert_int_eq((p).lag_last_ms, (lag)); \
		ck_assert_int_eq((p).last_ms, (last)); \
		ck_assert_int_eq((p).delay_ms, (delay)); \
		ck_assert_int_eq((p).drain_ms, (drain)); \
		ck_assert_int_eq((p).grace_s, (grace)); \
	} while (0)

/* plan_compute must refuse in: -1 and one line in err naming `names`. */
static void assert_refused(const struct plan_input *in, const char *names)
{
	struct plan p;
	memset(plan_err, 0, sizeof plan_err);
	ck_assert_int_eq(plan_compute(in, &p, plan_err, sizeof plan_err), -1);
	ck_assert_msg(plan_err[0] != '\0', "no reason given");
	ck_assert_msg(strchr(plan_err, '\n') == NULL, "reason is not one line: %s", plan_err);
	ck_assert_msg(strstr(plan_err, names) != NULL, "reason '%s' does not name %s", plan_err, names);
}

START_TEST(test_input_defaults)
{
	struct plan_input in;
	memset(&in, 0x5a, sizeof in);
	plan_input_init(&in);
	ck_assert_int_eq(in.probe_period_ms, 10000);
	ck_assert_int_eq(in.probe_timeout_ms, 1000);
	ck_assert_int_eq(in.probe_failures, 3);
	ck_assert_int_eq(in.lb_interval_ms, -1);
	ck_assert_int_eq(in.lb_failures, 0);
	ck_assert_int_eq(in.lb_lag_ms, -1);
	ck_assert_int_eq(in.longest_ms, -1);
	ck_assert_int_eq(in.shutdown_ms, 0);
	ck_assert_int_eq(in.margin_ms, 5000);
	ck_assert_int_eq(PLAN_FAILURES_MAX, 10000);
}
END_TEST

START_TEST(test_compute_story)
{
	struct plan_input in = story();
	struct plan p = ok_plan(&in);
	/* Kubernetes: (3 - 1) x 10s = 20s at best, 3 x 10s + 1s = 31s at worst;
	 * the load balancer 20s to 30s; out of phase it routes for up to
	 * 30s - 20s = 10s after Kubernetes let go ("about 9-10 s").
	 * delay 31s + 5s; drain 51s + 0s + 5s; grace 36 + 56 + 2. */
	ASSERT_PLAN(p, 20000, 31000, 20000, 30000, 10000, -1, 31000, 36000, 56000, 94);
}
END_TEST

START_TEST(test_compute_zero_lag)
{
	/* --lb-lag 0: nothing but Kubernetes routes to the pod */
	struct plan_input in = base(51000);
	in.lb_lag_ms = 0;
	struct plan p = ok_plan(&in);
	ck_assert_int_eq(p.lag_last_ms, p.k8s_last_ms);
	ASSERT_PLAN(p, 20000, 31000, -1, -1, -1, 31000, 31000, 36000, 56000, 94);
}
END_TEST

START_TEST(test_compute_lag_only)
{
	struct plan_input in = base(51000);
	in.lb_lag_ms = 7000;
	struct plan p = ok_plan(&in);
	/* 31s + 7s = 38s; + 5s margin */
	ASSERT_PLAN(p, 20000, 31000, -1, -1, -1, 38000, 38000, 43000, 56000, 101);
}
END_TEST

START_TEST(test_compute_lag_and_health_check)
{
	/* the health check concludes last: 5 x 10s = 50s beats 31s + 2s */
	struct plan_input in = base(51000);
	in.lb_interval_ms = 10000;
	in.lb_failures = 5;
	in.lb_lag_ms = 2000;
	struct plan p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, 40000, 50000, 30000, 33000, 50000, 55000, 56000, 113);

	/* the lag concludes last: 31s + 4s = 35s beats 3 x 10s = 30s */
	in.lb_failures = 3;
	in.lb_lag_ms = 4000;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, 20000, 30000, 10000, 35000, 35000, 40000, 56000, 98);

	/* the probe concludes last: 31s beats 3 x 10s = 30s and 31s + 0 ties it */
	in.lb_lag_ms = 0;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, 20000, 30000, 10000, 31000, 31000, 36000, 56000, 94);
}
END_TEST

START_TEST(test_compute_lb_always_first)
{
	/* 2 x 5s = 10s at worst, before Kubernetes' 20s at best: no window */
	struct plan_input in = base(51000);
	in.lb_interval_ms = 5000;
	in.lb_failures = 2;
	struct plan p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, 5000, 10000, 0, -1, 31000, 36000, 56000, 94);

	/* concluding exactly when Kubernetes can at best: still none */
	in.lb_interval_ms = 10000;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, 10000, 20000, 0, -1, 31000, 36000, 56000, 94);

	/* 2 ms later: a 2 ms window */
	in.lb_interval_ms = 10001;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, 10001, 20002, 2, -1, 31000, 36000, 56000, 94);
}
END_TEST

START_TEST(test_compute_one_failure)
{
	/* failureThreshold 1: the first failing probe may run at once */
	struct plan_input in = story();
	in.probe_failures = 1;
	struct plan p = ok_plan(&in);
	/* 0s to 1 x 10s + 1s = 11s; the load balancer (30s) concludes last and
	 * may route 30s after Kubernetes let go */
	ASSERT_PLAN(p, 0, 11000, 20000, 30000, 30000, -1, 30000, 35000, 56000, 93);

	/* and a load balancer that gives up after one failed check */
	in.lb_failures = 1;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 0, 11000, 0, 10000, 10000, -1, 11000, 16000, 56000, 74);
}
END_TEST

START_TEST(test_compute_probe_settings)
{
	/* a 2s probe, 4 failures, 3s timeout: 6s to 4 x 2s + 3s = 11s */
	struct plan_input in = base(10000);
	in.probe_period_ms = 2000;
	in.probe_failures = 4;
	in.probe_timeout_ms = 3000;
	in.lb_lag_ms = 1500;
	in.shutdown_ms = 4000;
	in.margin_ms = 3000;
	struct plan p = ok_plan(&in);
	/* 11s + 1.5s = 12.5s; + 3s = 15.5s, up to 16s; 10 + 4 + 3 = 17s */
	ASSERT_PLAN(p, 6000, 11000, -1, -1, -1, 12500, 12500, 16000, 17000, 35);
}
END_TEST

START_TEST(test_compute_rounding)
{
	/* lag 800ms, longest 51.5s: 31.8s + 5s = 36.8s -> 37s; 56.5s -> 57s */
	struct plan_input in = base(51500);
	in.lb_lag_ms = 800;
	struct plan p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, -1, -1, -1, 31800, 31800, 37000, 57000, 96);

	/* the golden case: 2s x 1 probe, app shutdown 3s: 0s to 3s, 3.8s;
	 * 8.8s -> 9s; 51.5 + 3 + 5 = 59.5s -> 60s; 9 + 60 + 2 */
	in.probe_period_ms = 2000;
	in.probe_failures = 1;
	in.shutdown_ms = 3000;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 0, 3000, -1, -1, -1, 3800, 3800, 9000, 60000, 71);

	/* whole seconds stay; one millisecond over takes the next second */
	in = base(51000);
	in.lb_lag_ms = 0;
	in.margin_ms = 0;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, -1, -1, -1, 31000, 31000, 31000, 51000, 84);
	in.lb_lag_ms = 1;
	in.longest_ms = 51001;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, -1, -1, -1, 31001, 31001, 32000, 52000, 86);
	in.lb_lag_ms = 999;
	in.longest_ms = 50999;
	in.margin_ms = 1;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, -1, -1, -1, 31999, 31999, 32000, 51000, 85);

	/* a 1 ms request still gets a whole second (and the margin) */
	in = base(1);
	in.lb_lag_ms = 0;
	p = ok_plan(&in);
	ck_assert_int_eq(p.drain_ms, 6000);
	in.margin_ms = 0;
	p = ok_plan(&in);
	ck_assert_int_eq(p.drain_ms, 1000);
	ck_assert_int_eq(p.delay_ms, 31000);
	ck_assert_int_eq(p.grace_s, 34);
}
END_TEST

START_TEST(test_compute_huge)
{
	/* the slowest request so long that the grace period is exactly the
	 * longest drainit takes, 8760h = 31536000s: 36s + (DUR_MAX - 38s) + 2s */
	struct plan_input in = base(DUR_MAX_MS - 43000);
	in.lb_lag_ms = 0;
	struct plan p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, -1, -1, -1, 31000, 31000, 36000, 31535962000LL, 31536000LL);
	ck_assert_int_eq(p.grace_s * 1000, DUR_MAX_MS);

	/* one millisecond more rounds the drain up a second: too long */
	in.longest_ms = DUR_MAX_MS - 42999;
	assert_refused(&in, "the plan needs a grace period of 31536001s, more than drainit takes (8760h)");

	/* the slowest request alone at the maximum */
	in.longest_ms = DUR_MAX_MS;
	assert_refused(&in, "the plan needs a grace period of 31536043s, more than drainit takes (8760h)");

	/* every input at its maximum: delay (10000 + 3) x DUR_MAX, drain
	 * 3 x DUR_MAX, grace 10006 x 31536000 + 2 s; no overflow */
	in.probe_period_ms = DUR_MAX_MS;
	in.probe_timeout_ms = DUR_MAX_MS;
	in.probe_failures = PLAN_FAILURES_MAX;
	in.lb_interval_ms = DUR_MAX_MS;
	in.lb_failures = PLAN_FAILURES_MAX;
	in.lb_lag_ms = DUR_MAX_MS;
	in.longest_ms = DUR_MAX_MS;
	in.shutdown_ms = DUR_MAX_MS;
	in.margin_ms = DUR_MAX_MS;
	assert_refused(&in, "the plan needs a grace period of 315549216002s, more than drainit takes (8760h)");
	ck_assert(strchr(plan_err, '-') == NULL); /* nothing wrapped negative */

	/* the load balancer at its maximum, nothing else: 10000 x 8760h + 5s,
	 * + 56s + 2s */
	in = story();
	in.lb_interval_ms = DUR_MAX_MS;
	in.lb_failures = PLAN_FAILURES_MAX;
	assert_refused(&in, "the plan needs a grace period of 315360000063s, more than drainit takes (8760h)");

	/* the most probe failures, one second apart, still make a plan:
	 * 9999s to 10000s + 1s */
	in = base(1000);
	in.probe_period_ms = 1000;
	in.probe_failures = PLAN_FAILURES_MAX;
	in.lb_lag_ms = 0;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 9999000, 10001000, -1, -1, -1, 10001000, 10001000, 10006000, 6000, 10014);

	/* and the most load-balancer failures, too */
	in = base(1000);
	in.lb_interval_ms = 1000;
	in.lb_failures = PLAN_FAILURES_MAX;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, 9999000, 10000000, 9980000, -1, 10000000, 10005000, 6000, 10013);

	/* a probe period of a third of 8760h (2920h = 10512000s) does not fit:
	 * 3 x 10512000s + 1s + 5s, + 6s + 2s */
	in = base(1000);
	in.probe_period_ms = 2920LL * 3600 * 1000;
	in.lb_lag_ms = 0;
	assert_refused(&in, "the plan needs a grace period of 31536014s, more than drainit takes (8760h)");
	/* the longest that does: 10511995s, grace 3 x 10511995 + 14 = 31535999s */
	in.probe_period_ms = 10511995LL * 1000;
	p = ok_plan(&in);
	ASSERT_PLAN(p, 21023990000LL, 31535986000LL, -1, -1, -1, 31535986000LL, 31535986000LL,
		    31535991000LL, 6000, 31535999LL);
	in.probe_period_ms = 10511996LL * 1000;
	assert_refused(&in, "the plan needs a grace period of 31536002s, more than drainit takes (8760h)");
}
END_TEST

START_TEST(test_compute_errors_longest)
{
	struct plan_input in = story();
	in.longest_ms = -1;
	assert_refused(&in, "--longest-request is required");
	in.longest_ms = 0;
	assert_refused(&in, "--longest-request must be more than 0");
	/* missing comes first, whatever else is wrong */
	plan_input_init(&in);
	in.probe_failures = 0;
	assert_refused(&in, "--longest-request is required");
}
END_TEST

START_TEST(test_compute_errors_probe)
{
	static const int64_t bad[] = { -1, 0, 1, 500, 999, 1001, 1500, 10500 };
	struct plan_input in;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		in = story();
		in.probe_period_ms = bad[i];
		assert_refused(&in, "--probe-period must be whole seconds, at least 1s");
		in = story();
		in.probe_timeout_ms = bad[i];
		assert_refused(&in, "--probe-timeout must be whole seconds, at least 1s");
	}
	in = story();
	in.probe_failures = 0;
	assert_refused(&in, "--probe-failures must be from 1 to 10000");
	in.probe_failures = -3;
	assert_refused(&in, "--probe-failures must be from 1 to 10000");
	in.probe_failures = PLAN_FAILURES_MAX + 1;
	assert_refused(&in, "--probe-failures must be from 1 to 10000");
	in.probe_failures = PLAN_FAILURES_MAX;
	ok_plan(&in);
}
END_TEST

START_TEST(test_compute_errors_lb)
{
	struct plan_input in = base(51000);
	/* no load-balancer input at all */
	assert_refused(&in, "--lb-lag");
	assert_refused(&in, "--lb-interval");
	assert_refused(&in, "--lb-failures");
	/* an interval without a threshold, and the reverse; a lag does not
	 * stand in for the missing half */
	in.lb_interval_ms = 10000;
	assert_refused(&in, "--lb-interval and --lb-failures go together");
	in.lb_lag_ms = 0;
	assert_refused(&in, "--lb-interval and --lb-failures go together");
	in = base(51000);
	in.lb_failures = 3;
	assert_refused(&in, "--lb-interval and --lb-failures go together");
	/* interval 0 */
	in.lb_interval_ms = 0;
	assert_refused(&in, "--lb-interval must be more than 0");
	/* threshold out of range */
	in.lb_interval_ms = 10000;
	in.lb_failures = PLAN_FAILURES_MAX + 1;
	assert_refused(&in, "--lb-failures must be from 1 to 10000");
	in.lb_failures = PLAN_FAILURES_MAX;
	ok_plan(&in);
}
END_TEST

START_TEST(test_compute_errors_negative)
{
	struct plan_input in = story();
	in.shutdown_ms = -1;
	assert_refused(&in, "--app-shutdown");
	in = story();
	in.margin_ms = -1;
	assert_refused(&in, "--margin");
	/* 0 for both is fine */
	in.margin_ms = 0;
	struct plan p = ok_plan(&in);
	ASSERT_PLAN(p, 20000, 31000, 20000, 30000, 10000, -1, 31000, 31000, 51000, 84);
}
END_TEST

START_TEST(test_compute_err_truncated)
{
	/* a short err buffer gets a terminated prefix and nothing past it */
	char err[24];
	memset(err, 'x', sizeof err);
	struct plan_input in = base(51000);
	struct plan p;
	ck_assert_int_eq(plan_compute(&in, &p, err, 16), -1);
	ck_assert_int_eq(strlen(err), 15);
	ck_assert_int_eq(err[16], 'x');
	ck_assert_int_eq(err[23], 'x');
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("fits");
	tcase_add_test(tc, test_margin_edge);
	tcase_add_test(tc, test_delay_counts);
	tcase_add_test(tc, test_long_durations);
	tcase_add_test(tc, test_phases_sigterm_led);
	tcase_add_test(tc, test_phases_app_exits_first_then_sigterm);
	tcase_add_test(tc, test_phases_third_sigterm_during_delay);
	tcase_add_test(tc, test_phases_nothing_happened);
	suite_add_tcase(s, tc);

	tc = tcase_create("compute");
	tcase_add_test(tc, test_input_defaults);
	tcase_add_test(tc, test_compute_story);
	tcase_add_test(tc, test_compute_zero_lag);
	tcase_add_test(tc, test_compute_lag_only);
	tcase_add_test(tc, test_compute_lag_and_health_check);
	tcase_add_test(tc, test_compute_lb_always_first);
	tcase_add_test(tc, test_compute_one_failure);
	tcase_add_test(tc, test_compute_probe_settings);
	tcase_add_test(tc, test_compute_rounding);
	tcase_add_test(tc, test_compute_huge);
	tcase_add_test(tc, test_compute_errors_longest);
	tcase_add_test(tc, test_compute_errors_probe);
	tcase_add_test(tc, test_compute_errors_lb);
	tcase_add_test(tc, test_compute_errors_negative);
	tcase_add_test(tc, test_compute_err_truncated);
	suite_add_tcase(s, tc);
	return s;
}
