#ifndef DRAINIT_READY_H
#define DRAINIT_READY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The readiness file: present if and only if the app is ready. It holds one
 * line, "ready pid=PID since=TIME\n", written atomically (temp file in the
 * same folder, then rename) so a probe never reads half a line. */

#define READY_LINE_MAX 256

/* Checks the folder exists and is writable (by creating and removing a temp
 * file) and removes a stale file. Returns 1 when a stale file was removed,
 * 0 when there was none, or -1 with a reason in err. */
int ready_prepare(const char *path, char *err, size_t errlen);

/* Writes the file. Returns 0, or -1 with errno set. */
int ready_mark(const char *path, pid_t pid, long long since_realtime_ms);

/* Removes the file; a missing file is fine. Returns 0, or -1 with errno set. */
int ready_clear(const char *path);

/* The line for pid and time; pure. */
size_t ready_line(char *buf, size_t len, pid_t pid, long long since_realtime_ms);

struct ready_info {
	bool ready;
	pid_t pid;              /* 0 when absent */
	char since[64];         /* "" when absent */
	char state[32];         /* first word of the line */
};

/* Parses the content of a readiness file; pure. Returns 0, or -1 when the
 * content is not a readiness line. */
int ready_parse(const char *content, struct ready_info *info);

#endif
