#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"
#include "ready.h"
#include "suites.h"

static char dir[64], path[128];

/* The folder is made once per test case, outside the forked tests, so a
 * failing test leaves nothing behind; each test starts without the file. */
static void make_dir(void)
{
	strcpy(dir, "/tmp/drainit-probe-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ready", dir);
}

static void no_file(void)
{
	unlink(path);
	rmdir(path);
}

static void remove_dir(void)
{
	no_file();
	rmdir(dir);
}

static void write_file(const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Runs probe_run with stdout captured. */
static int probe(char *out, size_t len)
{
	char tmpl[] = "/tmp/drainit-probe-out-XXXXXX";
	int fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	unlink(tmpl);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	int r = probe_run(path);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ssize_t n = pread(fd, out, len - 1, 0);
	close(fd);
	out[n < 0 ? 0 : n] = '\0';
	return r;
}

START_TEST(test_ready)
{
	char out[512], want[512], line[READY_LINE_MAX];
	ready_line(line, sizeof line, getpid(), 1764420505123LL);
	write_file(line);
	ck_assert_int_eq(probe(out, sizeof out), 0);
	snprintf(want, sizeof want, "ready: app pid %d since 2025-11-29T12:48:25.123Z\n", (int)getpid());
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_written_by_ready_mark)
{
	char out[512];
	ck_assert_int_eq(ready_mark(path, getpid(), 0), 0);
	ck_assert_int_eq(probe(out, sizeof out), 0);
	ck_assert_int_eq(ready_clear(path), 0);
	ck_assert_int_eq(probe(out, sizeof out), 1);
}
END_TEST

START_TEST(test_missing)
{
	char out[512], want[512];
	ck_assert_int_eq(probe(out, sizeof out), 1);
	snprintf(want, sizeof want,
		 "not ready: no readiness file at %s (starting, draining or stopped)\n", path);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_stale_pid)
{
	/* a pid that no longer runs: the file outlived its app */
	char out[512], want[512], line[READY_LINE_MAX];
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	ready_line(line, sizeof line, child, 0);
	write_file(line);
	ck_assert_int_eq(probe(out, sizeof out), 1);
	snprintf(want, sizeof want, "not ready: %s is stale: app pid %d is not running\n", path,
		 (int)child);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_not_ready_state)
{
	char out[512], want[512];
	write_file("draining pid=1\n");
	ck_assert_int_eq(probe(out, sizeof out), 1);
	snprintf(want, sizeof want, "not ready: %s says 'draining'\n", path);
	ck_assert_str_eq(out, want);

	write_file("ready\n"); /* no pid */
	ck_assert_int_eq(probe(out, sizeof out), 1);
	snprintf(want, sizeof want, "not ready: %s says 'ready'\n", path);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_garbage)
{
	char out[512], want[512];
	snprintf(want, sizeof want, "not ready: %s does not hold a readiness line\n", path);
	write_file("");
	ck_assert_int_eq(probe(out, sizeof out), 1);
	ck_assert_str_eq(out, want);
	write_file("OK\n");
	ck_assert_int_eq(probe(out, sizeof out), 1);
	ck_assert_str_eq(out, want);
	write_file("ready pid=12ab\n");
	ck_assert_int_eq(probe(out, sizeof out), 1);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_folder)
{
	char out[512], want[512];
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(probe(out, sizeof out), 1);
	snprintf(want, sizeof want, "not ready: cannot read %s: %s\n", path, strerror(EISDIR));
	ck_assert_str_eq(out, want);
}
END_TEST

Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("run");
	tcase_add_unchecked_fixture(tc, make_dir, remove_dir);
	tcase_add_checked_fixture(tc, no_file, NULL);
	tcase_add_test(tc, test_ready);
	tcase_add_test(tc, test_written_by_ready_mark);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_stale_pid);
	tcase_add_test(tc, test_not_ready_state);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_folder);
	suite_add_tcase(s, tc);
	return s;
}
