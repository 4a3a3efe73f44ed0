#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "suites.h"

/* ---- /proc/PID/stat lines ---- */

START_TEST(test_parse_plain)
{
	struct proc_entry e;
	memset(&e, 0x5a, sizeof e);
	ck_assert_int_eq(proc_parse_stat("1234 (nginx) S 1 1234 1234 0 -1 4194560 100 0 0 0\n", &e), 0);
	ck_assert_int_eq(e.pid, 1234);
	ck_assert_int_eq(e.ppid, 1);
	ck_assert_int_eq(e.pgid, 1234);
	ck_assert_int_eq(e.state, 'S');
	ck_assert_str_eq(e.comm, "nginx");
}
END_TEST

START_TEST(test_parse_tricky_comm)
{
	struct proc_entry e;
	/* spaces and ')' inside the name: it ends at the last ')' */
	ck_assert_int_eq(proc_parse_stat("77 (a b) c) R 12 70 70 0\n", &e), 0);
	ck_assert_str_eq(e.comm, "a b) c");
	ck_assert_int_eq(e.pid, 77);
	ck_assert_int_eq(e.ppid, 12);
	ck_assert_int_eq(e.pgid, 70);

	ck_assert_int_eq(proc_parse_stat("5 ()) S 4 3 3\n", &e), 0);
	ck_assert_str_eq(e.comm, ")");
	ck_assert_int_eq(e.ppid, 4);
	ck_assert_int_eq(e.pgid, 3);

	ck_assert_int_eq(proc_parse_stat("6 (x (y) S 1 2 2\n", &e), 0);
	ck_assert_str_eq(e.comm, "x (y");
	ck_assert_int_eq(e.ppid, 1);

	ck_assert_int_eq(proc_parse_stat("8 (S 1 2) Z 3 4 4\n", &e), 0);
	ck_assert_str_eq(e.comm, "S 1 2");
	ck_assert_int_eq(e.ppid, 3);
	ck_assert_int_eq(e.pgid, 4);

	ck_assert_int_eq(proc_parse_stat("9 () S 1 9 9\n", &e), 0);
	ck_assert_str_eq(e.comm, "");
	ck_assert_int_eq(e.pgid, 9);
}
END_TEST

START_TEST(test_parse_long_comm)
{
	/* the kernel's comm is at most 15 bytes; longer is cut, not overrun */
	struct proc_entry e;
	ck_assert_int_eq(proc_parse_stat("10 (123456789012345) S 1 10 10\n", &e), 0);
	ck_assert_str_eq(e.comm, "123456789012345");
	ck_assert_int_eq(proc_parse_stat("11 (1234567890123456789) S 2 11 11\n", &e), 0);
	ck_assert_str_eq(e.comm, "123456789012345");
	ck_assert_int_eq(e.ppid, 2);
}
END_TEST

START_TEST(test_parse_bad)
{
	static const char *const bad[] = {
		"",
		"1234",
		"1234 nginx S 1 1234",
		"1234 (nginx S 1 1234",
		"1234 nginx) S 1 1234",
		"x (nginx) S 1 1234",
		"(nginx) 1234 S 1 1234",
		"1234 (nginx) S 1",
		"1234 (nginx) S",
		"1234 (nginx)",
		"1234 )nginx( S 1 1234",
		"1234 (nginx) S x 1234",
	};
	struct proc_entry e;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(proc_parse_stat(bad[i], &e) == -1, "accepted \"%s\"", bad[i]);
}
END_TEST

/* ---- keeping descendants ---- */

static struct proc_table table;

/* The listing a scan would see; proc_adopt takes from it in passes. */
static struct proc_entry listing[64];
static size_t nlisting;

/* What proc_scan_under does with /proc: passes over the listing until no
 * process is adopted. */
static void keep_descendants(pid_t root)
{
	nlisting = table.len;
	memcpy(listing, table.v, nlisting * sizeof *listing);
	table.len = 0;
	int added;
	do {
		added = 0;
		for (size_t i = 0; i < nlisting; i++)
			added += proc_adopt(&table, &listing[i], root);
	} while (added);
}

