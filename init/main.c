#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "inspectcmd.h"
#include "log.h"
#include "opt.h"
#include "plancmd.h"
#include "probe.h"
#include "sig.h"
#include "supervise.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

extern char **environ;

static const char license[] =
"drainit " VERSION " is released under the MIT License:\n\n"
"Copyright (c) 2026 The drainit authors\n\n"
"Permission is hereby granted, free of charge, to any person obtaining a copy of\n"
"this software and associated documentation files (the \"Software\"), to deal in\n"
"the Software without restriction, including without limitation the rights to\n"
"use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of\n"
"the Software, and to permit persons to whom the Software is furnished to do so,\n"
"subject to the following conditions:\n\n"
"The above copyright notice and this permission notice shall be included in all\n"
"copies or substantial portions of the Software.\n\n"
"THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n"
"IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS\n"
"FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR\n"
"COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER\n"
"IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN\n"
"CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n"
"\n"
"The static build (make static, the release's binaries, .debs and image) also\n"
"holds musl libc, Copyright (c) 2005-2020 Rich Felker and other contributors,\n"
"under the MIT License as above, and libcap, Copyright (c) 1997-2016 Andrew G.\n"
"Morgan and other contributors, under the BSD 3-clause license (or, at your\n"
"choice, the GNU GPL v2.0):\n\n"
"Redistribution and use in source and binary forms of libcap, with\n"
"or without modification, are permitted provided that the following\n"
"conditions are met:\n\n"
"1. Redistributions of source code must retain any existing copyright\n"
"   notice, and this entire permission notice in its entirety,\n"
"   including the disclaimer of warranties.\n\n"
"2. Redistributions in binary form must reproduce all prior and current\n"
"   copyright notices, this list of conditions, and the following\n"
"   disclaimer in the documentation and/or other materials provided\n"
"   with the distribution.\n\n"
"3. The name of any author may not be used to endorse or promote\n"
"   products derived from this software without their specific prior\n"
"   written permission.\n\n"
"THIS SOFTWARE IS PROVIDED ``AS IS'' AND ANY EXPRESS OR IMPLIED\n"
"WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF\n"
"MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED.\n"
"IN NO EVENT SHALL THE AUTHOR(S) BE LIABLE FOR ANY DIRECT, INDIRECT,\n"
"INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING,\n"
"BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS\n"
"OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND\n"
"ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR\n"
"TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE\n"
"USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH\n"
"DAMAGE.\n";

/* A closed 0, 1 or 2 would be taken by the next descriptor drainit opens
 * (its signalfd, say): its log would go there and the app would inherit it
 * as stdin, stdout or stderr. /dev/null fills the gap first. */
static void fill_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open("/dev/null", O_RDWR); /* the lowest free descriptor: fd */
}

/* The subcommands: each parses its own arguments (argv[0] is its name) and
 * returns drainit's exit status. Only in first place: `drainit -v probe`
 * runs a command named probe. */
static const struct subcommand {
	const char *name;
	int (*main)(int argc, char **argv);
} subcommands[] = {
	{ "plan", plancmd_main },       /* the timing plan for a pod */
	{ "probe", probe_main },        /* the exec readiness probe */
	{ "inspect", inspectcmd_main }, /* what processes do with the stop signal */
};

int main(int argc, char **argv)
{
	struct config cfg;
	struct log log;
	char err[512];
	sigset_t inherited, all;

	/* First of all: as PID 1 a signal with no handler is dropped, so a
	 * SIGTERM that came while drainit reads its options would be lost.
	 * Blocked, it waits for the loop. The subcommands get the mask back. */
	sigprocmask(SIG_SETMASK, NULL, &inherited);
	sig_block_all(&all);
	fill_std_fds();
	for (size_t i = 0; argc > 1 && i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (strcmp(argv[1], subcommands[i].name) == 0) {
			sigprocmask(SIG_SETMASK, &inherited, NULL);
			return subcommands[i].main(argc - 1, argv + 1);
		}
	enum opt_action act = opt_parse(argc, argv, environ, &cfg, err, sizeof err);
	if (act != OPT_RUN)
		sigprocmask(SIG_SETMASK, &inherited, NULL);
	switch (act) {
	case OPT_ERROR:
		log_usage_error(err, "drainit --help");
		return EXIT_USAGE;
	case OPT_HELP:
		opt_help(stdout);
		return 0;
	case OPT_VERSION:
		puts("drainit " VERSION);
		return 0;
	case OPT_LICENSE:
		fputs(license, stdout);
		return 0;
	case OPT_RUN:
		break;
	}
	log_init(&log, cfg.verbosity, cfg.log_format, STDERR_FILENO);
	return supervise(&cfg, &log);
}
