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

/* 2025-11-29T12:48:25.123Z */
#define T1 1764420505123LL
#define T1_TEXT "2025-11-29T12:48:25.123Z"

static char dir[64], path[128], state[128];

/* The folder is made once per test case, outside the forked tests, so a
 * failing test leaves nothing behind; each test starts without the files. */
static void make_dir(void)
{
	strcpy(dir, "/tmp/drainit-probe-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ready", dir);
	snprintf(state, sizeof state, "%s/ready.state", dir);
}

static void no_file(void)
{
	unlink(path);
	rmdir(path);
	unlink(state);
	rmdir(state);
}

static void remove_dir(void)
{
	no_file();
	rmdir(dir);
}

static void write_to(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void write_file(const char *text)
{
	write_to(path, text);
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

/* The probe's contract: exactly one line, exit 0 only when ready. */
static void assert_one_line(const char *out)
{
	const char *nl = strchr(out, '\n');
	ck_assert_msg(nl != NULL && nl[1] == '\0', "not exactly one line: \"%s\"", out);
}

#define assert_probe(code, want) do { \
		char out_[1024]; \
		int r_ = probe(out_, sizeof out_); \
		assert_one_line(out_); \
		ck_assert_str_eq(out_, (want)); \
		ck_assert_int_eq(r_, (code)); \
	} while (0)

/* A pid that no longer runs. */
static pid_t dead_pid(void)
{
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	return child;
}

/* Another PID namespace than this process's: the pids of a file written
 * there name other processes here, or none. */
static unsigned long long other_ns(void)
{
	ck_assert_uint_ne(ready_pidns(), 0);
	return ready_pidns() + 1;
}

#define NOT_CHECKED "; not checked: this probe runs outside drainit's PID namespace"

/* ---- the readiness file ---- */

START_TEST(test_ready)
{
	char want[512], line[READY_LINE_MAX];
	ready_line(line, sizeof line, "ready", "tcp:8080", getpid(), T1);
	write_file(line);
	snprintf(want, sizeof want, "ready: app pid %d since " T1_TEXT " (tcp:8080)\n", (int)getpid());
	assert_probe(0, want);
}
END_TEST

START_TEST(test_ready_old_format)
{
	/* a file without the condition word (an older drainit) */
	char want[512], line[READY_LINE_MAX];
	snprintf(line, sizeof line, "ready pid=%d since=" T1_TEXT "\n", (int)getpid());
	write_file(line);
	snprintf(want, sizeof want, "ready: app pid %d since " T1_TEXT "\n", (int)getpid());
	assert_probe(0, want);
}
END_TEST

START_TEST(test_ready_whatever_the_state_file_says)
{
	/* the readiness file decides; the state file only explains its absence */
	char want[512], line[READY_LINE_MAX];
	ck_assert_int_eq(ready_mark(NULL, path, "exec:curl", getpid(), T1), 0);
	ready_line(line, sizeof line, "draining", "exec:curl", getpid(), T1);
	write_to(state, line);
	snprintf(want, sizeof want, "ready: app pid %d since " T1_TEXT " (exec:curl)\n", (int)getpid());
	assert_probe(0, want);
	write_to(state, "garbage");
	assert_probe(0, want);
}
END_TEST

START_TEST(test_written_by_ready_mark)
{
	char want[512];
	ck_assert_int_eq(ready_mark(NULL, path, "start", getpid(), 0), 0);
	snprintf(want, sizeof want, "ready: app pid %d since 1970-01-01T00:00:00.000Z (start)\n",
		 (int)getpid());
	assert_probe(0, want);
	ck_assert_int_eq(ready_clear(-1, path), 0);
	snprintf(want, sizeof want,
		 "not ready: no readiness file at %s (drainit not running, or stopped)\n", path);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_missing)
{
	/* neither file: drainit is not there */
	char want[512];
	snprintf(want, sizeof want,
		 "not ready: no readiness file at %s (drainit not running, or stopped)\n", path);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_stale_pid)
{
	/* a pid that no longer runs: the file outlived its app */
	char want[512], line[READY_LINE_MAX];
	pid_t child = dead_pid();
	ready_line(line, sizeof line, "ready", "start", child, 0);
	write_file(line);
	snprintf(want, sizeof want, "not ready: %s is stale: app pid %d is not running\n", path,
		 (int)child);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_not_ready_state)
{
	char want[512];
	write_file("draining pid=1\n");
	snprintf(want, sizeof want, "not ready: %s says 'draining'\n", path);
	assert_probe(1, want);

	write_file("ready\n"); /* no pid */
	snprintf(want, sizeof want, "not ready: %s says 'ready'\n", path);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_garbage)
{
	char want[512];
	snprintf(want, sizeof want, "not ready: %s does not hold a readiness line\n", path);
	write_file("");
	assert_probe(1, want);
	write_file("OK\n");
	assert_probe(1, want);
	write_file("ready pid=12ab\n");
	assert_probe(1, want);
	/* a word drainit never writes first is no state, however it reads */
	write_file("garbage\n");
	assert_probe(1, want);
	write_file("garbage");
	assert_probe(1, want);
	write_file("readyish pid=1\n");
	assert_probe(1, want);
	write_file("ok pid=1 since=X\n");
	assert_probe(1, want);
	write_file("ready pid=1 pidns=pid:[4026531836]\n");
	assert_probe(1, want);
}
END_TEST

/* ---- the readiness file, written in another PID namespace ---- */

START_TEST(test_ready_outside)
{
	/* a pid this probe cannot see: neither checked nor called alive */
	char want[512], line[READY_LINE_MAX];
	snprintf(line, sizeof line, "ready tcp:8080 pid=2 since=" T1_TEXT " pidns=%llu\n", other_ns());
	write_file(line);
	assert_probe(0, "ready: app pid 2 since " T1_TEXT " (tcp:8080)" NOT_CHECKED "\n");
	/* a file without the condition word */
	snprintf(line, sizeof line, "ready pid=2 since=" T1_TEXT " pidns=%llu\n", other_ns());
	write_file(line);
	assert_probe(0, "ready: app pid 2 since " T1_TEXT NOT_CHECKED "\n");
	/* a pid that does not run here is not called stale either */
	pid_t dead = dead_pid();
	snprintf(line, sizeof line, "ready start pid=%d since=" T1_TEXT " pidns=%llu\n", (int)dead,
		 other_ns());
	write_file(line);
	snprintf(want, sizeof want, "ready: app pid %d since " T1_TEXT " (start)" NOT_CHECKED "\n",
		 (int)dead);
	assert_probe(0, want);
	/* not ready says what it said before */
	snprintf(line, sizeof line, "draining start pid=2 pidns=%llu\n", other_ns());
	write_file(line);
	snprintf(want, sizeof want, "not ready: %s says 'draining'\n", path);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_ready_same_namespace)
{
	/* written in this namespace: checked, as before */
	char want[512], line[READY_LINE_MAX];
	pid_t dead = dead_pid();
	snprintf(line, sizeof line, "ready start pid=%d since=" T1_TEXT " pidns=%llu\n", (int)dead,
		 ready_pidns());
	write_file(line);
	snprintf(want, sizeof want, "not ready: %s is stale: app pid %d is not running\n", path,
		 (int)dead);
	assert_probe(1, want);
	snprintf(line, sizeof line, "ready start pid=%d since=" T1_TEXT " pidns=%llu\n",
		 (int)getpid(), ready_pidns());
	write_file(line);
	snprintf(want, sizeof want, "ready: app pid %d since " T1_TEXT " (start)\n", (int)getpid());
	assert_probe(0, want);
}
END_TEST

START_TEST(test_folder)
{
	char want[512];
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(want, sizeof want, "not ready: %s is not a regular file (a folder)\n", path);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_not_a_regular_file)
{
	/* answered at once, whatever is there: a FIFO no one writes to would
	 * block a plain open until the probe's timeout */
	char want[512];
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	snprintf(want, sizeof want, "not ready: %s is not a regular file (a FIFO)\n", path);
	assert_probe(1, want);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink("/dev/null", path), 0);
	snprintf(want, sizeof want, "not ready: %s is not a regular file (a symbolic link)\n", path);
	assert_probe(1, want);
	ck_assert_int_eq(unlink(path), 0);
	/* the state file too, when there is no readiness file */
	ck_assert_int_eq(mkfifo(state, 0644), 0);
	snprintf(want, sizeof want, "not ready: %s is not a regular file (a FIFO)\n", state);
	assert_probe(1, want);
	ck_assert_int_eq(unlink(state), 0);
}
END_TEST

