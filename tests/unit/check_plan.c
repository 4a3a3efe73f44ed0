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
	return s;
}
