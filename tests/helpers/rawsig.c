/* rawsig FILE: an app that receives signals 32 and 33, glibc's internal
 * SIGCANCEL and SIGSETXID, which glibc's sigaction refuses and its
 * sigprocmask and sigfillset leave out. It blocks them (and SIGTERM) with
 * the raw rt_sigprocmask syscall and reads them from a signalfd made with
 * the raw signalfd4 syscall, so glibc filters nothing.
 *
 * Appends to FILE one line per event, realtime milliseconds in ms=:
 *   start pid=P pgid=G ms=T
 *   sig N from=PID ms=T       (N: the signal's number: 32, 33 or 15)
 *   exit code=0 ms=T          (after SIGTERM)
 * The kernel hands out pending signals lowest number first, so a SIGTERM
 * sent after a 32 is read before it: on SIGTERM rawsig still records what
 * is pending before it exits.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	/* The kernel's sigset: bit N-1 is signal N, 8 bytes on every Linux
	 * architecture with 64 signals. */
	uint64_t mask = (1ULL << (32 - 1)) | (1ULL << (33 - 1)) | (1ULL << (SIGTERM - 1));

	if (argc != 2) {
		fprintf(stderr, "usage: rawsig FILE\n");
		return 2;
	}
	int out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0) {
		perror("rawsig");
		return 2;
	}
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &mask, NULL, sizeof mask) != 0) {
		perror("rawsig: rt_sigprocmask");
		return 2;
	}
	int fd = (int)syscall(SYS_signalfd4, -1, &mask, sizeof mask, SFD_CLOEXEC);
	if (fd < 0) {
		perror("rawsig: signalfd4");
		return 2;
	}
	dprintf(out, "start pid=%d pgid=%d ms=%lld\n", (int)getpid(), (int)getpgrp(), now_ms());
	for (;;) {
		struct signalfd_siginfo si;
		if (read(fd, &si, sizeof si) != (ssize_t)sizeof si)
			continue;
		dprintf(out, "sig %u from=%u ms=%lld\n", si.ssi_signo, si.ssi_pid, now_ms());
		if (si.ssi_signo == SIGTERM)
			break;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (struct signalfd_siginfo si; read(fd, &si, sizeof si) == (ssize_t)sizeof si;)
		dprintf(out, "sig %u from=%u ms=%lld\n", si.ssi_signo, si.ssi_pid, now_ms());
	dprintf(out, "exit code=0 ms=%lld\n", now_ms());
	return 0;
}
