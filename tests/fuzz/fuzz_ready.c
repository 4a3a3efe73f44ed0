/* The readiness file and its PATH.state as `drainit probe` reads them: at
 * most READY_LINE_MAX bytes,
 * "STATE BY pid=PID since=TIME [drainit=PID] [pidns=INODE]\n".
 * Input: the file's content. What parses must be written back the same
 * by ready_line and read again the same; ready_ours takes only what
 * parses, and all ready_line writes. */
#include "fuzz.h"
#include "ready.h"

/* Only the words drainit writes first are states. */
static bool state_word(const char *s)
{
	return strcmp(s, "starting") == 0 || strcmp(s, "ready") == 0 || strcmp(s, "unready") == 0 ||
	       strcmp(s, "draining") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* probe.c: read(fd, buf, READY_LINE_MAX), then a NUL */
	size_t n = size < READY_LINE_MAX ? size : READY_LINE_MAX;
	char *content = fz_str(data, n);
	struct ready_info info, back;

	/* What drainit takes for its own, to remove at start and at the
	 * withdrawal, is nothing or one line that parses, nothing after it. */
	bool ours = ready_ours((const char *)data, n);
	const char *nl = memchr(data, '\n', n);
	CHECK(!ours || n == 0 || (!memchr(data, '\0', n) && (!nl || nl == (const char *)data + n - 1) &&
				  ready_parse(content, &info) == 0),
	      "ready_ours takes %zu bytes for drainit's", n);

	memset(&info, 0x5a, sizeof info);
	if (ready_parse(content, &info) != 0) {
		free(content);
		return 0;
	}
	CHECK(fz_terminated(info.state, sizeof info.state) && state_word(info.state),
	      "state '%.32s'", info.state);
	CHECK(strncmp(content, info.state, strlen(info.state)) == 0, "state '%s' of '%s'",
	      info.state, content);
	CHECK(fz_terminated(info.by, sizeof info.by), "by not terminated");
	CHECK(strpbrk(info.by, " \n=") == NULL, "by '%s' is not one word", info.by);
	CHECK(fz_terminated(info.since, sizeof info.since), "since not terminated");
	CHECK(strpbrk(info.since, " \n") == NULL, "since '%s'", info.since);
	CHECK(info.pid >= 0 && info.drainit >= 0, "pid %d drainit %d", (int)info.pid,
	      (int)info.drainit);
	CHECK(info.ready == (strcmp(info.state, "ready") == 0 && info.pid > 0),
	      "ready %d for state %s pid %d", (int)info.ready, info.state, (int)info.pid);
	/* Written back by drainit's own writer (a readiness line, then the
	 * state file's with drainit=), then read again. */
	const uint8_t *d = data + n;
	size_t left = size - n;
	long long since = (long long)(fz_take_u64(&d, &left, 6) % 253402300800000ULL);
	char line[READY_LINE_MAX];
	size_t len = ready_line(line, sizeof line, info.state, info.by, info.pid, since);
	CHECK(len > 0 && len < sizeof line - 1 && line[len - 1] == '\n', "ready_line gave %zu bytes",
	      len);
	CHECK(ready_parse(line, &back) == 0, "ready_parse refuses ready_line's '%s'", line);
	CHECK(ready_ours(line, len), "ready_ours refuses ready_line's '%s'", line);
	CHECK(strcmp(back.state, info.state) == 0 && strcmp(back.by, info.by) == 0 &&
	      back.pid == info.pid && back.ready == info.ready && back.drainit == 0,
	      "'%s' read back differently", line);
	CHECK(strlen(back.since) == 24 && back.since[23] == 'Z', "since '%s'", back.since);

	CHECK(back.pidns == 0, "pidns %llu from a line without it", back.pidns);

	/* The state file's words after it, pidns= as long as it can be. */
	int k = snprintf(line + len - 1, sizeof line - (len - 1), " drainit=%d pidns=%llu\n",
			 (int)info.drainit, info.pidns);
	CHECK(k > 0 && (size_t)k < sizeof line - (len - 1), "state line too long");
	CHECK(ready_parse(line, &back) == 0 && back.drainit == info.drainit && back.pid == info.pid &&
	      back.pidns == info.pidns && strcmp(back.by, info.by) == 0,
	      "state line '%s' read back differently", line);
	CHECK(ready_ours(line, strlen(line)), "ready_ours refuses the state line '%s'", line);

	free(content);
	return 0;
}
