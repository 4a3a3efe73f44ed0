/* --ready-http's requests as http_parse reads them, and the answers
 * http_answer writes. Input: the bytes a client sends, fed as they may
 * come, in pieces. A prefix found bad stays bad and a whole head stays
 * whole as more bytes come (the server answers at the first of either);
 * every answer is one status line, headers, a blank line and a body as
 * long as Content-Length says (none for HEAD). */
#include <stdlib.h>

#include "fuzz.h"
#include "httpd.h"

static void check_answer(const struct http_request *req, bool bad, const struct httpd_view *v)
{
	char out[4096];
	size_t n = http_answer(req, bad, v, out, sizeof out);
	CHECK(n > 0 && n < sizeof out, "answer of %zu bytes", n);
	out[n] = '\0';
	CHECK(strncmp(out, "HTTP/1.1 ", 9) == 0, "status line '%.40s'", out);
	int code = atoi(out + 9);
	CHECK(bad ? code == 400 : code == 200 || code == 503 || code == 404 || code == 405,
	      "code %d", code);
	const char *end = strstr(out, "\r\n\r\n"), *cl = strstr(out, "\r\nContent-Length: ");
	CHECK(end && cl && cl < end, "head of '%.80s'", out);
	size_t body = n - (size_t)(end + 4 - out), said = strtoul(cl + 18, NULL, 10);
	bool head_only = !bad && req->method == HTTP_HEAD;
	CHECK(head_only ? body == 0 : body == said, "body %zu, Content-Length %zu", body, said);
	CHECK(strstr(out, "\r\nConnection: close\r\n") != NULL, "no Connection: close");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > HTTPD_REQ_MAX + 64)
		size = HTTPD_REQ_MAX + 64;
	char *buf = fz_mem(data, size);
	struct http_request req, whole_req;
	enum http_parsed whole = http_parse(buf, size < HTTPD_REQ_MAX ? size : HTTPD_REQ_MAX,
					    &whole_req);

	/* Fed in pieces: the verdict at the first piece that decides is the
	 * verdict for the whole. */
	enum http_parsed first = HTTP_MORE;
	size_t step = 1 + (size ? data[0] % 61 : 0);
	for (size_t len = 0; len <= size && len <= HTTPD_REQ_MAX; len += step) {
		first = http_parse(buf, len, &req);
		if (first != HTTP_MORE)
			break;
	}
	if (first != HTTP_MORE) {
		CHECK(first == whole, "a piece says %d, the whole %d", (int)first, (int)whole);
		if (whole == HTTP_DONE)
			CHECK(req.method == whole_req.method && req.target == whole_req.target,
			      "the request changed as more bytes came");
	}
	CHECK(whole != HTTP_MORE || size < HTTPD_REQ_MAX, "%zu bytes and still more wanted", size);

	struct httpd_view v = { .ready = size % 2, .state = "ready", .phase = "running", .app = 7,
				.kind = "http", .target = size % 3 ? "http:8080/healthz" : NULL,
				.last = size % 5 ? buf[0] ? "x" : NULL : "ok",
				.delay_left_ms = -1, .drain_left_ms = (int64_t)size - 1 };
	/* the view's strings from the input too: the JSON must stay whole */
	snprintf(v.line, sizeof v.line, "%.*s", (int)(size < 200 ? size : 200), buf);
	snprintf(v.since, sizeof v.since, "%.*s", (int)(size < 40 ? size : 40), buf);
	if (whole == HTTP_DONE)
		check_answer(&whole_req, false, &v);
	if (whole == HTTP_BAD)
		check_answer(&whole_req, true, &v);
	free(buf);
	return 0;
}
