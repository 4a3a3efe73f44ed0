#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ready.h"
#include "suites.h"

/* 2025-11-29T12:48:25.123Z */
#define T1 1764420505123LL

/* " pidns=INODE": the word the files end with, this process's PID
 * namespace as stat(2) sees it. */
static const char *ns_word(void)
{
	static char word[40];
	struct stat st;
	ck_assert_int_eq(stat("/proc/self/ns/pid", &st), 0);
	snprintf(word, sizeof word, " pidns=%llu", (unsigned long long)st.st_ino);
	return word;
}

/* The readiness line as ready_mark writes it: LINE (no newline), then
 * pidns= and the newline. */
static const char *marked(const char *line)
{
	static char buf[READY_LINE_MAX];
	snprintf(buf, sizeof buf, "%s%s\n", line, ns_word());
	return buf;
}

/* ---- the line ---- */

START_TEST(test_line)
{
	char buf[READY_LINE_MAX];
	size_t n = ready_line(buf, sizeof buf, "ready", "tcp:8080", 42, T1);
	ck_assert_str_eq(buf, "ready tcp:8080 pid=42 since=2025-11-29T12:48:25.123Z\n");
	ck_assert_uint_eq(n, strlen(buf));
	n = ready_line(buf, sizeof buf, "ready", "start", 1, 0);
	ck_assert_str_eq(buf, "ready start pid=1 since=1970-01-01T00:00:00.000Z\n");
	ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(test_line_states)
{
	/* the state file's lines have the same form */
	char buf[READY_LINE_MAX];
	size_t n = ready_line(buf, sizeof buf, "starting", "http:127.0.0.1:8080/healthz", 7, T1);
	ck_assert_str_eq(buf, "starting http:127.0.0.1:8080/healthz pid=7 since=2025-11-29T12:48:25.123Z\n");
	ck_assert_uint_eq(n, strlen(buf));
	n = ready_line(buf, sizeof buf, "unready", "exec:curl", 7, T1);
	ck_assert_str_eq(buf, "unready exec:curl pid=7 since=2025-11-29T12:48:25.123Z\n");
	ck_assert_uint_eq(n, strlen(buf));
	n = ready_line(buf, sizeof buf, "draining", "notify", 4194304, 0);
	ck_assert_str_eq(buf, "draining notify pid=4194304 since=1970-01-01T00:00:00.000Z\n");
	ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(test_line_truncated)
{
	/* a short buffer is cut, never overrun, and the length is what the
	 * buffer holds */
	char buf[16];
	memset(buf, 'X', sizeof buf);
	size_t n = ready_line(buf, 10, "ready", "start", 42, T1);
	ck_assert_str_eq(buf, "ready sta");
	ck_assert_uint_eq(n, 9);
	ck_assert_int_eq(buf[10], 'X');
	memset(buf, 'X', sizeof buf);
	n = ready_line(buf, 1, "ready", "start", 42, T1);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(buf[1], 'X');
}
END_TEST

START_TEST(test_line_longest_name_fits)
{
	/* the longest condition name (127 bytes) with the longest state word
	 * and pid still make a whole line in READY_LINE_MAX */
	char by[128], buf[READY_LINE_MAX], want[2 * READY_LINE_MAX];
	struct ready_info info;
	memset(by, 'n', sizeof by - 1);
	by[sizeof by - 1] = '\0';
	size_t n = ready_line(buf, sizeof buf, "starting", by, 4194304, T1);
	snprintf(want, sizeof want, "starting %s pid=4194304 since=2025-11-29T12:48:25.123Z\n", by);
	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_int_eq(ready_parse(buf, &info), 0);
	ck_assert_str_eq(info.by, by);
	ck_assert_int_eq(info.pid, 4194304);
}
END_TEST

START_TEST(test_line_parses_back)
{
	char buf[READY_LINE_MAX];
	struct ready_info info;
	ready_line(buf, sizeof buf, "ready", "tcp:[::1]:8080", 4194304, T1);
	ck_assert_int_eq(ready_parse(buf, &info), 0);
	ck_assert(info.ready);
	ck_assert_int_eq(info.pid, 4194304);
	ck_assert_str_eq(info.since, "2025-11-29T12:48:25.123Z");
	ck_assert_str_eq(info.state, "ready");
	ck_assert_str_eq(info.by, "tcp:[::1]:8080");

	ready_line(buf, sizeof buf, "unready", "file:/run/app/ready", 9, T1);
	ck_assert_int_eq(ready_parse(buf, &info), 0);
	ck_assert(!info.ready);
	ck_assert_str_eq(info.state, "unready");
	ck_assert_str_eq(info.by, "file:/run/app/ready");
	ck_assert_int_eq(info.pid, 9);
}
END_TEST

/* ---- parsing ---- */

START_TEST(test_parse_ready)
{
	struct ready_info info;
	memset(&info, 0x5a, sizeof info);
	ck_assert_int_eq(ready_parse("ready pid=42 since=2025-11-29T12:48:25.123Z\n", &info), 0);
	ck_assert(info.ready);
	ck_assert_int_eq(info.pid, 42);
	ck_assert_str_eq(info.since, "2025-11-29T12:48:25.123Z");
	ck_assert_str_eq(info.state, "ready");
	ck_assert_str_eq(info.by, ""); /* a file of an older drainit */

	/* with the condition word */
	memset(&info, 0x5a, sizeof info);
	ck_assert_int_eq(ready_parse("ready tcp:8080 pid=42 since=2025-11-29T12:48:25.123Z\n", &info), 0);
	ck_assert(info.ready);
	ck_assert_int_eq(info.pid, 42);
	ck_assert_str_eq(info.since, "2025-11-29T12:48:25.123Z");
	ck_assert_str_eq(info.state, "ready");
	ck_assert_str_eq(info.by, "tcp:8080");

	/* without the newline, in another order */
	ck_assert_int_eq(ready_parse("ready since=X pid=7", &info), 0);
	ck_assert(info.ready);
	ck_assert_int_eq(info.pid, 7);
	ck_assert_str_eq(info.since, "X");
}
END_TEST

START_TEST(test_parse_not_ready)
{
	struct ready_info info;
	/* another state */
	ck_assert_int_eq(ready_parse("draining pid=42 since=X\n", &info), 0);
	ck_assert(!info.ready);
	ck_assert_str_eq(info.state, "draining");
	ck_assert_int_eq(info.pid, 42);
	/* ready without a pid, or with pid 0 */
	ck_assert_int_eq(ready_parse("ready\n", &info), 0);
	ck_assert(!info.ready);
	ck_assert_int_eq(info.pid, 0);
	ck_assert_str_eq(info.since, "");
	ck_assert_str_eq(info.state, "ready");
	ck_assert_int_eq(ready_parse("ready pid=0 since=X\n", &info), 0);
	ck_assert(!info.ready);
	ck_assert_int_eq(ready_parse("ready pid= since=X\n", &info), 0);
	ck_assert(!info.ready);
	/* each state drainit writes */
	static const char *const states[] = { "starting", "ready", "unready", "draining" };
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		char line[64];
		snprintf(line, sizeof line, "%s\n", states[i]);
		ck_assert_int_eq(ready_parse(line, &info), 0);
		ck_assert_str_eq(info.state, states[i]);
		ck_assert(!info.ready);
	}
}
END_TEST

START_TEST(test_parse_only_states)
{
	/* a first word drainit never writes makes no readiness line, however
	 * much the rest looks like one: the probe says so rather than quote it */
	static const char *const bad[] = {
		"garbage\n",
		"garbage",
		"ok\n",
		"readyish pid=3\n",
		"stopping\n",
		"pausing tcp:8080 pid=1 since=X\n",
		"read pid=1\n",
		"readyready pid=1\n",
		"startingx pid=1\n",
		"drain pid=1\n",
	};
	struct ready_info info;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(ready_parse(bad[i], &info) == -1, "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(test_parse_pidns)
{
	struct ready_info info;
	/* the namespace of the pids, anywhere among the words */
	memset(&info, 0x5a, sizeof info);
	ck_assert_int_eq(ready_parse("ready tcp:8080 pid=2 since=X pidns=4026532451\n", &info), 0);
	ck_assert(info.ready);
	ck_assert_int_eq(info.pid, 2);
	ck_assert_uint_eq(info.pidns, 4026532451ULL);
	ck_assert_str_eq(info.by, "tcp:8080");
	ck_assert_str_eq(info.since, "X");
	ck_assert_int_eq(ready_parse("starting exec:x pid=7 since=X drainit=1 pidns=4026531836\n",
				     &info), 0);
	ck_assert_int_eq(info.drainit, 1);
	ck_assert_int_eq(info.pid, 7);
	ck_assert_uint_eq(info.pidns, 4026531836ULL);
	ck_assert_str_eq(info.by, "exec:x");
	ck_assert_int_eq(ready_parse("ready pidns=9 pid=3\n", &info), 0);
	ck_assert_uint_eq(info.pidns, 9);
	ck_assert_int_eq(info.pid, 3);
	/* the largest inode number there is */
	ck_assert_int_eq(ready_parse("ready pid=3 pidns=18446744073709551615\n", &info), 0);
	ck_assert_uint_eq(info.pidns, 18446744073709551615ULL);

	/* without it (an older drainit, or no /proc): 0 */
	memset(&info, 0x5a, sizeof info);
	ck_assert_int_eq(ready_parse("ready tcp:8080 pid=2 since=X\n", &info), 0);
	ck_assert_uint_eq(info.pidns, 0);
	ck_assert(info.ready);
	ck_assert_int_eq(ready_parse("ready pid=2 pidns=\n", &info), 0);
	ck_assert_uint_eq(info.pidns, 0);
	/* pidnsx= is not pidns=, pid= is not pidns= */
	ck_assert_int_eq(ready_parse("ready pidnsx=5 pid=4\n", &info), 0);
	ck_assert_uint_eq(info.pidns, 0);
	ck_assert_int_eq(info.pid, 4);

	/* digits only, and no more than fit */
	static const char *const bad[] = {
		"ready pid=2 pidns=pid:[4026532451]\n",
		"ready pid=2 pidns=-1\n",
		"ready pid=2 pidns=12ab\n",
		"ready pid=2 pidns=18446744073709551616\n",
		"ready pid=2 pidns=99999999999999999999999\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(ready_parse(bad[i], &info) == -1, "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(test_parse_unknown_words)
{
	/* a newer drainit may add words: an older probe skips them */
	struct ready_info info;
	ck_assert_int_eq(ready_parse("ready gen=3 pid=42 zone=eu since=T host=x\n", &info), 0);
	ck_assert(info.ready);
	ck_assert_int_eq(info.pid, 42);
	ck_assert_str_eq(info.since, "T");
	/* pidx= is not pid= */
	ck_assert_int_eq(ready_parse("ready pidx=9 pid=4\n", &info), 0);
	ck_assert_int_eq(info.pid, 4);
	/* double spaces are fine */
	ck_assert_int_eq(ready_parse("ready  pid=5\n", &info), 0);
	ck_assert_int_eq(info.pid, 5);
	ck_assert(info.ready);
	/* a since too long for the field is dropped, not overrun */
	char line[200];
	snprintf(line, sizeof line, "ready pid=5 since=%0100d\n", 0);
	ck_assert_int_eq(ready_parse(line, &info), 0);
	ck_assert_str_eq(info.since, "");
	ck_assert_int_eq(info.pid, 5);
}
END_TEST

START_TEST(test_parse_by)
{
	struct ready_info info;
	/* the first word without '=' after the state */
	ck_assert_int_eq(ready_parse("starting exec:curl pid=7 since=X\n", &info), 0);
	ck_assert_str_eq(info.state, "starting");
	ck_assert_str_eq(info.by, "exec:curl");
	ck_assert(!info.ready);
	ck_assert_int_eq(info.pid, 7);
	/* wherever it stands, and only the first */
	ck_assert_int_eq(ready_parse("ready pid=3 since=X notify extra\n", &info), 0);
	ck_assert_str_eq(info.by, "notify");
	ck_assert(info.ready);
	ck_assert_int_eq(info.pid, 3);
	ck_assert_str_eq(info.since, "X");
	/* key=value words are never the condition */
	ck_assert_int_eq(ready_parse("ready gen=2 pid=3\n", &info), 0);
	ck_assert_str_eq(info.by, "");
	/* none at all */
	ck_assert_int_eq(ready_parse("draining\n", &info), 0);
	ck_assert_str_eq(info.by, "");
	/* the longest that fits (127 bytes); one too long is dropped, not
	 * overrun */
	char line[400], word[200];
	memset(word, 'w', 127);
	word[127] = '\0';
	snprintf(line, sizeof line, "ready %s pid=5\n", word);
	ck_assert_int_eq(ready_parse(line, &info), 0);
	ck_assert_str_eq(info.by, word);
	ck_assert_int_eq(info.pid, 5);
	memset(word, 'w', 128);
	word[128] = '\0';
	snprintf(line, sizeof line, "ready %s pid=5\n", word);
	ck_assert_int_eq(ready_parse(line, &info), 0);
	ck_assert_str_eq(info.by, "");
	ck_assert_int_eq(info.pid, 5);
	ck_assert(info.ready);
}
END_TEST

START_TEST(test_parse_bad)
{
	static const char *const bad[] = {
		"",
		"\n",
		" ready pid=1\n",
		"Ready pid=1\n",
		"READY pid=1\n",
		"ready\tpid=1\n",
		"ready pid=1x\n",
		"ready pid=-1\n",
		"ready pid=99999999999\n",
		"ready pid=1\tsince=X\n",
		"ready1 pid=1\n",
		"abcdefghijklmnopqrstuvwxyzabcdefgh pid=1\n", /* state longer than the field */
		"\x01ready pid=1\n",
	};
	struct ready_info info;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(ready_parse(bad[i], &info) == -1, "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(test_parse_stops_at_newline)
{
	struct ready_info info;
	ck_assert_int_eq(ready_parse("ready pid=42\nready pid=43\n", &info), 0);
	ck_assert_int_eq(info.pid, 42);
	ck_assert_int_eq(ready_parse("draining\nready pid=43\n", &info), 0);
	ck_assert_str_eq(info.state, "draining");
	ck_assert(!info.ready);
}
END_TEST

/* ---- the file, in a temp folder ---- */

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/drainit-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[512];
	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static void remove_dir(void)
{
	remove_tree(dir);
}

/* Each test starts from an empty folder. The folder itself is made once per
 * test case, outside the forked tests, so a failing test leaves nothing
 * behind in /tmp. */
static void empty_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[512];
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
		remove_tree(sub);
	}
	closedir(d);
}

/* The names in dir, sorted, joined by spaces. */
static const char *listing(void)
{
	static char out[1024];
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);
	size_t o = 0;
	out[0] = '\0';
	ck_assert_int_ge(n, 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") != 0 && strcmp(v[i]->d_name, "..") != 0)
			o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", o ? " " : "", v[i]->d_name);
		free(v[i]);
	}
	free(v);
	return out;
}

static char *path_in(const char *name)
{
	static char p[4][256];
	static int k;
	char *out = p[k++ % 4];
	snprintf(out, 256, "%s/%s", dir, name);
	return out;
}

static const char *read_all(const char *path)
{
	static char buf[512];
	int fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

START_TEST(test_prepare_fresh)
{
	char err[512] = "";
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), 0);
	ck_assert_str_eq(listing(), ""); /* no probe file left behind */
}
END_TEST

START_TEST(test_prepare_removes_stale)
{
	char err[512] = "";
	write_file(path_in("ready"), "ready pid=1 since=X\n");
	write_file(path_in("other"), "x");
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), 1);
	ck_assert_str_eq(listing(), "other");
	/* a stale temp file of the same pid is cleaned too */
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".ready.%d.tmp", (int)getpid());
	write_file(path_in(tmp), "half");
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), 0);
	ck_assert_str_eq(listing(), "other");
}
END_TEST