static void add(pid_t pid, pid_t ppid)
{
	ck_assert_uint_lt(table.len, table.cap);
	struct proc_entry *e = &table.v[table.len++];
	e->pid = pid;
	e->ppid = ppid;
	e->pgid = pid;
	snprintf(e->comm, sizeof e->comm, "p%d", (int)pid);
}

static void table_setup(void)
{
	ck_assert_int_eq(proc_table_init(&table, 64), 0);
}

static void table_teardown(void)
{
	proc_table_free(&table);
}

/* The pids left, sorted, as text; each entry still whole. */
static const char *kept(void)
{
	static char out[512];
	pid_t v[64];
	size_t o = 0;
	for (size_t i = 0; i < table.len; i++) {
		char want[PROC_COMM_LEN];
		snprintf(want, sizeof want, "p%d", (int)table.v[i].pid);
		ck_assert_str_eq(table.v[i].comm, want);
		ck_assert_int_eq(table.v[i].pgid, table.v[i].pid);
		v[i] = table.v[i].pid;
	}
	for (size_t i = 1; i < table.len; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			pid_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < table.len; i++)
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%d", i ? " " : "", (int)v[i]);
	return out;
}

START_TEST(test_keep_chain)
{
	/* 100 -> 101 -> 102 -> 103, listed deepest first */
	add(103, 102);
	add(102, 101);
	add(101, 100);
	keep_descendants(100);
	ck_assert_str_eq(kept(), "101 102 103");
}
END_TEST

START_TEST(test_keep_siblings)
{
	add(101, 100);
	add(102, 100);
	add(103, 100);
	add(104, 102);
	add(105, 102);
	keep_descendants(100);
	ck_assert_str_eq(kept(), "101 102 103 104 105");
}
END_TEST

START_TEST(test_remove_unrelated)
{
	add(1, 0);      /* init */
	add(50, 1);     /* a stranger */
	add(51, 50);    /* its child */
	add(100, 1);    /* the root itself is not its own descendant */
	add(201, 100);
	add(90, 1);     /* the root's parent and a sibling of the root */
	add(202, 201);
	add(99, 90);
	add(203, 100);
	add(52, 51);
	keep_descendants(100);
	ck_assert_str_eq(kept(), "201 202 203");
}
END_TEST

START_TEST(test_keep_mixed_order)
{
	/* a tree in shuffled order, strangers in between, two deep chains */
	add(310, 309);
	add(7, 6);
	add(301, 300);
	add(309, 305);
	add(8, 300 + 1000);
	add(305, 301);
	add(302, 300);
	add(311, 302);
	add(6, 1);
	add(312, 311);
	add(313, 310);
	keep_descendants(300);
	ck_assert_str_eq(kept(), "301 302 305 309 310 311 312 313");
}
END_TEST

START_TEST(test_keep_none)
{
	add(10, 1);
	add(11, 10);
	keep_descendants(500);
	ck_assert_uint_eq(table.len, 0);
	/* and an empty table stays empty */
	keep_descendants(500);
	ck_assert_uint_eq(table.len, 0);
}
END_TEST

START_TEST(test_keep_all)
{
	for (pid_t p = 2; p < 40; p++)
		add(p, p - 1); /* one long chain from 1 */
	keep_descendants(1);
	ck_assert_uint_eq(table.len, 38);
	keep_descendants(20); /* a subtree of it */
	ck_assert_uint_eq(table.len, 19);
	ck_assert_str_eq(kept(), "21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39");
}
END_TEST

START_TEST(test_adopt_room_only_for_descendants)
{
	/* a full table adopts nothing more, and a stranger never takes room */
	struct proc_table small;
	struct proc_entry stranger = { .pid = 50, .ppid = 1 }, child = { .pid = 101, .ppid = 100 },
			  second = { .pid = 102, .ppid = 100 };
	ck_assert_int_eq(proc_table_init(&small, 1), 0);
	ck_assert_int_eq(proc_adopt(&small, &stranger, 100), 0);
	ck_assert_int_eq(proc_adopt(&small, &child, 100), 1);
	ck_assert_int_eq(proc_adopt(&small, &child, 100), 0); /* not twice */
	ck_assert_int_eq(proc_adopt(&small, &second, 100), 0); /* no room */
	ck_assert_uint_eq(small.len, 1);
	ck_assert_int_eq(small.v[0].pid, 101);
	proc_table_free(&small);
}
END_TEST

