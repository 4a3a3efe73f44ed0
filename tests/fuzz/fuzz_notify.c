/* Notify datagrams (READY=1, STOPPING=1, STATUS=...) as the notify socket
 * delivers them, and the log escaping the STATUS text then goes through.
 * Input: the datagram. */
#include "cond.h"
#include "fuzz.h"
#include "log.h"

/* Length of the valid UTF-8 sequence at s (0: none), as RFC 3629 has it. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* What goes between the quotes of a JSON string: valid UTF-8, no control
 * characters, every backslash a whole escape. */
static void check_json_body(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		CHECK(p[i] >= 0x20 && p[i] != 0x7f, "control byte 0x%02x at %zu of JSON '%s'", p[i], i, s);
		CHECK(p[i] != '"', "bare quote at %zu of JSON '%s'", i, s);
		if (p[i] == '\\') {
			CHECK(i + 1 < len, "JSON '%s' ends inside an escape", s);
			unsigned char e = p[i + 1];
			if (e == 'u') {
				CHECK(i + 6 <= len, "JSON '%s' ends inside \\u", s);
				for (size_t k = 2; k < 6; k++)
					CHECK(strchr("0123456789abcdef", p[i + k]) && p[i + k],
					      "bad \\u escape in JSON '%s'", s);
				i += 6;
			} else {
				CHECK(strchr("\"\\nrt", e) && e, "bad escape \\%c in JSON '%s'", e, s);
				i += 2;
			}
			continue;
		}
		size_t n = utf8_seq(p + i, len - i);
		CHECK(n > 0, "invalid UTF-8 at %zu of JSON '%s'", i, s);
		i += n;
	}
}

/* A text log line keeps every byte but the control characters, which
 * become \n, \t, \r or \xHH: nothing may break the line. */
static void check_text_body(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		CHECK(ch >= 0x20 && ch != 0x7f, "control byte 0x%02x at %zu of text '%s'", ch, i, s);
	}
}

typedef size_t (*escape_fn)(const char *, char *, size_t);

/* One escape of s into an out buffer of exactly len bytes: a whole line,
 * and, when cut short, a prefix of the whole escape that stops at a whole
 * unit (one byte, one UTF-8 sequence or one escape: at most `unit` bytes). */
static void check_escape(escape_fn fn, bool json, const char *s, size_t len)
{
	size_t slen = strlen(s), unit = json ? 6 : 4, full_len = unit * slen + 1;
	char *full = malloc(full_len), *out = malloc(len);
	if (!full || !out)
		abort();
	size_t fn_full = fn(s, full, full_len);
	CHECK(fn_full < full_len && strlen(full) == fn_full && fn_full >= slen,
	      "escape of %zu bytes gave %zu with room for %zu", slen, fn_full, full_len);
	size_t n = fn(s, out, len);
	CHECK(n < len && strlen(out) == n, "escape returned %zu for %zu bytes of room", n, len);
	CHECK(n <= fn_full && memcmp(out, full, n) == 0, "cut escape is not a prefix of the whole");
	CHECK(n == fn_full || n + unit >= len, "escape stopped at %zu of %zu with room for %zu", n,
	      fn_full, len);
	if (json) {
		check_json_body(full, fn_full);
		check_json_body(out, n);
	} else {
		check_text_body(full, fn_full);
		check_text_body(out, n);
	}
	free(out);
	free(full);
}

static void check_escapes(const char *s, size_t len)
{
	/* no room at all: nothing written */
	char none = 0x5a;
	CHECK(log_json_escape(s, &none, 0) == 0 && log_text_escape(s, &none, 0) == 0 && none == 0x5a,
	      "an escape wrote into no room");
	check_escape(log_json_escape, true, s, len);
	check_escape(log_text_escape, false, s, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dgram = fz_mem(data, size);
	struct notify_msg m;

	cond_notify_parse(dgram, size, &m);
	CHECK(!(m.ready && m.stopping), "both READY=1 and STOPPING=1");
	CHECK(fz_terminated(m.status, sizeof m.status), "status not terminated");
	CHECK(m.has_status || m.status[0] == '\0', "a status without STATUS=");

	/* The last READY=1 or STOPPING=1 wins: find it by hand. */
	bool ready = false, stopping = false, has_status = false;
	for (size_t i = 0; i < size;) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : size - i;
		if (n == 7 && memcmp(data + i, "READY=1", 7) == 0)
			ready = true, stopping = false;
		else if (n == 10 && memcmp(data + i, "STOPPING=1", 10) == 0)
			stopping = true, ready = false;
		else if (n >= 7 && memcmp(data + i, "STATUS=", 7) == 0)
			has_status = true;
		i += n + 1;
	}
	CHECK(m.ready == ready && m.stopping == stopping && m.has_status == has_status,
	      "ready %d/%d stopping %d/%d status %d/%d", m.ready, ready, m.stopping, stopping,
	      m.has_status, has_status);

	/* The STATUS text as checks.c logs it: the full log line's room, and
	 * a tight one to see that escapes are never cut in half. */
	check_escapes(m.status, 4096);
	check_escapes(m.status, 1 + (size % 23));

	/* The whole datagram as a string through the escapes too. */
	char *s = fz_str(data, size);
	check_escapes(s, 4096);
	check_escapes(s, 1 + (size % 31));
	free(s);
	free(dgram);
	return 0;
}
