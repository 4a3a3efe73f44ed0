/* Readiness conditions (--ready-when) and the bytes their checks read.
 * Input: COND [NUL RESPONSE]. COND goes to cond_parse; RESPONSE, the first
 * bytes of an HTTP answer, to cond_http_status; the whole input, as one
 * datagram, to cond_notify_parse. */
#include "cond_check.h"

static void check_http_status(const char *buf, size_t len)
{
	int code = cond_http_status(buf, len);
	CHECK(code == -1 || code == 0 || (code >= 100 && code <= 599), "status %d", code);
	CHECK(code != 0 || len < 13, "asks for more bytes with %zu in hand", len);
	if (len > 13) {
		/* decided by "HTTP/x.y NNN" and the byte after */
		int first = cond_http_status(buf, 13);
		CHECK(code == first, "status %d with %zu bytes, %d with the first 13", code, len, first);
	}
	if (code > 0) {
		CHECK(len >= 13 && memcmp(buf, "HTTP/", 5) == 0, "status %d from '%.*s'", code,
		      (int)len, buf);
		CHECK(code == (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0'),
		      "status %d from '%.13s'", code, buf);
	}
	/* a prefix never decides otherwise: more bytes only settle "need more" */
	for (size_t k = 0; k < len && k < 13; k++) {
		int part = cond_http_status(buf, k);
		CHECK(part == 0 || part == code, "status %d with %zu bytes, %d with all %zu", part, k,
		      code, len);
	}
}

static void check_notify(const char *buf, size_t len)
{
	struct notify_msg m;
	cond_notify_parse(buf, len, &m);
	CHECK(!(m.ready && m.stopping), "both READY and STOPPING");
	CHECK(fz_terminated(m.status, sizeof m.status), "status not terminated");
	CHECK(m.has_status || m.status[0] == '\0', "status without STATUS=");
	size_t lines = len ? 1 : 0;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	CHECK((size_t)m.unknown + m.bad + m.ready + m.stopping <= lines, "more verdicts than lines");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t clen = nul ? (size_t)(nul - data) : size;
	char *text = fz_str(data, clen);
	char *err = fz_errbuf(256);
	struct cond *c = malloc(sizeof *c);
	if (!c)
		abort();

	if (cond_parse(text, c, err, 256) == 0) {
		check_cond(c);
	} else {
		CHECK(fz_terminated(err, 256) && err[0] != '\0' && err[0] != 0x5a,
		      "no reason for refusing '%s'", text);
		CHECK(!fz_one_line(text) || fz_one_line(err), "two-line error '%s'", err);
	}

	if (nul) {
		size_t rlen = size - clen - 1;
		char *resp = fz_mem(nul + 1, rlen);
		check_http_status(resp, rlen);
		free(resp);
	}
	char *dgram = fz_mem(data, size);
	check_notify(dgram, size);
	free(dgram);

	free(c);
	free(err);
	free(text);
	return 0;
}
