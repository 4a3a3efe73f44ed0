#ifndef DRAINIT_OPT_H
#define DRAINIT_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cond.h"
#include "log.h"

/* What the user asked for, from flags and environment. Holds the parsed
 * readiness condition, whose argv points into itself: do not copy it. */
struct config {
	const char *ready_file;     /* NULL: no readiness file */
	struct hostport ready_http;  /* --ready-http; port 0: none */
	struct cond ready_when;
	int64_t ready_interval_ms;  /* between checks until ready */
	int64_t ready_timeout_ms;   /* one check */
	int64_t ready_recheck_ms;   /* between checks once ready; 0: stop checking */
	unsigned ready_failures;    /* failed rechecks in a row that withdraw readiness */
	const char *user;           /* --user USER[:GROUP]; NULL: drainit's own */
	const char *caps;           /* --caps LIST; NULL: drainit's own */
	bool no_new_privs;
	int64_t pre_stop_delay_ms;
	int64_t drain_timeout_ms;
	int64_t grace_period_ms;    /* -1: not given */
	int stop_signal;
	int pdeath_signal;          /* 0: none */
	bool single_child;          /* forward to the app alone, not its group */
	bool warn_on_reap;
	int verbosity;
	enum log_format log_format;
	unsigned char expect_exit[256 / 8]; /* -e: exit codes reported as 0 */
	char **argv;                /* the command, NULL-terminated */
};

enum opt_action {
	OPT_RUN,        /* go on: start cfg->argv, or the subcommand's work */
	OPT_HELP,
	OPT_VERSION,
	OPT_LICENSE,
	OPT_ERROR,      /* err says why; exit EXIT_USAGE */
};

/* Fills cfg from envp (an environ-style array) and then argv; a flag beats
 * the environment. Never prints, never exits. */
enum opt_action opt_parse(int argc, char **argv, char *const *envp,
			  struct config *cfg, char *err, size_t errlen);

/* The same for a subcommand that takes some of drainit's options: only those
 * long names in only (NULL-terminated; --help always), and the environment
 * as drainit reads it. On OPT_RUN, *next is the index of the first operand
 * in argv, whose argv[0] is the subcommand's name. */
enum opt_action opt_parse_some(int argc, char **argv, char *const *envp, const char *const *only,
			       struct config *cfg, int *next, char *err, size_t errlen);

bool opt_expects(const struct config *cfg, int code);

/* A count or code: decimal digits only, lo to hi, into *out. 0, or -1 for
 * anything else. Pure; drainit plan's counts use it too. */
int opt_parse_int(const char *s, long lo, long hi, long *out);

/* The next environment variable from *envp on that is named DRAINIT_* or
 * TINI_* and means nothing to drainit (or to tini): its name, len bytes of
 * it, into *name and *len, and the known name closest to it (NULL when none
 * is close: a typo is two edits away, three in a name of 12 or more). Advances *envp past it;
 * false when there is none left. Pure. */
bool opt_unknown_env(char *const **envp, const char **name, size_t *len, const char **closest);

void opt_help(FILE *out);

#endif
