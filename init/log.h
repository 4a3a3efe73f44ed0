#ifndef DRAINIT_LOG_H
#define DRAINIT_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* One line per event on stderr, timestamped, as text or JSON lines.
 * Text:  2026-11-29T12:48:25.123Z drainit: info: signal: SIGTERM from ...
 * JSON:  {"time":"...","level":"info","event":"signal","msg":"SIGTERM from ..."}
 * Formats into a stack buffer and writes with one write(2): no allocation,
 * errno preserved, write errors ignored (a closed stderr must not hurt).
 * Writes never block: a log reader that stalls (a full pipe, a terminal
 * stopped with Ctrl-S) costs log lines, counted and reported once the log
 * moves again, never PID 1's work. */

enum verbosity { V_ERROR, V_WARN, V_INFO, V_DEBUG };
enum log_format { LOG_TEXT, LOG_JSON };

/* A line is cut to this, so that a write to a pipe is all or nothing. */
#define LOG_LINE_MAX 4096

struct log {
	const char *phase;  /* the lifecycle's phase for JSON lines; NULL: none */
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

/* Facts that a JSON line carries as fields of their own beside "msg", so a
 * log pipeline can filter on them; the text line says them in its words.
 * Numbers count when their LF_ bit is in set; strings when not NULL. The
 * keys are stable (drainit(8), LOGGING), written in this order after
 * "phase". */
enum {
	LF_PID = 1 << 0,        /* "pid": the process the line is about */
	LF_FROM_PID = 1 << 1,   /* "from_pid", "from_uid": a signal's sender */
	LF_FROM_UID = 1 << 2,
	LF_EXIT_CODE = 1 << 3,  /* "exit_code": as a shell reports it */
	LF_COUNT = 1 << 4,      /* "count": processes a line is about */
	LF_DELAY_MS = 1 << 5,   /* "delay_ms", "drain_ms", "total_ms", "budget_ms" */
	LF_DRAIN_MS = 1 << 6,
	LF_TOTAL_MS = 1 << 7,
	LF_BUDGET_MS = 1 << 8,
};
struct log_facts {
	unsigned set;
	long long pid, from_pid, from_uid, exit_code, count;
	long long delay_ms, drain_ms, total_ms, budget_ms;
	const char *comm;       /* "comm": the process's name */
	const char *signal;     /* "signal": a signal's name, "SIGTERM" */
};

/* log_event with facts (NULL: none). */
__attribute__((format(printf, 5, 6)))
void log_facts(struct log *l, const struct log_facts *f, enum verbosity level,
	       const char *event, const char *fmt, ...);

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
