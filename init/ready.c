#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ready.h"

#define PATH_LEN 4096

/* The file name in path: what follows the last '/'. */
static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The folder of path into dir (PATH_LEN bytes). Returns 0, or -1 when it
 * does not fit or path names no file (ends in '/'). */
static int dir_of(const char *path, char *dir)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (!slash)
		n = snprintf(dir, PATH_LEN, ".");
	else if (slash == path)
		n = snprintf(dir, PATH_LEN, "/");
	else
		n = snprintf(dir, PATH_LEN, "%.*s", (int)(slash - path), path);
	return n < 0 || n >= PATH_LEN || *base_of(path) == '\0' ? -1 : 0;
}

void ready_temp_name(const char *name, pid_t pid, char *buf, size_t len)
{
	/* The name a person recognises when it fits in a file name; else a
	 * short one, so that any name the folder accepts can be written. The
	 * same name every time for the same file and pid, so that one a
	 * crash left behind is removed by the next write. */
	int n = snprintf(buf, len, ".%s.%d.tmp", name, (int)pid);
	if (n >= 0 && (size_t)n < len && n <= NAME_MAX)
		return;
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	snprintf(buf, len, ".drainit.%d.%016llx.tmp", (int)pid, (unsigned long long)h);
}

const char *ready_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a folder";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symbolic link";
	default: return "a file of unknown type";
	}
}

bool ready_ours(const char *content, size_t n)
{
	char line[READY_LINE_MAX + 1];
	struct ready_info info;

	if (n == 0)
		return true; /* what ready_empty leaves */
	if (n > READY_LINE_MAX || memchr(content, '\0', n))
		return false;
	const char *nl = memchr(content, '\n', n);
	if (nl && nl != content + n - 1)
		return false; /* one line, nothing after it */
	memcpy(line, content, n);
	line[n] = '\0';
	return ready_parse(line, &info) == 0;
}

