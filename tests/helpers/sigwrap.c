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

static int parse_sig(const char *s)
{
	if (s[0] >= '0' && s[0] <= '9')
		return atoi(s);
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < 32; i++)
		if (sigabbrev_np(i) && strcmp(sigabbrev_np(i), s) == 0)
			return i;
	fprintf(stderr, "sigwrap: unknown signal %s\n", s);
	exit(2);
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
