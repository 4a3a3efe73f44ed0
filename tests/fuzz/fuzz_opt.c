/* drainit's options and its DRAINIT_* / TINI_* environment. Input:
 * ARGS [0xFF ENV]: ARGS split at NUL bytes is argv[1..] (argv[0] is
 * "drainit"), ENV split at NUL bytes is envp ("DRAINIT_DRAIN_TIMEOUT=5s").
 * argv[1] "probe" or "inspect" goes to that subcommand's parser, as main()
 * sends it. A configuration opt_parse accepts must be one drainit can run. */
#include <signal.h>

#include "caps.h"
#include "cond_check.h"
#include "dur.h"
#include "inspectcmd.h"
#include "opt.h"
#include "probe.h"

#define ERRLEN 512 /* main.c's */

static void check_dur(const char *what, int64_t ms, int64_t lo)
{
	CHECK(ms >= lo && ms <= DUR_MAX_MS, "%s is %lld ms", what, (long long)ms);
}

static void check_run(const struct config *cfg, char **argv, int argc)
{
	CHECK(cfg->argv != NULL, "OPT_RUN without a command");
	ptrdiff_t k = cfg->argv - argv;
	CHECK(k >= 1 && k < argc, "the command is argv[%td] of %d", k, argc);
	CHECK(cfg->argv[argc - k] == NULL, "the command's argv is not NULL-terminated");
	CHECK(cfg->argv[0][0] != '\0', "empty command name");

	check_dur("the ready interval", cfg->ready_interval_ms, 1);
	check_dur("the ready timeout", cfg->ready_timeout_ms, 1);
	check_dur("the recheck period", cfg->ready_recheck_ms, 0);
	check_dur("the pre-stop delay", cfg->pre_stop_delay_ms, 0);
	check_dur("the drain timeout", cfg->drain_timeout_ms, 0);
	CHECK(cfg->grace_period_ms == -1 || (cfg->grace_period_ms >= 0 &&
					     cfg->grace_period_ms <= DUR_MAX_MS),
	      "grace period %lld", (long long)cfg->grace_period_ms);
	CHECK(cfg->ready_failures >= 1 && cfg->ready_failures <= 1000, "ready failures %u",
	      cfg->ready_failures);
	CHECK(cfg->stop_signal >= 1 && cfg->stop_signal <= SIGRTMAX, "stop signal %d",
	      cfg->stop_signal);
	CHECK(cfg->pdeath_signal >= 0 && cfg->pdeath_signal <= SIGRTMAX, "parent-death signal %d",
	      cfg->pdeath_signal);
	CHECK(cfg->verbosity >= V_ERROR && cfg->verbosity <= V_DEBUG, "verbosity %d",
	      cfg->verbosity);
	CHECK(cfg->log_format == LOG_TEXT || cfg->log_format == LOG_JSON, "log format %d",
	      (int)cfg->log_format);
	CHECK(!cfg->ready_file || cfg->ready_file[0] != '\0', "empty readiness file");
	if (cfg->user) {
		size_t n = strlen(cfg->user);
		CHECK(n > 0 && cfg->user[0] != ':' && cfg->user[n - 1] != ':', "user '%s'", cfg->user);
	}
	if (cfg->caps) {
		uint64_t set;
		char err[256];
		CHECK(caps_parse(cfg->caps, CAPS_ALL, CAPS_ALL, &set, err, sizeof err) == 0,
		      "accepted --caps '%s' no longer parses: %s", cfg->caps, err);
	}
	CHECK(!opt_expects(cfg, -1) && !opt_expects(cfg, 256), "expects codes outside 0-255");
	check_cond(&cfg->ready_when);
}

static void check_inspect(const struct config *cfg, char **argv, int argc)
{
	CHECK(cfg->argv != NULL, "inspect without pids");
	ptrdiff_t k = cfg->argv - argv;
	CHECK(k >= 1 && k < argc, "the pids start at argv[%td] of %d", k, argc);
	for (char **p = cfg->argv; *p; p++) {
		char *end;
		long pid = strtol(*p, &end, 10);
		CHECK(**p >= '0' && **p <= '9' && *end == '\0' && pid >= 1 && pid <= 4194304,
		      "inspect takes pid '%s'", *p);
	}
}

/* Whether two configurations hold the same settings (the pointers into
 * argv and envp are the same strings). */
static bool same(const struct config *a, const struct config *b)
{
	return a->ready_file == b->ready_file && a->ready_interval_ms == b->ready_interval_ms &&
	       a->ready_timeout_ms == b->ready_timeout_ms && a->ready_recheck_ms == b->ready_recheck_ms &&
	       a->ready_failures == b->ready_failures && a->user == b->user && a->caps == b->caps &&
	       a->no_new_privs == b->no_new_privs && a->pre_stop_delay_ms == b->pre_stop_delay_ms &&
	       a->drain_timeout_ms == b->drain_timeout_ms && a->grace_period_ms == b->grace_period_ms &&
	       a->stop_signal == b->stop_signal && a->pdeath_signal == b->pdeath_signal &&
	       a->single_child == b->single_child &&
	       a->warn_on_reap == b->warn_on_reap && a->verbosity == b->verbosity &&
	       a->log_format == b->log_format &&
	       memcmp(a->expect_exit, b->expect_exit, sizeof a->expect_exit) == 0 &&
	       a->argv == b->argv && a->ready_when.kind == b->ready_when.kind &&
	       strcmp(a->ready_when.name, b->ready_when.name) == 0;
}

