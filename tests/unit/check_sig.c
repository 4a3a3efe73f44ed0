#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sig.h"
#include "suites.h"

START_TEST(test_parse_names)
{
	char err[128] = "";
	ck_assert_int_eq(sig_parse("TERM", err, sizeof err), SIGTERM);
	ck_assert_int_eq(sig_parse("SIGTERM", err, sizeof err), SIGTERM);
	ck_assert_int_eq(sig_parse("term", err, sizeof err), SIGTERM);
	ck_assert_int_eq(sig_parse("sigterm", err, sizeof err), SIGTERM);
	ck_assert_int_eq(sig_parse("SigTerm", err, sizeof err), SIGTERM);
	ck_assert_int_eq(sig_parse("15", err, sizeof err), SIGTERM);
	ck_assert_int_eq(sig_parse("KILL", err, sizeof err), SIGKILL);
	ck_assert_int_eq(sig_parse("9", err, sizeof err), SIGKILL);
	ck_assert_int_eq(sig_parse("HUP", err, sizeof err), SIGHUP);
	ck_assert_int_eq(sig_parse("1", err, sizeof err), 1);
	ck_assert_int_eq(sig_parse("INT", err, sizeof err), SIGINT);
	ck_assert_int_eq(sig_parse("QUIT", err, sizeof err), SIGQUIT);
	ck_assert_int_eq(sig_parse("USR1", err, sizeof err), SIGUSR1);
	ck_assert_int_eq(sig_parse("SIGUSR2", err, sizeof err), SIGUSR2);
	ck_assert_int_eq(sig_parse("WINCH", err, sizeof err), SIGWINCH);
	ck_assert_int_eq(sig_parse("VTALRM", err, sizeof err), SIGVTALRM);
	ck_assert_int_eq(sig_parse("PWR", err, sizeof err), SIGPWR);
	ck_assert_int_eq(sig_parse("SYS", err, sizeof err), SIGSYS);
	ck_assert_int_eq(sig_parse("STOP", err, sizeof err), SIGSTOP);
	ck_assert_int_eq(sig_parse("CHLD", err, sizeof err), SIGCHLD);
	ck_assert_int_eq(sig_parse("IO", err, sizeof err), SIGIO);
	ck_assert_int_eq(sig_parse("64", err, sizeof err), 64);
	ck_assert_int_eq(sig_parse("015", err, sizeof err), SIGTERM);
}
END_TEST

START_TEST(test_parse_aliases)
{
	char err[128] = "";
	ck_assert_int_eq(sig_parse("IOT", err, sizeof err), SIGABRT);
	ck_assert_int_eq(sig_parse("SIGIOT", err, sizeof err), SIGABRT);
	ck_assert_int_eq(sig_parse("CLD", err, sizeof err), SIGCHLD);
	ck_assert_int_eq(sig_parse("sigcld", err, sizeof err), SIGCHLD);
	ck_assert_int_eq(sig_parse("POLL", err, sizeof err), SIGIO);
	ck_assert_int_eq(sig_parse("SIGPOLL", err, sizeof err), SIGIO);
}
END_TEST

START_TEST(test_parse_realtime)
{
	char err[128] = "";
	ck_assert_int_eq(sig_parse("RTMIN", err, sizeof err), SIGRTMIN);
	ck_assert_int_eq(sig_parse("SIGRTMIN", err, sizeof err), SIGRTMIN);
	ck_assert_int_eq(sig_parse("RTMIN+3", err, sizeof err), SIGRTMIN + 3);
	/* Linux userland's numbers, not the C library's (musl's SIGRTMIN is 35):
	 * systemd's SIGRTMIN+3 is 37 for every build */
	ck_assert_int_eq(sig_parse("RTMIN+3", err, sizeof err), 37);
	ck_assert_int_eq(sig_parse("RTMIN", err, sizeof err), 34);
	ck_assert_int_eq(sig_parse("RTMAX", err, sizeof err), 64);
	ck_assert_int_eq(sig_parse("rtmin+3", err, sizeof err), SIGRTMIN + 3);
	ck_assert_int_eq(sig_parse("SIGRTMIN+0", err, sizeof err), SIGRTMIN);
	ck_assert_int_eq(sig_parse("RTMAX", err, sizeof err), SIGRTMAX);
	ck_assert_int_eq(sig_parse("SIGRTMAX-1", err, sizeof err), SIGRTMAX - 1);
	ck_assert_int_eq(sig_parse("RTMAX-4", err, sizeof err), SIGRTMAX - 4);
	ck_assert_int_eq(sig_parse("RTMIN+30", err, sizeof err), SIGRTMIN + 30);
	ck_assert_int_eq(SIGRTMIN + 30, SIGRTMAX); /* the assumption just above */
	ck_assert_int_eq(sig_parse("RTMAX-30", err, sizeof err), SIGRTMIN);
}
END_TEST