/* ---- no readiness file: the state file says why ---- */

static void write_state(const char *word, const char *by, pid_t pid)
{
	ck_assert_int_eq(ready_status(NULL, path, word, by, pid, T1), 0);
}

START_TEST(test_state_starting)
{
	write_state("starting", "tcp:8080", getpid());
	assert_probe(1, "not ready: starting since " T1_TEXT ", waiting for tcp:8080\n");
	write_state("starting", "notify", getpid());
	assert_probe(1, "not ready: starting since " T1_TEXT ", waiting for notify\n");
}
END_TEST

START_TEST(test_state_unready)
{
	write_state("unready", "http:127.0.0.1:8080/healthz", getpid());
	assert_probe(1, "not ready: unready since " T1_TEXT ": http:127.0.0.1:8080/healthz failing\n");
}
END_TEST

START_TEST(test_state_draining)
{
	write_state("draining", "tcp:8080", getpid());
	assert_probe(1, "not ready: draining since " T1_TEXT "\n");
	/* a word drainit does not write is no state */
	char want[512];
	snprintf(want, sizeof want, "not ready: %s does not hold a readiness line\n", state);
	write_to(state, "pausing tcp:8080 pid=1 since=" T1_TEXT "\n");
	assert_probe(1, want);
}
END_TEST

