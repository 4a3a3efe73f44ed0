#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

void log_init(struct log *l, int verbosity, enum log_format format, int fd)
{
	l->verbosity = verbosity;
	l->format = format;
	l->fd = fd;
}

void log_timestamp(long long realtime_ms, char *buf, size_t len)
{
	time_t secs = (time_t)(realtime_ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(realtime_ms % 1000));
}

size_t log_json_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		size_t n;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			n = 2;
		} else if (c == '\n') {
			memcpy(esc, "\\n", 2);
			n = 2;
		} else if (c == '\t') {
			memcpy(esc, "\\t", 2);
			n = 2;
		} else if (c < 0x20 || c == 0x7f) {
			n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", c);
		} else {
			esc[0] = (char)c;
			n = 1;
		}
		if (o + n >= len)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

static const char *level_name(enum verbosity level)
{
	switch (level) {
	case V_ERROR: return "error";
	case V_WARN: return "warning";
	case V_INFO: return "info";
	case V_DEBUG: return "debug";
	}
	return "?";
}

void log_event(const struct log *l, enum verbosity level, const char *event,
	       const char *fmt, ...)
{
	if ((int)level > l->verbosity)
		return;
	int saved = errno;
	char msg[1024], ts[40], line[2400];
	struct timespec now;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	log_timestamp((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000, ts, sizeof ts);

	if (l->format == LOG_JSON) {
		char emsg[2 * sizeof msg];
		log_json_escape(msg, emsg, sizeof emsg);
		n = snprintf(line, sizeof line,
			     "{\"time\":\"%s\",\"level\":\"%s\",\"event\":\"%s\",\"msg\":\"%s\"}\n",
			     ts, level_name(level), event, emsg);
	} else {
		n = snprintf(line, sizeof line, "%s drainit: %s: %s: %s\n", ts,
			     level_name(level), event, msg);
	}
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	/* Errors are dropped: a log that cannot be written must not stop PID 1. */
	for (const char *p = line; n > 0;) {
		ssize_t w = write(l->fd, p, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		n -= (int)w;
	}
	errno = saved;
}
