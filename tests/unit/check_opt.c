#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "inspectcmd.h"
#include "opt.h"
#include "probe.h"
#include "suites.h"

static struct config cfg;
static char err[512];

static char *no_env[] = { NULL };

static enum opt_action parse_in(char *const *envp, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	memset(&cfg, 0xA5, sizeof cfg); /* opt_parse must set every field itself */
	strcpy(err, "");
	/* as main() dispatches: a subcommand parses its own arguments */
	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		return probe_parse(argc - 1, argv + 1, envp, &cfg, err, sizeof err);
	if (argc > 1 && strcmp(argv[1], "inspect") == 0)
		return inspectcmd_parse(argc - 1, argv + 1, envp, &cfg, err, sizeof err);
	return opt_parse(argc, argv, envp, &cfg, err, sizeof err);
}

/* PARSE(envp, "arg", ...): argv[0] is "drainit". */
#define ARGV(...) ((char *[]){ "drainit", ##__VA_ARGS__, NULL })
#define PARSE(envp, ...) parse_in((envp), ARGV(__VA_ARGS__))
#define ENV(...) ((char *[]){ __VA_ARGS__, NULL })

#define assert_run(act) \
	ck_assert_msg((act) == OPT_RUN, "expected OPT_RUN, got %d: %s", (int)(act), err)
#define assert_error(act, text) do { \
		enum opt_action a_ = (act); \
		ck_assert_msg(a_ == OPT_ERROR, "expected OPT_ERROR, got %d", (int)a_); \
		ck_assert_str_eq(err, (text)); \
	} while (0)
#define assert_error_starts(act, prefix) do { \
		enum opt_action a_ = (act); \
		ck_assert_msg(a_ == OPT_ERROR, "expected OPT_ERROR, got %d", (int)a_); \
		ck_assert_msg(strncmp(err, (prefix), strlen(prefix)) == 0, \
			      "error does not start with \"%s\": %s", (prefix), err); \
	} while (0)

static int expected_count(void)
{
	int n = 0;
	for (int c = -5; c < 300; c++)
		n += opt_expects(&cfg, c);
	return n;
}

/* The readiness checks' timing: interval, timeout, recheck, failures. */
static void assert_ready_timing(int64_t interval_ms, int64_t timeout_ms, int64_t recheck_ms,
				unsigned failures)
{
	ck_assert_int_eq(cfg.ready_interval_ms, interval_ms);
	ck_assert_int_eq(cfg.ready_timeout_ms, timeout_ms);
	ck_assert_int_eq(cfg.ready_recheck_ms, recheck_ms);
	ck_assert_uint_eq(cfg.ready_failures, failures);
}

/* The readiness file and the stop: delay, drain, grace period, signals. */
static void assert_stop(const char *ready_file, int64_t pre_stop_delay_ms, int64_t drain_timeout_ms,
			int64_t grace_period_ms, int stop_signal, int pdeath_signal)
{
	ck_assert_str_eq(cfg.ready_file, ready_file);
	ck_assert_int_eq(cfg.pre_stop_delay_ms, pre_stop_delay_ms);
	ck_assert_int_eq(cfg.drain_timeout_ms, drain_timeout_ms);
	ck_assert_int_eq(cfg.grace_period_ms, grace_period_ms);
	ck_assert_int_eq(cfg.stop_signal, stop_signal);
	ck_assert_int_eq(cfg.pdeath_signal, pdeath_signal);
}

/* ---- defaults and the command ---- */

/* What a run with no flags and no variables gets. */
static void assert_defaults(void)
{
	ck_assert_ptr_null(cfg.ready_file);
	ck_assert_int_eq(cfg.ready_when.kind, COND_START);
	ck_assert_str_eq(cfg.ready_when.name, "start");
	assert_ready_timing(1000, 1000, 0, 3);
	ck_assert_int_eq(cfg.pre_stop_delay_ms, 0);
	ck_assert_int_eq(cfg.drain_timeout_ms, 25000);
	ck_assert_int_eq(cfg.grace_period_ms, -1);
	ck_assert_int_eq(cfg.stop_signal, SIGTERM);
	ck_assert_int_eq(cfg.pdeath_signal, 0);
	ck_assert(!cfg.single_child);
	ck_assert(!cfg.warn_on_reap);
	ck_assert_int_eq(cfg.verbosity, V_INFO);
	ck_assert_int_eq(cfg.log_format, LOG_TEXT);
	ck_assert_int_eq(expected_count(), 0);
	ck_assert_ptr_null(cfg.user);
	ck_assert_ptr_null(cfg.caps);
	ck_assert(!cfg.no_new_privs);
}

START_TEST(test_defaults)
{
	assert_run(PARSE(no_env, "app"));
	assert_defaults();
	ck_assert_int_eq(cfg.verbosity, 2);
	ck_assert_str_eq(cfg.argv[0], "app");
	ck_assert_ptr_null(cfg.argv[1]);
}
END_TEST

START_TEST(test_null_envp)
{
	/* an absent environment is an empty one */
	int argc = 2;
	char **argv = ARGV("app");
	ck_assert_int_eq(opt_parse(argc, argv, NULL, &cfg, err, sizeof err), OPT_RUN);
	ck_assert_int_eq(cfg.drain_timeout_ms, 25000);
	ck_assert_str_eq(cfg.argv[0], "app");
}
END_TEST

START_TEST(test_command_stops_at_first_non_option)
{
	char **argv = ARGV("ls", "-l", "--drain-timeout", "5s");
	assert_run(parse_in(no_env, argv));
	ck_assert_ptr_eq(cfg.argv, argv + 1); /* points into argv, not a copy */
	ck_assert_str_eq(cfg.argv[0], "ls");
	ck_assert_str_eq(cfg.argv[1], "-l");
	ck_assert_str_eq(cfg.argv[2], "--drain-timeout");
	ck_assert_ptr_null(cfg.argv[4]);
	/* the app's options are not drainit's */
	ck_assert_int_eq(cfg.drain_timeout_ms, 25000);
}
END_TEST

START_TEST(test_command_after_options)
{
	assert_run(PARSE(no_env, "-v", "--drain-timeout", "5s", "sh", "-c", "exit 3"));
	ck_assert_str_eq(cfg.argv[0], "sh");
	ck_assert_str_eq(cfg.argv[1], "-c");
	ck_assert_str_eq(cfg.argv[2], "exit 3");
	ck_assert_ptr_null(cfg.argv[3]);
	ck_assert_int_eq(cfg.drain_timeout_ms, 5000);
	ck_assert_int_eq(cfg.verbosity, V_DEBUG);
}
END_TEST

START_TEST(test_double_dash)
{
	assert_run(PARSE(no_env, "-w", "--", "-v", "--help"));
	ck_assert_str_eq(cfg.argv[0], "-v");
	ck_assert_str_eq(cfg.argv[1], "--help");
	ck_assert_ptr_null(cfg.argv[2]);
	ck_assert(cfg.warn_on_reap);
	ck_assert_int_eq(cfg.verbosity, V_INFO); /* the -v after -- is the command */

	/* only the first -- ends the options */
	assert_run(PARSE(no_env, "--", "--", "x"));
	ck_assert_str_eq(cfg.argv[0], "--");
	ck_assert_str_eq(cfg.argv[1], "x");

	/* a lone dash is a command (an argument), not an option */
	assert_run(PARSE(no_env, "-"));
	ck_assert_str_eq(cfg.argv[0], "-");
}
END_TEST

START_TEST(test_no_command_after_dash_dash_value)
{
	/* a "--" taken as an option's value is not the end of the options */
	assert_run(PARSE(no_env, "--ready-file", "--", "app"));
	ck_assert_str_eq(cfg.ready_file, "--");
	ck_assert_str_eq(cfg.argv[0], "app");
	assert_error(PARSE(no_env, "--ready-file", "--"),
		     "no command given: usage: drainit [OPTIONS] [--] COMMAND [ARG...]");
}
END_TEST

/* ---- each long option, as "--opt value" and "--opt=value" ---- */

START_TEST(test_long_options_separate)
{
	assert_run(PARSE(no_env, "--ready-file", "/run/ready", "--pre-stop-delay", "5s",
			 "--drain-timeout", "1m", "--grace-period", "90s", "--stop-signal", "QUIT",
			 "--parent-death-signal", "KILL", "--single-child", "--subreaper",
			 "--warn-on-reap", "--log-format", "json", "--expect-exit", "143", "app"));
	assert_stop("/run/ready", 5000, 60000, 90000, SIGQUIT, SIGKILL);
	ck_assert(cfg.single_child);
	ck_assert(cfg.warn_on_reap);
	ck_assert_int_eq(cfg.log_format, LOG_JSON);
	ck_assert(opt_expects(&cfg, 143));
	ck_assert_int_eq(expected_count(), 1);
	ck_assert_str_eq(cfg.argv[0], "app");
	ck_assert_ptr_null(cfg.argv[1]);
}
END_TEST

START_TEST(test_long_options_equals)
{
	assert_run(PARSE(no_env, "--ready-file=/run/ready", "--pre-stop-delay=500ms",
			 "--drain-timeout=1.5s", "--grace-period=1h", "--stop-signal=SIGUSR1",
			 "--parent-death-signal=RTMIN+2", "--log-format=json", "--expect-exit=130,143",
			 "app"));
	assert_stop("/run/ready", 500, 1500, 3600000, SIGUSR1, SIGRTMIN + 2);
	ck_assert_int_eq(cfg.log_format, LOG_JSON);
	ck_assert(opt_expects(&cfg, 130));
	ck_assert(opt_expects(&cfg, 143));
	ck_assert_int_eq(expected_count(), 2);
	ck_assert_str_eq(cfg.argv[0], "app");
}
END_TEST

START_TEST(test_long_value_with_equals_inside)
{
	/* only the first '=' splits: the rest is the value */
	assert_run(PARSE(no_env, "--ready-file=/tmp/a=b", "app"));
	ck_assert_str_eq(cfg.ready_file, "/tmp/a=b");
	/* a separate value may start with a dash */
	assert_run(PARSE(no_env, "--ready-file", "-odd", "app"));
	ck_assert_str_eq(cfg.ready_file, "-odd");
}
END_TEST

START_TEST(test_long_flags)
{
	assert_run(PARSE(no_env, "--verbose", "app"));
	ck_assert_int_eq(cfg.verbosity, V_DEBUG);
	assert_run(PARSE(no_env, "--quiet", "app"));
	ck_assert_int_eq(cfg.verbosity, V_ERROR);
	assert_run(PARSE(no_env, "--single-child", "--process-group", "app"));
	ck_assert(!cfg.single_child);
	assert_run(PARSE(no_env, "--process-group", "--single-child", "app"));
	ck_assert(cfg.single_child);
	assert_run(PARSE(no_env, "--log-format", "text", "app"));
	ck_assert_int_eq(cfg.log_format, LOG_TEXT);
}
END_TEST

/* ---- short options ---- */