START_TEST(test_adopt_skips_zombies)
{
	/* a zombie has exited: it is neither signalled nor counted as killed,
	 * and its children (already reparented) do not hang off it */
	struct proc_table t;
	struct proc_entry zombie = { .pid = 101, .ppid = 100, .state = 'Z' },
			  dead = { .pid = 102, .ppid = 100, .state = 'X' },
			  live = { .pid = 103, .ppid = 100, .state = 'S' };
	ck_assert_int_eq(proc_table_init(&t, 8), 0);
	ck_assert_int_eq(proc_adopt(&t, &zombie, 100), 0);
	ck_assert_int_eq(proc_adopt(&t, &dead, 100), 0);
	ck_assert_int_eq(proc_adopt(&t, &live, 100), 1);
	ck_assert_uint_eq(t.len, 1);
	proc_table_free(&t);
}
END_TEST

START_TEST(test_stoppable)
{
	struct proc_entry in_group = { .pid = 12, .ppid = 7, .pgid = 7, .state = 'S' },
			  outsider = { .pid = 13, .ppid = 7, .pgid = 13, .state = 'S' },
			  entered = { .pid = 20, .ppid = 0, .pgid = 20, .state = 'S' };
	/* the app's group (7) was signalled as a whole: its members are skipped */
	ck_assert(!proc_stoppable(&in_group, 1, 7));
	ck_assert(proc_stoppable(&outsider, 1, 7));
	ck_assert(proc_stoppable(&in_group, 1, 0));
	/* as PID 1, a process entered from outside (parent pid 0) is not ours */
	ck_assert(!proc_stoppable(&entered, 1, 0));
	ck_assert(!proc_stoppable(&entered, 1, 7));
	/* not as PID 1 a parent pid of 0 means nothing special */
	ck_assert(proc_stoppable(&entered, 500, 0));
}
END_TEST

START_TEST(test_gets_stop)
{
	/* app 7 in group 7; a child in its group, a setsid daemon, a process
	 * entered from outside, an exec check in group 30 */
	struct proc_entry app = { .pid = 7, .ppid = 1, .pgid = 7, .state = 'S' },
			  child = { .pid = 12, .ppid = 7, .pgid = 7, .state = 'S' },
			  daemon = { .pid = 13, .ppid = 1, .pgid = 13, .state = 'S' },
			  entered = { .pid = 20, .ppid = 0, .pgid = 20, .state = 'S' },
			  check = { .pid = 30, .ppid = 1, .pgid = 30, .state = 'S' };
	/* the group and what left it; never the check, never a visitor */
	ck_assert(proc_gets_stop(&app, 1, 7, false, false, 30));
	ck_assert(proc_gets_stop(&child, 1, 7, false, false, 30));
	ck_assert(proc_gets_stop(&daemon, 1, 7, false, false, 30));
	ck_assert(!proc_gets_stop(&check, 1, 7, false, false, 30));
	ck_assert(!proc_gets_stop(&entered, 1, 7, false, false, 30));
	/* --single-child: the app alone */
	ck_assert(proc_gets_stop(&app, 1, 7, true, false, 0));
	ck_assert(!proc_gets_stop(&child, 1, 7, true, false, 0));
	ck_assert(!proc_gets_stop(&daemon, 1, 7, true, false, 0));
	/* the app has exited: everything left that is ours */
	ck_assert(proc_gets_stop(&child, 1, 7, true, true, 0));
	ck_assert(proc_gets_stop(&daemon, 1, 7, false, true, 0));
	ck_assert(!proc_gets_stop(&entered, 1, 7, false, true, 0));
	ck_assert(!proc_gets_stop(&check, 1, 7, false, true, 30));
	ck_assert(proc_gets_stop(&check, 1, 7, false, true, 0));
	/* not PID 1: parent pid 0 is not a visitor */
	ck_assert(proc_gets_stop(&entered, 500, 7, false, false, 0));
}
END_TEST

