#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "dur.h"
#include "log.h"
#include "opt.h"
#include "httpd.h"
#include "sig.h"

enum opt_id {
	O_READY_FILE, O_READY_HTTP, O_READY_WHEN, O_READY_INTERVAL, O_READY_TIMEOUT, O_READY_RECHECK,
	O_READY_FAILURES, O_USER, O_CAPS, O_NO_NEW_PRIVS, O_PRE_STOP_DELAY, O_DRAIN_TIMEOUT, O_GRACE_PERIOD, O_STOP_SIGNAL,
	O_PDEATH_SIGNAL, O_SINGLE_CHILD, O_PROCESS_GROUP, O_SUBREAPER, O_WARN_ON_REAP,
	O_VERBOSE, O_QUIET, O_LOG_FORMAT, O_EXPECT_EXIT, O_LICENSE, O_HELP, O_VERSION,
};

struct optdef {
	enum opt_id id;
	char short_name;        /* 0: none */
	const char *long_name;  /* NULL: none */
	bool takes_value;
	const char *env;        /* DRAINIT_* variable, NULL: none */
};

static const struct optdef defs[] = {
	{ O_READY_FILE, 0, "ready-file", true, "DRAINIT_READY_FILE" },
	{ O_READY_HTTP, 0, "ready-http", true, "DRAINIT_READY_HTTP" },
	{ O_READY_WHEN, 0, "ready-when", true, "DRAINIT_READY_WHEN" },
	{ O_READY_INTERVAL, 0, "ready-interval", true, "DRAINIT_READY_INTERVAL" },
	{ O_READY_TIMEOUT, 0, "ready-timeout", true, "DRAINIT_READY_TIMEOUT" },
	{ O_READY_RECHECK, 0, "ready-recheck", true, "DRAINIT_READY_RECHECK" },
	{ O_READY_FAILURES, 0, "ready-failures", true, "DRAINIT_READY_FAILURES" },
	{ O_USER, 0, "user", true, "DRAINIT_USER" },
	{ O_CAPS, 0, "caps", true, "DRAINIT_CAPS" },
	{ O_NO_NEW_PRIVS, 0, "no-new-privs", false, "DRAINIT_NO_NEW_PRIVS" },
	{ O_PRE_STOP_DELAY, 0, "pre-stop-delay", true, "DRAINIT_PRE_STOP_DELAY" },
	{ O_DRAIN_TIMEOUT, 0, "drain-timeout", true, "DRAINIT_DRAIN_TIMEOUT" },
	{ O_GRACE_PERIOD, 0, "grace-period", true, "DRAINIT_GRACE_PERIOD" },
	{ O_STOP_SIGNAL, 0, "stop-signal", true, "DRAINIT_STOP_SIGNAL" },
	{ O_PDEATH_SIGNAL, 'p', "parent-death-signal", true, "DRAINIT_PARENT_DEATH_SIGNAL" },
	{ O_SINGLE_CHILD, 0, "single-child", false, "DRAINIT_SINGLE_CHILD" },
	{ O_PROCESS_GROUP, 'g', "process-group", false, NULL },
	{ O_SUBREAPER, 's', "subreaper", false, "DRAINIT_SUBREAPER" },
	{ O_WARN_ON_REAP, 'w', "warn-on-reap", false, "DRAINIT_WARN_ON_REAP" },
	{ O_VERBOSE, 'v', "verbose", false, NULL },
	{ O_QUIET, 'q', "quiet", false, NULL },
	{ O_LOG_FORMAT, 0, "log-format", true, "DRAINIT_LOG_FORMAT" },
	{ O_EXPECT_EXIT, 'e', "expect-exit", true, "DRAINIT_EXPECT_EXIT" },
	{ O_LICENSE, 'l', "license", false, NULL },
	{ O_HELP, 'h', "help", false, NULL },
	{ O_VERSION, 0, "version", false, NULL },
};

#define NDEFS (sizeof defs / sizeof defs[0])

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Kubernetes writes `value: ""` for "unset", so an empty DRAINIT_* is unset. */
static const char *env_value(char *const *envp, const char *name)
{
	const char *v = env_get(envp, name);
	return v && *v ? v : NULL;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) { *out = true; return 0; }
		if (strcmp(s, no[i]) == 0) { *out = false; return 0; }
	}
	return -1;
}