START_TEST(test_state_ready_without_file)
{
	/* the readiness file went missing under a state file saying ready */
	char want[512];
	write_state("ready", "tcp:8080", getpid());
	snprintf(want, sizeof want, "not ready: no readiness file at %s, yet %s says ready\n", path,
		 state);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_state_stale)
{
	/* a state file left by a drainit that was SIGKILLed: its own pid is gone */
	char want[512], line[256];
	pid_t dead = dead_pid();
	snprintf(line, sizeof line, "starting tcp:8080 pid=%d since=" T1_TEXT " drainit=%d\n",
		 (int)getpid(), (int)dead);
	write_to(state, line);
	snprintf(want, sizeof want, "not ready: %s is stale: drainit pid %d is not running\n", state,
		 (int)dead);
	assert_probe(1, want);

	/* a state line without drainit= falls back to the app's pid */
	snprintf(line, sizeof line, "starting tcp:8080 pid=%d since=" T1_TEXT "\n", (int)dead);
	write_to(state, line);
	snprintf(want, sizeof want, "not ready: %s is stale: app pid %d is not running\n", state,
		 (int)dead);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_state_outside)
{
	/* written in another PID namespace: what it says, never "stale" about
	 * pids this probe cannot see */
	char line[256];
	pid_t dead = dead_pid();
	snprintf(line, sizeof line, "starting tcp:8080 pid=%d since=" T1_TEXT " drainit=%d pidns=%llu\n",
		 (int)dead, (int)dead, other_ns());
	write_to(state, line);
	assert_probe(1, "not ready: starting since " T1_TEXT ", waiting for tcp:8080\n");
	snprintf(line, sizeof line, "unready tcp:8080 pid=%d since=" T1_TEXT " pidns=%llu\n",
		 (int)dead, other_ns());
	write_to(state, line);
	assert_probe(1, "not ready: unready since " T1_TEXT ": tcp:8080 failing\n");
	snprintf(line, sizeof line, "draining tcp:8080 pid=2 since=" T1_TEXT " drainit=1 pidns=%llu\n",
		 other_ns());
	write_to(state, line);
	assert_probe(1, "not ready: draining since " T1_TEXT "\n");
}
END_TEST

START_TEST(test_state_stale_same_namespace)
{
	/* written in this namespace: a drainit that is gone makes it stale */
	char want[512], line[256];
	pid_t dead = dead_pid();
	snprintf(line, sizeof line, "starting tcp:8080 pid=%d since=" T1_TEXT " drainit=%d pidns=%llu\n",
		 (int)getpid(), (int)dead, ready_pidns());
	write_to(state, line);
	snprintf(want, sizeof want, "not ready: %s is stale: drainit pid %d is not running\n", state,
		 (int)dead);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_state_draining_after_the_app_exited)
{
	/* the app is gone, drainit (this process, drainit=) still drains what
	 * it left: draining, not stale */
	write_state("draining", "tcp:8080", dead_pid());
	assert_probe(1, "not ready: draining since " T1_TEXT "\n");
}
END_TEST