size_t ready_line(char *buf, size_t len, const char *state, const char *by, pid_t pid,
		  long long since_realtime_ms)
{
	char ts[40];
	log_timestamp(since_realtime_ms, ts, sizeof ts);
	int n = snprintf(buf, len, "%s %s pid=%d since=%s\n", state, by ? by : "-", (int)pid, ts);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

int ready_status_path(const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", path, READY_STATE_SUFFIX);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int ready_folder_stat(const char *path, struct stat *st)
{
	char dir[PATH_LEN];
	if (dir_of(path, dir) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return stat(dir, st);
}

/* The folder of path, opened to work in: a descriptor that names the
 * folder itself, whatever its path names later. -1 with errno set. */
static int open_folder(const char *path)
{
	char dir[PATH_LEN];
	if (dir_of(path, dir) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The folder to write file in, from *dirp as ready.h says: *opened is the
 * descriptor to close afterwards, or -1. Returns -1 with errno set. */
static int writing_folder(int *dirp, const char *file, int *opened)
{
	struct stat st;

	*opened = -1;
	if (!dirp)
		return *opened = open_folder(file);
	if (*dirp >= 0) {
		if (fstat(*dirp, &st) == 0 && st.st_nlink > 0)
			return *dirp;
		/* Removed, maybe made again: only the path can find it now. */
		close(*dirp);
	}
	return *dirp = open_folder(file);
}

/* Creates the temp file for name in dir (its name into tmp, NAME_MAX + 1
 * bytes): never through a link, never an existing file. Returns the
 * descriptor, or -1 with errno set. */
static int open_temp(int dir, const char *name, char *tmp)
{
	ready_temp_name(name, getpid(), tmp, NAME_MAX + 1);
	unlinkat(dir, tmp, 0);
	return openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

int ready_folder_writable(int dir, const char *path)
{
	char tmp[NAME_MAX + 1];
	int opened = dir < 0 ? (dir = open_folder(path)) : -1;
	if (dir < 0)
		return -1;
	/* Try for real: access(2) says nothing about read-only mounts seen
	 * through a writable-looking mode, or about root. */
	int fd = open_temp(dir, base_of(path), tmp), err = errno;
	if (fd >= 0) {
		close(fd);
		unlinkat(dir, tmp, 0);
	}
	if (opened >= 0)
		close(opened);
	errno = err;
	return fd < 0 ? -1 : 0;
}

bool ready_folder_unsafe(const struct stat *st)
{
	return (st->st_mode & S_IWOTH) && !(st->st_mode & S_ISVTX);
}

/* What is at name in dir: 0 nothing, 1 drainit's own (a readiness or
 * state line, an empty file, or a symbolic link: removing a link loses
 * nothing but the link), 2 something else, named in *what; -1 with errno
 * set when it cannot tell. Never opens anything but a regular file, and
 * that without blocking. */
static int whose(int dir, const char *name, const char **what)
{
	char buf[READY_LINE_MAX + 1];
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	*what = ready_kind(st.st_mode);
	if (S_ISLNK(st.st_mode))
		return 1;
	if (!S_ISREG(st.st_mode))
		return 2;
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	ssize_t n = fstat(fd, &st) != 0 ? -1 : !S_ISREG(st.st_mode) ? -2
		  : read(fd, buf, sizeof buf);
	int err = errno;
	close(fd);
	errno = err;
	if (n == -2) {
		*what = ready_kind(st.st_mode); /* replaced between the two looks */
		return 2;
	}
	if (n < 0)
		return -1;
	*what = "a regular file that is not a readiness file";
	return ready_ours(buf, (size_t)n) ? 1 : 2;
}

/* Removes file (its name, in dir) if it is drainit's: 0 removed or absent,
 * 1 left there (not drainit's), -1 with errno set. */
static int remove_own(int dir, const char *file)
{
	const char *what;
	int opened = dir < 0 ? (dir = open_folder(file)) : -1, r;

	if (dir < 0)
		return errno == ENOENT ? 0 : -1; /* no folder, no file */
	r = whose(dir, base_of(file), &what);
	if (r == 1)
		r = unlinkat(dir, base_of(file), 0) == 0 || errno == ENOENT ? 0 : -1;
	else if (r == 2)
		r = 1;
	int err = errno;
	if (opened >= 0)
		close(opened);
	errno = err;
	return r;
}

int ready_prepare(const char *path, int *dirp, char *err, size_t errlen)
{
	char dir[PATH_LEN], state[PATH_LEN];
	const char *base = base_of(path), *what = "";
	struct stat st;
	int fd;

	if (dirp)
		*dirp = -1;
	if (dir_of(path, dir) != 0) {
		snprintf(err, errlen, "readiness file '%s': not a usable file path", path);
		return -1;
	}
	if (ready_status_path(path, state, sizeof state) != 0) {
		snprintf(err, errlen, "readiness file '%s': path too long", path);
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
	if ((fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "readiness folder '%s': %s", dir, strerror(errno));
		return -1;
	}
	long max = fpathconf(fd, _PC_NAME_MAX);
	if (max <= 0)
		max = NAME_MAX;
	size_t len = strlen(base);
	if ((long)(len + sizeof READY_STATE_SUFFIX - 1) > max) {
		snprintf(err, errlen, "--ready-file %s: a name of %zu bytes, and %zu for the state file "
			 "beside it (NAME%s), more than the folder allows (%ld): use a name of at most "
			 "%ld bytes", path, len, len + sizeof READY_STATE_SUFFIX - 1, READY_STATE_SUFFIX,
			 max, max - (long)(sizeof READY_STATE_SUFFIX - 1));
		goto fail;
	}

	/* An emptyDir outlives a container restart: a file from the previous
	 * run would say "ready" for an app that is not. Only drainit's own
	 * goes: a path given by mistake must not cost anyone a file. */
	const char *const files[2] = { state, path };
	int own[2];
	for (int i = 0; i < 2; i++) {
		const char *name = base_of(files[i]);
		own[i] = whose(fd, name, &what);
		char at[PATH_LEN + 32] = "";
		if (i == 0)
			snprintf(at, sizeof at, "its state file %s: ", state);
		if (own[i] < 0) {
			snprintf(err, errlen, "--ready-file %s: %scannot tell what is there: %s", path, at,
				 strerror(errno));
			goto fail;
		}
		if (own[i] == 2) {
			snprintf(err, errlen, "--ready-file %s: %s%s is there; drainit removes only its "
				 "own (choose another path)", path, at, what);
			goto fail;
		}
	}
	if (ready_folder_writable(fd, path) != 0) {
		snprintf(err, errlen, "readiness folder '%s': cannot create files: %s", dir,
			 strerror(errno));
		goto fail;
	}
	for (int i = 0; i < 2; i++)
		if (own[i] == 1 && unlinkat(fd, base_of(files[i]), 0) != 0 && errno != ENOENT) {
			snprintf(err, errlen, "%s '%s': cannot remove it: %s",
				 i == 0 ? "readiness state file" : "readiness file", files[i], strerror(errno));
			goto fail;
		}
	if (dirp)
		*dirp = fd;
	else
		close(fd);
	return own[1] == 1;
fail:
	close(fd);
	return -1;
}

/* Writes line to file atomically: a temp file beside it, then rename. */
static int write_atomic(int *dirp, const char *file, const char *line, size_t n)
{
	char tmp[NAME_MAX + 1];
	int opened, saved, fd = -1, r = -1;
	int dir = writing_folder(dirp, file, &opened);

	if (dir < 0)
		return -1;
	/* The rename would replace whatever is there: never someone's file. */
	const char *what;
	if (whose(dir, base_of(file), &what) == 2) {
		errno = EEXIST;
		goto out;
	}
	if ((fd = open_temp(dir, base_of(file), tmp)) < 0)
		goto out;
	errno = EIO; /* what a short write reports */
	if (fchmod(fd, 0644) != 0 || write(fd, line, n) != (ssize_t)n) {
		saved = errno;
		close(fd);
		unlinkat(dir, tmp, 0);
		errno = saved;
		goto out;
	}
	if (close(fd) != 0 || renameat(dir, tmp, dir, base_of(file)) != 0) {
		saved = errno;
		unlinkat(dir, tmp, 0);
		errno = saved;
		goto out;
	}
	r = 0;
out:
	saved = errno;
	if (opened >= 0)
		close(opened);
	errno = saved;
	return r;
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

int ready_mark(int *dir, const char *path, const char *by, pid_t pid, long long since_realtime_ms)
{
	char line[READY_LINE_MAX];
	size_t n = ready_line(line, sizeof line, "ready", by, pid, since_realtime_ms);
	n = add_pidns(line, sizeof line, n);
	return write_atomic(dir, path, line, n);
}

int ready_status(int *dir, const char *path, const char *state, const char *by, pid_t pid,
		long long since_realtime_ms)
{
	char file[PATH_LEN], line[READY_LINE_MAX];

	if (ready_status_path(path, file, sizeof file) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!state)
		return remove_own(dir ? *dir : -1, file);
	/* drainit's own pid too: the app may be gone while drainit drains
	 * what it left, and the probe must not call that stale. */
	size_t n = ready_line(line, sizeof line, state, by, pid, since_realtime_ms);
	n = add_word(line, sizeof line, n, "drainit", (unsigned long long)getpid());
	n = add_pidns(line, sizeof line, n);
	return write_atomic(dir, file, line, n);
}

int ready_clear(int dir, const char *path)
{
	return remove_own(dir, path);
}

int ready_empty(int dir, const char *path)
{
	char buf[READY_LINE_MAX + 1];
	struct stat st;
	ssize_t n;
	int opened = dir < 0 ? (dir = open_folder(path)) : -1;
	int fd = dir < 0 ? -1
	       : openat(dir, base_of(path), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int r = fd < 0 || fstat(fd, &st) != 0 ? -1
	      : !S_ISREG(st.st_mode) ? (errno = EINVAL, -1)
	      : (n = read(fd, buf, sizeof buf)) < 0 ? -1
	      : !ready_ours(buf, (size_t)n) ? (errno = EINVAL, -1) /* not drainit's: never emptied */
	      : ftruncate(fd, 0);
	int err = errno;
	if (fd >= 0)
		close(fd);
	if (opened >= 0)
		close(opened);
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