START_TEST(test_table_init_free)
{
	struct proc_table t;
	ck_assert_int_eq(proc_table_init(&t, 8), 0);
	ck_assert_ptr_nonnull(t.v);
	ck_assert_uint_eq(t.len, 0);
	ck_assert_uint_eq(t.cap, 8);
	ck_assert_int_eq(t.v[7].pid, 0); /* zeroed */
	proc_table_free(&t);
	ck_assert_ptr_null(t.v);
	ck_assert_uint_eq(t.len, 0);
	ck_assert_uint_eq(t.cap, 0);
	proc_table_free(&t); /* twice is harmless */
}
END_TEST

/* ---- reading the real /proc ---- */

START_TEST(test_comm)
{
	char buf[PROC_COMM_LEN + 1], want[PROC_COMM_LEN + 1];
	FILE *f = fopen("/proc/self/comm", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(want, sizeof want, f));
	fclose(f);
	want[strcspn(want, "\n")] = '\0';
	ck_assert_str_eq(proc_comm(getpid(), buf, sizeof buf), want);
	ck_assert_ptr_eq(proc_comm(getpid(), buf, sizeof buf), buf);
	ck_assert_ptr_null(strchr(buf, '\n'));
	/* a pid that cannot exist */
	ck_assert_str_eq(proc_comm(0x7fffffff, buf, sizeof buf), "?");
}
END_TEST

/* A child that lives until the write end of go is closed. */
static pid_t child_until_closed(int go[2])
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char c;
		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	return pid;
}

START_TEST(test_scan_under_self)
{
	/* two children of ours and a grandchild; nothing else */
	int go[2];
	ck_assert_int_eq(pipe(go), 0);
	pid_t a = fork();
	ck_assert_int_ge(a, 0);
	if (a == 0) {
		char c;
		close(go[1]);
		pid_t g = fork();
		if (g == 0) {
			(void)!read(go[0], &c, 1);
			_exit(0);
		}
		(void)!read(go[0], &c, 1);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	pid_t b = child_until_closed(go);
	close(go[0]);

	struct proc_table t;
	ck_assert_int_eq(proc_table_init(&t, 4096), 0);
	/* the grandchild may take a moment to appear */
	int found = 0;
	for (int tries = 0; tries < 200 && found != 3; tries++) {
		ck_assert_int_eq(proc_scan_under(&t, getpid()), 0);
		found = (int)t.len;
		if (found != 3)
			usleep(10000);
	}
	close(go[1]); /* let them all go */
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);

	ck_assert_int_eq(found, 3);
	int sa = 0, sb = 0, grand = 0;
	for (size_t i = 0; i < t.len; i++) {
		ck_assert_int_ne(t.v[i].pid, getpid());
		if (t.v[i].pid == a) {
			sa++;
			ck_assert_int_eq(t.v[i].ppid, getpid());
		} else if (t.v[i].pid == b) {
			sb++;
			ck_assert_int_eq(t.v[i].ppid, getpid());
		} else {
			grand++;
			ck_assert_int_eq(t.v[i].ppid, a);
		}
	}
	ck_assert_int_eq(sa, 1);
	ck_assert_int_eq(sb, 1);
	ck_assert_int_eq(grand, 1);
	proc_table_free(&t);
}
END_TEST

START_TEST(test_scan_small_table)
{
	/* the table has room for our one child: the processes outside our
	 * tree must not take that room */
	int go[2];
	ck_assert_int_eq(pipe(go), 0);
	pid_t a = child_until_closed(go);
	close(go[0]);
	struct proc_table t;
	ck_assert_int_eq(proc_table_init(&t, 1), 0);
	int r = proc_scan_under(&t, getpid());
	size_t len = t.len;
	pid_t got = len ? t.v[0].pid : 0;
	close(go[1]);
	waitpid(a, NULL, 0);
	proc_table_free(&t);
	ck_assert_int_eq(r, 0);
	ck_assert_msg(len == 1 && got == a, "found %zu processes (first pid %d), want child %d",
		      len, (int)got, (int)a);
}
END_TEST

