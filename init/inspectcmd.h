#ifndef DRAINIT_INSPECTCMD_H
#define DRAINIT_INSPECTCMD_H

#include <stddef.h>
#include <stdio.h>

#include "opt.h"

/* drainit inspect: one line per process (each pid given, then its
 * descendants) on stdout. Returns 0, or 1 when a pid does not exist. */
int inspectcmd_run(char **pids, int sig);

/* Its arguments (argv[0] is "inspect"): --stop-signal or
 * DRAINIT_STOP_SIGNAL, then the pids, into cfg->stop_signal and cfg->argv.
 * OPT_RUN, OPT_HELP, or OPT_ERROR with a reason in err; pure. */
enum opt_action inspectcmd_parse(int argc, char **argv, char *const *envp, struct config *cfg,
				 char *err, size_t errlen);
void inspectcmd_help(FILE *out);

/* The subcommand, as main.c's table runs it: the exit status. */
int inspectcmd_main(int argc, char **argv);

#endif
