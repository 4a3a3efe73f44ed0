#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

void log_init(struct log *l, int verbosity, enum log_format format, int fd)
{
	struct stat st;
	char path[40];

	l->phase = NULL;
	l->verbosity = verbosity;
	l->format = format;
	l->fd = fd;
	l->socket = false;
	l->dropped = 0;
	if (fstat(fd, &st) != 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		l->socket = true;
	} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		/* O_NONBLOCK on fd itself would change the app's stderr too. */
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		int own = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (own >= 0)
			l->fd = own;
	}
}

/* Writes one whole line or nothing more than the kernel took; false when
 * the log would block or is broken. */
static bool put(const struct log *l, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = l->socket ? send(l->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL)
				      : write(l->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static long long floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The proleptic Gregorian date of day z after 1970-01-01, by 400-year eras
 * counted from March 1st (so the leap day ends a year). Not gmtime_r:
 * glibc's loads the time zone, which a UTC timestamp does not need, and
 * pulls sscanf and strtod into the static binary. */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	z += 719468;                                /* days from 0000-03-01 */
	long long era = floor_div(z, 146097);
	unsigned doe = (unsigned)(z - era * 146097);           /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                     /* March = 0 */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

void log_timestamp(long long realtime_ms, char *buf, size_t len)
{
	long long secs = floor_div(realtime_ms, 1000);
	long long days = floor_div(secs, 86400), sod = secs - days * 86400;
	long long y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", y, m, d,
		 sod / 3600, sod / 60 % 60, sod % 60, realtime_ms - secs * 1000);
}

/* Length of the valid UTF-8 sequence at s, or 0 when there is none. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (s[0] >= 0xf5)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* Escapes s for one log line: control characters never break the line
 * (an argument holding a newline must not forge a log line). JSON also
 * needs quotes and backslashes escaped, and valid UTF-8: a stray byte
 * becomes U+FFFD. */
static size_t escape(const char *s, char *out, size_t len, bool json)
{
	size_t o = 0;
	if (len == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		char esc[8];
		size_t n = 1;
		const char *src = esc;
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			esc[0] = '\\';
			// cppcheck-suppress unreadVariable ; read through src
			esc[1] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
			n = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			n = (size_t)snprintf(esc, sizeof esc, json ? "\\u%04x" : "\\x%02x", *p);
		} else if (json && (*p == '"' || *p == '\\')) {
			esc[0] = '\\';
			// cppcheck-suppress unreadVariable ; read through src
			esc[1] = (char)*p;
			n = 2;
		} else if (json && *p >= 0x80) {
			n = utf8_len(p);
			if (n == 0) {
				src = "\\ufffd";
				n = 6;
				p++;
				goto copy;
			}
			src = (const char *)p;
			p += n;
			goto copy;
		} else {
			// cppcheck-suppress unreadVariable ; read through src
			esc[0] = (char)*p;
		}
		p++;
copy:
		if (o + n >= len)
			break;
		memcpy(out + o, src, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

size_t log_json_escape(const char *s, char *out, size_t len)
{
	return escape(s, out, len, true);
}

size_t log_text_escape(const char *s, char *out, size_t len)
{
	return escape(s, out, len, false);
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

/* The facts as JSON fields, each ",\"key\":value", in the order of
 * log.h; strings escaped and cut at a whole escape. */
static void json_facts(const struct log *l, const struct log_facts *f, char *out, size_t len)
{
	static const char *const keys[] = { "pid", "from_pid", "from_uid", "exit_code", "count",
					    "delay_ms", "drain_ms", "total_ms", "budget_ms" };
	char esc[64];
	size_t o = 0;

	out[0] = '\0';
	if (l->phase)
		o += (size_t)snprintf(out + o, len - o, ",\"phase\":\"%s\"", l->phase);
	if (!f)
		return;
	const long long v[] = { f->pid, f->from_pid, f->from_uid, f->exit_code, f->count,
				f->delay_ms, f->drain_ms, f->total_ms, f->budget_ms };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0] && o < len; i++)
		if (f->set & (1u << i))
			o += (size_t)snprintf(out + o, len - o, ",\"%s\":%lld", keys[i], v[i]);
	if (f->comm && o < len) {
		log_json_escape(f->comm, esc, sizeof esc);
		o += (size_t)snprintf(out + o, len - o, ",\"comm\":\"%s\"", esc);
	}
	if (f->signal && o < len) {
		log_json_escape(f->signal, esc, sizeof esc);
		snprintf(out + o, len - o, ",\"signal\":\"%s\"", esc);
	}
}

/* Formats one line into out (at most LOG_LINE_MAX bytes, always ending in a
 * newline). The escaped message stops at a whole escape and leaves room for
 * the rest, so a JSON line is never cut inside its string. */
static size_t format_line(const struct log *l, const struct log_facts *f, const char *ts,
			  enum verbosity level, const char *event, const char *msg, char *out)
{
	char emsg[LOG_LINE_MAX - 640], facts[384];
	int n;

	if (l->format == LOG_JSON) {
		log_json_escape(msg, emsg, sizeof emsg);
		json_facts(l, f, facts, sizeof facts);
		n = snprintf(out, LOG_LINE_MAX,
			     "{\"time\":\"%s\",\"level\":\"%s\",\"event\":\"%s\",\"msg\":\"%s\"%s}\n",
			     ts, level_name(level), event, emsg, facts);
	} else {
		log_text_escape(msg, emsg, sizeof emsg);
		n = snprintf(out, LOG_LINE_MAX, "%s drainit: %s: %s: %s\n", ts, level_name(level),
			     event, emsg);
	}
	if (n < 0)
		return 0;
	if (n >= LOG_LINE_MAX) {
		n = LOG_LINE_MAX - 1;
		out[n - 1] = '\n';
	}
	return (size_t)n;
}

static void vlog(struct log *l, const struct log_facts *f, enum verbosity level,
		 const char *event, const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[1024], ts[40], line[LOG_LINE_MAX];
	struct timespec now;
	size_t n;

	vsnprintf(msg, sizeof msg, fmt, ap);
	clock_gettime(CLOCK_REALTIME, &now);
	log_timestamp((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000, ts, sizeof ts);

	/* Report lines lost to a stalled reader first, once it reads again. */
	if (l->dropped) {
		char note[96];
		snprintf(note, sizeof note, "%u line%s dropped: the log was not being read",
			 l->dropped, l->dropped == 1 ? "" : "s");
		n = format_line(l, NULL, ts, V_WARN, "log", note, line);
		if (put(l, line, n))
			l->dropped = 0;
	}
	n = format_line(l, f, ts, level, event, msg, line);
	/* Errors are dropped: a log that cannot be written must not stop PID 1. */
	if (!put(l, line, n) && (errno == EAGAIN || errno == EWOULDBLOCK))
		l->dropped++;
	errno = saved;
}

void log_event(struct log *l, enum verbosity level, const char *event, const char *fmt, ...)
{
	va_list ap;
	if ((int)level > l->verbosity)
		return;
	va_start(ap, fmt);
	vlog(l, NULL, level, event, fmt, ap);
	va_end(ap);
}

void log_facts(struct log *l, const struct log_facts *f, enum verbosity level,
	       const char *event, const char *fmt, ...)
{
	va_list ap;
	if ((int)level > l->verbosity)
		return;
	va_start(ap, fmt);
	vlog(l, f, level, event, fmt, ap);
	va_end(ap);
}

void log_usage_error(const char *err, const char *see)
{
	char safe[2048];
	log_text_escape(err, safe, sizeof safe);
	fprintf(stderr, "drainit: error: %s (see %s)\n", safe, see);
}
