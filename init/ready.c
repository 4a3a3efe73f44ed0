#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ready.h"

#define PATH_LEN 4096

/* The folder of path and the temp name beside it: DIR/.BASE.PID.tmp */
static int split(const char *path, char *dir, char *tmp)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int n;

	if (!slash)
		n = snprintf(dir, PATH_LEN, ".");
	else if (slash == path)
		n = snprintf(dir, PATH_LEN, "/");
	else
		n = snprintf(dir, PATH_LEN, "%.*s", (int)(slash - path), path);
	if (n < 0 || n >= PATH_LEN)
		return -1;
	n = snprintf(tmp, PATH_LEN, "%s/.%s.%d.tmp", dir, base, (int)getpid());
	return n < 0 || n >= PATH_LEN || *base == '\0' ? -1 : 0;
}

size_t ready_line(char *buf, size_t len, const char *state, const char *by, pid_t pid,
		  long long since_realtime_ms)
{
	char ts[40];
	log_timestamp(since_realtime_ms, ts, sizeof ts);
	int n = snprintf(buf, len, "%s %s pid=%d since=%s\n", state, by ? by : "-", (int)pid, ts);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

int ready_state_path(const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", path, READY_STATE_SUFFIX);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int ready_folder_stat(const char *path, struct stat *st)
{
	char dir[PATH_LEN], tmp[PATH_LEN];
	if (split(path, dir, tmp) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return stat(dir, st);
}

/* Creates path's temp file (its name in tmp): never through a link, never
 * an existing file. Returns the descriptor, or -1 with errno set. */
static int open_temp(const char *path, char *tmp)
{
	char dir[PATH_LEN];
	if (split(path, dir, tmp) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(tmp);
	return open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

int ready_folder_writable(const char *path)
{
	char tmp[PATH_LEN];
	/* Try for real: access(2) says nothing about read-only mounts seen
	 * through a writable-looking mode, or about root. */
	int fd = open_temp(path, tmp);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(tmp);
	return 0;
}

bool ready_folder_unsafe(const struct stat *st)
{
	return (st->st_mode & S_IWOTH) && !(st->st_mode & S_ISVTX);
}

int ready_prepare(const char *path, char *err, size_t errlen)
{
	char dir[PATH_LEN], tmp[PATH_LEN];
	struct stat st;
	int removed = 0;

	if (split(path, dir, tmp) != 0) {
		snprintf(err, errlen, "readiness file '%s': not a usable file path", path);
		return -1;
	}
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "readiness folder '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "readiness folder '%s': not a folder", dir);
		return -1;
	}
	if (ready_folder_writable(path) != 0) {
		snprintf(err, errlen, "readiness folder '%s': cannot create files: %s", dir,
			 strerror(errno));
		return -1;
	}

	/* An emptyDir outlives a container restart: a file from the previous
	 * run would say "ready" for an app that is not. */
	char state[PATH_LEN];
	if (ready_state_path(path, state, sizeof state) != 0) {
		snprintf(err, errlen, "readiness file '%s': path too long", path);
		return -1;
	}
	if (unlink(state) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "readiness state file '%s': cannot remove it: %s", state,
			 errno == EISDIR || errno == EPERM ? "it is a folder" : strerror(errno));
		return -1;
	}
	if (unlink(path) == 0)
		removed = 1;
	else if (errno != ENOENT) {
		snprintf(err, errlen, "readiness file '%s': cannot remove it: %s", path,
			 errno == EISDIR || errno == EPERM ? "it is a folder" : strerror(errno));
		return -1;
	}
	return removed;
}

/* Writes line to path atomically: a temp file beside it, then rename. */
static int write_atomic(const char *path, const char *line, size_t n)
{
	char tmp[PATH_LEN];
	int saved, fd = open_temp(path, tmp);

	if (fd < 0)
		return -1;
	errno = EIO; /* what a short write reports */
	if (fchmod(fd, 0644) != 0 || write(fd, line, n) != (ssize_t)n) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

unsigned long long ready_pidns(void)
{
	struct stat st;
	/* Missing when /proc is not mounted, or mounted for a PID namespace
	 * this process is not in. */
	return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* Adds " KEY=VALUE" to the line of n bytes in buf before its newline.
 * Returns the new length; 0 when it does not fit. */
static size_t add_word(char *buf, size_t len, size_t n, const char *key, unsigned long long value)
{
	if (n == 0 || buf[n - 1] != '\n')
		return 0;
	int k = snprintf(buf + n - 1, len - (n - 1), " %s=%llu\n", key, value);
	return k < 0 || (size_t)k >= len - (n - 1) ? 0 : n - 1 + (size_t)k;
}

/* Adds pidns=: a probe run in another PID namespace (a host shell, a
 * sidecar that does not share the pod's) would find some other process
 * under the same pid, so it must know not to look. */
static size_t add_pidns(char *buf, size_t len, size_t n)
{
	unsigned long long ns = ready_pidns();
	return ns ? add_word(buf, len, n, "pidns", ns) : n;
}

int ready_mark(const char *path, const char *by, pid_t pid, long long since_realtime_ms)
{
	char line[READY_LINE_MAX];
	size_t n = ready_line(line, sizeof line, "ready", by, pid, since_realtime_ms);
	n = add_pidns(line, sizeof line, n);
	return write_atomic(path, line, n);
}

int ready_state(const char *path, const char *state, const char *by, pid_t pid,
		long long since_realtime_ms)
{
	char file[PATH_LEN], line[READY_LINE_MAX];

	if (ready_state_path(path, file, sizeof file) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!state)
		return ready_clear(file);
	/* drainit's own pid too: the app may be gone while drainit drains
	 * what it left, and the probe must not call that stale. */
	size_t n = ready_line(line, sizeof line, state, by, pid, since_realtime_ms);
	n = add_word(line, sizeof line, n, "drainit", (unsigned long long)getpid());
	n = add_pidns(line, sizeof line, n);
	return write_atomic(file, line, n);
}

int ready_clear(const char *path)
{
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	return -1;
}

int ready_empty(const char *path)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fstat(fd, &st) != 0 ? -1 : !S_ISREG(st.st_mode) ? (errno = EINVAL, -1)
	      : ftruncate(fd, 0);
	int err = errno;
	close(fd);
	errno = err;
	return r;
}

/* The first words drainit writes (supervise.c): a line that starts with
 * any other word was not written by drainit. */
static bool known_state(const char *word, size_t n)
{
	static const char *const states[] = { "starting", "ready", "unready", "draining" };
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (strlen(states[i]) == n && memcmp(states[i], word, n) == 0)
			return true;
	return false;
}

/* The digits of a word's value (w bytes at p) into out, at most max.
 * Returns 0, or -1 when they are not digits or exceed max. */
static int digits(const char *p, size_t w, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	for (size_t i = 0; i < w; i++) {
		unsigned d = (unsigned)(p[i] - '0');
		if (p[i] < '0' || p[i] > '9' || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int ready_parse(const char *content, struct ready_info *info)
{
	const char *p = content;
	size_t n;

	memset(info, 0, sizeof *info);
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
	if (!known_state(p, n) || (p[n] != ' ' && p[n] != '\n' && p[n] != '\0'))
		return -1;
	memcpy(info->state, p, n);
	info->state[n] = '\0';
	p += n;
	/* key=value words; words this version does not know are skipped so
	 * that an older probe reads a newer file. */
	while (*p == ' ') {
		p++;
		size_t w = strcspn(p, " \n");
		unsigned long long v;
		if (strncmp(p, "pid=", 4) == 0 || strncmp(p, "drainit=", 8) == 0) {
			bool own = *p == 'd';
			size_t k = own ? 8 : 4;
			if (digits(p + k, w - k, INT_MAX, &v) != 0)
				return -1;
			*(own ? &info->drainit : &info->pid) = (pid_t)v;
		} else if (strncmp(p, "pidns=", 6) == 0) {
			if (digits(p + 6, w - 6, ULLONG_MAX, &info->pidns) != 0)
				return -1;
		} else if (strncmp(p, "since=", 6) == 0 && w - 6 < sizeof info->since) {
			memcpy(info->since, p + 6, w - 6);
			info->since[w - 6] = '\0';
		} else if (!memchr(p, '=', w) && info->by[0] == '\0' && w < sizeof info->by) {
			memcpy(info->by, p, w);
			info->by[w] = '\0';
		}
		p += w;
	}
	if (*p != '\n' && *p != '\0')
		return -1;
	info->ready = strcmp(info->state, "ready") == 0 && info->pid > 0;
	return 0;
}
