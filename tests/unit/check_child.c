#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* child_find searches as child_exec does, in a folder made for it and
 * entered, so that PATH's entries can be relative: app (runnable), bin/app,
 * noexec/app (no x bit), file (not a folder); none does not exist. */
static char find_dir[64], find_cwd[PATH_MAX], find_saved_path[4096];
static bool find_had_path;

static void make_file(const char *name, mode_t mode)
{
	FILE *f = fopen(name, "w");
	ck_assert_ptr_nonnull(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(name, mode), 0);
}

static void find_setup(void)
{
	const char *path = getenv("PATH");
	find_had_path = path != NULL;
	snprintf(find_saved_path, sizeof find_saved_path, "%s", path ? path : "");
	ck_assert_ptr_nonnull(getcwd(find_cwd, sizeof find_cwd));
	strcpy(find_dir, "/tmp/drainit-find-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(find_dir));
	ck_assert_int_eq(chdir(find_dir), 0);
	ck_assert_int_eq(mkdir("bin", 0755), 0);
	ck_assert_int_eq(mkdir("noexec", 0755), 0);
	make_file("app", 0755);
	make_file("bin/app", 0755);
	make_file("noexec/app", 0644);
	make_file("file", 0644);
}

static void find_teardown(void)
{
	char cmd[128];
	if (find_had_path)
		setenv("PATH", find_saved_path, 1);
	else
		unsetenv("PATH");
	if (chdir(find_cwd) != 0)
		fprintf(stderr, "cannot go back to %s\n", find_cwd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", find_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", find_dir);
}

static const struct find_case {
	const char *path;       /* PATH; NULL: unset */
	const char *name;
	int err;
	const char *file;       /* what was found; NULL: not checked */
} find_cases[] = {
	{ "none:bin", "app", 0, "bin/app" },
	{ "noexec:bin", "app", 0, "bin/app" },      /* no x bit: the search goes on */
	{ "file:bin", "app", 0, "bin/app" },        /* not a folder (ENOTDIR): on too */
	{ "noexec:none", "app", EACCES, NULL },     /* only a file that may not run: EACCES */
	{ "none:noexec", "app", EACCES, NULL },
	{ "none:file", "app", ENOENT, NULL },
	{ "none:bin", "other", ENOENT, NULL },
	{ "none::bin", "app", 0, "app" },           /* an empty entry is the current folder */
	{ "none:", "app", 0, "app" },
	{ "", "app", 0, "app" },                    /* PATH empty, not unset: the current folder */
	{ "none", "bin/app", 0, "bin/app" },        /* a name with a '/' is not searched */
	{ "bin", "noexec/app", EACCES, "noexec/app" },
	{ "bin", "none/app", ENOENT, "none/app" },
	{ "bin", "file/app", ENOTDIR, "file/app" },
	{ NULL, "sh", 0, "/bin/sh" },               /* PATH unset: /bin:/usr/bin */
};

START_TEST(test_find)
{
	const struct find_case *fc = &find_cases[_i];
	char file[PATH_MAX] = "";

	if (fc->path)
		setenv("PATH", fc->path, 1);
	else
		unsetenv("PATH");
	int err = child_find(fc->name, file, sizeof file);
	ck_assert_msg(err == fc->err, "case %d (PATH=%s, %s): errno %d (%s), not %d", _i,
		      fc->path ? fc->path : "(unset)", fc->name, err, strerror(err), fc->err);
	if (fc->file)
		ck_assert_str_eq(file, fc->file);
}
END_TEST

START_TEST(test_find_skips_what_does_not_fit)
{
	char file[8];
	/* "bin/app" fits in 8 bytes with its NUL, "noexec/app" does not */
	setenv("PATH", "noexec:bin", 1);
	ck_assert_int_eq(child_find("app", file, sizeof file), 0);
	ck_assert_str_eq(file, "bin/app");
	setenv("PATH", "noexec", 1);
	ck_assert_int_eq(child_find("app", file, sizeof file), ENOENT);
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

	tc = tcase_create("find");
	tcase_add_checked_fixture(tc, find_setup, find_teardown);
	tcase_add_loop_test(tc, test_find, 0, (int)(sizeof find_cases / sizeof find_cases[0]));
	tcase_add_test(tc, test_find_skips_what_does_not_fit);
	suite_add_tcase(s, tc);
	return s;
}