int opt_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	long v = strtol(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int set_expect(struct config *cfg, const char *s, char *err, size_t errlen)
{
	for (const char *p = s;; p++) {
		size_t n = strcspn(p, ",");
		long code = 0;
		bool ok = n > 0 && n <= 3;
		for (size_t k = 0; ok && k < n; k++) {
			ok = p[k] >= '0' && p[k] <= '9';
			code = code * 10 + (p[k] - '0');
		}
		if (!ok || code > 255) {
			snprintf(err, errlen, "bad exit code '%.*s': expected 0-255", (int)n, p);
			return -1;
		}
		cfg->expect_exit[code / 8] |= (unsigned char)(1u << (code % 8));
		p += n;
		if (*p == '\0')
			return 0;
	}
}

/* A duration that must be more than 0: the time between checks, or one check's. */
static int positive_dur(const char *val, int64_t *ms, char *err, size_t errlen)
{
	int64_t v;
	if (dur_parse(val, &v, err, errlen) != 0)
		return -1;
	if (v <= 0) {
		snprintf(err, errlen, "bad duration '%s': must be more than 0", val);
		return -1;
	}
	*ms = v;
	return 0;
}

/* Applies one option's value (NULL for flags); `from_env` says whether a
 * boolean arrives as text. Writes err without the "where" prefix. */
static int apply_option(struct config *cfg, const struct optdef *d, const char *val,
			bool from_env, char *err, size_t errlen)
{
	bool on = true;
	if (from_env && !d->takes_value && parse_bool(val, &on) != 0) {
		snprintf(err, errlen, "bad value '%s': expected 1/0, true/false, yes/no or on/off", val);
		return -1;
	}
	switch (d->id) {
	case O_READY_FILE:
		if (*val == '\0') {
			snprintf(err, errlen, "empty path");
			return -1;
		}
		cfg->ready_file = val;
		return 0;
	case O_READY_HTTP:
		return httpd_parse_addr(val, &cfg->ready_http, err, errlen);
	case O_READY_WHEN:
		return cond_parse(val, &cfg->ready_when, err, errlen);
	case O_READY_INTERVAL:
		return positive_dur(val, &cfg->ready_interval_ms, err, errlen);
	case O_READY_TIMEOUT:
		return positive_dur(val, &cfg->ready_timeout_ms, err, errlen);
	case O_READY_RECHECK:
		return dur_parse(val, &cfg->ready_recheck_ms, err, errlen);
	case O_READY_FAILURES: {
		long n;
		if (opt_parse_int(val, 1, 1000, &n) != 0) {
			snprintf(err, errlen, "bad count '%s': expected 1-1000", val);
			return -1;
		}
		cfg->ready_failures = (unsigned)n;
		return 0;
	}
	case O_USER:
		/* names are looked up at start, in the image's files */
		if (*val == '\0' || *val == ':' || val[strlen(val) - 1] == ':') {
			snprintf(err, errlen, "bad user '%s': expected USER or USER:GROUP", val);
			return -1;
		}
		cfg->user = val;
		return 0;
	case O_CAPS: {
		uint64_t set;
		if (caps_parse(val, CAPS_ALL, CAPS_ALL, &set, err, errlen) != 0)
			return -1;
		cfg->caps = val;
		return 0;
	}
	case O_NO_NEW_PRIVS:
		cfg->no_new_privs = on;
		return 0;
	case O_PRE_STOP_DELAY:
		return dur_parse(val, &cfg->pre_stop_delay_ms, err, errlen);
	case O_DRAIN_TIMEOUT:
		return dur_parse(val, &cfg->drain_timeout_ms, err, errlen);
	case O_GRACE_PERIOD:
		return dur_parse(val, &cfg->grace_period_ms, err, errlen);
	case O_STOP_SIGNAL:
		return (cfg->stop_signal = sig_parse(val, err, errlen)) ? 0 : -1;
	case O_PDEATH_SIGNAL:
		return (cfg->pdeath_signal = sig_parse(val, err, errlen)) ? 0 : -1;
	case O_SINGLE_CHILD:
		cfg->single_child = on;
		return 0;
	case O_PROCESS_GROUP:
		cfg->single_child = !on;
		return 0;
	case O_SUBREAPER: /* tini's: drainit is a subreaper whenever it is not PID 1 */
		return 0;
	case O_WARN_ON_REAP:
		cfg->warn_on_reap = on;
		return 0;
	case O_VERBOSE:
		if (cfg->verbosity < V_DEBUG)
			cfg->verbosity++;
		return 0;
	case O_QUIET:
		cfg->verbosity = V_ERROR;
		return 0;
	case O_LOG_FORMAT:
		if (strcmp(val, "text") == 0)
			cfg->log_format = LOG_TEXT;
		else if (strcmp(val, "json") == 0)
			cfg->log_format = LOG_JSON;
		else {
			snprintf(err, errlen, "bad log format '%s': expected text or json", val);
			return -1;
		}
		return 0;
	case O_EXPECT_EXIT:
		return set_expect(cfg, val, err, errlen);
	case O_LICENSE:
	case O_HELP:
	case O_VERSION:
		return 0;
	}
	return 0;
}

static void defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->ready_when.kind = COND_START;
	snprintf(cfg->ready_when.name, sizeof cfg->ready_when.name, "start");
	cfg->ready_interval_ms = 1000;
	cfg->ready_timeout_ms = 1000;
	cfg->ready_failures = 3;
	cfg->drain_timeout_ms = 25000;
	cfg->grace_period_ms = -1;
	cfg->stop_signal = SIGTERM;
	cfg->verbosity = V_INFO;
	cfg->log_format = LOG_TEXT;
}

