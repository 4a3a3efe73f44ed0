#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "child.h"
#include "exitcode.h"
#include "opt.h"
#include "suites.h"

/* Wait statuses as the kernel builds them, without forking. */
#define EXITED(code) W_EXITCODE((code), 0)
#define KILLED(sig) W_EXITCODE(0, (sig))
#define CORED(sig) (W_EXITCODE(0, (sig)) | WCOREFLAG)
#define STOPPED(sig) W_STOPCODE(sig)

START_TEST(test_exit_code)
{
	ck_assert_int_eq(child_exit_code(EXITED(0)), 0);
	ck_assert_int_eq(child_exit_code(EXITED(3)), 3);
	ck_assert_int_eq(child_exit_code(EXITED(127)), 127);
	ck_assert_int_eq(child_exit_code(EXITED(128)), 128);
	ck_assert_int_eq(child_exit_code(EXITED(255)), 255);
	ck_assert_int_eq(child_exit_code(EXITED(143)), 143); /* exit 143 by hand */
}
END_TEST

START_TEST(test_exit_code_signals)
{
	ck_assert_int_eq(child_exit_code(KILLED(SIGTERM)), 143);
	ck_assert_int_eq(child_exit_code(KILLED(SIGKILL)), 137);
	ck_assert_int_eq(child_exit_code(KILLED(SIGINT)), 130);
	ck_assert_int_eq(child_exit_code(KILLED(SIGHUP)), 129);
	ck_assert_int_eq(child_exit_code(CORED(SIGSEGV)), 128 + SIGSEGV); /* the core flag is not part of it */
	ck_assert_int_eq(child_exit_code(CORED(SIGABRT)), 134);
	ck_assert_int_eq(child_exit_code(KILLED(SIGRTMAX)), 128 + SIGRTMAX);
}
END_TEST

START_TEST(test_exit_code_other)
{
	/* neither exited nor killed (a stop status never reaches it, but if
	 * it did): 255 */
	ck_assert_int_eq(child_exit_code(STOPPED(SIGSTOP)), 255);
	ck_assert_int_eq(child_exit_code(STOPPED(SIGTSTP)), 255);
	ck_assert_int_eq(child_exit_code(0xffff), 255); /* continued */
}
END_TEST

START_TEST(test_exec_failure_code)
{
	ck_assert_int_eq(child_exec_failure_code(ENOENT), 127);
	ck_assert_int_eq(child_exec_failure_code(ENOENT), EXIT_NOTFOUND);
	ck_assert_int_eq(child_exec_failure_code(ENOTDIR), 126); /* bash: "Not a directory", 126 */
	ck_assert_int_eq(child_exec_failure_code(EACCES), 126);
	ck_assert_int_eq(child_exec_failure_code(EACCES), EXIT_NOEXEC);
	ck_assert_int_eq(child_exec_failure_code(ENOEXEC), 126);
	ck_assert_int_eq(child_exec_failure_code(EPERM), 126);
	ck_assert_int_eq(child_exec_failure_code(E2BIG), 126);
	ck_assert_int_eq(child_exec_failure_code(ELOOP), 126);
	ck_assert_int_eq(child_exec_failure_code(ETXTBSY), 126);
	ck_assert_int_eq(child_exec_failure_code(0), 126);
}
END_TEST

START_TEST(test_describe)
{
	char buf[96];
	ck_assert_str_eq(child_describe(EXITED(0), buf, sizeof buf), "exited with status 0");
	ck_assert_str_eq(child_describe(EXITED(3), buf, sizeof buf), "exited with status 3");
	ck_assert_str_eq(child_describe(EXITED(255), buf, sizeof buf), "exited with status 255");
	ck_assert_str_eq(child_describe(KILLED(SIGKILL), buf, sizeof buf), "killed by SIGKILL");
	ck_assert_str_eq(child_describe(KILLED(SIGTERM), buf, sizeof buf), "killed by SIGTERM");
	ck_assert_str_eq(child_describe(CORED(SIGSEGV), buf, sizeof buf),
			 "killed by SIGSEGV (core dumped)");
	ck_assert_str_eq(child_describe(CORED(SIGABRT), buf, sizeof buf),
			 "killed by SIGABRT (core dumped)");
	ck_assert_str_eq(child_describe(KILLED(SIGRTMIN + 2), buf, sizeof buf),
			 "killed by SIGRTMIN+2");
	ck_assert_str_eq(child_describe(KILLED(32), buf, sizeof buf), "killed by signal 32");
	ck_assert_str_eq(child_describe(STOPPED(SIGSTOP), buf, sizeof buf),
			 "ended with wait status 0x137f");
	ck_assert_ptr_eq(child_describe(EXITED(1), buf, sizeof buf), buf);
}
END_TEST

START_TEST(test_describe_truncates)
{
	char buf[16];
	memset(buf, 'X', sizeof buf);
	child_describe(CORED(SIGSEGV), buf, 10);
	ck_assert_str_eq(buf, "killed by");
	ck_assert_int_eq(buf[10], 'X');
}
END_TEST

Suite *child_suite(void)
{
	Suite *s = suite_create("child");
	TCase *tc = tcase_create("status");
	tcase_add_test(tc, test_exit_code);
	tcase_add_test(tc, test_exit_code_signals);
	tcase_add_test(tc, test_exit_code_other);
	tcase_add_test(tc, test_exec_failure_code);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_truncates);
	suite_add_tcase(s, tc);
	return s;
}
