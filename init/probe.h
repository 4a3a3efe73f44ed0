#ifndef DRAINIT_PROBE_H
#define DRAINIT_PROBE_H

#include <stddef.h>
#include <stdio.h>

#include "opt.h"

struct ready_info;

#define PROBE_LINE_MAX 512

/* drainit probe: the Kubernetes exec-probe command. Exit 0 iff the readiness
 * file says ready (and its app is alive, when the probe runs in drainit's
 * PID namespace and so can tell), else 1 with one line on stdout saying
 * why, from PATH.state: starting, unready, draining, or stopped. */
int probe_run(const char *ready_file);

/* The line a probe prints for a readiness or status file's line (parsed),
 * without what the file itself adds: "ready: app pid 7 since TIME (BY)",
 * "not ready: starting since TIME, waiting for BY", ... --ready-http
 * answers with the same words. Returns buf; pure. */
const char *probe_words(const struct ready_info *st, char *buf, size_t len);

/* Its arguments (argv[0] is "probe"): --ready-file or DRAINIT_READY_FILE
 * into cfg. OPT_RUN, OPT_HELP, or OPT_ERROR with a reason in err; pure. */
enum opt_action probe_parse(int argc, char **argv, char *const *envp, struct config *cfg,
			    char *err, size_t errlen);
void probe_help(FILE *out);

/* The subcommand, as main.c's table runs it: the exit status. */
int probe_main(int argc, char **argv);

#endif