static int read_env(struct config *cfg, char *const *envp, char *err, size_t errlen)
{
	char why[200];
	long level;
	const char *v;

	/* tini's variables first, so that drainit's own beat them. tini turns
	 * these on when they are set at all, whatever the value (TINI_SUBREAPER
	 * too, which drainit needs not: it always is one when not PID 1). */
	if (env_get(envp, "TINI_KILL_PROCESS_GROUP"))
		cfg->single_child = false;
	if ((v = env_value(envp, "TINI_VERBOSITY"))) {
		if (v[strspn(v, "0123456789")] != '\0') {
			snprintf(err, errlen, "TINI_VERBOSITY: bad value '%s': expected a number", v);
			return -1;
		}
		/* tini counts up to 4; anything past debug is debug */
		cfg->verbosity = strlen(v) > 1 || *v > '0' + V_DEBUG ? V_DEBUG : *v - '0';
	}
	if ((v = env_value(envp, "DRAINIT_VERBOSITY"))) {
		if (opt_parse_int(v, 0, 3, &level) != 0) {
			snprintf(err, errlen, "DRAINIT_VERBOSITY: bad value '%s': expected 0-3", v);
			return -1;
		}
		cfg->verbosity = (int)level;
	}
	for (size_t i = 0; i < NDEFS; i++) {
		if (!defs[i].env || !(v = env_value(envp, defs[i].env)))
			continue;
		if (apply_option(cfg, &defs[i], v, true, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s: %s", defs[i].env, why);
			return -1;
		}
	}
	return 0;
}

static const struct optdef *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (defs[i].long_name && strlen(defs[i].long_name) == len &&
		    strncmp(defs[i].long_name, name, len) == 0)
			return &defs[i];
	return NULL;
}

static const struct optdef *find_short(char c)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (defs[i].short_name == c)
			return &defs[i];
	return NULL;
}

static enum opt_action action_of(enum opt_id id)
{
	return id == O_HELP ? OPT_HELP : id == O_VERSION ? OPT_VERSION : OPT_LICENSE;
}

/* Whether d is one of the options in only (long names; NULL: all of them).
 * --help is every parser's. */
static bool takes(const char *const *only, const struct optdef *d)
{
	if (!only || d->id == O_HELP)
		return true;
	for (; *only; only++)
		if (strcmp(*only, d->long_name) == 0)
			return true;
	return false;
}

/* Parses flags from argv[*i] on, stopping at the first non-option or after
 * "--", taking only the options in only. Returns OPT_RUN to go on, or the
 * action to take. */
