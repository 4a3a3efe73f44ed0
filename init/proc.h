#ifndef DRAINIT_PROC_H
#define DRAINIT_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* The processes under drainit, read from /proc without allocating: as PID 1
 * every other process of the namespace, otherwise every descendant. */

#define PROC_COMM_LEN 16

struct proc_entry {
	pid_t pid;
	pid_t ppid;
	pid_t pgid;
	char state;             /* R, S, D, Z, ... as in /proc/PID/stat */
	char comm[PROC_COMM_LEN];
	int mark;               /* the caller's: the stop report keeps its verdict here */
};

struct proc_table {
	struct proc_entry *v;   /* allocated once by proc_table_init */
	size_t len, cap;
};

int proc_table_init(struct proc_table *t, size_t cap);
void proc_table_free(struct proc_table *t);

/* Whether /proc is this process's PID namespace's: 1 yes, 0 it belongs to
 * another (started with unshare --pid but no --mount-proc), whose pids
 * name other processes; -1 when there is no /proc to tell. */
int proc_is_own(void);

/* Fills t with the live processes under self, which need not be the
 * caller (all but self when self is 1;
 * zombies are left out: they have exited and only wait to be reaped).
 * Not as PID 1, /proc is read in passes, each adopting the children of what
 * is known, so unrelated processes never take room in t. Fails with EXDEV
 * when /proc belongs to another PID namespace, whose pids would name other
 * processes. */
int proc_scan_under(struct proc_table *t, pid_t self);

/* Appends e when it is live, a descendant of root as far as t knows (its
 * parent is root or already in t) and not in t yet. Returns 1 when added;
 * pure. */
int proc_adopt(struct proc_table *t, const struct proc_entry *e, pid_t root);

/* Whether a listed process is drainit's to signal one by one: not a member
 * of process group skip (0: none; that group was signalled as a whole), and,
 * for drainit as PID 1 (self 1), not a process entered from outside the
 * namespace (docker exec, an exec probe), whose parent pid reads 0. Pure. */
bool proc_stoppable(const struct proc_entry *e, pid_t self, pid_t skip);

/* Whether a listed process gets the stop signal, as send_stop sends it:
 * the app's process group (with single_child the app alone) and each
 * stoppable process outside it; once the app has exited, every stoppable
 * process. Never a readiness check's process group (check, 0: none). Pure. */
bool proc_gets_stop(const struct proc_entry *e, pid_t self, pid_t app, bool single_child,
		    bool app_exited, pid_t check);

/* A small /proc file (one read) into buf, NUL-terminated: 0, or -1 when
 * it cannot be opened or reads empty. */
int proc_read_small(const char *path, char *buf, size_t len);

/* The command name of pid ("?" when gone); works on zombies too. */
const char *proc_comm(pid_t pid, char *buf, size_t len);

/* Reads /proc/PID/stat (zombies too). Returns 0, or -1 when pid is gone. */
int proc_stat(pid_t pid, struct proc_entry *e);

/* Whether pid is root or a descendant of it: 1 yes, 0 no, -1 when pid is
 * gone and nobody can tell. */
int proc_descends(pid_t pid, pid_t root);

/* Processes alike, for one log line instead of one each: the same name
 * and the same verdict (a number the caller gives meaning to). */
#define PROC_GROUP_PIDS 5
struct proc_group {
	char comm[PROC_COMM_LEN];
	int kind;
	unsigned count;
	pid_t pids[PROC_GROUP_PIDS]; /* the first ones */
};

/* Counts pid in the group of (comm, kind) among g[0..*n), or in a new one
 * while *n < max. False when it fits in none. Pure. */
bool proc_group_add(struct proc_group *g, size_t *n, size_t max, const char *comm, int kind,
		    pid_t pid);

/* "pid 4 (java)" for one, else "3000 processes (sleep), pids 3, 4, 5, 6, 7
 * and 2995 more"; pure. */
const char *proc_group_words(const struct proc_group *g, char *buf, size_t len);

/* Parses one /proc/PID/stat line; pure. Returns 0 on success. */
int proc_parse_stat(const char *line, struct proc_entry *e);

#endif
