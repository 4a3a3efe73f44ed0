/* drainit inspect: what each given process, and each under it, does with
 * the stop signal, one line each on stdout. The reading and the words are
 * inspect.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "inspect.h"
#include "inspectcmd.h"
#include "proc.h"

static int show(pid_t pid, int sig)
{
	struct sigstate st;
	char words[192];
	if (inspect_read(pid, &st) != 0) {
		printf("pid %d: %s\n", (int)pid, errno == ENOENT ? "no such process" : strerror(errno));
		return 1;
	}
	printf("pid %d (%s): %s\n", (int)pid, st.name,
	       inspect_words(inspect_disposition(&st, sig), sig, words, sizeof words));
	return 0;
}

int inspectcmd_run(char **pids, int sig)
{
	struct proc_table t;
	int rc = 0;

	/* Entered with nsenter -p but not -m, /proc is another namespace's:
	 * its pids name other processes. */
	if (proc_is_own() != 1) {
		fprintf(stderr, "drainit: error: inspect: /proc belongs to another PID namespace; "
			"enter the mount namespace too (nsenter -m)\n");
		return 1;
	}
	if (proc_table_init(&t, 32768) != 0) {
		perror("drainit inspect");
		return 1;
	}
	for (char **p = pids; *p; p++) {
		pid_t pid = (pid_t)strtol(*p, NULL, 10);
		if (show(pid, sig) != 0) {
			rc = 1;
			continue;
		}
		/* as PID 1, proc_scan_under lists everything else */
		if (proc_scan_under(&t, pid) != 0) {
			fprintf(stderr, "drainit: error: inspect: cannot list the processes under %d: %s\n",
				(int)pid, strerror(errno));
			rc = 1;
			continue;
		}
		for (size_t i = 0; i < t.len; i++)
			if (t.v[i].pid != pid && t.v[i].pid != getpid())
				show(t.v[i].pid, sig);
	}
	proc_table_free(&t);
	return rc;
}