START_TEST(test_short_bundles)
{
	assert_run(PARSE(no_env, "-vvw", "app"));
	ck_assert_int_eq(cfg.verbosity, V_DEBUG);
	ck_assert(cfg.warn_on_reap);

	assert_run(PARSE(no_env, "-sg", "app"));
	ck_assert(!cfg.single_child);

	assert_run(PARSE(no_env, "--single-child", "-sg", "app"));
	ck_assert(!cfg.single_child); /* -g undoes --single-child */

	assert_run(PARSE(no_env, "-pKILL", "app"));
	ck_assert_int_eq(cfg.pdeath_signal, SIGKILL);
	ck_assert_str_eq(cfg.argv[0], "app");

	assert_run(PARSE(no_env, "-p", "KILL", "app"));
	ck_assert_int_eq(cfg.pdeath_signal, SIGKILL);
	ck_assert_str_eq(cfg.argv[0], "app");

	/* a value option ends the bundle and takes the rest, or the next word */
	assert_run(PARSE(no_env, "-wpHUP", "app"));
	ck_assert(cfg.warn_on_reap);
	ck_assert_int_eq(cfg.pdeath_signal, SIGHUP);
	assert_run(PARSE(no_env, "-sp", "USR1", "app"));
	ck_assert_int_eq(cfg.pdeath_signal, SIGUSR1);
	ck_assert_str_eq(cfg.argv[0], "app");
	ck_assert_ptr_null(cfg.argv[1]);
}
END_TEST

START_TEST(test_short_verbosity)
{
	assert_run(PARSE(no_env, "-q", "app"));
	ck_assert_int_eq(cfg.verbosity, 0);
	assert_run(PARSE(no_env, "-v", "app"));
	ck_assert_int_eq(cfg.verbosity, 3);
	assert_run(PARSE(no_env, "-vvvvv", "app"));
	ck_assert_int_eq(cfg.verbosity, 3); /* capped at debug */
	assert_run(PARSE(no_env, "-q", "-v", "app"));
	ck_assert_int_eq(cfg.verbosity, 1);
	assert_run(PARSE(no_env, "-vq", "app"));
	ck_assert_int_eq(cfg.verbosity, 0);
	assert_run(PARSE(no_env, "-qvv", "app"));
	ck_assert_int_eq(cfg.verbosity, 2);
}
END_TEST

START_TEST(test_expect_exit_repeated)
{
	assert_run(PARSE(no_env, "-e", "143", "-e", "130", "-e0", "-e255", "app"));
	ck_assert(opt_expects(&cfg, 143));
	ck_assert(opt_expects(&cfg, 130));
	ck_assert(opt_expects(&cfg, 0));
	ck_assert(opt_expects(&cfg, 255));
	ck_assert(!opt_expects(&cfg, 142));
	ck_assert(!opt_expects(&cfg, 144));
	ck_assert(!opt_expects(&cfg, 1));
	ck_assert_int_eq(expected_count(), 4);
	ck_assert_str_eq(cfg.argv[0], "app");
}
END_TEST

START_TEST(test_expect_exit_long_list)
{
	/* a long list is read whole, or refused: never cut into other codes.
	 * Here 143 straddles the 256th byte. */
	static char list[300];
	size_t o = 0;
	for (int i = 0; i < 125; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "1,");
	o += (size_t)snprintf(list + o, sizeof list - o, "11,143");
	ck_assert_uint_eq(o, 256);
	enum opt_action act = PARSE(no_env, "-e", list, "app");
	if (act == OPT_ERROR)
		return; /* refusing is fine */
	assert_run(act);
	ck_assert_msg(!opt_expects(&cfg, 14), "14 was never asked for, but is expected");
	ck_assert_msg(opt_expects(&cfg, 143), "143 at the end of a %zu-byte list was lost", o);
	ck_assert_int_eq(expected_count(), 3);
}
END_TEST

START_TEST(test_expect_exit_every_code)
{
	static char all[1024];
	size_t o = 0;
	for (int c = 0; c < 256; c++)
		o += (size_t)snprintf(all + o, sizeof all - o, "%s%d", c ? "," : "", c);
	enum opt_action act = PARSE(ENV("DRAINIT_EXPECT_EXIT=1"), "--expect-exit", all, "app");
	if (act == OPT_ERROR)
		return; /* refusing is fine */
	assert_run(act);
	ck_assert_int_eq(expected_count(), 256);
}
END_TEST

START_TEST(test_expect_flag_beats_env)
{
	/* like every option, -e replaces what the environment said */
	assert_run(PARSE(ENV("DRAINIT_EXPECT_EXIT=3,4"), "-e", "143", "-e", "130", "app"));
	ck_assert(!opt_expects(&cfg, 3));
	ck_assert(!opt_expects(&cfg, 4));
	ck_assert(opt_expects(&cfg, 143));
	ck_assert(opt_expects(&cfg, 130));
	ck_assert_int_eq(expected_count(), 2);
}
END_TEST

START_TEST(test_opt_expects)
{
	assert_run(PARSE(no_env, "-e", "7,8,15,16,255", "app"));
	/* bit boundaries of the byte array */
	ck_assert(!opt_expects(&cfg, 6));
	ck_assert(opt_expects(&cfg, 7));
	ck_assert(opt_expects(&cfg, 8));
	ck_assert(!opt_expects(&cfg, 9));
	ck_assert(opt_expects(&cfg, 15));
	ck_assert(opt_expects(&cfg, 16));
	ck_assert(!opt_expects(&cfg, 17));
	ck_assert(opt_expects(&cfg, 255));
	ck_assert(!opt_expects(&cfg, 254));
	/* out of range is never expected, and does not read past the array */
	ck_assert(!opt_expects(&cfg, 256));
	ck_assert(!opt_expects(&cfg, 255 + 8));
	ck_assert(!opt_expects(&cfg, -1));
	ck_assert(!opt_expects(&cfg, -8));
	ck_assert_int_eq(expected_count(), 5);

	/* all 256 codes can be expected */
	struct config all;
	memset(&all, 0, sizeof all);
	memset(all.expect_exit, 0xff, sizeof all.expect_exit);
	ck_assert(opt_expects(&all, 0));
	ck_assert(opt_expects(&all, 255));
	ck_assert(!opt_expects(&all, 256));
	ck_assert(!opt_expects(&all, -1));
}
END_TEST

/* ---- errors ---- */

START_TEST(test_error_buffer_truncated)
{
	char small[10];
	char **argv = ARGV("--bogus-option-with-a-long-name", "app");
	memset(small, 'X', sizeof small);
	ck_assert_int_eq(opt_parse(3, argv, no_env, &cfg, small, 8), OPT_ERROR);
	ck_assert_str_eq(small, "unknown");
	ck_assert_int_eq(small[8], 'X');
}
END_TEST

/* ---- actions ---- */

START_TEST(test_actions)
{
	/* after the command, --help is the command's (the actions: the cases) */
	assert_run(PARSE(no_env, "app", "--help"));
	ck_assert_str_eq(cfg.argv[1], "--help");
}
END_TEST

/* ---- the environment ---- */

START_TEST(test_env_each_variable)
{
	assert_run(PARSE(ENV("DRAINIT_READY_FILE=/run/r", "DRAINIT_PRE_STOP_DELAY=5s",
			     "DRAINIT_DRAIN_TIMEOUT=40s", "DRAINIT_GRACE_PERIOD=1m",
			     "DRAINIT_STOP_SIGNAL=SIGINT", "DRAINIT_PARENT_DEATH_SIGNAL=9",
			     "DRAINIT_SINGLE_CHILD=1", "DRAINIT_SUBREAPER=true",
			     "DRAINIT_WARN_ON_REAP=yes", "DRAINIT_VERBOSITY=3",
			     "DRAINIT_LOG_FORMAT=json", "DRAINIT_EXPECT_EXIT=143,130"),
			 "app"));
	assert_stop("/run/r", 5000, 40000, 60000, SIGINT, SIGKILL);
	ck_assert(cfg.single_child);
	ck_assert(cfg.warn_on_reap);
	ck_assert_int_eq(cfg.verbosity, 3);
	ck_assert_int_eq(cfg.log_format, LOG_JSON);
	ck_assert(opt_expects(&cfg, 143));
	ck_assert(opt_expects(&cfg, 130));
	ck_assert_int_eq(expected_count(), 2);
}
END_TEST

START_TEST(test_env_one_at_a_time)
{
	assert_run(PARSE(ENV("DRAINIT_READY_FILE=/x/ready"), "app"));
	ck_assert_str_eq(cfg.ready_file, "/x/ready");
	assert_run(PARSE(ENV("DRAINIT_PRE_STOP_DELAY=1.5s"), "app"));
	ck_assert_int_eq(cfg.pre_stop_delay_ms, 1500);
	ck_assert_int_eq(cfg.drain_timeout_ms, 25000);
	assert_run(PARSE(ENV("DRAINIT_DRAIN_TIMEOUT=2m"), "app"));
	ck_assert_int_eq(cfg.drain_timeout_ms, 120000);
	ck_assert_int_eq(cfg.pre_stop_delay_ms, 0);
	assert_run(PARSE(ENV("DRAINIT_GRACE_PERIOD=30"), "app"));
	ck_assert_int_eq(cfg.grace_period_ms, 30000);
	assert_run(PARSE(ENV("DRAINIT_STOP_SIGNAL=RTMIN+1"), "app"));
	ck_assert_int_eq(cfg.stop_signal, SIGRTMIN + 1);
	assert_run(PARSE(ENV("DRAINIT_PARENT_DEATH_SIGNAL=TERM"), "app"));
	ck_assert_int_eq(cfg.pdeath_signal, SIGTERM);
	assert_run(PARSE(ENV("DRAINIT_SINGLE_CHILD=on"), "app"));
	ck_assert(cfg.single_child);
	assert_run(PARSE(ENV("DRAINIT_SUBREAPER=1"), "app"));
	ck_assert(!cfg.warn_on_reap);
	assert_run(PARSE(ENV("DRAINIT_WARN_ON_REAP=1"), "app"));
	ck_assert(cfg.warn_on_reap);
	assert_run(PARSE(ENV("DRAINIT_VERBOSITY=0"), "app"));
	ck_assert_int_eq(cfg.verbosity, 0);
	assert_run(PARSE(ENV("DRAINIT_VERBOSITY=1"), "app"));
	ck_assert_int_eq(cfg.verbosity, 1);
	assert_run(PARSE(ENV("DRAINIT_LOG_FORMAT=text"), "app"));
	ck_assert_int_eq(cfg.log_format, LOG_TEXT);
	assert_run(PARSE(ENV("DRAINIT_LOG_FORMAT=json"), "app"));
	ck_assert_int_eq(cfg.log_format, LOG_JSON);
	assert_run(PARSE(ENV("DRAINIT_EXPECT_EXIT=3"), "app"));
	ck_assert(opt_expects(&cfg, 3));
	ck_assert_int_eq(expected_count(), 1);
}
END_TEST

/* The boolean variable NAME sets *field (a field of cfg) with each of the
 * words for yes, and clears it with each of the words for no, then after
 * the variable `before_no` when given. */
static void assert_boolean_words(const char *name, const bool *field, char *before_no)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	char var[64];
	for (int i = 0; i < 4; i++) {
		snprintf(var, sizeof var, "%s=%s", name, yes[i]);
		assert_run(PARSE(ENV(var), "app"));
		ck_assert_msg(*field, "%s", var);
		snprintf(var, sizeof var, "%s=%s", name, no[i]);
		if (before_no)
			assert_run(PARSE(ENV(before_no, var), "app"));
		else
			assert_run(PARSE(ENV(var), "app"));
		ck_assert_msg(!*field, "%s", var);
	}
}

