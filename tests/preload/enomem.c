/* enomem.so: an LD_PRELOAD shim that makes heap allocations and fork()
 * fail with ENOMEM in one program, so that a test sees what drainit does
 * when memory runs out.
 *
 * It acts only in processes whose name (argv[0]'s base name) is
 * $ENOMEM_TARGET, so that it can ride through unshare or prlimit on its way
 * to drainit; there it takes its variables and LD_PRELOAD out of the
 * environment, so that the app never sees them. Within the target it acts
 * only in the process that loaded it, not in children forked from it.
 *   ENOMEM_MALLOC=N       the Nth allocation (malloc, calloc, realloc,
 *                         memalign, aligned_alloc, posix_memalign) and every
 *                         later one fail; 0 or unset: none
 *   ENOMEM_MIN=BYTES      only allocations of at least BYTES count and fail
 *   ENOMEM_AFTER_FORK=1   allocations count only once a fork has succeeded
 *                         (drainit: once the app was started)
 *   ENOMEM_FORK=N         the Nth fork() or vfork() and every later one fail
 *   ENOMEM_WHILE=PATH     nothing fails (or counts) unless PATH exists
 *   ENOMEM_LOG=PATH       appends "PID FUNCTION SIZE" ("1 calloc 1048576",
 *                         "1 fork 0") for each failure made
 * Allocations go on to the next definition (libc's, or AddressSanitizer's
 * in a sanitized build, which then needs verify_asan_link_order=0).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;
extern char *program_invocation_short_name;

static struct {
	bool on;
	pid_t pid;
	long malloc_from, fork_from, min;
	bool after_fork, forked;
	long allocs, forks;
	char while_path[512], log_path[512];
} cfg;

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static pid_t (*real_fork)(void);

/* What dlsym itself allocates while the real functions are looked up. */
static char bump[8192] __attribute__((aligned(16)));
static size_t bumped;
static int resolving;

static void *bump_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n > sizeof bump - bumped)
		return NULL;
	void *p = bump + bumped;
	bumped += n;
	return p;
}

static bool in_bump(const void *p)
{
	return (const char *)p >= bump && (const char *)p < bump + sizeof bump;
}

static void resolve(void)
{
	if (real_malloc || resolving)
		return;
	resolving = 1;
	*(void **)&real_calloc = dlsym(RTLD_NEXT, "calloc");
	*(void **)&real_realloc = dlsym(RTLD_NEXT, "realloc");
	*(void **)&real_free = dlsym(RTLD_NEXT, "free");
	*(void **)&real_memalign = dlsym(RTLD_NEXT, "memalign");
	*(void **)&real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
	*(void **)&real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
	*(void **)&real_fork = dlsym(RTLD_NEXT, "fork");
	*(void **)&real_malloc = dlsym(RTLD_NEXT, "malloc");
	resolving = 0;
}

static void note(const char *what, size_t n)
{
	if (!cfg.log_path[0])
		return;
	char line[96];
	int len = snprintf(line, sizeof line, "%d %s %zu\n", (int)getpid(), what, n);
	int fd = open(cfg.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)len) < 0) { /* nothing to do */ }
		close(fd);
	}
}

/* Whether faults apply now, in this process. */
static bool armed(void)
{
	if (!cfg.on || getpid() != cfg.pid)
		return false;
	return !cfg.while_path[0] || access(cfg.while_path, F_OK) == 0;
}

/* Whether this allocation of n bytes (by what) fails. */
static bool fail_alloc(const char *what, size_t n)
{
	if (!cfg.malloc_from || (long)n < cfg.min || (cfg.after_fork && !cfg.forked) || !armed())
		return false;
	if (++cfg.allocs < cfg.malloc_from)
		return false;
	int saved = errno;
	note(what, n);
	errno = saved;
	return true;
}