static enum opt_action parse_flags(int argc, char **argv, int *i, struct config *cfg,
				   const char *const *only, bool *dashdash, char *err, size_t errlen)
{
	char why[200];
	bool expect_seen = false;

	while (*i < argc) {
		char *a = argv[*i];
		const struct optdef *d;
		const char *val = ""; /* a flag has none */

		if (strcmp(a, "--") == 0) {
			(*i)++;
			*dashdash = true;
			return OPT_RUN;
		}
		if (a[0] != '-' || a[1] == '\0')
			return OPT_RUN;

		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			d = find_long(name, len);
			if (!d || !takes(only, d)) {
				snprintf(err, errlen, "unknown option '%.*s'", (int)(len + 2), a);
				return OPT_ERROR;
			}
			if (d->takes_value) {
				if (eq)
					val = eq + 1;
				else if (*i + 1 < argc)
					val = argv[++(*i)];
				else {
					snprintf(err, errlen, "option '--%s' needs a value", d->long_name);
					return OPT_ERROR;
				}
			} else if (eq) {
				snprintf(err, errlen, "option '--%s' takes no value", d->long_name);
				return OPT_ERROR;
			}
			if (d->id == O_EXPECT_EXIT && !expect_seen) {
				/* the flag beats DRAINIT_EXPECT_EXIT, not adds to it */
				memset(cfg->expect_exit, 0, sizeof cfg->expect_exit);
				expect_seen = true;
			}
			if (apply_option(cfg, d, val, false, why, sizeof why) != 0) {
				snprintf(err, errlen, "--%s: %s", d->long_name, why);
				return OPT_ERROR;
			}
			if (d->id == O_HELP || d->id == O_VERSION || d->id == O_LICENSE)
				return action_of(d->id);
			(*i)++;
			continue;
		}

		/* A bundle of short options: -vvw, -p TERM, -pTERM. */
		for (const char *c = a + 1; *c; c++) {
			d = find_short(*c);
			if (!d || !takes(only, d)) {
				snprintf(err, errlen, "unknown option '-%c'", *c);
				return OPT_ERROR;
			}
			if (d->takes_value) {
				if (c[1] != '\0')
					val = c + 1;
				else if (*i + 1 < argc)
					val = argv[++(*i)];
				else {
					snprintf(err, errlen, "option '-%c' needs a value", *c);
					return OPT_ERROR;
				}
			}
			if (d->id == O_EXPECT_EXIT && !expect_seen) {
				memset(cfg->expect_exit, 0, sizeof cfg->expect_exit);
				expect_seen = true;
			}
			if (apply_option(cfg, d, val, false, why, sizeof why) != 0) {
				snprintf(err, errlen, "-%c: %s", *c, why);
				return OPT_ERROR;
			}
			if (d->id == O_HELP || d->id == O_VERSION || d->id == O_LICENSE)
				return action_of(d->id);
			if (d->takes_value)
				break;
		}
		(*i)++;
	}
	return OPT_RUN;
}

enum opt_action opt_parse_some(int argc, char **argv, char *const *envp, const char *const *only,
			       struct config *cfg, int *next, char *err, size_t errlen)
{
	bool dashdash = false;
	char env_err[256];

	defaults(cfg);
	/* A bad variable is reported after the flags, so that --help and
	 * --version still answer. */
	int env_bad = read_env(cfg, envp, env_err, sizeof env_err);
	*next = 1;
	enum opt_action act = parse_flags(argc, argv, next, cfg, only, &dashdash, err, errlen);
	bool answers = act == OPT_HELP || act == OPT_VERSION || act == OPT_LICENSE;
	if (!answers && env_bad) {
		snprintf(err, errlen, "%s", env_err);
		return OPT_ERROR;
	}
	if (act == OPT_RUN && !only && *next >= argc) {
		snprintf(err, errlen, "%s", dashdash ? "no command after '--'"
			 : "no command given: usage: drainit [OPTIONS] [--] COMMAND [ARG...]");
		return OPT_ERROR;
	}
	return act;
}

enum opt_action opt_parse(int argc, char **argv, char *const *envp,
			  struct config *cfg, char *err, size_t errlen)
{
	int i;
	enum opt_action act = opt_parse_some(argc, argv, envp, NULL, cfg, &i, err, errlen);
	if (act != OPT_RUN)
		return act;
	if (argv[i][0] == '\0') {
		snprintf(err, errlen, "empty command name");
		return OPT_ERROR;
	}
	cfg->argv = argv + i;
	return OPT_RUN;
}

