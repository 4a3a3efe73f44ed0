#ifndef DRAINIT_PROBE_H
#define DRAINIT_PROBE_H

/* drainit probe: the Kubernetes exec-probe command. Exit 0 iff the readiness
 * file says ready (and its app is alive, when the probe runs in drainit's
 * PID namespace and so can tell), else 1 with one line on stdout saying
 * why, from PATH.state: starting, unready, draining, or stopped. */
int probe_run(const char *ready_file);

#endif
