/* earlyterm.so: an LD_PRELOAD shim that sends drainit a SIGTERM while it
 * is still reading its options, as a kubelet may stop a pod the moment it
 * started: from another process of its namespace, at drainit's first
 * fcntl() (main() looks at descriptors 0-2 before anything else), and
 * waits until the signal has been sent. A PID 1 that has not blocked its
 * signals by then has no handler for SIGTERM, and the kernel drops it.
 *
 * It acts only in drainit as PID 1 (program name "drainit"), once, and
 * takes LD_PRELOAD out of its environment so that the app never loads it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char *program_invocation_short_name;

static int armed;

__attribute__((constructor)) static void init(void)
{
	if (getpid() == 1 && strcmp(program_invocation_short_name, "drainit") == 0) {
		armed = 1;
		unsetenv("LD_PRELOAD");
	}
}

static void fire(void)
{
	if (!armed)
		return;
	armed = 0;
	pid_t p = fork();
	if (p == 0) {
		kill(1, SIGTERM);
		_exit(0);
	}
	if (p > 0)
		while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
			;
}

/* Fires, then calls libc's NAME with the one argument fcntl takes. */
static int pass_on(const char *name, int fd, int cmd, va_list ap)
{
	long arg = va_arg(ap, long);
	int (*real)(int, int, ...) = (int (*)(int, int, ...))dlsym(RTLD_NEXT, name);
	fire();
	return real(fd, cmd, arg);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	int r = pass_on("fcntl", fd, cmd, ap);
	va_end(ap);
	return r;
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	int r = pass_on("fcntl64", fd, cmd, ap);
	va_end(ap);
	return r;
}