START_TEST(test_env_booleans)
{
	/* DRAINIT_SINGLE_CHILD=no beats TINI_KILL_PROCESS_GROUP */
	assert_boolean_words("DRAINIT_SINGLE_CHILD", &cfg.single_child, "TINI_KILL_PROCESS_GROUP=1");
	assert_boolean_words("DRAINIT_WARN_ON_REAP", &cfg.warn_on_reap, NULL);
	assert_run(PARSE(ENV("DRAINIT_SINGLE_CHILD=off"), "--single-child", "app"));
	ck_assert(cfg.single_child); /* the flag beats it */
}
END_TEST

START_TEST(test_env_empty_is_unset)
{
	assert_run(PARSE(ENV("DRAINIT_READY_FILE=", "DRAINIT_READY_WHEN=", "DRAINIT_READY_INTERVAL=",
			     "DRAINIT_READY_TIMEOUT=", "DRAINIT_READY_RECHECK=",
			     "DRAINIT_READY_FAILURES=", "DRAINIT_PRE_STOP_DELAY=",
			     "DRAINIT_DRAIN_TIMEOUT=", "DRAINIT_GRACE_PERIOD=",
			     "DRAINIT_STOP_SIGNAL=", "DRAINIT_PARENT_DEATH_SIGNAL=",
			     "DRAINIT_SINGLE_CHILD=", "DRAINIT_SUBREAPER=", "DRAINIT_WARN_ON_REAP=",
			     "DRAINIT_VERBOSITY=", "DRAINIT_LOG_FORMAT=", "DRAINIT_EXPECT_EXIT=",
			     "TINI_VERBOSITY="),
			 "app"));
	assert_defaults();
}
END_TEST

START_TEST(test_env_names_match_exactly)
{
	/* neither a longer name nor a missing '=' is the variable */
	assert_run(PARSE(ENV("DRAINIT_DRAIN_TIMEOUTX=5s", "DRAINIT_DRAIN_TIMEOUT", "XDRAINIT_DRAIN_TIMEOUT=5s",
			     "drainit_drain_timeout=5s"),
			 "app"));
	ck_assert_int_eq(cfg.drain_timeout_ms, 25000);
	/* a variable after unrelated ones is found */
	assert_run(PARSE(ENV("PATH=/bin", "HOME=/", "DRAINIT_DRAIN_TIMEOUT=5s", "TERM=xterm"), "app"));
	ck_assert_int_eq(cfg.drain_timeout_ms, 5000);
}
END_TEST

START_TEST(test_flag_beats_env)
{
	char *env[] = { "DRAINIT_DRAIN_TIMEOUT=10s", "DRAINIT_PRE_STOP_DELAY=3s",
			"DRAINIT_STOP_SIGNAL=INT", "DRAINIT_READY_FILE=/env", "DRAINIT_LOG_FORMAT=json",
			"DRAINIT_VERBOSITY=0", "DRAINIT_PARENT_DEATH_SIGNAL=HUP",
			"DRAINIT_GRACE_PERIOD=1m", "DRAINIT_SINGLE_CHILD=1", NULL };
	assert_run(PARSE(env, "--drain-timeout", "5s", "--pre-stop-delay=1s", "--stop-signal",
			 "QUIT", "--ready-file", "/flag", "--log-format", "text", "-vv", "-pKILL",
			 "--grace-period", "2m", "-g", "app"));
	ck_assert_int_eq(cfg.drain_timeout_ms, 5000);
	ck_assert_int_eq(cfg.pre_stop_delay_ms, 1000);
	ck_assert_int_eq(cfg.stop_signal, SIGQUIT);
	ck_assert_str_eq(cfg.ready_file, "/flag");
	ck_assert_int_eq(cfg.log_format, LOG_TEXT);
	ck_assert_int_eq(cfg.verbosity, 2); /* -vv counts up from the environment's 0 */
	ck_assert_int_eq(cfg.pdeath_signal, SIGKILL);
	ck_assert_int_eq(cfg.grace_period_ms, 120000);
	ck_assert(!cfg.single_child);

	/* without the flags the environment holds */
	assert_run(PARSE(env, "app"));
	ck_assert_int_eq(cfg.drain_timeout_ms, 10000);
	ck_assert_int_eq(cfg.stop_signal, SIGINT);
	ck_assert_str_eq(cfg.ready_file, "/env");
	ck_assert_int_eq(cfg.verbosity, 0);
	ck_assert(cfg.single_child);
	/* and -q beats DRAINIT_VERBOSITY=3 */
	assert_run(PARSE(ENV("DRAINIT_VERBOSITY=3"), "-q", "app"));
	ck_assert_int_eq(cfg.verbosity, 0);
}
END_TEST

static const struct {
	const char *var;
	const char *prefix; /* the error starts with this */
} bad_env[] = {
	{ "DRAINIT_PRE_STOP_DELAY=5x", "DRAINIT_PRE_STOP_DELAY: bad duration '5x'" },
	{ "DRAINIT_DRAIN_TIMEOUT=-1s", "DRAINIT_DRAIN_TIMEOUT: bad duration '-1s'" },
	{ "DRAINIT_GRACE_PERIOD=9000h", "DRAINIT_GRACE_PERIOD: bad duration '9000h'" },
	{ "DRAINIT_STOP_SIGNAL=FOO", "DRAINIT_STOP_SIGNAL: bad signal 'FOO'" },
	{ "DRAINIT_PARENT_DEATH_SIGNAL=0", "DRAINIT_PARENT_DEATH_SIGNAL: bad signal '0'" },
	{ "DRAINIT_SINGLE_CHILD=maybe", "DRAINIT_SINGLE_CHILD: bad value 'maybe'" },
	{ "DRAINIT_SUBREAPER=2", "DRAINIT_SUBREAPER: bad value '2'" },
	{ "DRAINIT_WARN_ON_REAP=TRUE", "DRAINIT_WARN_ON_REAP: bad value 'TRUE'" },
	{ "DRAINIT_VERBOSITY=4", "DRAINIT_VERBOSITY: bad value '4'" },
	{ "DRAINIT_VERBOSITY=debug", "DRAINIT_VERBOSITY: bad value 'debug'" },
	{ "DRAINIT_VERBOSITY=-1", "DRAINIT_VERBOSITY: bad value '-1'" },
	{ "DRAINIT_LOG_FORMAT=xml", "DRAINIT_LOG_FORMAT: bad log format 'xml'" },
	{ "DRAINIT_EXPECT_EXIT=143,256", "DRAINIT_EXPECT_EXIT: bad exit code '256'" },
	{ "DRAINIT_EXPECT_EXIT=143;130", "DRAINIT_EXPECT_EXIT: bad exit code '143;130'" },
	{ "TINI_VERBOSITY=loud", "TINI_VERBOSITY: bad value 'loud'" },
	{ "DRAINIT_READY_WHEN=bogus", "DRAINIT_READY_WHEN: bad condition 'bogus'" },
	{ "DRAINIT_READY_WHEN=tcp:example.com:80", "DRAINIT_READY_WHEN: bad host 'example.com" },
	{ "DRAINIT_READY_WHEN=http:8080/a b", "DRAINIT_READY_WHEN: http: the path may not hold" },
	{ "DRAINIT_READY_WHEN=file:", "DRAINIT_READY_WHEN: file: no path" },
	{ "DRAINIT_READY_INTERVAL=0", "DRAINIT_READY_INTERVAL: bad duration '0': must be more than 0" },
	{ "DRAINIT_READY_INTERVAL=1x", "DRAINIT_READY_INTERVAL: bad duration '1x'" },
	{ "DRAINIT_READY_TIMEOUT=0s", "DRAINIT_READY_TIMEOUT: bad duration '0s': must be more than 0" },
	{ "DRAINIT_READY_TIMEOUT=-1s", "DRAINIT_READY_TIMEOUT: bad duration '-1s'" },
	{ "DRAINIT_READY_RECHECK=5x", "DRAINIT_READY_RECHECK: bad duration '5x'" },
	{ "DRAINIT_READY_RECHECK=-1", "DRAINIT_READY_RECHECK: bad duration '-1'" },
	{ "DRAINIT_READY_FAILURES=0", "DRAINIT_READY_FAILURES: bad count '0': expected 1-1000" },
	{ "DRAINIT_READY_FAILURES=1001", "DRAINIT_READY_FAILURES: bad count '1001': expected 1-1000" },
	{ "DRAINIT_READY_FAILURES=x", "DRAINIT_READY_FAILURES: bad count 'x'" },
};

START_TEST(test_env_bad_value)
{
	char *env[] = { (char *)bad_env[_i].var, NULL };
	assert_error_starts(PARSE(env, "app"), bad_env[_i].prefix);
	/* even with flags that would be fine: the environment is read first */
	assert_error_starts(PARSE(env, "-v", "app"), bad_env[_i].prefix);
}
END_TEST

START_TEST(test_tini_variables)
{
	/* TINI_SUBREAPER: taken, whatever the value, and nothing to do (drainit
	 * is a subreaper whenever it is not PID 1) */
	assert_run(PARSE(ENV("TINI_SUBREAPER="), "app"));
	assert_run(PARSE(ENV("TINI_SUBREAPER=0"), "app"));
	assert_run(PARSE(ENV("TINI_SUBREAPER"), "app"));

	/* TINI_KILL_PROCESS_GROUP: the group, not the single child */
	assert_run(PARSE(ENV("TINI_KILL_PROCESS_GROUP="), "app"));
	ck_assert(!cfg.single_child);
	assert_run(PARSE(ENV("TINI_KILL_PROCESS_GROUP=1", "DRAINIT_SINGLE_CHILD=1"), "app"));
	ck_assert(cfg.single_child); /* drainit's own variable beats tini's */
	assert_run(PARSE(ENV("DRAINIT_SINGLE_CHILD=1", "TINI_KILL_PROCESS_GROUP=1"), "app"));
	ck_assert(cfg.single_child); /* whatever the order in the environment */

	/* TINI_VERBOSITY: a number, capped at debug */
	assert_run(PARSE(ENV("TINI_VERBOSITY=0"), "app"));
	ck_assert_int_eq(cfg.verbosity, 0);
	assert_run(PARSE(ENV("TINI_VERBOSITY=1"), "app"));
	ck_assert_int_eq(cfg.verbosity, 1);
	assert_run(PARSE(ENV("TINI_VERBOSITY=3"), "app"));
	ck_assert_int_eq(cfg.verbosity, 3);
	assert_run(PARSE(ENV("TINI_VERBOSITY=7"), "app"));
	ck_assert_int_eq(cfg.verbosity, 3);
	assert_run(PARSE(ENV("TINI_VERBOSITY=1000"), "app"));
	ck_assert_int_eq(cfg.verbosity, 3);
	assert_error_starts(PARSE(ENV("TINI_VERBOSITY=2x"), "app"), "TINI_VERBOSITY: ");
	assert_error_starts(PARSE(ENV("TINI_VERBOSITY=-1"), "app"), "TINI_VERBOSITY: ");

	/* DRAINIT_VERBOSITY beats TINI_VERBOSITY, in either order */
	assert_run(PARSE(ENV("TINI_VERBOSITY=0", "DRAINIT_VERBOSITY=3"), "app"));
	ck_assert_int_eq(cfg.verbosity, 3);
	assert_run(PARSE(ENV("DRAINIT_VERBOSITY=1", "TINI_VERBOSITY=3"), "app"));
	ck_assert_int_eq(cfg.verbosity, 1);
	/* and a flag beats both */
	assert_run(PARSE(ENV("TINI_VERBOSITY=0", "DRAINIT_VERBOSITY=0"), "-v", "app"));
	ck_assert_int_eq(cfg.verbosity, 1);
}
END_TEST

