#ifndef DRAINIT_LOG_H
#define DRAINIT_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "opt.h"

/* One line per event on stderr, timestamped, as text or JSON lines.
 * Text:  2026-11-29T12:48:25.123Z drainit: info: signal: SIGTERM from ...
 * JSON:  {"time":"...","level":"info","event":"signal","msg":"SIGTERM from ..."}
 * Formats into a stack buffer and writes with one write(2): no allocation,
 * errno preserved, write errors ignored (a closed stderr must not hurt).
 * Writes never block: a log reader that stalls (a full pipe, a terminal
 * stopped with Ctrl-S) costs log lines, counted and reported once the log
 * moves again, never PID 1's work. */

/* A line is cut to this, so that a write to a pipe is all or nothing. */
#define LOG_LINE_MAX 4096

struct log {
	int verbosity;
	enum log_format format;
	int fd;             /* where lines go: a non-blocking reopening of fd when possible */
	bool socket;        /* send(MSG_DONTWAIT) rather than write */
	unsigned dropped;   /* lines lost to a full log since the last report */
};

/* Sets up logging to fd. A pipe or terminal is reopened through /proc as a
 * separate, non-blocking open file, so the app's own stderr stays as it is. */
void log_init(struct log *l, int verbosity, enum log_format format, int fd);

__attribute__((format(printf, 4, 5)))
void log_event(struct log *l, enum verbosity level, const char *event,
	       const char *fmt, ...);

/* s escaped for a JSON string (valid UTF-8, a stray byte becomes U+FFFD)
 * or for a text line (control characters as \n, \t, \xHH); pure. */
size_t log_json_escape(const char *s, char *out, size_t len);
size_t log_text_escape(const char *s, char *out, size_t len);

/* A usage error on stderr, before logging starts: "drainit: error: ERR (see
 * SEE)", on one line whatever the user's values in ERR hold. */
void log_usage_error(const char *err, const char *see);

/* "2026-11-29T12:48:25.123Z" for a CLOCK_REALTIME time in milliseconds. */
void log_timestamp(long long realtime_ms, char *buf, size_t len);

#endif
