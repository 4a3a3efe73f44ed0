/* Signal names for the test helpers: a number, "USR1", "SIGUSR1" or
 * "RTMIN+N". Exits 2 on anything else. */
#ifndef HELPER_SIGNAME_H
#define HELPER_SIGNAME_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int helper_parse_sig(const char *prog, const char *s)
{
	if (s[0] >= '0' && s[0] <= '9')
		return atoi(s);
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < 32; i++)
		if (sigabbrev_np(i) && strcmp(sigabbrev_np(i), s) == 0)
			return i;
	if (strncmp(s, "RTMIN+", 6) == 0)
		return SIGRTMIN + atoi(s + 6);
	fprintf(stderr, "%s: unknown signal %s\n", prog, s);
	exit(2);
}

#endif