START_TEST(test_tini_verbosity_large)
{
	/* any number is clamped to debug, however large: it is a number, so
	 * "expected a number" would be wrong */
	assert_run(PARSE(ENV("TINI_VERBOSITY=1001"), "app"));
	ck_assert_int_eq(cfg.verbosity, 3);
	assert_run(PARSE(ENV("TINI_VERBOSITY=99999999999999999999"), "app"));
	ck_assert_int_eq(cfg.verbosity, 3);
}
END_TEST

/* ---- readiness conditions ---- */

START_TEST(test_ready_defaults)
{
	/* no --ready-when: ready at exec, as before */
	assert_run(PARSE(no_env, "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_START);
	ck_assert_str_eq(cfg.ready_when.name, "start");
	ck_assert(!cond_polled(&cfg.ready_when));
	ck_assert_ptr_null(cfg.ready_when.argv[0]);
	assert_ready_timing(1000, 1000, 0, 3);
}
END_TEST

START_TEST(test_ready_flags_separate)
{
	assert_run(PARSE(no_env, "--ready-when", "tcp:8080", "--ready-interval", "500ms",
			 "--ready-timeout", "2s", "--ready-recheck", "10s", "--ready-failures", "5",
			 "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_TCP);
	ck_assert_uint_eq(cfg.ready_when.port, 8080);
	ck_assert_str_eq(cfg.ready_when.host, "127.0.0.1:8080");
	ck_assert_str_eq(cfg.ready_when.name, "tcp:8080");
	assert_ready_timing(500, 2000, 10000, 5);
	ck_assert_str_eq(cfg.argv[0], "app");
	ck_assert_ptr_null(cfg.argv[1]);
}
END_TEST

START_TEST(test_ready_flags_equals)
{
	assert_run(PARSE(no_env, "--ready-when=http:8080/healthz?a=b", "--ready-interval=1.5s",
			 "--ready-timeout=250ms", "--ready-recheck=1m", "--ready-failures=1000", "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_HTTP);
	ck_assert_str_eq(cfg.ready_when.path, "/healthz?a=b"); /* only the first '=' splits */
	ck_assert_uint_eq(cfg.ready_when.port, 8080);
	assert_ready_timing(1500, 250, 60000, 1000);

	assert_run(PARSE(no_env, "--ready-failures", "1", "--ready-recheck", "0", "app"));
	ck_assert_uint_eq(cfg.ready_failures, 1);
	ck_assert_int_eq(cfg.ready_recheck_ms, 0); /* 0: stop checking once ready */
}
END_TEST

START_TEST(test_ready_when_each_kind)
{
	assert_run(PARSE(no_env, "--ready-when", "notify", "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_NOTIFY);
	assert_run(PARSE(no_env, "--ready-when", "file:/run/app/ready", "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_FILE);
	ck_assert_str_eq(cfg.ready_when.path, "/run/app/ready");
	assert_run(PARSE(no_env, "--ready-when", "start", "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_START);
	ck_assert_str_eq(cfg.ready_when.name, "start");
	assert_run(PARSE(no_env, "--ready-when", "tcp:[::1]:9000", "app"));
	ck_assert_int_eq(cfg.ready_when.family, AF_INET6);
	ck_assert_uint_eq(cfg.ready_when.port, 9000);

	/* an exec command is one option value; its words are the check's,
	 * not drainit's command */
	assert_run(PARSE(no_env, "--ready-when", "exec:curl -fs 'http://x/a b'", "app", "-v"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_EXEC);
	ck_assert_str_eq(cfg.ready_when.argv[0], "curl");
	ck_assert_str_eq(cfg.ready_when.argv[1], "-fs");
	ck_assert_str_eq(cfg.ready_when.argv[2], "http://x/a b");
	ck_assert_ptr_null(cfg.ready_when.argv[3]);
	ck_assert(cfg.ready_when.argv[0] == cfg.ready_when.words); /* into the config itself */
	ck_assert_str_eq(cfg.ready_when.name, "exec:curl");
	ck_assert_str_eq(cfg.argv[0], "app");
	ck_assert_str_eq(cfg.argv[1], "-v");
	ck_assert_int_eq(cfg.verbosity, V_INFO);
}
END_TEST

START_TEST(test_ready_env)
{
	assert_run(PARSE(ENV("DRAINIT_READY_WHEN=tcp:8080"), "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_TCP);
	ck_assert_int_eq(cfg.ready_when.family, AF_INET);
	ck_assert_uint_eq(cfg.ready_when.port, 8080);
	ck_assert_str_eq(cfg.ready_when.host, "127.0.0.1:8080");
	ck_assert_str_eq(cfg.ready_when.name, "tcp:8080");
	/* the others keep their defaults */
	assert_ready_timing(1000, 1000, 0, 3);

	assert_run(PARSE(ENV("DRAINIT_READY_WHEN=exec:pg_isready -q", "DRAINIT_READY_INTERVAL=2s",
			     "DRAINIT_READY_TIMEOUT=300ms", "DRAINIT_READY_RECHECK=30s",
			     "DRAINIT_READY_FAILURES=2"),
			 "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_EXEC);
	ck_assert_str_eq(cfg.ready_when.argv[0], "pg_isready");
	ck_assert_str_eq(cfg.ready_when.argv[1], "-q");
	ck_assert_ptr_null(cfg.ready_when.argv[2]);
	assert_ready_timing(2000, 300, 30000, 2);

	assert_run(PARSE(ENV("DRAINIT_READY_RECHECK=0"), "app"));
	ck_assert_int_eq(cfg.ready_recheck_ms, 0);
}
END_TEST

START_TEST(test_ready_flag_beats_env)
{
	char *env[] = { "DRAINIT_READY_WHEN=tcp:1", "DRAINIT_READY_INTERVAL=9s",
			"DRAINIT_READY_TIMEOUT=9s", "DRAINIT_READY_RECHECK=9s",
			"DRAINIT_READY_FAILURES=9", NULL };
	assert_run(PARSE(env, "--ready-when", "exec:true x", "--ready-interval", "100ms",
			 "--ready-timeout", "200ms", "--ready-recheck", "0", "--ready-failures", "4",
			 "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_EXEC);
	ck_assert_str_eq(cfg.ready_when.argv[0], "true");
	ck_assert_str_eq(cfg.ready_when.argv[1], "x");
	ck_assert_ptr_null(cfg.ready_when.argv[2]);
	ck_assert_uint_eq(cfg.ready_when.port, 0); /* nothing of tcp:1 is left */
	ck_assert_str_eq(cfg.ready_when.name, "exec:true");
	assert_ready_timing(100, 200, 0, 4);

	/* without the flags the environment holds */
	assert_run(PARSE(env, "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_TCP);
	ck_assert_uint_eq(cfg.ready_when.port, 1);
	assert_ready_timing(9000, 9000, 9000, 9);

	/* --ready-when start undoes the environment's condition */
	assert_run(PARSE(env, "--ready-when=start", "app"));
	ck_assert_int_eq(cfg.ready_when.kind, COND_START);
	ck_assert_str_eq(cfg.ready_when.name, "start");
	/* and the last flag wins */
	assert_run(PARSE(no_env, "--ready-when", "tcp:1", "--ready-when", "tcp:2", "app"));
	ck_assert_uint_eq(cfg.ready_when.port, 2);
}
END_TEST

/* A long bad value, 2999 bytes (`first`, then z), of the option --NAME
 * (NAME=VALUE) or of the variable NAME: refused, and cut in the message,
 * never overrunning it. */
static void assert_long_value_cut(const char *name, char first, const char *prefix)
{
	static char val[3000], arg[3100];
	memset(val, 'z', sizeof val - 1);
	val[sizeof val - 1] = '\0';
	val[0] = first;
	snprintf(arg, sizeof arg, "%s=%s", name, val);
	char *env[] = { arg, NULL };
	if (strncmp(name, "--", 2) == 0)
		assert_error_starts(PARSE(no_env, arg, "app"), prefix);
	else
		assert_error_starts(PARSE(env, "app"), prefix);
	ck_assert_uint_lt(strlen(err), sizeof err);
}

START_TEST(test_ready_long_bad_condition)
{
	assert_long_value_cut("--ready-when", 'z', "--ready-when: bad condition 'zzz");
	assert_long_value_cut("DRAINIT_READY_WHEN", 'z', "DRAINIT_READY_WHEN: bad condition 'zzz");
}
END_TEST

/* ---- drainit probe ---- */

START_TEST(test_probe)
{
	ck_assert_int_eq(PARSE(no_env, "probe", "--ready-file", "/run/ready"), OPT_RUN);
	ck_assert_str_eq(cfg.ready_file, "/run/ready");
	ck_assert_int_eq(PARSE(no_env, "probe", "--ready-file=/run/r2"), OPT_RUN);
	ck_assert_str_eq(cfg.ready_file, "/run/r2");

	ck_assert_int_eq(PARSE(ENV("DRAINIT_READY_FILE=/env/ready"), "probe"), OPT_RUN);
	ck_assert_str_eq(cfg.ready_file, "/env/ready");
	/* the flag beats the environment here too */
	ck_assert_int_eq(PARSE(ENV("DRAINIT_READY_FILE=/env/ready"), "probe", "--ready-file", "/f"),
			 OPT_RUN);
	ck_assert_str_eq(cfg.ready_file, "/f");
	/* "--" is accepted before nothing */
	ck_assert_int_eq(PARSE(no_env, "probe", "--ready-file", "/f", "--"), OPT_RUN);
}
END_TEST

START_TEST(test_probe_help)
{
	/* "probe" is a subcommand only in first place */
	assert_run(PARSE(no_env, "-v", "probe", "--help"));
	ck_assert_str_eq(cfg.argv[0], "probe");
	ck_assert_str_eq(cfg.argv[1], "--help");
	assert_run(PARSE(no_env, "--", "probe"));
	ck_assert_str_eq(cfg.argv[0], "probe");
}
END_TEST

/* ---- help texts ---- */

static char *capture(void (*fn)(FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	fn(f);
	fclose(f);
	return text;
}

START_TEST(test_help_mentions_everything)
{
	static const char *const words[] = {
		"--ready-file", "--ready-when", "--ready-interval", "--ready-timeout",
		"--ready-recheck", "--ready-failures", "DRAINIT_READY_WHEN", "DRAINIT_READY_INTERVAL",
		"DRAINIT_READY_TIMEOUT", "DRAINIT_READY_RECHECK", "DRAINIT_READY_FAILURES",
		"tcp:[HOST:]PORT", "http:[HOST:]PORT/PATH", "exec:CMD", "file:PATH", "notify",
		"--pre-stop-delay", "--drain-timeout", "--grace-period",
		"--stop-signal", "--parent-death-signal", "--single-child", "--process-group",
		"--subreaper", "--warn-on-reap", "--verbose", "--quiet", "--log-format",
		"--expect-exit", "--license", "--help", "--version", "-g,", "-s,", "-p,", "-w,",
		"-e,", "-v,", "-q,", "-l,", "-h,", "DRAINIT_READY_FILE", "DRAINIT_PRE_STOP_DELAY",
		"DRAINIT_DRAIN_TIMEOUT", "DRAINIT_GRACE_PERIOD", "DRAINIT_STOP_SIGNAL",
		"DRAINIT_PARENT_DEATH_SIGNAL", "DRAINIT_SINGLE_CHILD", "DRAINIT_SUBREAPER",
		"DRAINIT_WARN_ON_REAP", "DRAINIT_VERBOSITY", "DRAINIT_LOG_FORMAT",
		"DRAINIT_EXPECT_EXIT", "TINI_SUBREAPER", "TINI_KILL_PROCESS_GROUP", "TINI_VERBOSITY",
		"drainit probe",
	};
	char *text = capture(opt_help);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		ck_assert_msg(strstr(text, words[i]) != NULL, "help does not mention %s", words[i]);
	ck_assert_msg(strncmp(text, "usage: drainit [OPTIONS] [--] COMMAND", 37) == 0, "%s", text);
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	free(text);

	text = capture(probe_help);
	ck_assert_msg(strncmp(text, "usage: drainit probe", 20) == 0, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "--ready-file"));
	ck_assert_ptr_nonnull(strstr(text, "DRAINIT_READY_FILE"));
	free(text);
}
END_TEST

/* ---- privileges: --user, --caps, --no-new-privs ---- */

#define USER_ERR(v) "bad user '" v "': expected USER or USER:GROUP"
#define MIXED_ERR(v) "'" v "': give either names (exactly these) or only +NAME/-NAME " \
	"(changes to the default set), not both"

START_TEST(test_privs_defaults)
{
	/* drainit's own user and capabilities, privileges may be gained */
	assert_run(PARSE(no_env, "app"));
	ck_assert_ptr_null(cfg.user);
	ck_assert_ptr_null(cfg.caps);
	ck_assert(!cfg.no_new_privs);
	ck_assert_int_eq(EXIT_NOPERM, 77);
	/* a code of its own */
	ck_assert_int_ne(EXIT_NOPERM, EXIT_USAGE);
	ck_assert_int_ne(EXIT_NOPERM, EXIT_OSERR);
	ck_assert_int_ne(EXIT_NOPERM, EXIT_READY_PATH);
}
END_TEST

START_TEST(test_privs_flags)
{
	char **argv = ARGV("--user", "alice", "--caps", "net_bind_service", "--no-new-privs", "app");
	assert_run(parse_in(no_env, argv));
	ck_assert_str_eq(cfg.user, "alice");
	ck_assert_str_eq(cfg.caps, "net_bind_service");
	ck_assert_ptr_eq(cfg.caps, argv[4]); /* the text as given: resolved at start */
	ck_assert(cfg.no_new_privs);
	ck_assert_str_eq(cfg.argv[0], "app");
	ck_assert_ptr_null(cfg.argv[1]);

	assert_run(PARSE(no_env, "--user=1000:1000", "--caps=+net_raw,-chown", "app"));
	ck_assert_str_eq(cfg.user, "1000:1000");
	ck_assert_str_eq(cfg.caps, "+net_raw,-chown");
	ck_assert(!cfg.no_new_privs);

	/* names are not looked up yet: any name will do here */
	assert_run(PARSE(no_env, "--user", "nosuchuser:nosuchgroup", "app"));
	ck_assert_str_eq(cfg.user, "nosuchuser:nosuchgroup");
	assert_run(PARSE(no_env, "--user", "0", "app"));
	ck_assert_str_eq(cfg.user, "0");

	/* every form of --caps, as given */
	static char *const good[] = {
		"none", "NONE", "all", "All", "CAP_NET_RAW,chown", "cap_sys_admin", "+net_raw",
		"-chown", "-chown,+net_raw", "chown,chown",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_run(PARSE(no_env, "--caps", good[i], "app"));
		ck_assert_str_eq(cfg.caps, good[i]);
	}
	/* a separate value that starts with '-' is the value */
	assert_run(PARSE(no_env, "--caps", "-chown", "app"));
	ck_assert_str_eq(cfg.caps, "-chown");
	ck_assert_str_eq(cfg.argv[0], "app");

	/* the last flag wins */
	assert_run(PARSE(no_env, "--user", "a", "--user", "b:c", "--caps", "none", "--caps", "all",
			 "app"));
	ck_assert_str_eq(cfg.user, "b:c");
	ck_assert_str_eq(cfg.caps, "all");
	/* and --no-new-privs twice is still on */
	assert_run(PARSE(no_env, "--no-new-privs", "--no-new-privs", "app"));
	ck_assert(cfg.no_new_privs);
	/* after the command, they are the command's */
	assert_run(PARSE(no_env, "app", "--user", "x", "--no-new-privs"));
	ck_assert_ptr_null(cfg.user);
	ck_assert(!cfg.no_new_privs);
}
END_TEST

START_TEST(test_privs_env)
{
	assert_run(PARSE(ENV("DRAINIT_USER=alice:staff", "DRAINIT_CAPS=+net_raw",
			     "DRAINIT_NO_NEW_PRIVS=1"),
			 "app"));
	ck_assert_str_eq(cfg.user, "alice:staff");
	ck_assert_str_eq(cfg.caps, "+net_raw");
	ck_assert(cfg.no_new_privs);

	assert_run(PARSE(ENV("DRAINIT_USER=65534"), "app"));
	ck_assert_str_eq(cfg.user, "65534");
	ck_assert_ptr_null(cfg.caps);
	ck_assert(!cfg.no_new_privs);
	assert_run(PARSE(ENV("DRAINIT_CAPS=none"), "app"));
	ck_assert_str_eq(cfg.caps, "none");
	ck_assert_ptr_null(cfg.user);

	assert_boolean_words("DRAINIT_NO_NEW_PRIVS", &cfg.no_new_privs, NULL);

	/* empty is unset */
	assert_run(PARSE(ENV("DRAINIT_USER=", "DRAINIT_CAPS=", "DRAINIT_NO_NEW_PRIVS="), "app"));
	assert_defaults();
	/* names match exactly */
	assert_run(PARSE(ENV("DRAINIT_USERX=a", "DRAINIT_USER", "XDRAINIT_CAPS=none",
			     "drainit_no_new_privs=1"),
			 "app"));
	assert_defaults();
}
END_TEST

START_TEST(test_privs_flag_beats_env)
{
	char *env[] = { "DRAINIT_USER=bob", "DRAINIT_CAPS=none", "DRAINIT_NO_NEW_PRIVS=0", NULL };
	assert_run(PARSE(env, "--user", "alice", "--caps", "chown", "--no-new-privs", "app"));
	ck_assert_str_eq(cfg.user, "alice");
	ck_assert_str_eq(cfg.caps, "chown");
	ck_assert(cfg.no_new_privs);
	/* without the flags the environment holds */
	assert_run(PARSE(env, "app"));
	ck_assert_str_eq(cfg.user, "bob");
	ck_assert_str_eq(cfg.caps, "none");
	ck_assert(!cfg.no_new_privs);
	/* one flag, the rest from the environment */
	assert_run(PARSE(env, "--caps=all", "app"));
	ck_assert_str_eq(cfg.user, "bob");
	ck_assert_str_eq(cfg.caps, "all");
}
END_TEST

START_TEST(test_privs_long_values)
{
	assert_long_value_cut("--caps", 'z', "--caps: unknown capability 'zzz");
	assert_long_value_cut("--user", ':', "--user: bad user ':zzz");
	assert_long_value_cut("DRAINIT_USER", ':', "DRAINIT_USER: bad user ':zzz");
}
END_TEST

START_TEST(test_privs_help)
{
	static const char *const words[] = {
		"--user USER[:GROUP]", "--caps LIST", "--no-new-privs", "DRAINIT_USER", "DRAINIT_CAPS",
		"DRAINIT_NO_NEW_PRIVS", "77",
	};
	char *text = capture(opt_help);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		ck_assert_msg(strstr(text, words[i]) != NULL, "help does not mention %s", words[i]);
	free(text);
}
END_TEST

START_TEST(test_unknown_env)
{
	char *env[] = { "PATH=/bin", "DRAINIT_PRE_STOP_DELAY=1s", "DRAINIT_PRESTOP_DELAY=10s",
			"TINI_VERBOSE=1", "DRAINIT_VERBOSITY=2", "DRAINIT_FROBNICATE", "TINI_SUBREAPER=",
			"TINI_KILL_PROCESS_GROUP=1", "DRAINIT_READYFILE=/x", "TINI_FOO=1",
			"DRAINIT_READY_WHEN=tcp:1", "drainit_user=x", NULL };
	static const char *const want[][2] = {
		{ "DRAINIT_PRESTOP_DELAY", "DRAINIT_PRE_STOP_DELAY" },
		{ "TINI_VERBOSE", "TINI_VERBOSITY" },   /* three edits in a long name */
		{ "DRAINIT_FROBNICATE", NULL },
		{ "DRAINIT_READYFILE", "DRAINIT_READY_FILE" },
		{ "TINI_FOO", NULL },                   /* a TINI_ name is not told a DRAINIT_ one */
	};
	char *const *e = env;
	const char *name, *near;
	size_t len, i = 0;
	while (opt_unknown_env(&e, &name, &len, &near)) {
		ck_assert_uint_lt(i, sizeof want / sizeof want[0]);
		ck_assert_msg(strlen(want[i][0]) == len && strncmp(name, want[i][0], len) == 0,
			      "%zu: '%.*s', not %s", i, (int)len, name, want[i][0]);
		if (want[i][1])
			ck_assert_msg(near && strcmp(near, want[i][1]) == 0, "%s: %s", want[i][0], near);
		else
			ck_assert_msg(!near, "%s: %s suggested", want[i][0], near);
		i++;
	}
	ck_assert_uint_eq(i, sizeof want / sizeof want[0]);
	ck_assert_ptr_null(*e);

	/* none at all; NULL envp */
	char *none[] = { "HOME=/", NULL };
	e = none;
	ck_assert(!opt_unknown_env(&e, &name, &len, &near));
}
END_TEST

/* ---- what is refused, and the actions ---- */

/* One parse: the environment and the arguments after "drainit"; the action
 * opt_parse returns and, with OPT_ERROR, the message (or how it starts). */
struct parse_case {
	char *env[6];
	char *args[12];
	enum opt_action act;
	const char *err;
	bool prefix;
};

#define E(...) { __VA_ARGS__ } /* the environment */
#define A(...) { __VA_ARGS__ } /* the arguments */
#define GIVES(env, args, act) { env, args, act, NULL, false }
#define FAILS(env, args, text) { env, args, OPT_ERROR, text, false }
#define FAILS_START(env, args, text) { env, args, OPT_ERROR, text, true }
#define UNITS "(use ms, s, m or h, or a compound such as 1m30s)"
#define BOOLS "expected 1/0, true/false, yes/no or on/off"
#define CONDITIONS "expected start, tcp:[HOST:]PORT, http:[HOST:]PORT/PATH, exec:CMD [ARG...], " \
	"file:PATH or notify"

static const struct parse_case parse_cases[] = {
	/* no command */
	FAILS(E(), A(), "no command given: usage: drainit [OPTIONS] [--] COMMAND [ARG...]"),
	FAILS(E(), A("-v", "--drain-timeout", "5s"),
	      "no command given: usage: drainit [OPTIONS] [--] COMMAND [ARG...]"),
	FAILS(E(), A("--"), "no command after '--'"),
	FAILS(E(), A("-v", "--"), "no command after '--'"),
	FAILS(E(), A(""), "empty command name"),
	FAILS(E(), A("--", ""), "empty command name"),

	/* -e: exit codes 0-255 */
	FAILS(E(), A("-e", "256", "app"), "-e: bad exit code '256': expected 0-255"),
	FAILS(E(), A("-e", "-1", "app"), "-e: bad exit code '-1': expected 0-255"),
	FAILS(E(), A("--expect-exit", "1,x", "app"),
	      "--expect-exit: bad exit code 'x': expected 0-255"),
	FAILS(E(), A("-e", "12 ", "app"), "-e: bad exit code '12 ': expected 0-255"),
	FAILS(E(), A("-e", "0x10", "app"), "-e: bad exit code '0x10': expected 0-255"),

	/* unknown options */
	FAILS(E(), A("--bogus", "app"), "unknown option '--bogus'"),
	FAILS(E(), A("--bogus=1", "app"), "unknown option '--bogus'"),
	FAILS(E(), A("-x", "app"), "unknown option '-x'"),
	FAILS(E(), A("-vx", "app"), "unknown option '-x'"),
	/* a prefix of a long option is not that option */
	FAILS(E(), A("--drain", "5s", "app"), "unknown option '--drain'"),
	FAILS(E(), A("--verbosee", "app"), "unknown option '--verbosee'"),
	/* options are case sensitive */
	FAILS(E(), A("-V", "app"), "unknown option '-V'"),

	/* a value needed */
	FAILS(E(), A("--drain-timeout"), "option '--drain-timeout' needs a value"),
	FAILS(E(), A("--ready-file"), "option '--ready-file' needs a value"),
	FAILS(E(), A("-p"), "option '-p' needs a value"),
	FAILS(E(), A("-e"), "option '-e' needs a value"),
	FAILS(E(), A("-vp"), "option '-p' needs a value"),

	/* a value on a flag */
	FAILS(E(), A("--verbose=1", "app"), "option '--verbose' takes no value"),
	FAILS(E(), A("--single-child=yes", "app"), "option '--single-child' takes no value"),
	FAILS(E(), A("--subreaper=", "app"), "option '--subreaper' takes no value"),
	FAILS(E(), A("--help=x"), "option '--help' takes no value"),

	/* bad values */
	FAILS(E(), A("--drain-timeout", "5x", "app"),
	      "--drain-timeout: bad duration '5x': unknown unit 'x' " UNITS),
	FAILS_START(E(), A("--pre-stop-delay=-1s", "app"), "--pre-stop-delay: bad duration '-1s'"),
	FAILS_START(E(), A("--grace-period", "", "app"), "--grace-period: bad duration ''"),
	FAILS_START(E(), A("--stop-signal", "FOO", "app"), "--stop-signal: bad signal 'FOO'"),
	FAILS_START(E(), A("-p0", "app"), "-p: bad signal '0'"),
	FAILS_START(E(), A("--parent-death-signal=65", "app"),
	            "--parent-death-signal: bad signal '65'"),
	FAILS(E(), A("--log-format", "yaml", "app"),
	      "--log-format: bad log format 'yaml': expected text or json"),
	FAILS(E(), A("--log-format=JSON", "app"),
	      "--log-format: bad log format 'JSON': expected text or json"),
	FAILS(E(), A("--ready-file=", "app"), "--ready-file: empty path"),
	FAILS(E(), A("--ready-file", "", "app"), "--ready-file: empty path"),

	/* the actions */
	GIVES(E(), A("-h"), OPT_HELP),
	GIVES(E(), A("--help"), OPT_HELP),
	GIVES(E(), A("--version"), OPT_VERSION),
	GIVES(E(), A("-l"), OPT_LICENSE),
	GIVES(E(), A("--license"), OPT_LICENSE),
	/* an action needs no command, and wins over what follows */
	GIVES(E(), A("-v", "--help", "--bogus"), OPT_HELP),
	GIVES(E(), A("-vh"), OPT_HELP),
	GIVES(E(), A("-wl"), OPT_LICENSE),
	/* an error before the action is still an error */
	FAILS(E(), A("--bogus", "--help"), "unknown option '--bogus'"),
	/* a broken variable must not hide --help, --version or -l */
	GIVES(E("DRAINIT_DRAIN_TIMEOUT=5x"), A("--help"), OPT_HELP),
	GIVES(E("DRAINIT_DRAIN_TIMEOUT=5x"), A("--version"), OPT_VERSION),
	GIVES(E("DRAINIT_DRAIN_TIMEOUT=5x"), A("-l"), OPT_LICENSE),
	GIVES(E("DRAINIT_DRAIN_TIMEOUT=5x"), A("probe", "--help"), OPT_HELP),
	FAILS_START(E("DRAINIT_DRAIN_TIMEOUT=5x"), A("app"), "DRAINIT_DRAIN_TIMEOUT:"),

	/* bad variables: the whole message */
	FAILS(E("DRAINIT_SUBREAPER=maybe"), A("app"),
	      "DRAINIT_SUBREAPER: bad value 'maybe': " BOOLS),
	FAILS(E("DRAINIT_VERBOSITY=9"), A("app"), "DRAINIT_VERBOSITY: bad value '9': expected 0-3"),
	FAILS(E("TINI_VERBOSITY=x"), A("app"), "TINI_VERBOSITY: bad value 'x': expected a number"),
	FAILS(E("DRAINIT_DRAIN_TIMEOUT=5x"), A("app"),
	      "DRAINIT_DRAIN_TIMEOUT: bad duration '5x': unknown unit 'x' " UNITS),

	/* readiness: bad flags */
	FAILS(E(), A("--ready-interval", "0", "app"),
	      "--ready-interval: bad duration '0': must be more than 0"),
	FAILS(E(), A("--ready-interval=0ms", "app"),
	      "--ready-interval: bad duration '0ms': must be more than 0"),
	FAILS(E(), A("--ready-timeout", "0s", "app"),
	      "--ready-timeout: bad duration '0s': must be more than 0"),
	FAILS(E(), A("--ready-timeout", "0.0s", "app"),
	      "--ready-timeout: bad duration '0.0s': must be more than 0"),
	FAILS(E(), A("--ready-interval", "5x", "app"),
	      "--ready-interval: bad duration '5x': unknown unit 'x' " UNITS),
	FAILS_START(E(), A("--ready-interval", "-1s", "app"),
	            "--ready-interval: bad duration '-1s'"),
	FAILS_START(E(), A("--ready-timeout", "", "app"), "--ready-timeout: bad duration ''"),
	FAILS_START(E(), A("--ready-recheck", "-1s", "app"), "--ready-recheck: bad duration '-1s'"),
	FAILS(E(), A("--ready-recheck", "1 s", "app"),
	      "--ready-recheck: bad duration '1 s': unknown unit ' s' " UNITS),
	FAILS_START(E(), A("--ready-recheck", "9000h", "app"),
	            "--ready-recheck: bad duration '9000h'"),
	FAILS(E(), A("--ready-failures", "0", "app"),
	      "--ready-failures: bad count '0': expected 1-1000"),
	FAILS(E(), A("--ready-failures", "1001", "app"),
	      "--ready-failures: bad count '1001': expected 1-1000"),
	FAILS(E(), A("--ready-failures", "-1", "app"),
	      "--ready-failures: bad count '-1': expected 1-1000"),
	FAILS(E(), A("--ready-failures", "3x", "app"),
	      "--ready-failures: bad count '3x': expected 1-1000"),
	FAILS(E(), A("--ready-failures=", "app"),
	      "--ready-failures: bad count '': expected 1-1000"),
	FAILS(E(), A("--ready-failures", " 3", "app"),
	      "--ready-failures: bad count ' 3': expected 1-1000"),
	FAILS(E(), A("--ready-failures", "99999999999999999999", "app"),
	      "--ready-failures: bad count '99999999999999999999': expected 1-1000"),
	/* the condition's own reasons, after the option's name */
	FAILS(E(), A("--ready-when", "tcp:0", "app"),
	      "--ready-when: bad port '0': expected 1-65535"),
	FAILS(E(), A("--ready-when=exec:", "app"),
	      "--ready-when: exec: no command: expected exec:CMD [ARG...]"),
	FAILS(E(), A("--ready-when", "", "app"), "--ready-when: bad condition '': " CONDITIONS),
	FAILS_START(E(), A("--ready-when", "tcp:example.com:80", "app"),
	            "--ready-when: bad host 'example.com"),
	/* the values are needed */
	FAILS(E(), A("--ready-when"), "option '--ready-when' needs a value"),
	FAILS(E(), A("--ready-failures"), "option '--ready-failures' needs a value"),
	/* no short forms, no prefixes */
	FAILS(E(), A("--ready", "tcp:1", "app"), "unknown option '--ready'"),
	FAILS(E(), A("--ready-wait", "1s", "app"), "unknown option '--ready-wait'"),

	/* readiness: bad variables */
	FAILS(E("DRAINIT_READY_FAILURES=0"), A("app"),
	      "DRAINIT_READY_FAILURES: bad count '0': expected 1-1000"),
	FAILS(E("DRAINIT_READY_INTERVAL=0"), A("app"),
	      "DRAINIT_READY_INTERVAL: bad duration '0': must be more than 0"),
	FAILS(E("DRAINIT_READY_TIMEOUT=0ms"), A("app"),
	      "DRAINIT_READY_TIMEOUT: bad duration '0ms': must be more than 0"),
	FAILS(E("DRAINIT_READY_WHEN=tcp:::1:80"), A("app"),
	      "DRAINIT_READY_WHEN: bad address '::1:80': write an IPv6 address as [ADDR]:PORT"),
	FAILS(E("DRAINIT_READY_WHEN=exec:sh -c 'x"), A("app"),
	      "DRAINIT_READY_WHEN: exec: unterminated ' quote"),
	/* a bad variable is an error even when a flag would replace it */
	FAILS(E("DRAINIT_READY_FAILURES=1001"), A("--ready-failures", "2", "app"),
	      "DRAINIT_READY_FAILURES: bad count '1001': expected 1-1000"),
	/* and does not hide --help */
	GIVES(E("DRAINIT_READY_WHEN=bogus"), A("--help"), OPT_HELP),

	/* readiness: not probe options */
	FAILS(E(), A("probe", "--ready-file", "/r", "--ready-when", "tcp:1"),
	      "unknown option '--ready-when'"),
	FAILS(E(), A("probe", "--ready-interval=1s", "--ready-file", "/r"),
	      "unknown option '--ready-interval'"),
	/* the probe does not care about a readiness variable */
	GIVES(E("DRAINIT_READY_WHEN=tcp:1", "DRAINIT_READY_FILE=/r"), A("probe"), OPT_RUN),

	/* drainit probe */
	FAILS(E(), A("probe"),
	      "probe: no readiness file: give --ready-file PATH or set DRAINIT_READY_FILE"),
	FAILS_START(E("DRAINIT_READY_FILE="), A("probe"), "probe: no readiness file"),
	FAILS(E(), A("probe", "--ready-file", "/r", "extra"), "probe: unexpected argument 'extra'"),
	FAILS(E(), A("probe", "extra"), "probe: unexpected argument 'extra'"),
	FAILS(E(), A("probe", "--ready-file", "/r", "--", "x"), "probe: unexpected argument 'x'"),
	/* run-only options are not probe options */
	FAILS(E(), A("probe", "--drain-timeout", "5s", "--ready-file", "/r"),
	      "unknown option '--drain-timeout'"),
	FAILS(E(), A("probe", "--ready-file", "/r", "--drain-timeout=5s"),
	      "unknown option '--drain-timeout'"),
	FAILS(E(), A("probe", "--ready-file", "/r", "-v"), "unknown option '-v'"),
	FAILS(E(), A("probe", "--ready-file", "/r", "--version"), "unknown option '--version'"),
	FAILS(E(), A("probe", "--ready-file"), "option '--ready-file' needs a value"),
	FAILS(E(), A("probe", "--ready-file="), "--ready-file: empty path"),
	GIVES(E(), A("probe", "--help"), OPT_HELP),
	GIVES(E(), A("probe", "-h"), OPT_HELP),
	GIVES(E(), A("probe", "--ready-file", "/r", "--help"), OPT_HELP),

	/* privileges: bad flags */
	FAILS(E(), A("--user", "", "app"), "--user: " USER_ERR("")),
	FAILS(E(), A("--user=", "app"), "--user: " USER_ERR("")),
	FAILS(E(), A("--user", ":", "app"), "--user: " USER_ERR(":")),
	FAILS(E(), A("--user", ":staff", "app"), "--user: " USER_ERR(":staff")),
	FAILS(E(), A("--user=:0", "app"), "--user: " USER_ERR(":0")),
	FAILS(E(), A("--user", "alice:", "app"), "--user: " USER_ERR("alice:")),
	FAILS(E(), A("--user", "alice:staff:", "app"), "--user: " USER_ERR("alice:staff:")),
	FAILS(E(), A("--user", "::", "app"), "--user: " USER_ERR("::")),
	FAILS(E(), A("--user"), "option '--user' needs a value"),
	FAILS(E(), A("--caps", "bogus", "app"), "--caps: unknown capability 'bogus'"),
	FAILS(E(), A("--caps=", "app"), "--caps: unknown capability ''"),
	FAILS(E(), A("--caps", "net_raw,", "app"), "--caps: unknown capability ''"),
	FAILS(E(), A("--caps", ",", "app"), "--caps: unknown capability ''"),
	FAILS(E(), A("--caps", "7", "app"), "--caps: unknown capability '7'"),
	FAILS(E(), A("--caps", "cap_", "app"), "--caps: unknown capability 'cap_'"),
	FAILS(E(), A("--caps", "+bogus", "app"), "--caps: unknown capability '+bogus'"),
	FAILS(E(), A("--caps", "all,chown", "app"), "--caps: unknown capability 'all'"),
	FAILS(E(), A("--caps", "net_raw,+chown", "app"), "--caps: " MIXED_ERR("net_raw,+chown")),
	FAILS(E(), A("--caps=-chown,kill", "app"), "--caps: " MIXED_ERR("-chown,kill")),
	FAILS(E(), A("--caps"), "option '--caps' needs a value"),
	FAILS(E(), A("--no-new-privs=1", "app"), "option '--no-new-privs' takes no value"),
	FAILS(E(), A("--no-new-privs=", "app"), "option '--no-new-privs' takes no value"),
	/* no short forms, no prefixes */
	FAILS(E(), A("-u", "alice", "app"), "unknown option '-u'"),
	FAILS(E(), A("--no-new-priv", "app"), "unknown option '--no-new-priv'"),
	FAILS(E(), A("--cap", "none", "app"), "unknown option '--cap'"),
	FAILS(E(), A("--users", "a", "app"), "unknown option '--users'"),

	/* privileges: bad variables */
	FAILS(E("DRAINIT_USER=:x"), A("app"), "DRAINIT_USER: " USER_ERR(":x")),
	FAILS(E("DRAINIT_USER=alice:"), A("app"), "DRAINIT_USER: " USER_ERR("alice:")),
	FAILS(E("DRAINIT_USER=:"), A("app"), "DRAINIT_USER: " USER_ERR(":")),
	FAILS(E("DRAINIT_CAPS=bogus"), A("app"), "DRAINIT_CAPS: unknown capability 'bogus'"),
	FAILS(E("DRAINIT_CAPS=net_raw,"), A("app"), "DRAINIT_CAPS: unknown capability ''"),
	FAILS(E("DRAINIT_CAPS=7"), A("app"), "DRAINIT_CAPS: unknown capability '7'"),
	FAILS(E("DRAINIT_CAPS=+chown,kill"), A("app"), "DRAINIT_CAPS: " MIXED_ERR("+chown,kill")),
	FAILS(E("DRAINIT_NO_NEW_PRIVS=maybe"), A("app"),
	      "DRAINIT_NO_NEW_PRIVS: bad value 'maybe': " BOOLS),
	FAILS(E("DRAINIT_NO_NEW_PRIVS=TRUE"), A("app"),
	      "DRAINIT_NO_NEW_PRIVS: bad value 'TRUE': " BOOLS),
	FAILS(E("DRAINIT_NO_NEW_PRIVS=2"), A("app"), "DRAINIT_NO_NEW_PRIVS: bad value '2': " BOOLS),
	/* a bad variable is an error even when a flag would replace it */
	FAILS(E("DRAINIT_CAPS=bogus"), A("--caps", "chown", "app"),
	      "DRAINIT_CAPS: unknown capability 'bogus'"),
	FAILS(E("DRAINIT_USER=:x"), A("--user", "alice", "app"), "DRAINIT_USER: " USER_ERR(":x")),
	FAILS(E("DRAINIT_NO_NEW_PRIVS=x"), A("--no-new-privs", "app"),
	      "DRAINIT_NO_NEW_PRIVS: bad value 'x': " BOOLS),
	/* and does not hide --help */
	GIVES(E("DRAINIT_CAPS=bogus"), A("--help"), OPT_HELP),
	GIVES(E("DRAINIT_USER=:"), A("--version"), OPT_VERSION),

	/* privileges: not probe options */
	FAILS(E(), A("probe", "--ready-file", "/r", "--user", "alice"), "unknown option '--user'"),
	FAILS(E(), A("probe", "--caps=none", "--ready-file", "/r"), "unknown option '--caps'"),
	FAILS(E(), A("probe", "--ready-file", "/r", "--no-new-privs"),
	      "unknown option '--no-new-privs'"),
	/* the variables, valid, do not disturb the probe */
	GIVES(E("DRAINIT_USER=alice", "DRAINIT_CAPS=none", "DRAINIT_NO_NEW_PRIVS=1",
		"DRAINIT_READY_FILE=/r"),
	      A("probe"), OPT_RUN),

};

/* "'a' 'b'", or "none" */
static const char *words(char *const *w, size_t n, char *buf, size_t len)
{
	size_t o = 0;
	snprintf(buf, len, "none");
	for (size_t i = 0; i < n && w[i] && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s'%s'", o ? " " : "", w[i]);
	return buf;
}

static void check_parse_case(const struct parse_case *c, int i)
{
	const size_t nargs = sizeof c->args / sizeof c->args[0];
	char *argv[sizeof c->args / sizeof c->args[0] + 2] = { "drainit" };
	char env[512], args[512];
	for (size_t k = 0; k < nargs && c->args[k]; k++)
		argv[k + 1] = c->args[k];
	enum opt_action act = parse_in(c->env, argv);
	words(c->env, sizeof c->env / sizeof c->env[0], env, sizeof env);
	words(c->args, nargs, args, sizeof args);
	if (c->act != OPT_ERROR) {
		ck_assert_msg(act == c->act, "case %d: env %s, args %s: got action %d ('%s'), want %d",
			      i, env, args, (int)act, err, (int)c->act);
		return;
	}
	bool same = c->prefix ? strncmp(err, c->err, strlen(c->err)) == 0 : strcmp(err, c->err) == 0;
	ck_assert_msg(act == OPT_ERROR && same,
		      "case %d: env %s, args %s: got %d '%s', want the error %s'%s'", i, env, args,
		      (int)act, err, c->prefix ? "starting " : "", c->err);
}

START_TEST(test_parse_cases)
{
	check_parse_case(&parse_cases[_i], _i);
}
END_TEST

/* ---- opt_parse_int: counts and codes, drainit plan's too ---- */

static const struct {
	const char *in;
	long lo, hi;
	int ret;
	long out;
} int_cases[] = {
	{ "3", 1, 10, 0, 3 },
	{ "1", 1, 10, 0, 1 },
	{ "10", 1, 10, 0, 10 },
	{ "0", 0, 3, 0, 0 },
	{ "007", 1, 10, 0, 7 },
	{ "10000", 1, 10000, 0, 10000 },
	{ "0", 1, 10, -1, 0 },
	{ "11", 1, 10, -1, 0 },
	{ "10001", 1, 10000, -1, 0 },
	{ "", 1, 10, -1, 0 },
	{ "+3", 1, 10, -1, 0 },
	{ "-3", -5, 10, -1, 0 },
	{ " 3", 1, 10, -1, 0 },
	{ "3 ", 1, 10, -1, 0 },
	{ "3x", 1, 10, -1, 0 },
	{ "0x3", 1, 10, -1, 0 },
	{ "99999999999999999999", 1, 10, -1, 0 },
};

START_TEST(test_parse_int_cases)
{
	long out = -42;
	int r = opt_parse_int(int_cases[_i].in, int_cases[_i].lo, int_cases[_i].hi, &out);
	ck_assert_msg(r == int_cases[_i].ret, "case %d: '%s' in %ld-%ld: got %d", _i, int_cases[_i].in,
		      int_cases[_i].lo, int_cases[_i].hi, r);
	ck_assert_msg(out == (r == 0 ? int_cases[_i].out : -42), "case %d: '%s': *out %ld", _i,
		      int_cases[_i].in, out);
}
END_TEST

Suite *opt_suite(void)
{
	Suite *s = suite_create("opt");
	TCase *tc = tcase_create("command");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_null_envp);
	tcase_add_test(tc, test_command_stops_at_first_non_option);
	tcase_add_test(tc, test_command_after_options);
	tcase_add_test(tc, test_double_dash);
	tcase_add_test(tc, test_no_command_after_dash_dash_value);
	tcase_add_loop_test(tc, test_parse_cases, 0, sizeof parse_cases / sizeof parse_cases[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("flags");
	tcase_add_test(tc, test_long_options_separate);
	tcase_add_test(tc, test_long_options_equals);
	tcase_add_test(tc, test_long_value_with_equals_inside);
	tcase_add_test(tc, test_long_flags);
	tcase_add_test(tc, test_short_bundles);
	tcase_add_test(tc, test_short_verbosity);
	tcase_add_test(tc, test_expect_exit_repeated);
	tcase_add_test(tc, test_expect_exit_long_list);
	tcase_add_test(tc, test_expect_exit_every_code);
	tcase_add_test(tc, test_opt_expects);
	tcase_add_test(tc, test_error_buffer_truncated);
	tcase_add_test(tc, test_actions);
	suite_add_tcase(s, tc);

	tc = tcase_create("environment");
	tcase_add_test(tc, test_env_each_variable);
	tcase_add_test(tc, test_env_one_at_a_time);
	tcase_add_test(tc, test_env_booleans);
	tcase_add_test(tc, test_env_empty_is_unset);
	tcase_add_test(tc, test_env_names_match_exactly);
	tcase_add_test(tc, test_flag_beats_env);
	tcase_add_loop_test(tc, test_env_bad_value, 0, sizeof bad_env / sizeof bad_env[0]);
	tcase_add_test(tc, test_tini_variables);
	tcase_add_test(tc, test_tini_verbosity_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("readiness");
	tcase_add_test(tc, test_ready_defaults);
	tcase_add_test(tc, test_ready_flags_separate);
	tcase_add_test(tc, test_ready_flags_equals);
	tcase_add_test(tc, test_ready_when_each_kind);
	tcase_add_test(tc, test_ready_env);
	tcase_add_test(tc, test_ready_flag_beats_env);
	tcase_add_test(tc, test_ready_long_bad_condition);
	suite_add_tcase(s, tc);

	tc = tcase_create("probe");
	tcase_add_test(tc, test_probe);
	tcase_add_test(tc, test_probe_help);
	suite_add_tcase(s, tc);

	tc = tcase_create("help");
	tcase_add_test(tc, test_help_mentions_everything);
	tcase_add_test(tc, test_expect_flag_beats_env);
	tcase_add_test(tc, test_unknown_env);
	suite_add_tcase(s, tc);

	tc = tcase_create("integers");
	tcase_add_loop_test(tc, test_parse_int_cases, 0, sizeof int_cases / sizeof int_cases[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("privileges");
	tcase_add_test(tc, test_privs_defaults);
	tcase_add_test(tc, test_privs_flags);
	tcase_add_test(tc, test_privs_env);
	tcase_add_test(tc, test_privs_flag_beats_env);
	tcase_add_test(tc, test_privs_long_values);
	tcase_add_test(tc, test_privs_help);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- drainit inspect ---- */

static int argv_len(char **v)
{
	int n = 0;
	while (v && v[n])
		n++;
	return n;
}

#define NO_PID "inspect: no pid given: usage: drainit inspect [--stop-signal SIG] PID..."

static const struct parse_case inspect_cases[] = {
	/* no pid */
	FAILS(E(), A("inspect"), NO_PID),
	FAILS(E(), A("inspect", "--"), NO_PID),
	FAILS(E(), A("inspect", "--stop-signal", "INT"), NO_PID),
	FAILS(E("DRAINIT_STOP_SIGNAL=INT"), A("inspect"), NO_PID),

	/* bad pids */
	FAILS(E(), A("inspect", "x"), "inspect: bad pid 'x'"),
	FAILS(E(), A("inspect", "0"), "inspect: bad pid '0'"),
	FAILS(E(), A("inspect", "--", "-3"), "inspect: bad pid '-3'"),
	FAILS(E(), A("inspect", "1x"), "inspect: bad pid '1x'"),
	FAILS(E(), A("inspect", ""), "inspect: bad pid ''"),
	FAILS(E(), A("inspect", "+1"), "inspect: bad pid '+1'"),
	FAILS(E(), A("inspect", " 1"), "inspect: bad pid ' 1'"),
	FAILS(E(), A("inspect", "4194305"), "inspect: bad pid '4194305'"),
	FAILS(E(), A("inspect", "99999999999999999999"), "inspect: bad pid '99999999999999999999'"),
	/* any bad one among good ones; the first bad one is named */
	FAILS(E(), A("inspect", "1", "2", "y", "z"), "inspect: bad pid 'y'"),
	/* options end at the first pid */
	FAILS(E(), A("inspect", "1", "--stop-signal", "INT"), "inspect: bad pid '--stop-signal'"),
	/* a negative number reads as an option */
	FAILS(E(), A("inspect", "-3"), "unknown option '-3'"),

	/* only --stop-signal and --help */
	FAILS(E(), A("inspect", "--ready-file", "/r", "1"), "unknown option '--ready-file'"),
	FAILS(E(), A("inspect", "--drain-timeout=5s", "1"), "unknown option '--drain-timeout'"),
	FAILS(E(), A("inspect", "--single-child", "1"), "unknown option '--single-child'"),
	FAILS(E(), A("inspect", "--version"), "unknown option '--version'"),
	FAILS(E(), A("inspect", "-v", "1"), "unknown option '-v'"),
	FAILS(E(), A("inspect", "-l"), "unknown option '-l'"),
	FAILS(E(), A("inspect", "-p", "TERM", "1"), "unknown option '-p'"),
	FAILS(E(), A("inspect", "--bogus", "1"), "unknown option '--bogus'"),
	FAILS(E(), A("inspect", "--stop-signal"), "option '--stop-signal' needs a value"),
	FAILS(E(), A("inspect", "--stop-signal", "BOGUS", "1"),
	      "--stop-signal: bad signal 'BOGUS': unknown name"),
	FAILS(E(), A("inspect", "--stop-signal=0", "1"),
	      "--stop-signal: bad signal '0': not a signal number (1-64)"),
	FAILS(E("DRAINIT_STOP_SIGNAL=BOGUS"), A("inspect", "1"),
	      "DRAINIT_STOP_SIGNAL: bad signal 'BOGUS': unknown name"),


	/* --help */
	GIVES(E(), A("inspect", "--help"), OPT_HELP),
	GIVES(E(), A("inspect", "-h"), OPT_HELP),
	GIVES(E(), A("inspect", "--stop-signal", "INT", "--help"), OPT_HELP),
	/* also with a bad variable, as --help always answers */
	GIVES(E("DRAINIT_STOP_SIGNAL=BOGUS"), A("inspect", "--help"), OPT_HELP),
	/* after a pid it is not an option */
	FAILS(E(), A("inspect", "1", "--help"), "inspect: bad pid '--help'"),
	/* the general help and probe's are not inspect's */
	GIVES(E(), A("--help"), OPT_HELP),
	GIVES(E(), A("probe", "--help"), OPT_HELP),

};

START_TEST(test_inspect_cases)
{
	check_parse_case(&inspect_cases[_i], _i);
}
END_TEST

START_TEST(test_inspect_pids)
{
	/* the result first: cfg.argv points into PARSE's array, which must
	 * live on after the assertion */
	enum opt_action act;

	act = PARSE(no_env, "inspect", "1");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(argv_len(cfg.argv), 1);
	ck_assert_str_eq(cfg.argv[0], "1");
	ck_assert_int_eq(cfg.stop_signal, SIGTERM);

	act = PARSE(no_env, "inspect", "1", "23", "4194304");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(argv_len(cfg.argv), 3);
	ck_assert_str_eq(cfg.argv[0], "1");
	ck_assert_str_eq(cfg.argv[1], "23");
	ck_assert_str_eq(cfg.argv[2], "4194304");

	/* "--" before the pids */
	act = PARSE(no_env, "inspect", "--", "5");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(argv_len(cfg.argv), 1);
	ck_assert_str_eq(cfg.argv[0], "5");
}
END_TEST

START_TEST(test_inspect_stop_signal)
{
	enum opt_action act;

	act = PARSE(no_env, "inspect", "--stop-signal", "INT", "7");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(cfg.stop_signal, SIGINT);
	ck_assert_int_eq(argv_len(cfg.argv), 1);
	ck_assert_str_eq(cfg.argv[0], "7");
	act = PARSE(no_env, "inspect", "--stop-signal=SIGQUIT", "7", "8");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(cfg.stop_signal, SIGQUIT);
	ck_assert_int_eq(argv_len(cfg.argv), 2);
	act = PARSE(no_env, "inspect", "--stop-signal", "RTMIN+2", "--", "7");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(cfg.stop_signal, SIGRTMIN + 2);
	ck_assert_str_eq(cfg.argv[0], "7");
	act = PARSE(no_env, "inspect", "--stop-signal", "9", "1");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(cfg.stop_signal, SIGKILL);

	/* DRAINIT_STOP_SIGNAL counts; the flag beats it; empty is unset */
	act = PARSE(ENV("DRAINIT_STOP_SIGNAL=HUP"), "inspect", "1");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(cfg.stop_signal, SIGHUP);
	act = PARSE(ENV("DRAINIT_STOP_SIGNAL=HUP"), "inspect", "--stop-signal", "USR2", "1");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(cfg.stop_signal, SIGUSR2);
	act = PARSE(ENV("DRAINIT_STOP_SIGNAL="), "inspect", "1");
	ck_assert_int_eq(act, OPT_RUN);
	ck_assert_int_eq(cfg.stop_signal, SIGTERM);
}
END_TEST

START_TEST(test_inspect_first_place_only)
{
	enum opt_action act;

	/* "inspect" is a subcommand only in first place: else the command */
	act = PARSE(no_env, "-v", "inspect", "1");
	assert_run(act);
	ck_assert_str_eq(cfg.argv[0], "inspect");
	ck_assert_str_eq(cfg.argv[1], "1");
	act = PARSE(no_env, "--stop-signal", "INT", "inspect", "1");
	assert_run(act);
	ck_assert_str_eq(cfg.argv[0], "inspect");
	ck_assert_int_eq(cfg.stop_signal, SIGINT);
	act = PARSE(no_env, "--", "inspect", "1");
	assert_run(act);
	ck_assert_str_eq(cfg.argv[0], "inspect");
	/* and a probe is not an inspect */
	assert_error(PARSE(no_env, "probe", "--stop-signal", "INT"), "unknown option '--stop-signal'");
}
END_TEST

START_TEST(test_inspect_help_texts)
{
	char *t = capture(inspectcmd_help);
	ck_assert_msg(strncmp(t, "usage: drainit inspect [--stop-signal SIG] PID...\n", 50) == 0,
		      "inspect help starts: %s", t);
	ck_assert_ptr_nonnull(strstr(t, "DRAINIT_STOP_SIGNAL"));
	ck_assert_ptr_nonnull(strstr(t, "64"));
	free(t);
	t = capture(opt_help);
	ck_assert_ptr_nonnull(strstr(t, "drainit inspect [--stop-signal SIG] PID...\n"));
	free(t);
}
END_TEST


Suite *opt_inspect_suite(void)
{
	Suite *s = suite_create("opt inspect");
	TCase *tc = tcase_create("inspect");
	tcase_add_test(tc, test_inspect_pids);
	tcase_add_test(tc, test_inspect_stop_signal);
	tcase_add_test(tc, test_inspect_first_place_only);
	tcase_add_test(tc, test_inspect_help_texts);
	tcase_add_loop_test(tc, test_inspect_cases, 0, sizeof inspect_cases / sizeof inspect_cases[0]);
	suite_add_tcase(s, tc);
	return s;
}
