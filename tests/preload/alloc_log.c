/* alloc_log.so: an LD_PRELOAD shim that appends "PID FUNCTION" to the file
 * named by $ALLOC_LOG for every heap allocation, so a test can tell whether
 * drainit allocates once the app runs. Frees are not counted. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static __thread int busy; /* no counting of what the counting itself does */

static void note(const char *what)
{
	const char *path = getenv("ALLOC_LOG");
	if (!path || busy)
		return;
	busy = 1;
	char line[64];
	int n = snprintf(line, sizeof line, "%d %s\n", (int)getpid(), what);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) < 0) { /* nothing to do */ }
		close(fd);
	}
	busy = 0;
}

void *malloc(size_t n) { note("malloc"); return __libc_malloc(n); }
void *calloc(size_t n, size_t m) { note("calloc"); return __libc_calloc(n, m); }
void *realloc(void *p, size_t n) { note("realloc"); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { note("memalign"); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { note("aligned_alloc"); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n)
{
	note("posix_memalign");
	*out = __libc_memalign(a, n);
	return *out ? 0 : 12; /* ENOMEM */
}