bool opt_expects(const struct config *cfg, int code)
{
	return code >= 0 && code < 256 && (cfg->expect_exit[code / 8] & (1u << (code % 8)));
}

/* Names tini reads besides drainit's own. */
static const char *const tini_env[] = { "TINI_SUBREAPER", "TINI_VERBOSITY", "TINI_KILL_PROCESS_GROUP" };

/* Edits (insertions, deletions, substitutions, swaps of neighbours) from a
 * to b, counted up to 4; names of known variables are short. */
static size_t edits(const char *a, size_t an, const char *b, size_t bn)
{
	size_t d[48][48];
	if (an >= 48 || bn >= 48)
		return 4;
	for (size_t i = 0; i <= an; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= bn; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= an; i++)
		for (size_t j = 1; j <= bn; j++) {
			size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[an][bn] < 4 ? d[an][bn] : 4;
}

/* Every name drainit reads, DRAINIT_* and TINI_*, one at a time: i from 0
 * until NULL. */
static const char *known_env(size_t i)
{
	for (size_t k = 0; k < NDEFS; k++)
		if (defs[k].env && i-- == 0)
			return defs[k].env;
	if (i-- == 0)
		return "DRAINIT_VERBOSITY";
	return i < sizeof tini_env / sizeof tini_env[0] ? tini_env[i] : NULL;
}

bool opt_unknown_env(char *const **envp, const char **name, size_t *len, const char **closest)
{
	for (; *envp && **envp; (*envp)++) {
		const char *v = **envp, *eq = strchr(v, '=');
		size_t n = eq ? (size_t)(eq - v) : strlen(v);
		/* a typo: two edits away, three in a long name (TINI_VERBOSE) */
		size_t best = n >= 12 ? 4 : 3;
		bool ours = strncmp(v, "DRAINIT_", 8) == 0, tini = strncmp(v, "TINI_", 5) == 0;
		const char *k, *near = NULL;

		if (!ours && !tini)
			continue;
		size_t i = 0;
		for (; (k = known_env(i)) != NULL; i++) {
			if (strlen(k) == n && strncmp(k, v, n) == 0)
				break;
			size_t e = edits(v, n, k, strlen(k));
			if (e < best && (strncmp(k, "TINI_", 5) == 0) == tini) {
				best = e;
				near = k;
			}
		}
		if (k)
			continue; /* known */
		*name = v;
		*len = n;
		*closest = near;
		(*envp)++;
		return true;
	}
	return false;
}

void opt_help(FILE *out)
{
	fputs(
"usage: drainit [OPTIONS] [--] COMMAND [ARG...]\n"
"       drainit probe [--ready-file PATH]\n"
"       drainit inspect [--stop-signal SIG] PID...\n"
"       drainit plan --longest-request DUR (--lb-lag DUR | --lb-interval DUR\n"
"                    --lb-failures N) [OPTIONS]    (see drainit plan --help)\n"
"\n"
"Runs COMMAND as a container init: forwards signals, reaps zombies, and on\n"
"SIGTERM withdraws readiness, keeps serving for the pre-stop delay, sends the\n"
"stop signal and waits for every process to drain before SIGKILL.\n"
"\n"
"Options (environment variable in brackets; a flag beats the environment):\n"
"      --ready-file PATH      readiness file, present iff ready [DRAINIT_READY_FILE]\n"
"      --ready-http [ADDR:]PORT  answer GET /ready (200 or 503, the probe's line)\n"
"                             and GET /status (JSON) on PORT, every address by\n"
"                             default [DRAINIT_READY_HTTP]\n"
"      --ready-when COND      when the app is ready (default start) [DRAINIT_READY_WHEN]:\n"
"                               start                 once the command was exec'd\n"
"                               tcp:[HOST:]PORT       a TCP connect succeeds\n"
"                               http:[HOST:]PORT/PATH a GET answers 2xx\n"
"                               exec:CMD [ARG...]     a command exits 0\n"
"                               file:PATH             the app created PATH\n"
"                               notify                READY=1 on NOTIFY_SOCKET\n"
"                             HOST: IPv4, [IPv6] or localhost (default 127.0.0.1)\n"
"      --ready-interval DUR   time between checks until ready (default 1s)\n"
"                             [DRAINIT_READY_INTERVAL]\n"
"      --ready-timeout DUR    time one check may take (default 1s) [DRAINIT_READY_TIMEOUT]\n"
"      --ready-recheck DUR    keep checking this often once ready (default 0: stop)\n"
"                             [DRAINIT_READY_RECHECK]\n"
"      --ready-failures N     failed rechecks in a row that withdraw readiness\n"
"                             (default 3) [DRAINIT_READY_FAILURES]\n"
"      --user USER[:GROUP]    run the app as this user (name or id) and group\n"
"                             [DRAINIT_USER]\n"
"      --caps LIST            the app's capabilities: none, all, NAME,NAME (exactly\n"
"                             these) or +NAME,-NAME (changes) [DRAINIT_CAPS]\n"
"      --no-new-privs         the app cannot gain privileges (setuid binaries,\n"
"                             file capabilities) [DRAINIT_NO_NEW_PRIVS]\n"
"      --pre-stop-delay DUR   keep serving this long after SIGTERM (default 0)\n"
"                             [DRAINIT_PRE_STOP_DELAY]\n"
"      --drain-timeout DUR    wait this long for all processes after the stop\n"
"                             signal, then SIGKILL (default 25s) [DRAINIT_DRAIN_TIMEOUT]\n"
"      --stop-signal SIG      signal that asks the app to stop (default TERM);\n"
"                             received, it begins the drain as SIGTERM does (an\n"
"                             image's STOPSIGNAL: QUIT for nginx) [DRAINIT_STOP_SIGNAL]\n"
"      --grace-period DUR     the pod's terminationGracePeriodSeconds; warn when\n"
"                             delay + drain do not fit [DRAINIT_GRACE_PERIOD]\n"
"      --single-child         forward signals to the app alone, not its process\n"
"                             group [DRAINIT_SINGLE_CHILD]\n"
"  -g, --process-group        forward to the app's process group (the default)\n"
"                             [TINI_KILL_PROCESS_GROUP]\n"
"  -s, --subreaper            be a child subreaper (always, when not PID 1)\n"
"                             [DRAINIT_SUBREAPER, TINI_SUBREAPER]\n"
"  -p, --parent-death-signal SIG\n"
"                             signal drainit gets when its parent dies\n"
"                             [DRAINIT_PARENT_DEATH_SIGNAL]\n"
"  -w, --warn-on-reap         warn of each reaped orphan, in tini's words (\"Reaped\n"
"                             zombie process with pid=N\") [DRAINIT_WARN_ON_REAP]\n"
"  -e, --expect-exit CODE[,CODE...]\n"
"                             report these exit codes as 0; repeatable\n"
"                             [DRAINIT_EXPECT_EXIT=CODE,CODE]\n"
"  -v, --verbose              more log: SIGCHLD, reaps, each process of a stop\n"
"                             report, capabilities; repeatable\n"
"  -q, --quiet                errors only [DRAINIT_VERBOSITY=0..3, TINI_VERBOSITY]\n"
"      --log-format FMT       text or json (JSON lines, facts as fields: phase, pid,\n"
"                             signal, from_pid, exit_code, ...) [DRAINIT_LOG_FORMAT]\n"
"  -l, --license              show the license, and those of musl and libcap\n"
"  -h, --help                 show this help\n"
"      --version              show the version\n"
"\n"
"DUR: 500ms, 15s, 1.5s, 2m, 1h, 1m30s or plain seconds. SIG: TERM, SIGTERM, 15,\n"
"RTMIN+2. An unknown DRAINIT_* or TINI_* variable is warned about at start.\n"
"Exit status: the app's; 128+N if it died of signal N; 126 not executable;\n"
"127 not found; 64 usage error; 71 drainit failed (could not start or listen on\n"
"--ready-http's port, a /proc of another PID namespace, or the app was never\n"
"reaped); 73 readiness file cannot be used where asked (drainit removes only\n"
"its own); 77 drainit lacks the privilege to grant --user or --caps. See\n"
"drainit(8).\n", out);
}
