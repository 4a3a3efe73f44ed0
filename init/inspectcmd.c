/* drainit inspect: what each given process, and each under it, does with
 * the stop signal, one line each on stdout. The reading and the words are
 * inspect.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "exitcode.h"
#include "inspect.h"
#include "inspectcmd.h"
#include "log.h"
#include "proc.h"

extern char **environ;

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

enum opt_action inspectcmd_parse(int argc, char **argv, char *const *envp, struct config *cfg,
				 char *err, size_t errlen)
{
	static const char *const only[] = { "stop-signal", NULL };
	int i;
	enum opt_action act = opt_parse_some(argc, argv, envp, only, cfg, &i, err, errlen);
	if (act != OPT_RUN)
		return act;
	if (i >= argc) {
		snprintf(err, errlen, "inspect: no pid given: usage: drainit inspect [--stop-signal SIG] PID...");
		return OPT_ERROR;
	}
	for (int k = i; k < argc; k++) {
		long pid;
		if (opt_parse_int(argv[k], 1, 4194304, &pid) != 0) {
			snprintf(err, errlen, "inspect: bad pid '%s'", argv[k]);
			return OPT_ERROR;
		}
	}
	cfg->argv = argv + i;
	return OPT_RUN;
}

void inspectcmd_help(FILE *out)
{
	fputs(
"usage: drainit inspect [--stop-signal SIG] PID...\n"
"\n"
"For each PID and every process under it, one line: whether it catches,\n"
"ignores, blocks or waits in sigwait for SIG (default: the stop signal, TERM,\n"
"or DRAINIT_STOP_SIGNAL), or dies of it. Run it in the container (kubectl\n"
"exec, docker exec) when an app does not stop; what a thread waits for in\n"
"sigwait needs ptrace access to read (root). Exit status 0; 1 when a pid does\n"
"not exist; 64 on a usage error.\n", out);
}

int inspectcmd_main(int argc, char **argv)
{
	struct config cfg;
	char err[512];

	switch (inspectcmd_parse(argc, argv, environ, &cfg, err, sizeof err)) {
	case OPT_RUN:
		return inspectcmd_run(cfg.argv, cfg.stop_signal);
	case OPT_HELP:
		inspectcmd_help(stdout);
		return 0;
	default:
		log_usage_error(err, "drainit --help");
		return EXIT_USAGE;
	}
}