static const struct {
	const char *in;
	const char *why;
} bad[] = {
	{ "", "empty" },
	{ "0", "not a signal number" },
	{ "65", "not a signal number" },
	{ "99999999999", "not a signal number" },
	{ "15x", "not a signal number" },
	{ "FOO", "unknown name" },
	{ "SIG", "unknown name" },
	{ "SIGSIGTERM", "unknown name" },
	{ "TERM ", "unknown name" },
	{ "-15", "unknown name" },
	{ "RTMIN+99", "outside" },
	{ "RTMIN+31", "outside" },
	{ "RTMAX-31", "outside" },
	{ "RTMIN-1", "expected RTMIN+N" },
	{ "RTMAX+1", "expected RTMAX-N" },
	{ "RTMIN+", "expected a number" },
	{ "RTMIN+x", "expected a number" },
	{ "RTMIN+3x", "expected a number" },
	{ "RTMINX", "expected RTMIN+N" },
};

START_TEST(test_parse_bad)
{
	char err[128] = "", quoted[64];
	ck_assert_msg(sig_parse(bad[_i].in, err, sizeof err) == 0, "sig_parse(\"%s\") accepted it",
		      bad[_i].in);
	snprintf(quoted, sizeof quoted, "bad signal '%s': ", bad[_i].in);
	ck_assert_msg(strncmp(err, quoted, strlen(quoted)) == 0, "error for \"%s\": %s",
		      bad[_i].in, err);
	ck_assert_msg(strstr(err, bad[_i].why) != NULL, "error for \"%s\" lacks \"%s\": %s",
		      bad[_i].in, bad[_i].why, err);
}
END_TEST

START_TEST(test_name_standard)
{
	char buf[32];
	ck_assert_str_eq(sig_name(SIGTERM, buf, sizeof buf), "SIGTERM");
	ck_assert_ptr_eq(sig_name(SIGTERM, buf, sizeof buf), buf);
	ck_assert_str_eq(sig_name(SIGKILL, buf, sizeof buf), "SIGKILL");
	ck_assert_str_eq(sig_name(SIGHUP, buf, sizeof buf), "SIGHUP");
	ck_assert_str_eq(sig_name(SIGSEGV, buf, sizeof buf), "SIGSEGV");
	ck_assert_str_eq(sig_name(SIGWINCH, buf, sizeof buf), "SIGWINCH");
	ck_assert_str_eq(sig_name(SIGSYS, buf, sizeof buf), "SIGSYS");
	/* the canonical name wins over the alias */
	ck_assert_str_eq(sig_name(SIGABRT, buf, sizeof buf), "SIGABRT");
	ck_assert_str_eq(sig_name(SIGCHLD, buf, sizeof buf), "SIGCHLD");
	ck_assert_str_eq(sig_name(SIGIO, buf, sizeof buf), "SIGIO");
}
END_TEST

