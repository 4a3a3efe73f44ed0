/* sigrec FILE [OPTIONS]: an app that records every signal it gets.
 *
 * Appends to FILE one line per event, realtime milliseconds in ms=:
 *   start pid=P pgid=G fg=F sigblk=HEX sigign=HEX ms=T   (fg: terminal's foreground group, -1 without one)
 *   sig SIGNAME from=PID ms=T
 *   exit code=N ms=T
 * Options:
 *   --exit-on SIG    exit after this signal (repeatable; default TERM)
 *   --no-exit        never exit on a signal
 *   --drain MS       after the exit signal, keep running MS (finishing "requests")
 *   --exit-after MS  exit on its own after MS
 *   --code N         exit code (default 0)
 *   --ignore SIG     set SIG to SIG_IGN (repeatable)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "signame.h"

static int pipefd[2];

static long long now_ms(int clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int saved = errno;
	int rec[2] = { sig, si->si_pid };
	if (write(pipefd[1], rec, sizeof rec) < 0) { /* nothing to do */ }
	errno = saved;
}

static int parse_sig(const char *s)
{
	return helper_parse_sig("sigrec", s);
}

static void name(int sig, char *buf, size_t len)
{
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
}

static void status_field(const char *field, char *out, size_t len)
{
	char buf[4096];
	snprintf(out, len, "?");
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	while (fgets(buf, sizeof buf, f))
		if (strncmp(buf, field, strlen(field)) == 0) {
			snprintf(out, len, "%s", buf + strlen(field) + 1 + strspn(buf + strlen(field) + 1, "\t "));
			out[strcspn(out, "\n")] = '\0';
		}
	fclose(f);
}

int main(int argc, char **argv)
{
	int exit_on[65] = { 0 }, ignore[65] = { 0 }, any_exit_on = 0, no_exit = 0, code = 0;
	long long drain = 0, exit_after = -1;
	char blk[64], ign[64];

	if (argc < 2) {
		fprintf(stderr, "usage: sigrec FILE [--exit-on SIG] [--no-exit] [--drain MS] "
			"[--exit-after MS] [--code N] [--ignore SIG]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "0";
		if (!strcmp(a, "--exit-on")) { exit_on[parse_sig(v)] = 1; any_exit_on = 1; i++; }
		else if (!strcmp(a, "--no-exit")) no_exit = 1;
		else if (!strcmp(a, "--drain")) { drain = atoll(v); i++; }
		else if (!strcmp(a, "--exit-after")) { exit_after = atoll(v); i++; }
		else if (!strcmp(a, "--code")) { code = atoi(v); i++; }
		else if (!strcmp(a, "--ignore")) { ignore[parse_sig(v)] = 1; i++; }
		else { fprintf(stderr, "sigrec: unknown option %s\n", a); return 2; }
	}
	if (!any_exit_on)
		exit_on[SIGTERM] = 1;

	/* What the app was started with, before we change anything. */
	status_field("SigBlk:", blk, sizeof blk);
	status_field("SigIgn:", ign, sizeof ign);

	int out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0 || pipe2(pipefd, O_CLOEXEC) != 0) {
		perror("sigrec");
		return 2;
	}
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || (sig > 31 && sig < SIGRTMIN))
			continue;
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sigfillset(&sa.sa_mask);
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sa.sa_sigaction = on_signal;
		if (ignore[sig]) {
			sa.sa_flags = 0;
			sa.sa_handler = SIG_IGN;
		}
		sigaction(sig, &sa, NULL);
	}
	dprintf(out, "start pid=%d pgid=%d fg=%d sigblk=%s sigign=%s ms=%lld\n", (int)getpid(),
		(int)getpgrp(), (int)tcgetpgrp(STDIN_FILENO), blk, ign, now_ms(CLOCK_REALTIME));

	long long start = now_ms(CLOCK_MONOTONIC), stop_at = -1;
	for (;;) {
		long long now = now_ms(CLOCK_MONOTONIC), timeout = -1;
		if (exit_after >= 0 && now - start >= exit_after)
			break;
		if (stop_at >= 0 && now >= stop_at)
			break;
		if (exit_after >= 0)
			timeout = start + exit_after - now;
		if (stop_at >= 0 && (timeout < 0 || stop_at - now < timeout))
			timeout = stop_at - now;
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		if (poll(&p, 1, (int)timeout) <= 0)
			continue;
		int rec[2];
		if (read(pipefd[0], rec, sizeof rec) != sizeof rec)
			continue;
		char n[32];
		name(rec[0], n, sizeof n);
		dprintf(out, "sig %s from=%d ms=%lld\n", n, rec[1], now_ms(CLOCK_REALTIME));
		if (!no_exit && exit_on[rec[0]] && stop_at < 0)
			stop_at = now_ms(CLOCK_MONOTONIC) + drain;
	}
	dprintf(out, "exit code=%d ms=%lld\n", code, now_ms(CLOCK_REALTIME));
	return code;
}
