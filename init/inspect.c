#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inspect.h"
#include "proc.h"
#include "sig.h"

#define BIT(sig) ((uint64_t)1 << ((sig) - 1))

/* The value after "Key:\t" in status text, as hex. */
static int hex_field(const char *text, const char *key, uint64_t *out)
{
	size_t n = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, n) == 0 && p[n] == ':') {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(p + n + 1, &end, 16);
			if (errno || end == p + n + 1)
				return -1;
			*out = v;
			return 0;
		}
	}
	return -1;
}

int inspect_parse_status(const char *text, struct sigstate *st)
{
	memset(st, 0, sizeof *st);
	const char *name = strstr(text, "Name:\t");
	if (name == text || (name && name[-1] == '\n')) {
		name += 6;
		size_t k = strcspn(name, "\n");
		if (k >= sizeof st->name)
			k = sizeof st->name - 1;
		memcpy(st->name, name, k);
	} else
		return -1;
	if (hex_field(text, "SigBlk", &st->blocked) != 0 || hex_field(text, "SigIgn", &st->ignored) != 0 ||
	    hex_field(text, "SigCgt", &st->caught) != 0)
		return -1;
	const char *t = strstr(text, "\nThreads:\t");
	if (t)
		st->threads = (unsigned)strtoul(t + 10, NULL, 10);
	return 0;
}

enum disposition inspect_disposition(const struct sigstate *st, int sig)
{
	if (sig == SIGKILL)
		return DISP_DIES;
	if (sig == SIGSTOP)
		return DISP_STOPS;
	if (sig < 1 || sig > 64)
		return DISP_NOTHING;
	if (st->blocked & BIT(sig))
		return (st->waited & BIT(sig)) ? DISP_WAITS : DISP_BLOCKS;
	if (st->ignored & BIT(sig))
		return DISP_IGNORES;
	if (st->caught & BIT(sig))
		return DISP_CATCHES;
	if (st->waits_unread)
		return DISP_UNKNOWN;
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
		return DISP_NOTHING;
	case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return DISP_STOPS;
	default:
		return st->waits_maybe ? DISP_MAYBE : DISP_DIES;
	}
}

const char *inspect_words(enum disposition d, int sig, char *buf, size_t len)
{
	char name[32];
	sig_name(sig, name, sizeof name);
	switch (d) {
	case DISP_CATCHES:
		snprintf(buf, len, "catches %s", name);
		break;
	case DISP_IGNORES:
		snprintf(buf, len, "ignores %s: only SIGKILL stops it", name);
		break;
	case DISP_BLOCKS:
		snprintf(buf, len, "blocks %s: pending until it unblocks it or reads it (signalfd, sigwait)",
			 name);
		break;
	case DISP_WAITS:
		snprintf(buf, len, "waits for %s in sigwait: takes it at once", name);
		break;
	case DISP_UNKNOWN:
		snprintf(buf, len, "waits in sigwait for signals that only ptrace access can read: "
			 "takes %s if it is one, else has no handler for it", name);
		break;
	case DISP_DIES:
		snprintf(buf, len, "has no handler for %s: dies of it at once", name);
		break;
	case DISP_MAYBE:
		snprintf(buf, len, "has no handler for %s: dies of it at once, unless a thread waits "
			 "for it in sigwait, which only ptrace access can tell", name);
		break;
	case DISP_STOPS:
		snprintf(buf, len, "has no handler for %s: is stopped by it", name);
		break;
	case DISP_NOTHING:
		snprintf(buf, len, "has no handler for %s: nothing happens", name);
		break;
	}
	return buf;
}

static bool wanted(const char *line)
{
	return strncmp(line, "Name:", 5) == 0 || strncmp(line, "Threads:", 8) == 0 ||
	       strncmp(line, "SigBlk:", 7) == 0 ||
	       strncmp(line, "SigIgn:", 7) == 0 || strncmp(line, "SigCgt:", 7) == 0;
}

/* Reads the lines of a status file that inspect_parse_status needs into
 * out, in chunks: the Groups line of a process in many groups makes the
 * file longer than any buffer here, and comes before the masks. */
static int read_status(const char *path, char *out, size_t len)
{
	char buf[2048];
	size_t have = 0, o = 0;
	bool skip = false; /* inside a line too long to hold, not one we want */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	out[0] = '\0';
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof buf - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		have += (size_t)n;
		size_t start = 0;
		for (char *nl; (nl = memchr(buf + start, '\n', have - start)); start = (size_t)(nl - buf) + 1) {
			size_t k = (size_t)(nl - (buf + start)) + 1;
			if (!skip && wanted(buf + start) && o + k < len) {
				memcpy(out + o, buf + start, k);
				o += k;
				out[o] = '\0';
			}
			skip = false;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == sizeof buf) {
			skip = true; /* the rest of a long line: never a wanted one */
			have = 0;
		}
		if (n == 0)
			break;
	}
	close(fd);
	return 0;
}