START_TEST(test_state_unready_notify)
{
	write_state("unready", "notify", getpid());
	assert_probe(1, "not ready: unready since " T1_TEXT ": the app sent STOPPING=1\n");
}
END_TEST

START_TEST(test_state_without_pid)
{
	/* a state file naming no app says nothing: as if absent */
	char want[512];
	snprintf(want, sizeof want,
		 "not ready: no readiness file at %s (drainit not running, or stopped)\n", path);
	write_to(state, "starting tcp:8080 since=X\n");
	assert_probe(1, want);
	write_to(state, "starting tcp:8080 pid=0 since=X\n");
	assert_probe(1, want);
}
END_TEST

START_TEST(test_state_garbage)
{
	char want[512];
	snprintf(want, sizeof want, "not ready: %s does not hold a readiness line\n", state);
	write_to(state, "");
	assert_probe(1, want);
	write_to(state, "Starting pid=1\n");
	assert_probe(1, want);
	ck_assert_int_eq(unlink(state), 0);
	ck_assert_int_eq(mkdir(state, 0755), 0);
	snprintf(want, sizeof want, "not ready: %s is not a regular file (a folder)\n", state);
	assert_probe(1, want);
}
END_TEST

START_TEST(test_state_cycle)
{
	/* what the probe says through a checked run, as drainit writes the files */
	char want[512];
	pid_t app = getpid();
	char err[256];
	ck_assert_int_eq(ready_prepare(path, NULL, err, sizeof err), 0);
	write_state("starting", "exec:curl", app);
	assert_probe(1, "not ready: starting since " T1_TEXT ", waiting for exec:curl\n");
	ck_assert_int_eq(ready_mark(NULL, path, "exec:curl", app, T1), 0);
	write_state("ready", "exec:curl", app);
	snprintf(want, sizeof want, "ready: app pid %d since " T1_TEXT " (exec:curl)\n", (int)app);
	assert_probe(0, want);
	ck_assert_int_eq(ready_clear(-1, path), 0);
	write_state("unready", "exec:curl", app);
	assert_probe(1, "not ready: unready since " T1_TEXT ": exec:curl failing\n");
	write_state("draining", "exec:curl", app);
	assert_probe(1, "not ready: draining since " T1_TEXT "\n");
	ck_assert_int_eq(ready_status(NULL, path, NULL, NULL, 0, 0), 0);
	snprintf(want, sizeof want,
		 "not ready: no readiness file at %s (drainit not running, or stopped)\n", path);
	assert_probe(1, want);
}
END_TEST

Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("run");
	tcase_add_unchecked_fixture(tc, make_dir, remove_dir);
	tcase_add_checked_fixture(tc, no_file, NULL);
	tcase_add_test(tc, test_ready);
	tcase_add_test(tc, test_ready_old_format);
	tcase_add_test(tc, test_ready_whatever_the_state_file_says);
	tcase_add_test(tc, test_written_by_ready_mark);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_stale_pid);
	tcase_add_test(tc, test_not_ready_state);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_folder);
	tcase_add_test(tc, test_not_a_regular_file);
	tcase_add_test(tc, test_ready_outside);
	tcase_add_test(tc, test_ready_same_namespace);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_unchecked_fixture(tc, make_dir, remove_dir);
	tcase_add_checked_fixture(tc, no_file, NULL);
	tcase_add_test(tc, test_state_starting);
	tcase_add_test(tc, test_state_unready);
	tcase_add_test(tc, test_state_draining);
	tcase_add_test(tc, test_state_ready_without_file);
	tcase_add_test(tc, test_state_stale);
	tcase_add_test(tc, test_state_outside);
	tcase_add_test(tc, test_state_stale_same_namespace);
	tcase_add_test(tc, test_state_draining_after_the_app_exited);
	tcase_add_test(tc, test_state_unready_notify);
	tcase_add_test(tc, test_state_without_pid);
	tcase_add_test(tc, test_state_garbage);
	tcase_add_test(tc, test_state_cycle);
	suite_add_tcase(s, tc);
	return s;
}
