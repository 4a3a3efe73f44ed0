#ifndef DRAINIT_READY_H
#define DRAINIT_READY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The readiness file: present if and only if the app is ready. It holds one
 * line, "ready COND pid=PID since=TIME pidns=INODE\n" (COND: what made the
 * app ready, e.g. tcp:8080; INODE: the PID namespace PID means something in,
 * left out when /proc cannot tell), written atomically (temp file in the
 * same folder, then rename) so a probe never reads half a line. Beside it,
 * PATH.state always says where drainit is, in the same form plus
 * drainit=PID (its own pid) before pidns=:
 * "starting tcp:8080 pid=7 since=... drainit=1 pidns=4026532451"
 * until ready, "ready ...", "unready ..." after failed rechecks, "draining ..."
 * from SIGTERM or the app's exit on; drainit removes both when it exits. */

#define READY_LINE_MAX 256
#define READY_STATE_SUFFIX ".state"

/* The readiness folder is worked in through a descriptor (DIR below), so
 * that a folder swapped later through a symbolic link in the path is not
 * where drainit writes or withdraws: the file goes where it was written.
 * Functions that take int *dir: NULL opens the folder for the one call;
 * -1 opens it and keeps it there; a folder removed since (made again or
 * not) is opened again by its path. Functions that take int dir: -1 opens
 * the folder for the one call. */

/* Checks the folder exists and is writable (by creating and removing a temp
 * file) and that the file's name and PATH.state's fit in it, and removes
 * stale files: only drainit's own (see ready_ours; a symbolic link, which
 * it never follows, goes too); anything else at PATH or PATH.state is an
 * error, left as it is. The folder's descriptor into *dir (when dir is not
 * NULL; -1 on error). Returns 1 when a stale readiness file was removed, 0
 * when there was none, or -1 with a reason in err. */
int ready_prepare(const char *path, int *dir, char *err, size_t errlen);

/* The readiness folder's status. Returns 0, or -1 with errno set. */
int ready_folder_stat(const char *path, struct stat *st);

/* Whether files can be created in the readiness folder, tried with a temp
 * file. Returns 0, or -1 with errno set. */
int ready_folder_writable(int dir, const char *path);

/* A folder anyone may write to without the sticky bit: anyone can replace
 * the readiness file there. Pure. */
bool ready_folder_unsafe(const struct stat *st);

/* Writes the readiness file; never over something that is not drainit's
 * (EEXIST, see ready_ours). Returns 0, or -1 with errno set. */
int ready_mark(int *dir, const char *path, const char *by, pid_t pid, long long since_realtime_ms);

/* Removes the file if it is drainit's own. Returns 0 when removed or
 * absent, 1 when something else is there (left), or -1 with errno set. */
int ready_clear(int dir, const char *path);

/* Empties drainit's own file in place (a regular file, not through a
 * symbolic link), which no probe takes for ready: for a folder that can no
 * longer be written, where the file cannot be removed. Returns 0, or -1
 * with errno set (EINVAL: not a regular file, or not drainit's). */
int ready_empty(int dir, const char *path);

/* Writes PATH.state with STATE, as ready_mark writes; removes it when state is NULL, as
 * ready_clear does (returns 1 when what is there is not drainit's).
 * Returns 0, or -1 with errno set. */
int ready_status(int *dir, const char *path, const char *state, const char *by, pid_t pid,
		long long since_realtime_ms);

/* Whether content (n bytes, a file's whole content) is drainit's own: one
 * line ready_parse accepts, or nothing (what ready_empty leaves). Pure. */
bool ready_ours(const char *content, size_t n);

/* What a file of this mode is, for a message: "a FIFO", "a folder"... Pure. */
const char *ready_kind(mode_t mode);

/* The name of the temp file written before the rename into NAME (a file
 * name, no folder): ".NAME.PID.tmp", or, where that would be longer than a
 * file name may be (NAME_MAX), ".drainit.PID.HASH.tmp". Pure. */
void ready_temp_name(const char *name, pid_t pid, char *buf, size_t len);

/* PATH.state into buf; -1 when it does not fit. */
int ready_status_path(const char *path, char *buf, size_t len);

/* The line "STATE BY pid=PID since=TIME\n", without the words the files
 * add (drainit=, pidns=); pure. */
size_t ready_line(char *buf, size_t len, const char *state, const char *by, pid_t pid,
		  long long since_realtime_ms);

struct ready_info {
	bool ready;
	pid_t pid;              /* the app; 0 when absent */
	pid_t drainit;          /* drainit itself (state file); 0 when absent */
	char since[64];         /* "" when absent */
	char state[32];         /* first word of the line */
	char by[128];           /* the condition word, "" when absent */
	unsigned long long pidns; /* the PID namespace of the pids; 0 when absent */
};

/* Parses the content of a readiness or state file; pure. Returns 0, or -1
 * when the content is not such a line: one of the states drainit writes
 * (starting, ready, unready, draining), then words after spaces up to a
 * newline or the end, where pid=, drainit= and pidns= hold digits (or
 * nothing), other KEY=VALUE words are skipped and the first other word is
 * BY. */
int ready_parse(const char *content, struct ready_info *info);

/* The PID namespace this process runs in (the inode of /proc/self/ns/pid),
 * or 0 when /proc cannot tell. */
unsigned long long ready_pidns(void);

#endif