int inspect_parse_syscall(const char *text, long *nr, uint64_t *arg1)
{
	char *end;
	/* strtol and strtoull would take leading blanks and signs too */
	if (!isdigit((unsigned char)text[0]) && !(text[0] == '-' && isdigit((unsigned char)text[1])))
		return -1;
	errno = 0;
	long n = strtol(text, &end, 10);
	if (errno || end == text || *end != ' ')
		return -1;
	const char *a = end + 1;
	if (strncmp(a, "0x", 2) != 0 || !isxdigit((unsigned char)a[2]))
		return -1;
	unsigned long long v = strtoull(a + 2, &end, 16);
	if (errno || end == a + 2 || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -1;
	*nr = n;
	*arg1 = v;
	return 0;
}

/* The signals the thread at dir (/proc/PID/task/TID) waits for in
 * rt_sigtimedwait: the set its first argument points to, 0 when it waits in
 * no such call; -1 when it does and the set cannot be read, -2 when it
 * sleeps and whether in such a call cannot be read (no ptrace access to
 * the process: drainit once it dropped its capabilities, before a root app
 * that kept its own). */
static int waited_set(const char *dir, uint64_t *set)
{
	char path[96], text[256];
	long nr;
	uint64_t addr;

	*set = 0;
	snprintf(path, sizeof path, "%s/syscall", dir);
	if (proc_read_small(path, text, sizeof text) != 0) {
		/* The wait channel may say; without access it reads "0". */
		snprintf(path, sizeof path, "%s/wchan", dir);
		if (proc_read_small(path, text, sizeof text) == 0 && strcmp(text, "0") != 0)
			return strstr(text, "sigtimedwait") ? -1 : 0;
		/* A running thread waits for nothing; a sleeping one may. */
		snprintf(path, sizeof path, "%s/stat", dir);
		struct proc_entry e;
		return proc_read_small(path, text, sizeof text) == 0 && proc_parse_stat(text, &e) == 0 &&
		       e.state != 'S' ? 0 : -2;
	}
	if (inspect_parse_syscall(text, &nr, &addr) != 0 || nr != SYS_rt_sigtimedwait)
		return 0;
	snprintf(path, sizeof path, "%s/mem", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = pread(fd, set, sizeof *set, (off_t)addr);
	close(fd);
	return n == (ssize_t)sizeof *set ? 0 : -1;
}

/* A thread's mask as inspect counts it: what it blocks, and what it waits
 * for in sigwait, which the kernel unblocks while it waits. */
static void thread_mask(const char *dir, const struct sigstate *t, struct sigstate *st)
{
	uint64_t waited;
	int r = waited_set(dir, &waited);
	if (r == -1)
		st->waits_unread = true;
	else if (r == -2)
		st->waits_maybe = true;
	if (r != 0)
		waited = 0;
	st->blocked &= t->blocked | waited;
	st->waited |= waited;
}

int inspect_read(pid_t pid, struct sigstate *st)
{
	char path[96], dir[64], text[512], dents[4096];
	struct sigstate t, own;
	unsigned threads = 0;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (read_status(path, text, sizeof text) != 0)
		return -1;
	if (inspect_parse_status(text, st) != 0) {
		errno = EINVAL;
		return -1;
	}
	/* A signal to a process goes to any thread that does not block it:
	 * it is blocked only if every thread blocks it (or waits for it). */
	own = *st;
	st->blocked = ~(uint64_t)0;
	if (own.threads == 1) { /* the process's files are its one thread's */
		snprintf(dir, sizeof dir, "/proc/%d", (int)pid);
		thread_mask(dir, &own, st);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(dir, sizeof dir, "/proc/%d", (int)pid);
		thread_mask(dir, &own, st);
		return 0;
	}
	long n;
	while ((n = syscall(SYS_getdents64, fd, dents, sizeof dents)) > 0) {
		for (long off = 0; off < n;) {
			// cppcheck-suppress unusedStructMember ; the kernel's linux_dirent64
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; }
				*d = (void *)(dents + off);
			off += d->reclen;
			if (d->name[0] < '0' || d->name[0] > '9')
				continue;
			snprintf(dir, sizeof dir, "/proc/%d/task/%.16s", (int)pid, d->name);
			snprintf(path, sizeof path, "%s/status", dir);
			if (read_status(path, text, sizeof text) == 0 && inspect_parse_status(text, &t) == 0) {
				thread_mask(dir, &t, st);
				threads++;
			}
		}
	}
	close(fd);
	if (threads == 0) { /* none read (all exited since): the process's own */
		snprintf(dir, sizeof dir, "/proc/%d", (int)pid);
		thread_mask(dir, &own, st);
	}
	return 0;
}