enum sub { SUB_NONE, SUB_PROBE, SUB_INSPECT };

/* As main() dispatches: a subcommand parses its own arguments, its name
 * being its argv[0]. */
static enum opt_action parse(enum sub sub, int argc, char **argv, char **envp, struct config *cfg,
			     char *err, size_t len)
{
	switch (sub) {
	case SUB_PROBE:
		return probe_parse(argc - 1, argv + 1, envp, cfg, err, len);
	case SUB_INSPECT:
		return inspectcmd_parse(argc - 1, argv + 1, envp, cfg, err, len);
	default:
		return opt_parse(argc, argv, envp, cfg, err, len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ff = memchr(data, 0xff, size);
	size_t alen = ff ? (size_t)(ff - data) : size;
	struct fz_parts a = fz_split(data, alen, 0, 1, 200);
	struct fz_parts e = ff ? fz_split(ff + 1, size - alen - 1, 0, 0, 200)
			       : fz_split(data, 0, 0, 0, 0);
	a.v[0] = fz_str((const uint8_t *)"drainit", 7);
	int argc = (int)(a.n + 1);
	char *copy = fz_mem(data, size);
	struct config *cfg = malloc(sizeof *cfg), *cfg2 = malloc(sizeof *cfg2);
	char *err = fz_errbuf(ERRLEN);
	if (!cfg || !cfg2)
		abort();

	enum sub sub = argc < 2 ? SUB_NONE : strcmp(a.v[1], "probe") == 0 ? SUB_PROBE
		     : strcmp(a.v[1], "inspect") == 0 ? SUB_INSPECT : SUB_NONE;
	char **sub_argv = sub == SUB_NONE ? a.v : a.v + 1;
	enum opt_action act = parse(sub, argc, a.v, e.v, cfg, err, ERRLEN);
	switch (act) {
	case OPT_RUN:
		if (sub == SUB_PROBE)
			CHECK(cfg->ready_file && cfg->ready_file[0], "probe without a readiness file");
		else if (sub == SUB_INSPECT)
			check_inspect(cfg, sub_argv, argc - 1);
		else
			check_run(cfg, a.v, argc);
		break;
	case OPT_ERROR:
		CHECK(fz_terminated(err, ERRLEN), "error not terminated");
		CHECK(err[0] != '\0' && (unsigned char)err[0] != 0x5a, "OPT_ERROR without a reason");
		/* the message quotes values: a line break in one may show */
		CHECK(fz_one_line(err) || fz_any_newline(a.v, a.n + 1) || fz_any_newline(e.v, e.n),
		      "two-line error: '%s'", err);
		break;
	case OPT_HELP:
	case OPT_VERSION:
	case OPT_LICENSE:
		break;
	default:
		CHECK(0, "opt_parse returned %d", (int)act);
	}

	/* Pure: the same again, with a tight error buffer, gives the same. */
	size_t tlen = 1 + size % 48;
	char *tight = fz_errbuf(tlen);
	enum opt_action act2 = parse(sub, argc, a.v, e.v, cfg2, tight, tlen);
	CHECK(act2 == act, "opt_parse said %d, then %d", (int)act, (int)act2);
	if (act == OPT_RUN && sub == SUB_NONE)
		CHECK(same(cfg, cfg2), "opt_parse gave two configurations for one input");
	if (act == OPT_ERROR) {
		CHECK(fz_terminated(tight, tlen), "error in %zu bytes not terminated", tlen);
		CHECK(strncmp(tight, err, tlen - 1) == 0, "errors differ: '%s' / '%s'", tight, err);
	}

	/* The unknown DRAINIT_* and TINI_* variables: each an entry of envp,
	 * in order, with a known name (of its own kind) or none beside it. */
	char *const *env = e.v;
	const char *name, *near;
	size_t nlen, seen = 0;
	while (opt_unknown_env(&env, &name, &nlen, &near)) {
		CHECK(seen++ < e.n, "more unknown variables than entries");
		CHECK(name == env[-1], "the name is not the entry before the next");
		CHECK(strncmp(name, "DRAINIT_", 8) == 0 || strncmp(name, "TINI_", 5) == 0,
		      "'%.*s' is neither DRAINIT_ nor TINI_", (int)nlen, name);
		CHECK(nlen <= strlen(name) && (name[nlen] == '=' || name[nlen] == '\0'), "name length");
		if (near) {
			CHECK(strncmp(near, name, 4) == 0, "'%s' suggested for '%.*s'", near, (int)nlen, name);
			CHECK(strlen(near) != nlen || strncmp(near, name, nlen) != 0, "a known name flagged");
		}
	}

	/* argv and envp are left as they were */
	size_t o = 0;
	for (size_t i = 0; i < a.n; i++) {
		size_t l = strlen(a.v[1 + i]);
		CHECK(memcmp(a.v[1 + i], copy + o, l) == 0, "opt_parse changed argv[%zu]", i + 1);
		o += l + 1; /* parts hold no NUL: each ends where the next begins */
	}

	free(tight);
	free(err);
	free(cfg2);
	free(cfg);
	free(copy);
	free(a.v[0]);
	a.v[0] = NULL;
	fz_free_parts(&a);
	fz_free_parts(&e);
	return 0;
}
