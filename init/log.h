#ifndef DRAINIT_LOG_H
#define DRAINIT_LOG_H

#include <stddef.h>

#include "opt.h"

/* One line per event on stderr, timestamped, as text or JSON lines.
 * Text:  2026-11-29T12:48:25.123Z drainit: info: signal: SIGTERM from ...
 * JSON:  {"time":"...","level":"info","event":"signal","msg":"SIGTERM from ..."}
 * Formats into a stack buffer and writes with one write(2): no allocation,
 * errno preserved, write errors ignored (a closed stderr must not hurt). */

struct log {
	int verbosity;
	enum log_format format;
	int fd;
};

void log_init(struct log *l, int verbosity, enum log_format format, int fd);

__attribute__((format(printf, 4, 5)))
void log_event(const struct log *l, enum verbosity level, const char *event,
	       const char *fmt, ...);

/* s escaped for a JSON string (valid UTF-8, a stray byte becomes U+FFFD)
 * or for a text line (control characters as \n, \t, \xHH); pure. */
size_t log_json_escape(const char *s, char *out, size_t len);
size_t log_text_escape(const char *s, char *out, size_t len);

/* "2026-11-29T12:48:25.123Z" for a CLOCK_REALTIME time in milliseconds. */
void log_timestamp(long long realtime_ms, char *buf, size_t len);

#endif