START_TEST(test_prepare_missing_folder)
{
	char err[512] = "", want[512];
	ck_assert_int_eq(ready_prepare(path_in("nope/ready"), NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "readiness folder '%s/nope': No such file or directory", dir);
	ck_assert_str_eq(err, want);
	ck_assert_str_eq(listing(), ""); /* and creates nothing */
}
END_TEST

START_TEST(test_prepare_folder_is_a_file)
{
	char err[512] = "", want[512];
	write_file(path_in("file"), "x");
	ck_assert_int_eq(ready_prepare(path_in("file/ready"), NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "readiness folder '%s/file': not a folder", dir);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_prepare_path_is_a_folder)
{
	char err[512] = "", want[512];
	ck_assert_int_eq(mkdir(path_in("ready"), 0755), 0);
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "--ready-file %s/ready: a folder is there; drainit removes only "
		 "its own (choose another path)", dir);
	ck_assert_str_eq(err, want);
	/* the folder is still there, and nothing else */
	ck_assert_str_eq(listing(), "ready");
	struct stat st;
	ck_assert_int_eq(stat(path_in("ready"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
}
END_TEST

START_TEST(test_prepare_unusable_paths)
{
	static char err[8192];
	char want[512];
	/* a path ending in '/' names no file */
	snprintf(want, sizeof want, "%s/", dir);
	ck_assert_int_eq(ready_prepare(want, NULL, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "not a usable file path") != NULL, "%s", err);
	/* a path longer than PATH_MAX */
	char *longpath = malloc(5000);
	ck_assert_ptr_nonnull(longpath);
	memset(longpath, 'a', 4999);
	longpath[0] = '/';
	longpath[4999] = '\0';
	longpath[4990] = '/';
	ck_assert_int_eq(ready_prepare(longpath, NULL, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "not a usable file path") != NULL, "%s", err);
	errno = 0;
	ck_assert_int_eq(ready_mark(NULL, longpath, "start", 1, T1), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	free(longpath);
}
END_TEST

START_TEST(test_prepare_relative)
{
	/* a bare name lives in the current folder */
	char err[512] = "", cwd[4096];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir(dir), 0);
	write_file("ready", "ready start pid=1 since=X\n");
	int r = ready_prepare("ready", NULL, err, sizeof err);
	int m = ready_mark(NULL, "ready", "start", 9, T1);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_msg(r == 1, "%d: %s", r, err);
	ck_assert_int_eq(m, 0);
	ck_assert_str_eq(read_all(path_in("ready")), marked("ready start pid=9 since=2025-11-29T12:48:25.123Z"));
	ck_assert_str_eq(listing(), "ready");
}
END_TEST

START_TEST(test_mark)
{
	const char *p = path_in("ready");
	ck_assert_int_eq(ready_mark(NULL, p, "start", 42, T1), 0);
	ck_assert_str_eq(read_all(p), marked("ready start pid=42 since=2025-11-29T12:48:25.123Z"));
	ck_assert_str_eq(listing(), "ready"); /* the temp file was renamed, none left */

	/* marking again replaces the line */
	ck_assert_int_eq(ready_mark(NULL, p, "start", 43, 0), 0);
	ck_assert_str_eq(read_all(p), marked("ready start pid=43 since=1970-01-01T00:00:00.000Z"));
	ck_assert_str_eq(listing(), "ready");
}
END_TEST

START_TEST(test_mark_replaces_atomically)
{
	/* rename, not rewrite: a reader holding the old file keeps the old
	 * line whole, the new name holds a new inode */
	const char *p = path_in("ready");
	ck_assert_int_eq(ready_mark(NULL, p, "start", 42, T1), 0);
	struct stat before, after;
	ck_assert_int_eq(stat(p, &before), 0);
	int fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ready_mark(NULL, p, "start", 43, T1), 0);
	ck_assert_int_eq(stat(p, &after), 0);
	ck_assert(before.st_ino != after.st_ino);
	char buf[128];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, marked("ready start pid=42 since=2025-11-29T12:48:25.123Z"));
}
END_TEST

START_TEST(test_mark_mode)
{
	/* 0644 whatever the umask */
	const char *p = path_in("ready");
	struct stat st;
	mode_t old = umask(077);
	int r = ready_mark(NULL, p, "start", 42, T1);
	umask(old);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0644);

	old = umask(0);
	r = ready_mark(NULL, p, "start", 42, T1);
	umask(old);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
}
END_TEST

START_TEST(test_mark_missing_folder)
{
	errno = 0;
	ck_assert_int_eq(ready_mark(NULL, path_in("nope/ready"), "start", 42, T1), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(listing(), "");
}
END_TEST

START_TEST(test_mark_onto_folder)
{
	/* the path is a folder: not drainit's, never replaced, no temp file */
	ck_assert_int_eq(mkdir(path_in("ready"), 0755), 0);
	errno = 0;
	ck_assert_int_eq(ready_mark(NULL, path_in("ready"), "start", 42, T1), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_str_eq(listing(), "ready");
}
END_TEST

START_TEST(test_mark_never_over_someones_file)
{
	/* a file with other content, a FIFO: left as they are */
	write_file(path_in("ready"), "key: value\n");
	errno = 0;
	ck_assert_int_eq(ready_mark(NULL, path_in("ready"), "start", 42, T1), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_str_eq(read_all(path_in("ready")), "key: value\n");
	ck_assert_int_eq(mkfifo(path_in("ready.state"), 0644), 0);
	errno = 0;
	ck_assert_int_eq(ready_status(NULL, path_in("ready"), "starting", "start", 42, T1), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_str_eq(listing(), "ready ready.state");
	/* drainit's own line, or an empty file, is replaced */
	ck_assert_int_eq(unlink(path_in("ready")), 0);
	write_file(path_in("ready"), "");
	ck_assert_int_eq(ready_mark(NULL, path_in("ready"), "start", 42, T1), 0);
	ck_assert_int_eq(ready_mark(NULL, path_in("ready"), "start", 43, T1), 0);
	ck_assert_str_eq(read_all(path_in("ready")), marked("ready start pid=43 since=2025-11-29T12:48:25.123Z"));
}
END_TEST

START_TEST(test_mark_does_not_follow_temp_symlink)
{
	/* someone planted the temp name as a symlink: it is replaced, and
	 * its target is not written through */
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".ready.%d.tmp", (int)getpid());
	write_file(path_in("target"), "untouched");
	ck_assert_int_eq(symlink(path_in("target"), path_in(tmp)), 0);
	ck_assert_int_eq(ready_mark(NULL, path_in("ready"), "start", 42, T1), 0);
	ck_assert_str_eq(read_all(path_in("target")), "untouched");
	ck_assert_str_eq(read_all(path_in("ready")), marked("ready start pid=42 since=2025-11-29T12:48:25.123Z"));
	ck_assert_str_eq(listing(), "ready target");
}
END_TEST

START_TEST(test_empty)
{
	/* emptied in place: no probe takes an empty file for ready */
	const char *p = path_in("ready");
	struct ready_info info;
	ck_assert_int_eq(ready_mark(NULL, p, "start", 42, T1), 0);
	ck_assert_int_eq(ready_empty(-1, p), 0);
	ck_assert_str_eq(read_all(p), "");
	ck_assert_int_eq(ready_parse(read_all(p), &info), -1);
	ck_assert_str_eq(listing(), "ready");
	/* missing: an error, nothing made */
	errno = 0;
	ck_assert_int_eq(ready_empty(-1, path_in("nope")), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* never through a symbolic link, never a FIFO (nor blocks on one) */
	write_file(path_in("target"), "untouched");
	ck_assert_int_eq(symlink(path_in("target"), path_in("link")), 0);
	errno = 0;
	ck_assert_int_eq(ready_empty(-1, path_in("link")), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_str_eq(read_all(path_in("target")), "untouched");
	ck_assert_int_eq(mkfifo(path_in("fifo"), 0644), 0);
	int reader = open(path_in("fifo"), O_RDONLY | O_NONBLOCK); /* so that opening it works */
	ck_assert_int_ge(reader, 0);
	errno = 0;
	ck_assert_int_eq(ready_empty(-1, path_in("fifo")), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(reader);
}
END_TEST

START_TEST(test_clear)
{
	const char *p = path_in("ready");
	ck_assert_int_eq(ready_mark(NULL, p, "start", 42, T1), 0);
	ck_assert_int_eq(ready_clear(-1, p), 0);
	ck_assert_int_eq(access(p, F_OK), -1);
	ck_assert_str_eq(listing(), "");
	/* a missing file is fine, twice */
	ck_assert_int_eq(ready_clear(-1, p), 0);
	ck_assert_int_eq(ready_clear(-1, path_in("nope/ready")), 0);
	/* a folder in its place is not drainit's: left there */
	ck_assert_int_eq(mkdir(p, 0755), 0);
	ck_assert_int_eq(ready_clear(-1, p), 1);
	ck_assert_str_eq(listing(), "ready");
}
END_TEST

START_TEST(test_prepare_mark_clear_cycle)
{
	char err[512] = "";
	const char *p = path_in("ready");
	struct ready_info info;
	ck_assert_int_eq(ready_prepare(p, NULL, err, sizeof err), 0);
	ck_assert_int_eq(ready_mark(NULL, p, "tcp:8080", 77, T1), 0);
	ck_assert_int_eq(ready_parse(read_all(p), &info), 0);
	ck_assert(info.ready);
	ck_assert_int_eq(info.pid, 77);
	ck_assert_str_eq(info.by, "tcp:8080");
	ck_assert_int_eq(ready_clear(-1, p), 0);
	ck_assert_int_eq(ready_mark(NULL, p, "start", 78, T1), 0);
	/* a restart finds the file of the previous run and removes it */
	ck_assert_int_eq(ready_prepare(p, NULL, err, sizeof err), 1);
	ck_assert_str_eq(listing(), "");
}
END_TEST

START_TEST(test_pidns)
{
	/* both files name the PID namespace their pids live in: this
	 * process's, as stat(2) of /proc/self/ns/pid sees it */
	struct stat st;
	struct ready_info info;
	ck_assert_int_eq(stat("/proc/self/ns/pid", &st), 0);
	ck_assert_uint_eq(ready_pidns(), st.st_ino);
	ck_assert_uint_ne(ready_pidns(), 0);
	ck_assert_int_eq(ready_mark(NULL, path_in("ready"), "tcp:8080", 42, T1), 0);
	ck_assert_int_eq(ready_parse(read_all(path_in("ready")), &info), 0);
	ck_assert_uint_eq(info.pidns, st.st_ino);
	ck_assert_int_eq(info.pid, 42);
	ck_assert(info.ready);
	ck_assert_int_eq(ready_status(NULL, path_in("ready"), "draining", "tcp:8080", 42, T1), 0);
	ck_assert_int_eq(ready_parse(read_all(path_in("ready.state")), &info), 0);
	ck_assert_uint_eq(info.pidns, st.st_ino);
	ck_assert_int_eq(info.drainit, getpid());
}
END_TEST

START_TEST(test_longest_state_line_fits)
{
	/* the longest condition name, the largest pids and the longest
	 * pidns= there can be still make a whole state line */
	char by[128], buf[READY_LINE_MAX];
	memset(by, 'n', sizeof by - 1);
	by[sizeof by - 1] = '\0';
	size_t n = ready_line(buf, sizeof buf, "starting", by, 4194304, T1);
	ck_assert_uint_lt(n + strlen(" drainit=4194304 pidns=18446744073709551615"), sizeof buf);
	/* and as written */
	struct ready_info info;
	ck_assert_int_eq(ready_status(NULL, path_in("ready"), "starting", by, 4194304, T1), 0);
	const char *line = read_all(path_in("ready.state"));
	ck_assert_int_eq(line[strlen(line) - 1], '\n');
	ck_assert_int_eq(ready_parse(line, &info), 0);
	ck_assert_str_eq(info.by, by);
	ck_assert_int_eq(info.pid, 4194304);
	ck_assert_int_eq(info.drainit, getpid());
	ck_assert_uint_eq(info.pidns, ready_pidns());
}
END_TEST

/* ---- the state file beside it ---- */

START_TEST(test_state_path)
{
	char buf[64];
	ck_assert_int_eq(ready_status_path("/run/drainit/ready", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/run/drainit/ready.state");
	ck_assert_int_eq(ready_status_path("ready", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "ready.state");
	ck_assert_str_eq(READY_STATE_SUFFIX, ".state");
	/* exactly fitting, and one byte short */
	ck_assert_int_eq(ready_status_path("abc", buf, 10), 0);
	ck_assert_str_eq(buf, "abc.state");
	memset(buf, 'X', sizeof buf);
	ck_assert_int_eq(ready_status_path("abc", buf, 9), -1);
	ck_assert_int_eq(buf[9], 'X'); /* never past len */
}
END_TEST

START_TEST(test_state_written)
{
	char p[256];
	snprintf(p, sizeof p, "%s", path_in("ready"));
	ck_assert_int_eq(ready_status(NULL, p, "starting", "tcp:8080", 42, T1), 0);
	/* the state file also names drainit itself, for the probe */
	char line[256];
	snprintf(line, sizeof line, "starting tcp:8080 pid=42 since=2025-11-29T12:48:25.123Z drainit=%d%s\n",
		 (int)getpid(), ns_word());
	ck_assert_str_eq(read_all(path_in("ready.state")), line);
	struct ready_info info;
	ck_assert_int_eq(ready_parse(line, &info), 0);
	ck_assert_int_eq(info.pid, 42);
	ck_assert_int_eq(info.drainit, getpid());
	ck_assert_uint_eq(info.pidns, ready_pidns());
	ck_assert_str_eq(info.by, "tcp:8080");
	/* beside the readiness file, which it does not create; no temp left */
	ck_assert_str_eq(listing(), "ready.state");

	/* each state replaces the line, atomically */
	struct stat before, after;
	ck_assert_int_eq(stat(path_in("ready.state"), &before), 0);
	ck_assert_int_eq(ready_status(NULL, p, "ready", "tcp:8080", 42, T1 + 1000), 0);
	ck_assert_int_eq(stat(path_in("ready.state"), &after), 0);
	ck_assert(before.st_ino != after.st_ino);
	snprintf(line, sizeof line, "ready tcp:8080 pid=42 since=2025-11-29T12:48:26.123Z drainit=%d%s\n",
		 (int)getpid(), ns_word());
	ck_assert_str_eq(read_all(path_in("ready.state")), line);
	ck_assert_int_eq(ready_status(NULL, p, "unready", "tcp:8080", 42, T1), 0);
	snprintf(line, sizeof line, "unready tcp:8080 pid=42 since=2025-11-29T12:48:25.123Z drainit=%d%s\n",
		 (int)getpid(), ns_word());
	ck_assert_str_eq(read_all(path_in("ready.state")), line);
	ck_assert_int_eq(ready_status(NULL, p, "draining", "tcp:8080", 42, 0), 0);
	snprintf(line, sizeof line, "draining tcp:8080 pid=42 since=1970-01-01T00:00:00.000Z drainit=%d%s\n",
		 (int)getpid(), ns_word());
	ck_assert_str_eq(read_all(path_in("ready.state")), line);
	ck_assert_str_eq(listing(), "ready.state");
	ck_assert_uint_eq(after.st_mode & 07777, 0644);

	/* and it parses as a readiness line would */
	ck_assert_int_eq(ready_parse(read_all(path_in("ready.state")), &info), 0);
	ck_assert_str_eq(info.state, "draining");
	ck_assert_str_eq(info.by, "tcp:8080");
	ck_assert_int_eq(info.pid, 42);
	ck_assert(!info.ready);
}
END_TEST

START_TEST(test_state_removed)
{
	char p[256];
	snprintf(p, sizeof p, "%s", path_in("ready"));
	ck_assert_int_eq(ready_mark(NULL, p, "tcp:8080", 42, T1), 0);
	ck_assert_int_eq(ready_status(NULL, p, "ready", "tcp:8080", 42, T1), 0);
	ck_assert_str_eq(listing(), "ready ready.state");
	/* NULL removes the state file only */
	ck_assert_int_eq(ready_status(NULL, p, NULL, NULL, 0, 0), 0);
	ck_assert_str_eq(listing(), "ready");
	ck_assert_str_eq(read_all(p), marked("ready tcp:8080 pid=42 since=2025-11-29T12:48:25.123Z"));
	/* a missing one is fine, twice */
	ck_assert_int_eq(ready_status(NULL, p, NULL, NULL, 0, 0), 0);
	ck_assert_int_eq(ready_clear(-1, p), 0);
	ck_assert_int_eq(ready_status(NULL, p, NULL, NULL, 0, 0), 0);
	ck_assert_str_eq(listing(), "");
	/* a folder in its place is not drainit's: left there */
	ck_assert_int_eq(mkdir(path_in("ready.state"), 0755), 0);
	ck_assert_int_eq(ready_status(NULL, p, NULL, NULL, 0, 0), 1);
	errno = 0;
	ck_assert_int_eq(ready_status(NULL, p, "starting", "start", 1, T1), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_str_eq(listing(), "ready.state");
}
END_TEST

START_TEST(test_state_errors)
{
	errno = 0;
	ck_assert_int_eq(ready_status(NULL, path_in("nope/ready"), "starting", "start", 1, T1), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(listing(), "");
	/* a path whose state file name is too long */
	char *longpath = malloc(5000);
	ck_assert_ptr_nonnull(longpath);
	memset(longpath, 'a', 4093);
	memcpy(longpath, "/tmp/", 5);
	longpath[4093] = '\0';
	errno = 0;
	ck_assert_int_eq(ready_status(NULL, longpath, "starting", "start", 1, T1), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	errno = 0;
	ck_assert_int_eq(ready_status(NULL, longpath, NULL, NULL, 0, 0), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	free(longpath);
}
END_TEST

START_TEST(test_prepare_removes_stale_state)
{
	char err[512] = "";
	/* the state file of a previous run goes; only a readiness file
	 * counts as "removed a stale file" */
	write_file(path_in("ready.state"), "draining start pid=1 since=X\n");
	write_file(path_in("other.state"), "x");
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), 0);
	ck_assert_str_eq(listing(), "other.state");
	write_file(path_in("ready.state"), "ready start pid=1 since=X\n");
	write_file(path_in("ready"), "ready start pid=1 since=X\n");
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), 1);
	ck_assert_str_eq(listing(), "other.state");
}
END_TEST

START_TEST(test_prepare_state_is_a_folder)
{
	char err[512] = "", want[512];
	ck_assert_int_eq(mkdir(path_in("ready.state"), 0755), 0);
	write_file(path_in("ready"), "ready start pid=1 since=X\n");
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "--ready-file %s/ready: its state file %s/ready.state: a folder "
		 "is there; drainit removes only its own (choose another path)", dir, dir);
	ck_assert_str_eq(err, want);
	/* the folder stays */
	struct stat st;
	ck_assert_int_eq(stat(path_in("ready.state"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
}
END_TEST

START_TEST(test_lifecycle_files)
{
	/* what a checked run leaves in the folder, step by step */
	char err[512] = "";
	char p[256];
	snprintf(p, sizeof p, "%s", path_in("ready"));
	struct ready_info info;
	write_file(p, "ready start pid=1 since=X\n");
	write_file(path_in("ready.state"), "ready start pid=1 since=X\n");
	ck_assert_int_eq(ready_prepare(p, NULL, err, sizeof err), 1);
	ck_assert_str_eq(listing(), "");
	ck_assert_int_eq(ready_status(NULL, p, "starting", "http:127.0.0.1:8080/", 7, T1), 0);
	ck_assert_str_eq(listing(), "ready.state");
	ck_assert_int_eq(ready_mark(NULL, p, "http:127.0.0.1:8080/", 7, T1), 0);
	ck_assert_int_eq(ready_status(NULL, p, "ready", "http:127.0.0.1:8080/", 7, T1), 0);
	ck_assert_str_eq(listing(), "ready ready.state");
	ck_assert_int_eq(ready_parse(read_all(p), &info), 0);
	ck_assert(info.ready);
	ck_assert_str_eq(info.by, "http:127.0.0.1:8080/");
	ck_assert_int_eq(ready_clear(-1, p), 0);
	ck_assert_int_eq(ready_status(NULL, p, "unready", "http:127.0.0.1:8080/", 7, T1), 0);
	ck_assert_str_eq(listing(), "ready.state");
	ck_assert_int_eq(ready_status(NULL, p, "draining", "http:127.0.0.1:8080/", 7, T1), 0);
	ck_assert_int_eq(ready_status(NULL, p, NULL, NULL, 0, 0), 0);
	ck_assert_str_eq(listing(), "");
}
END_TEST

/* ---- only drainit's own files are removed ---- */

START_TEST(test_ours)
{
	static const struct { const char *content; bool ours; } cases[] = {
		{ "", true },                                   /* what ready_empty leaves */
		{ "ready start pid=1 since=X\n", true },
		{ "ready start pid=1 since=X", true },           /* no newline */
		{ "draining tcp:8080 pid=7 since=X drainit=1 pidns=4026532451\n", true },
		{ "starting\n", true },
		{ "ready\n", true },
		{ "key: value\n", false },                      /* config.yaml */
		{ "ready start pid=1\nkey: value\n", false },  /* a line, then more */
		{ "ready start pid=1\n\n", false },
		{ "\n", false },
		{ "READY\n", false },
		{ "ready pid=x\n", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(ready_ours(cases[i].content, strlen(cases[i].content)) == cases[i].ours,
			      "'%s'", cases[i].content);
	/* a NUL inside, and more than a line can be */
	ck_assert(!ready_ours("ready\0key: value\n", 17));
	char big[READY_LINE_MAX + 2];
	memset(big, 'x', sizeof big);
	memcpy(big, "ready ", 6);
	ck_assert(!ready_ours(big, sizeof big));
}
END_TEST

START_TEST(test_kind)
{
	ck_assert_str_eq(ready_kind(S_IFREG | 0644), "a regular file");
	ck_assert_str_eq(ready_kind(S_IFDIR | 0755), "a folder");
	ck_assert_str_eq(ready_kind(S_IFIFO | 0644), "a FIFO");
	ck_assert_str_eq(ready_kind(S_IFCHR | 0666), "a character device");
	ck_assert_str_eq(ready_kind(S_IFBLK | 0660), "a block device");
	ck_assert_str_eq(ready_kind(S_IFSOCK | 0777), "a socket");
	ck_assert_str_eq(ready_kind(S_IFLNK | 0777), "a symbolic link");
	ck_assert_str_eq(ready_kind(0), "a file of unknown type");
}
END_TEST

START_TEST(test_temp_name)
{
	char buf[512], name[NAME_MAX + 1];
	ready_temp_name("ready", 42, buf, sizeof buf);
	ck_assert_str_eq(buf, ".ready.42.tmp");
	ready_temp_name("ready.state", 1, buf, sizeof buf);
	ck_assert_str_eq(buf, ".ready.state.1.tmp");
	/* the longest name that keeps its own temp name... */
	memset(name, 'n', 248);
	name[248] = '\0';
	ready_temp_name(name, 1, buf, sizeof buf);
	ck_assert_uint_eq(strlen(buf), 255);
	ck_assert(buf[0] == '.' && memcmp(buf + 249, ".1.tmp", 7) == 0);
	/* ...and one longer gets a short one, the same each time, another for
	 * another name or pid */
	memset(name, 'n', 249);
	name[249] = '\0';
	ready_temp_name(name, 1, buf, sizeof buf);
	ck_assert_msg(strncmp(buf, ".drainit.1.", 11) == 0 && strlen(buf) == 11 + 16 + 4, "%s", buf);
	ck_assert_str_eq(buf + 27, ".tmp");
	char again[512], other[512];
	ready_temp_name(name, 1, again, sizeof again);
	ck_assert_str_eq(buf, again);
	name[0] = 'm';
	ready_temp_name(name, 1, other, sizeof other);
	ck_assert_str_ne(buf, other);
	ready_temp_name(name, 4194304, other, sizeof other);
	ck_assert(strncmp(other, ".drainit.4194304.", 17) == 0);
	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	ready_temp_name(name, 4194304, buf, sizeof buf);
	ck_assert_uint_le(strlen(buf), NAME_MAX);
}
END_TEST

START_TEST(test_prepare_leaves_what_is_not_its_own)
{
	char err[512] = "", want[512];
	/* a file with other content: an error, kept */
	write_file(path_in("config.yaml"), "key: value\n");
	ck_assert_int_eq(ready_prepare(path_in("config.yaml"), NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "--ready-file %s/config.yaml: a regular file that is not a "
		 "readiness file is there; drainit removes only its own (choose another path)", dir);
	ck_assert_str_eq(err, want);
	ck_assert_str_eq(read_all(path_in("config.yaml")), "key: value\n");
	/* a FIFO: the same, without blocking on it */
	ck_assert_int_eq(mkfifo(path_in("fifo"), 0644), 0);
	ck_assert_int_eq(ready_prepare(path_in("fifo"), NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "--ready-file %s/fifo: a FIFO is there; drainit removes only "
		 "its own (choose another path)", dir);
	ck_assert_str_eq(err, want);
	/* the state file beside it: the same, and the readiness file stays */
	write_file(path_in("ready"), "ready start pid=1 since=X\n");
	write_file(path_in("ready.state"), "some: data\n");
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "--ready-file %s/ready: its state file %s/ready.state: a regular "
		 "file that is not a readiness file is there; drainit removes only its own (choose "
		 "another path)", dir, dir);
	ck_assert_str_eq(err, want);
	ck_assert_str_eq(listing(), "config.yaml fifo ready ready.state");
	/* an empty file is what ready_empty leaves: drainit's */
	ck_assert_int_eq(unlink(path_in("ready.state")), 0);
	write_file(path_in("ready.state"), "");
	ck_assert_int_eq(ready_prepare(path_in("ready"), NULL, err, sizeof err), 1);
	ck_assert_str_eq(listing(), "config.yaml fifo");
}
END_TEST

START_TEST(test_clear_leaves_what_is_not_its_own)
{
	const char *p = path_in("ready");
	ck_assert_int_eq(ready_mark(NULL, p, "start", 42, T1), 0);
	/* replaced by someone's file: left, with its content */
	ck_assert_int_eq(unlink(p), 0);
	write_file(p, "key: value\n");
	ck_assert_int_eq(ready_clear(-1, p), 1);
	ck_assert_str_eq(read_all(p), "key: value\n");
	/* nor emptied */
	errno = 0;
	ck_assert_int_eq(ready_empty(-1, p), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(read_all(p), "key: value\n");
	/* a symbolic link goes, what it points to stays */
	ck_assert_int_eq(unlink(p), 0);
	write_file(path_in("target"), "untouched");
	ck_assert_int_eq(symlink(path_in("target"), p), 0);
	ck_assert_int_eq(ready_clear(-1, p), 0);
	ck_assert_str_eq(listing(), "target");
}
END_TEST

START_TEST(test_folder_kept_open)
{
	/* written and withdrawn in the folder opened first, whatever the
	 * path names later (a symbolic link in it swapped) */
	char err[512] = "";
	int d = -1;
	ck_assert_int_eq(mkdir(path_in("v1"), 0755), 0);
	ck_assert_int_eq(mkdir(path_in("v2"), 0755), 0);
	ck_assert_int_eq(symlink("v1", path_in("cur")), 0);
	char p[256];
	snprintf(p, sizeof p, "%s", path_in("cur/ready"));
	ck_assert_int_eq(ready_prepare(p, &d, err, sizeof err), 0);
	ck_assert_int_ge(d, 0);
	ck_assert_int_eq(unlink(path_in("cur")), 0);
	ck_assert_int_eq(symlink("v2", path_in("cur")), 0);
	ck_assert_int_eq(ready_mark(&d, p, "start", 42, T1), 0);
	ck_assert_int_eq(ready_status(&d, p, "ready", "start", 42, T1), 0);
	ck_assert_int_eq(access(path_in("v1/ready"), F_OK), 0);
	ck_assert_int_eq(access(path_in("v1/ready.state"), F_OK), 0);
	ck_assert_int_eq(access(path_in("v2/ready"), F_OK), -1);
	ck_assert_int_eq(ready_clear(d, p), 0);
	ck_assert_int_eq(ready_status(&d, p, NULL, NULL, 0, 0), 0);
	ck_assert_int_eq(access(path_in("v1/ready"), F_OK), -1);
	ck_assert_int_eq(access(path_in("v1/ready.state"), F_OK), -1);
	/* the folder removed and made again: found again by its path */
	ck_assert_int_eq(rmdir(path_in("v2")), 0);
	ck_assert_int_eq(unlink(path_in("cur")), 0);
	ck_assert_int_eq(symlink("v1", path_in("cur")), 0);
	ck_assert_int_eq(rmdir(path_in("v1")), 0);
	int was = d;
	errno = 0;
	ck_assert_int_eq(ready_mark(&d, p, "start", 42, T1), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(d, -1);
	ck_assert_int_eq(mkdir(path_in("v1"), 0755), 0);
	ck_assert_int_eq(ready_mark(&d, p, "start", 42, T1), 0);
	ck_assert_int_ge(d, 0);
	ck_assert_int_le(d, was); /* no descriptor more than before */
	ck_assert_int_eq(access(path_in("v1/ready"), F_OK), 0);
	ck_assert_int_eq(ready_clear(d, p), 0);
	close(d);
	ck_assert_int_eq(rmdir(path_in("v1")), 0);
	ck_assert_int_eq(unlink(path_in("cur")), 0);
}
END_TEST

START_TEST(test_prepare_long_names)
{
	/* a name up to NAME_MAX less ".state" works, temp files included */
	char err[512] = "", want[1024], name[300], p[600];
	memset(name, 'n', 249);
	name[249] = '\0';
	snprintf(p, sizeof p, "%s/%s", dir, name);
	ck_assert_msg(ready_prepare(p, NULL, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(ready_mark(NULL, p, "start", 42, T1), 0);
	ck_assert_int_eq(ready_status(NULL, p, "ready", "start", 42, T1), 0);
	ck_assert_int_eq(ready_clear(-1, p), 0);
	ck_assert_int_eq(ready_status(NULL, p, NULL, NULL, 0, 0), 0);
	ck_assert_str_eq(listing(), "");
	/* one longer: its state file's name would not fit */
	strcat(name, "n");
	snprintf(p, sizeof p, "%s/%s", dir, name);
	ck_assert_int_eq(ready_prepare(p, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "--ready-file %s: a name of 250 bytes, and 256 for the state "
		 "file beside it (NAME.state), more than the folder allows (255): use a name of at "
		 "most 249 bytes", p);
	ck_assert_str_eq(err, want);
	ck_assert_str_eq(listing(), "");
}
END_TEST

/* ---- the readiness folder's permissions ---- */

static struct stat folder(uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	st.st_uid = uid;
	st.st_gid = gid;
	st.st_mode = S_IFDIR | mode;
	return st;
}

START_TEST(test_folder_writable)
{
	/* tried with a temp file, which does not stay */
	ck_assert_int_eq(ready_folder_writable(-1, path_in("ready")), 0);
	ck_assert_str_eq(listing(), "");
	errno = 0;
	ck_assert_int_eq(ready_folder_writable(-1, path_in("nosuch/ready")), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* a file where the folder should be */
	ck_assert_int_eq(mkdir(path_in("sub"), 0700), 0);
	ck_assert_int_eq(ready_folder_writable(-1, path_in("sub/ready")), 0);
	ck_assert_int_eq(rmdir(path_in("sub")), 0);
}
END_TEST

START_TEST(test_folder_unsafe)
{
	struct stat st;
	st = folder(0, 0, 0777);
	ck_assert(ready_folder_unsafe(&st));
	st = folder(0, 0, 01777); /* /tmp: others cannot replace our file */
	ck_assert(!ready_folder_unsafe(&st));
	st = folder(0, 0, 0002);
	ck_assert(ready_folder_unsafe(&st));
	st = folder(0, 0, 01002);
	ck_assert(!ready_folder_unsafe(&st));
	st = folder(0, 0, 0757);
	ck_assert(ready_folder_unsafe(&st));
	st = folder(0, 0, 02777); /* setgid is not sticky */
	ck_assert(ready_folder_unsafe(&st));
	st = folder(0, 0, 04777);
	ck_assert(ready_folder_unsafe(&st));
	st = folder(0, 0, 0775); /* the group may write: not anyone */
	ck_assert(!ready_folder_unsafe(&st));
	st = folder(0, 0, 0755);
	ck_assert(!ready_folder_unsafe(&st));
	st = folder(0, 0, 0005);
	ck_assert(!ready_folder_unsafe(&st));
	st = folder(0, 0, 0700);
	ck_assert(!ready_folder_unsafe(&st));
	st = folder(0, 0, 01755);
	ck_assert(!ready_folder_unsafe(&st));
	st = folder(0, 0, 0);
	ck_assert(!ready_folder_unsafe(&st));
	/* whoever owns it */
	st = folder(1000, 1000, 0777);
	ck_assert(ready_folder_unsafe(&st));
}
END_TEST

START_TEST(test_folder_stat)
{
	/* the status of the folder of the path, not of the path */
	struct stat got, want;
	ck_assert_int_eq(stat(dir, &want), 0);
	ck_assert_int_eq(ready_folder_stat(path_in("ready"), &got), 0);
	ck_assert_uint_eq(got.st_ino, want.st_ino);
	ck_assert_uint_eq(got.st_dev, want.st_dev);
	ck_assert(S_ISDIR(got.st_mode));
	/* the file need not exist; the folder must */
	errno = 0;
	ck_assert_int_eq(ready_folder_stat(path_in("nosuch/ready"), &got), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* "/ready": the root folder */
	ck_assert_int_eq(stat("/", &want), 0);
	ck_assert_int_eq(ready_folder_stat("/ready", &got), 0);
	ck_assert_uint_eq(got.st_ino, want.st_ino);
	/* a relative name: the current folder */
	ck_assert_int_eq(stat(".", &want), 0);
	ck_assert_int_eq(ready_folder_stat("ready", &got), 0);
	ck_assert_uint_eq(got.st_ino, want.st_ino);
	/* no file name: an error */
	ck_assert_int_eq(ready_folder_stat(path_in(""), &got), -1);
	/* a mode drainit set itself reads back */
	ck_assert_int_eq(mkdir(path_in("sub"), 0700), 0);
	ck_assert_int_eq(chmod(path_in("sub"), 01777), 0);
	ck_assert_int_eq(ready_folder_stat(path_in("sub/ready"), &got), 0);
	ck_assert_uint_eq(got.st_mode & 07777, 01777);
	ck_assert(!ready_folder_unsafe(&got));
	ck_assert_int_eq(chmod(path_in("sub"), 0777), 0);
	ck_assert_int_eq(ready_folder_stat(path_in("sub/ready"), &got), 0);
	ck_assert(ready_folder_unsafe(&got));
	ck_assert_int_eq(chmod(path_in("sub"), 0700), 0);
}
END_TEST

Suite *ready_suite(void)
{
	Suite *s = suite_create("ready");
	TCase *tc = tcase_create("line");
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_line_states);
	tcase_add_test(tc, test_line_truncated);
	tcase_add_test(tc, test_line_longest_name_fits);
	tcase_add_test(tc, test_line_parses_back);
	tcase_add_test(tc, test_parse_ready);
	tcase_add_test(tc, test_parse_not_ready);
	tcase_add_test(tc, test_parse_only_states);
	tcase_add_test(tc, test_parse_pidns);
	tcase_add_test(tc, test_parse_unknown_words);
	tcase_add_test(tc, test_parse_by);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_parse_stops_at_newline);
	tcase_add_test(tc, test_ours);
	tcase_add_test(tc, test_kind);
	tcase_add_test(tc, test_temp_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_unchecked_fixture(tc, make_dir, remove_dir);
	tcase_add_checked_fixture(tc, empty_dir, NULL);
	tcase_add_test(tc, test_prepare_fresh);
	tcase_add_test(tc, test_prepare_removes_stale);
	tcase_add_test(tc, test_prepare_missing_folder);
	tcase_add_test(tc, test_prepare_folder_is_a_file);
	tcase_add_test(tc, test_prepare_path_is_a_folder);
	tcase_add_test(tc, test_prepare_unusable_paths);
	tcase_add_test(tc, test_prepare_relative);
	tcase_add_test(tc, test_mark);
	tcase_add_test(tc, test_mark_replaces_atomically);
	tcase_add_test(tc, test_mark_mode);
	tcase_add_test(tc, test_mark_missing_folder);
	tcase_add_test(tc, test_mark_onto_folder);
	tcase_add_test(tc, test_mark_does_not_follow_temp_symlink);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_prepare_mark_clear_cycle);
	tcase_add_test(tc, test_pidns);
	tcase_add_test(tc, test_longest_state_line_fits);
	tcase_add_test(tc, test_state_path);
	tcase_add_test(tc, test_state_written);
	tcase_add_test(tc, test_state_removed);
	tcase_add_test(tc, test_state_errors);
	tcase_add_test(tc, test_prepare_removes_stale_state);
	tcase_add_test(tc, test_prepare_state_is_a_folder);
	tcase_add_test(tc, test_lifecycle_files);
	tcase_add_test(tc, test_folder_stat);
	tcase_add_test(tc, test_folder_writable);
	tcase_add_test(tc, test_mark_never_over_someones_file);
	tcase_add_test(tc, test_prepare_leaves_what_is_not_its_own);
	tcase_add_test(tc, test_clear_leaves_what_is_not_its_own);
	tcase_add_test(tc, test_folder_kept_open);
	tcase_add_test(tc, test_prepare_long_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("folder");
	tcase_add_test(tc, test_folder_unsafe);
	suite_add_tcase(s, tc);
	return s;
}
