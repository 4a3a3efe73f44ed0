/* The unit test runner: every suite, Check's usual summary line
 * ("100%: Checks: N, Failures: 0, Errors: 0", parsed by tests/run.sh), and a
 * nonzero exit status when anything failed. CK_FORK=no runs in one process
 * (for valgrind). */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(dur_suite());
	srunner_add_suite(sr, sig_suite());
	srunner_add_suite(sr, opt_suite());
	srunner_add_suite(sr, state_suite());
	srunner_add_suite(sr, child_suite());
	srunner_add_suite(sr, ready_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, plan_suite());
	srunner_add_suite(sr, proc_suite());
	srunner_add_suite(sr, probe_suite());
	srunner_add_suite(sr, cond_suite());
	srunner_add_suite(sr, caps_suite());
	srunner_add_suite(sr, user_suite());
	srunner_add_suite(sr, inspect_suite());
	srunner_add_suite(sr, opt_inspect_suite());
	srunner_add_suite(sr, plancmd_suite());
	srunner_add_suite(sr, script_suite());
	srunner_add_suite(sr, httpd_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
