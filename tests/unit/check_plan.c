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

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("fits");
	tcase_add_test(tc, test_margin_edge);
	tcase_add_test(tc, test_delay_counts);
	tcase_add_test(tc, test_long_durations);
	suite_add_tcase(s, tc);
	return s;
}