void *malloc(size_t n)
{
	resolve();
	if (!real_malloc)
		return bump_alloc(n);
	if (fail_alloc("malloc", n)) {
		errno = ENOMEM;
		return NULL;
	}
	return real_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	resolve();
	if (!real_calloc) /* zeroed: bump is static and never reused */
		return n && m > sizeof bump / n ? NULL : bump_alloc(n * m);
	if (fail_alloc("calloc", m && n > (size_t)-1 / m ? (size_t)-1 : n * m)) {
		errno = ENOMEM;
		return NULL;
	}
	return real_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	resolve();
	if (in_bump(p) || !real_realloc) {
		void *q = malloc(n);
		if (q && p) /* the old size is unknown: what is left of bump at most */
			memcpy(q, p, n < (size_t)(bump + sizeof bump - (char *)p) ? n
			       : (size_t)(bump + sizeof bump - (char *)p));
		return q;
	}
	if (fail_alloc("realloc", n)) {
		errno = ENOMEM;
		return NULL;
	}
	return real_realloc(p, n);
}

void free(void *p)
{
	if (!p || in_bump(p))
		return;
	resolve();
	if (real_free)
		real_free(p);
}

void *memalign(size_t a, size_t n)
{
	resolve();
	if (!real_memalign)
		return a <= 16 ? bump_alloc(n) : NULL;
	if (fail_alloc("memalign", n)) {
		errno = ENOMEM;
		return NULL;
	}
	return real_memalign(a, n);
}

void *aligned_alloc(size_t a, size_t n)
{
	resolve();
	if (!real_aligned_alloc)
		return a <= 16 ? bump_alloc(n) : NULL;
	if (fail_alloc("aligned_alloc", n)) {
		errno = ENOMEM;
		return NULL;
	}
	return real_aligned_alloc(a, n);
}

int posix_memalign(void **out, size_t a, size_t n)
{
	resolve();
	if (!real_posix_memalign) {
		*out = a <= 16 ? bump_alloc(n) : NULL;
		return *out ? 0 : ENOMEM;
	}
	if (fail_alloc("posix_memalign", n))
		return ENOMEM;
	return real_posix_memalign(out, a, n);
}

pid_t fork(void)
{
	resolve();
	if (cfg.fork_from && armed() && ++cfg.forks >= cfg.fork_from) {
		note("fork", 0);
		errno = ENOMEM;
		return -1;
	}
	pid_t p = real_fork();
	if (p > 0)
		cfg.forked = true;
	return p;
}

/* drainit starts the app with vfork. A wrapper cannot return into a vfork
 * child without trampling the parent's stack, so here vfork is a fork,
 * which keeps every promise vfork makes (as under valgrind). */
pid_t vfork(void)
{
	return fork();
}

static long num(const char *name)
{
	const char *v = getenv(name);
	return v ? atol(v) : 0;
}

static void copy(char *dst, size_t len, const char *name)
{
	const char *v = getenv(name);
	snprintf(dst, len, "%s", v ? v : "");
}

/* Takes ENOMEM_* and LD_PRELOAD out of the environment: the app and any
 * exec'd check start without the shim. */
static void scrub(void)
{
	for (char **e = environ; e && *e;) {
		if (strncmp(*e, "ENOMEM_", 7) == 0 || strncmp(*e, "LD_PRELOAD=", 11) == 0) {
			char name[64];
			size_t n = strcspn(*e, "=");
			snprintf(name, sizeof name, "%.*s", (int)n, *e);
			unsetenv(name); /* shifts the rest down: look at *e again */
		} else {
			e++;
		}
	}
}

__attribute__((constructor)) static void init(void)
{
	resolve();
	const char *target = getenv("ENOMEM_TARGET");
	if (!target || strcmp(target, program_invocation_short_name) != 0)
		return;
	cfg.pid = getpid();
	cfg.malloc_from = num("ENOMEM_MALLOC");
	cfg.fork_from = num("ENOMEM_FORK");
	cfg.min = num("ENOMEM_MIN");
	cfg.after_fork = num("ENOMEM_AFTER_FORK") != 0;
	copy(cfg.while_path, sizeof cfg.while_path, "ENOMEM_WHILE");
	copy(cfg.log_path, sizeof cfg.log_path, "ENOMEM_LOG");
	scrub();
	cfg.on = true;
}