START_TEST(test_name_realtime_and_unnamed)
{
	char buf[32];
	ck_assert_str_eq(sig_name(SIGRTMIN, buf, sizeof buf), "SIGRTMIN");
	ck_assert_str_eq(sig_name(SIGRTMIN + 3, buf, sizeof buf), "SIGRTMIN+3");
	ck_assert_str_eq(sig_name(37, buf, sizeof buf), "SIGRTMIN+3");
	ck_assert_str_eq(sig_name(34, buf, sizeof buf), "SIGRTMIN");
	ck_assert_str_eq(sig_name(SIGRTMIN + 1, buf, sizeof buf), "SIGRTMIN+1");
	ck_assert_str_eq(sig_name(SIGRTMAX, buf, sizeof buf), "SIGRTMAX");
	/* glibc keeps 32 and 33 for itself: they have no name */
	ck_assert_str_eq(sig_name(32, buf, sizeof buf), "signal 32");
	ck_assert_str_eq(sig_name(0, buf, sizeof buf), "signal 0");
	ck_assert_str_eq(sig_name(65, buf, sizeof buf), "signal 65");
	ck_assert_str_eq(sig_name(99, buf, sizeof buf), "signal 99");
	ck_assert_str_eq(sig_name(-1, buf, sizeof buf), "signal -1");
}
END_TEST

START_TEST(test_name_truncates)
{
	char buf[8];
	memset(buf, 'X', sizeof buf);
	sig_name(SIGRTMIN + 3, buf, 5);
	ck_assert_str_eq(buf, "SIGR");
	ck_assert_int_eq(buf[5], 'X');
}
END_TEST

START_TEST(test_name_parses_back)
{
	/* every signal sig_name names comes back from sig_parse */
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		char name[32], err[128] = "";
		sig_name(sig, name, sizeof name);
		if (strncmp(name, "signal ", 7) == 0) {
			ck_assert_msg(sig > SIGSYS && sig < SIGRTMIN, "%d has no name", sig);
			continue;
		}
		ck_assert_msg(sig_parse(name, err, sizeof err) == sig, "%d -> %s -> %s", sig, name,
			      err);
	}
}
END_TEST

START_TEST(test_block_all_blocks_every_signal)
{
	/* the C library's own signals too; the kernel keeps KILL and STOP out */
	uint64_t old;
	ck_assert_int_eq(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &old, sizeof old), 0);
	sigset_t set;
	ck_assert_int_eq(sig_block_all(&set), 0);
	for (int sig = 1; sig <= 64; sig++)
		ck_assert_msg(sigismember(&set, sig) == 1, "%d not in the set", sig);
	char status[4096] = "";
	FILE *f = fopen("/proc/self/status", "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(status, 1, sizeof status - 1, f);
	fclose(f);
	status[n] = '\0';
	const char *blk = strstr(status, "SigBlk:\t");
	ck_assert_ptr_nonnull(blk);
	ck_assert_msg(strncmp(blk + 8, "fffffffffffbfeff", 16) == 0, "%.24s", blk);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof old);
}
END_TEST

START_TEST(test_engine_stop_signals)
{
	/* what engines send to stop a container, SIGTERM aside */
	ck_assert(sig_engine_stop(SIGQUIT));
	ck_assert(sig_engine_stop(SIGINT));
	ck_assert(sig_engine_stop(SIGPWR));
	ck_assert(sig_engine_stop(SIGRTMIN + 3));
	/* not: SIGTERM is the lifecycle signal itself; the rest are the app's */
	int other[] = { SIGTERM, SIGKILL, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD,
			SIGRTMIN, SIGRTMIN + 2, SIGRTMIN + 4, SIGRTMAX };
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		ck_assert_msg(!sig_engine_stop(other[i]), "%d", other[i]);
}
END_TEST

Suite *sig_suite(void)
{
	Suite *s = suite_create("sig");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_names);
	tcase_add_test(tc, test_parse_aliases);
	tcase_add_test(tc, test_parse_realtime);
	tcase_add_loop_test(tc, test_parse_bad, 0, sizeof bad / sizeof bad[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("name");
	tcase_add_test(tc, test_name_standard);
	tcase_add_test(tc, test_name_realtime_and_unnamed);
	tcase_add_test(tc, test_name_truncates);
	tcase_add_test(tc, test_name_parses_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_add_test(tc, test_engine_stop_signals);
	tcase_add_test(tc, test_block_all_blocks_every_signal);
	suite_add_tcase(s, tc);
	return s;
}
