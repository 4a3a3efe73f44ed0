#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"

int proc_table_init(struct proc_table *t, size_t cap)
{
	t->v = calloc(cap, sizeof *t->v);
	t->len = 0;
	t->cap = t->v ? cap : 0;
	return t->v ? 0 : -1;
}

void proc_table_free(struct proc_table *t)
{
	free(t->v);
	t->v = NULL;
	t->len = t->cap = 0;
}

int proc_parse_stat(const char *line, struct proc_entry *e)
{
	/* "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and ')' so
	 * it ends at the last ')'. */
	const char *open = strchr(line, '(');
	const char *close = strrchr(line, ')');
	const char *p;
	char *end;
	char state;
	long pid, ppid, pgid;

	if (!open || !close || close < open)
		return -1;
	p = close + 1;
	/* strtol, not sscanf: sscanf alone is 35 KB of the static binary */
	pid = strtol(line, &end, 10);
	if (end == line)
		return -1;
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))  /* isspace, as sscanf's " %c" */
		p++;
	if (*p == '\0')
		return -1;
	state = *p++;
	ppid = strtol(p, &end, 10);
	if (end == p)
		return -1;
	p = end;
	pgid = strtol(p, &end, 10);
	if (end == p)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= PROC_COMM_LEN)
		n = PROC_COMM_LEN - 1;
	memcpy(e->comm, open + 1, n);
	e->comm[n] = '\0';
	e->pid = (pid_t)pid;
	e->ppid = (pid_t)ppid;
	e->pgid = (pid_t)pgid;
	e->state = state;
	return 0;
}

int proc_read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

const char *proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if (proc_read_small(path, buf, len) != 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

int proc_stat(pid_t pid, struct proc_entry *e)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	return proc_read_small(path, line, sizeof line) == 0 && proc_parse_stat(line, e) == 0 ? 0 : -1;
}

int proc_descends(pid_t pid, pid_t root)
{
	struct proc_entry e;

	/* Bounded, in case /proc changes under us into a loop. */
	for (int depth = 0; depth < 4096; depth++) {
		if (pid == root)
			return 1;
		if (pid <= 1)
			return 0;
		if (proc_stat(pid, &e) != 0)
			return -1;
		pid = e.ppid;
	}
	return 0;
}

static int live(const struct proc_entry *e)
{
	return e->state != 'Z' && e->state != 'X';
}

bool proc_gets_stop(const struct proc_entry *e, pid_t self, pid_t app, bool single_child,
		    bool app_exited, pid_t check)
{
	if ((check != 0 && e->pgid == check) || !proc_stoppable(e, self, 0))
		return false;
	if (app_exited)
		return true;
	if (single_child)
		return e->pid == app;
	return e->pgid == app || proc_stoppable(e, self, app);
}

bool proc_stoppable(const struct proc_entry *e, pid_t self, pid_t skip)
{
	if (skip != 0 && e->pgid == skip)
		return false;
	return !(self == 1 && e->ppid == 0);
}

int proc_adopt(struct proc_table *t, const struct proc_entry *e, pid_t root)
{
	int parent_known = e->ppid == root;
	if (!live(e))
		return 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->v[i].pid == e->pid)
			return 0;
		parent_known |= t->v[i].pid == e->ppid;
	}
	if (!parent_known || t->len == t->cap)
		return 0;
	t->v[t->len++] = *e;
	return 1;
}

/* The kernel's layout: every member is there even if unread. */
struct linux_dirent64 {
	unsigned long long d_ino;   // cppcheck-suppress unusedStructMember
	long long d_off;            // cppcheck-suppress unusedStructMember
	unsigned short d_reclen;
	unsigned char d_type;       // cppcheck-suppress unusedStructMember
	char d_name[];
};

/* One pass over /proc; adds every process (self == 1) or the ones
 * proc_adopt takes. Returns how many were added, -1 when /proc is unreadable. */
static int scan_pass(struct proc_table *t, pid_t self)
{
	/* getdents64 into a stack buffer: opendir() would allocate. */
	char buf[8192], path[64], stat[512];
	struct proc_entry e;
	int added = 0;
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			off += d->d_reclen;
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			pid_t pid = (pid_t)atoi(d->d_name);
			if (pid == self)
				continue;
			snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
			errno = 0;
			if (proc_read_small(path, stat, sizeof stat) != 0 || proc_parse_stat(stat, &e) != 0) {
				/* Out of descriptors or memory is not "gone": a list
				 * that silently lacks processes would spare them the
				 * stop signal and the SIGKILL sweep. */
				if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) {
					int err = errno;
					close(fd);
					errno = err;
					return -1;
				}
				continue; /* gone meanwhile */
			}
			if (self != 1)
				added += proc_adopt(t, &e, self);
			else if (t->len < t->cap && live(&e)) {
				t->v[t->len++] = e;
				added++;
			}
		}
	}
	close(fd);
	return added;
}

int proc_is_own(void)
{
	char link[32];
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	return atoi(link) == (int)getpid();
}

int proc_scan_under(struct proc_table *t, pid_t self)
{
	int added, own = proc_is_own();

	t->len = 0;
	if (own < 0)
		return -1;
	if (own == 0) {
		errno = EXDEV;
		return -1;
	}
	/* A process listed before its parent is adopted in the next pass; a
	 * tree of depth d takes d + 1 passes. */
	added = scan_pass(t, self);
	while (added > 0 && self != 1)
		added = scan_pass(t, self);
	return added < 0 ? -1 : 0;
}

bool proc_group_add(struct proc_group *g, size_t *n, size_t max, const char *comm, int kind,
		    pid_t pid)
{
	size_t i = 0;
	while (i < *n && (g[i].kind != kind || strncmp(g[i].comm, comm, PROC_COMM_LEN) != 0))
		i++;
	if (i == *n) {
		if (*n == max)
			return false;
		(*n)++;
		g[i].kind = kind;
		g[i].count = 0;
		snprintf(g[i].comm, sizeof g[i].comm, "%s", comm);
	}
	if (g[i].count < PROC_GROUP_PIDS)
		g[i].pids[g[i].count] = pid;
	g[i].count++;
	return true;
}

const char *proc_group_words(const struct proc_group *g, char *buf, size_t len)
{
	if (g->count == 1) {
		snprintf(buf, len, "pid %d (%s)", (int)g->pids[0], g->comm);
		return buf;
	}
	snprintf(buf, len, "%u processes (%s), pids", g->count, g->comm);
	for (unsigned i = 0; i < g->count && i < PROC_GROUP_PIDS; i++) {
		size_t o = strlen(buf); /* below len: snprintf ends in a NUL */
		snprintf(buf + o, len - o, "%s %d", i ? "," : "", (int)g->pids[i]);
	}
	if (g->count > PROC_GROUP_PIDS) {
		size_t o = strlen(buf);
		snprintf(buf + o, len - o, " and %u more", g->count - PROC_GROUP_PIDS);
	}
	return buf;
}