/* ---- proc_descends, on real processes ---- */

START_TEST(test_descends_self_and_parent)
{
	ck_assert_int_eq(proc_descends(getpid(), getpid()), 1); /* root itself */
	ck_assert_int_eq(proc_descends(getpid(), getppid()), 1);
	/* up the tree, never down */
	ck_assert_int_eq(proc_descends(getppid(), getpid()), 0);
	ck_assert_int_eq(proc_descends(1, getpid()), 0);
	ck_assert_int_eq(proc_descends(0, getpid()), 0);
}
END_TEST

START_TEST(test_descends_children)
{
	/* a child and its own child descend from us; siblings and parents do
	 * not descend from each other */
	int go[2], up[2];
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(up), 0);
	pid_t a = fork();
	ck_assert_int_ge(a, 0);
	if (a == 0) {
		char c;
		close(go[1]);
		close(up[0]);
		pid_t g = fork();
		if (g == 0) {
			(void)!read(go[0], &c, 1);
			_exit(0);
		}
		(void)!write(up[1], &g, sizeof g);
		(void)!read(go[0], &c, 1);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	close(up[1]);
	pid_t b = child_until_closed(go);
	close(go[0]);
	pid_t g = 0;
	ck_assert_int_eq(read(up[0], &g, sizeof g), (ssize_t)sizeof g);
	close(up[0]);

	int a_self = proc_descends(a, getpid()), b_self = proc_descends(b, getpid());
	int g_self = proc_descends(g, getpid()), g_a = proc_descends(g, a);
	int g_parent = proc_descends(g, getppid());
	int a_g = proc_descends(a, g), a_b = proc_descends(a, b), g_b = proc_descends(g, b);
	int self_a = proc_descends(getpid(), a);
	close(go[1]); /* let them all go */
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);

	ck_assert_int_eq(a_self, 1);
	ck_assert_int_eq(b_self, 1);
	ck_assert_int_eq(g_self, 1);
	ck_assert_int_eq(g_a, 1);
	ck_assert_int_eq(g_parent, 1);
	ck_assert_int_eq(a_g, 0);
	ck_assert_int_eq(a_b, 0);
	ck_assert_int_eq(g_b, 0);
	ck_assert_int_eq(self_a, 0);
}
END_TEST

START_TEST(test_descends_zombie)
{
	/* an exited child not yet reaped still names its parent */
	pid_t z = fork();
	ck_assert_int_ge(z, 0);
	if (z == 0)
		_exit(0);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	ck_assert_int_eq(waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT), 0); /* a zombie now */
	int r = proc_descends(z, getpid());
	waitpid(z, NULL, 0);
	ck_assert_int_eq(r, 1);
}
END_TEST

START_TEST(test_descends_gone)
{
	/* a reaped pid: nobody can tell */
	pid_t z = fork();
	ck_assert_int_ge(z, 0);
	if (z == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(z, NULL, 0), z);
	ck_assert_int_eq(proc_descends(z, getpid()), -1);
	ck_assert_int_eq(proc_descends(0x7fffffff, getpid()), -1);
	/* unless it is the root itself */
	ck_assert_int_eq(proc_descends(z, z), 1);
}
END_TEST

START_TEST(test_descends_orphan)
{
	/* a grandchild whose parent exited is adopted elsewhere: no longer
	 * ours, unless we are a subreaper */
	for (int sub = 0; sub <= 1; sub++) {
		int go[2], up[2];
		ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, sub, 0, 0, 0), 0);
		ck_assert_int_eq(pipe(go), 0);
		ck_assert_int_eq(pipe(up), 0);
		pid_t a = fork();
		ck_assert_int_ge(a, 0);
		if (a == 0) {
			close(go[1]);
			close(up[0]);
			pid_t g = fork();
			if (g == 0) {
				char c;
				(void)!read(go[0], &c, 1);
				_exit(0);
			}
			(void)!write(up[1], &g, sizeof g);
			_exit(0); /* g is orphaned */
		}
		close(up[1]);
		close(go[0]);
		pid_t g = 0;
		ck_assert_int_eq(read(up[0], &g, sizeof g), (ssize_t)sizeof g);
		close(up[0]);
		ck_assert_int_eq(waitpid(a, NULL, 0), a);
		int r = proc_descends(g, getpid());
		int gone_parent = proc_descends(g, a);
		close(go[1]); /* g exits */
		if (sub) /* reaped by us, the subreaper */
			waitpid(g, NULL, 0);
		ck_assert_msg(r == sub, "subreaper=%d: orphan gives %d", sub, r);
		ck_assert_int_eq(gone_parent, 0); /* its old parent is not on its path */
	}
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
}
END_TEST


