#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sig.h"

/* Real-time signals are numbered as Linux userland names them (bash's
 * kill, systemd's SIGRTMIN+3, container engines' STOPSIGNAL): SIGRTMIN is 34,
 * whatever C library drainit is built with. musl's own SIGRTMIN is 35 (it
 * keeps 32-34 for itself), glibc's 34. */
enum { RT_MIN = 34, RT_MAX = 64 };

static const struct {
	int sig;
	const char *name;
} names[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" }, { SIGILL, "ILL" },
	{ SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" }, { SIGBUS, "BUS" }, { SIGFPE, "FPE" },
	{ SIGKILL, "KILL" }, { SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "STKFLT" },
#endif
	{ SIGCHLD, "CHLD" }, { SIGCONT, "CONT" }, { SIGSTOP, "STOP" }, { SIGTSTP, "TSTP" },
	{ SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" }, { SIGURG, "URG" }, { SIGXCPU, "XCPU" },
	{ SIGXFSZ, "XFSZ" }, { SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" },
	{ SIGWINCH, "WINCH" }, { SIGIO, "IO" }, { SIGPWR, "PWR" }, { SIGSYS, "SYS" },
	/* aliases, after the canonical names so sig_name picks those */
	{ SIGIOT, "IOT" }, { SIGCHLD, "CLD" }, { SIGPOLL, "POLL" },
};

static int bad_signal(char *err, size_t errlen, const char *s, const char *why)
{
	snprintf(err, errlen, "bad signal '%s': %s", s, why);
	return 0;
}

/* Parses a decimal number made of digits only; -1 when it is not one. */
static int small_number(const char *s)
{
	long v = 0;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || v > 1000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (int)v;
}

bool sig_engine_stop(int sig)
{
	return sig == SIGQUIT || sig == SIGINT || sig == SIGPWR || sig == RT_MIN + 3;
}

int sig_parse(const char *s, char *err, size_t errlen)
{
	const char *p = s;

	if (*p == '\0')
		return bad_signal(err, errlen, s, "empty");
	if (isdigit((unsigned char)*p)) {
		int n = small_number(p);
		if (n < 1 || n > RT_MAX)
			return bad_signal(err, errlen, s, "not a signal number (1-64)");
		return n;
	}
	if (strncasecmp(p, "SIG", 3) == 0)
		p += 3;
	if (strncasecmp(p, "RTMIN", 5) == 0 || strncasecmp(p, "RTMAX", 5) == 0) {
		int base = strncasecmp(p, "RTMIN", 5) == 0 ? RT_MIN : RT_MAX;
		int dir = base == RT_MIN ? 1 : -1;
		const char *q = p + 5;
		int off = 0;
		if (*q != '\0') {
			if (*q != (dir > 0 ? '+' : '-'))
				return bad_signal(err, errlen, s, dir > 0 ? "expected RTMIN+N" : "expected RTMAX-N");
			off = small_number(q + 1);
			if (off < 0)
				return bad_signal(err, errlen, s, "expected a number after the sign");
		}
		int sig = base + dir * off;
		if (sig < RT_MIN || sig > RT_MAX)
			return bad_signal(err, errlen, s, "outside SIGRTMIN..SIGRTMAX");
		return sig;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(p, names[i].name) == 0)
			return names[i].sig;
	return bad_signal(err, errlen, s, "unknown name");
}

const char *sig_name(int sig, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].sig == sig) {
			snprintf(buf, len, "SIG%s", names[i].name);
			return buf;
		}
	}
	if (sig == RT_MIN)
		snprintf(buf, len, "SIGRTMIN");
	else if (sig == RT_MAX)
		snprintf(buf, len, "SIGRTMAX");
	else if (sig > RT_MIN && sig < RT_MAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - RT_MIN);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

void sig_reset_dispositions(void)
{
	/* The kernel's struct sigaction: all zeroes is SIG_DFL, no flags, an
	 * empty mask, whatever the architecture's field order. */
	unsigned long dfl[4] = { 0, 0, 0, 0 };
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, dfl, NULL, (size_t)(NSIG - 1) / 8);
}

int sig_block_all(sigset_t *set)
{
	/* Every bit set, without reaching into sigset_t: sigfillset leaves out
	 * the C library's own signals (32 and 33 in glibc, 32-34 in musl). The
	 * kernel reads its 64 bits from the start of the set, which are all
	 * ones whatever the word size and byte order. */
	memset(set, 0xff, sizeof *set);
	return (int)syscall(SYS_rt_sigprocmask, SIG_SETMASK, set, NULL, (size_t)(NSIG - 1) / 8);
}
