#ifndef DRAINIT_INSPECTCMD_H
#define DRAINIT_INSPECTCMD_H

/* drainit inspect: one line per process (each pid given, then its
 * descendants) on stdout. Returns 0, or 1 when a pid does not exist. */
int inspectcmd_run(char **pids, int sig);

#endif
