/* sigwrap [-b SIG]... [-i SIG]... [--] COMMAND [ARG...]: runs COMMAND with
 * the given signals blocked (-b) and ignored (-i), the way a careless parent
 * (a shell with `trap '' ...`, a supervisor) might start drainit.
 * SIG: a number or a name such as USR1 or SIGUSR1.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signame.h"

static int parse_sig(const char *s)
{
	return helper_parse_sig("sigwrap", s);
}

int main(int argc, char **argv)
{
	sigset_t block;
	int i = 1;

	sigemptyset(&block);
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (i + 1 >= argc || (strcmp(argv[i], "-b") && strcmp(argv[i], "-i")))
			break;
		int sig = parse_sig(argv[i + 1]);
		if (argv[i][1] == 'b')
			sigaddset(&block, sig);
		else
			signal(sig, SIG_IGN);
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: sigwrap [-b SIG]... [-i SIG]... [--] COMMAND [ARG...]\n");
		return 2;
	}
	sigprocmask(SIG_BLOCK, &block, NULL);
	execvp(argv[i], argv + i);
	perror("sigwrap: exec");
	return 127;
}