START_TEST(test_groups_by_name_and_kind)
{
	struct proc_group g[3];
	size_t n = 0;
	for (pid_t p = 10; p < 3010; p++)
		ck_assert(proc_group_add(g, &n, 3, "sleep", 1, p));
	ck_assert(proc_group_add(g, &n, 3, "sleep", 2, 5));      /* another verdict */
	ck_assert(proc_group_add(g, &n, 3, "java", 1, 6));       /* another name */
	ck_assert(!proc_group_add(g, &n, 3, "sh", 1, 7));        /* no room left */
	ck_assert(proc_group_add(g, &n, 3, "java", 1, 8));       /* room in its own */
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(g[0].count, 3000);
	ck_assert_int_eq(g[0].pids[0], 10);
	ck_assert_int_eq(g[0].pids[4], 14);
	ck_assert_uint_eq(g[1].count, 1);
	ck_assert_uint_eq(g[2].count, 2);

	char buf[160];
	ck_assert_str_eq(proc_group_words(&g[0], buf, sizeof buf),
			 "3000 processes (sleep), pids 10, 11, 12, 13, 14 and 2995 more");
	ck_assert_str_eq(proc_group_words(&g[1], buf, sizeof buf), "pid 5 (sleep)");
	ck_assert_str_eq(proc_group_words(&g[2], buf, sizeof buf), "2 processes (java), pids 6, 8");
	/* cut, never past the buffer */
	memset(buf, 'X', sizeof buf);
	proc_group_words(&g[0], buf, 20);
	ck_assert_uint_eq(strlen(buf), 19);
	ck_assert_int_eq(buf[20], 'X');
	/* names are compared whole */
	n = 0;
	ck_assert(proc_group_add(g, &n, 3, "sleep", 0, 1));
	ck_assert(proc_group_add(g, &n, 3, "sleep2", 0, 2));
	ck_assert(proc_group_add(g, &n, 3, "sleep", 0, 3));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(g[0].count, 2);
}
END_TEST

Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("stat");
	tcase_add_test(tc, test_parse_plain);
	tcase_add_test(tc, test_parse_tricky_comm);
	tcase_add_test(tc, test_parse_long_comm);
	tcase_add_test(tc, test_parse_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("descendants");
	tcase_add_checked_fixture(tc, table_setup, table_teardown);
	tcase_add_test(tc, test_keep_chain);
	tcase_add_test(tc, test_keep_siblings);
	tcase_add_test(tc, test_remove_unrelated);
	tcase_add_test(tc, test_keep_mixed_order);
	tcase_add_test(tc, test_keep_none);
	tcase_add_test(tc, test_keep_all);
	tcase_add_test(tc, test_adopt_room_only_for_descendants);
	tcase_add_test(tc, test_adopt_skips_zombies);
	tcase_add_test(tc, test_stoppable);
	tcase_add_test(tc, test_gets_stop);
	tcase_add_test(tc, test_table_init_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("scan");
	tcase_add_test(tc, test_comm);
	tcase_add_test(tc, test_scan_under_self);
	tcase_add_test(tc, test_scan_small_table);
	tcase_add_test(tc, test_descends_self_and_parent);
	tcase_add_test(tc, test_descends_children);
	tcase_add_test(tc, test_descends_zombie);
	tcase_add_test(tc, test_descends_gone);
	tcase_add_test(tc, test_descends_orphan);
	suite_add_tcase(s, tc);

	tc = tcase_create("group");
	tcase_add_test(tc, test_groups_by_name_and_kind);
	suite_add_tcase(s, tc);
	return s;
}
