/* /proc text: /proc/PID/status as drainit inspect and the stop-time report
 * read it (Name, SigBlk, SigIgn, SigCgt), /proc/PID/task/TID/syscall as
 * inspect reads it for a thread in sigwait, and a /proc/PID/stat line as
 * the process scan reads it. Input: the text. */
#include <signal.h>

#include "fuzz.h"
#include "inspect.h"
#include "proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_str(data, size);
	struct sigstate st;

	if (inspect_parse_status(text, &st) == 0) {
		CHECK(fz_terminated(st.name, sizeof st.name), "name not terminated");
		CHECK(strchr(st.name, '\n') == NULL, "name '%s' runs past its line", st.name);
		CHECK(strstr(text, "Name:\t") != NULL && strstr(text, "SigBlk:") != NULL &&
		      strstr(text, "SigIgn:") != NULL && strstr(text, "SigCgt:") != NULL,
		      "parsed without the fields");
		for (int sig = -1; sig <= 66; sig++) {
			enum disposition dp = inspect_disposition(&st, sig);
			CHECK(dp >= DISP_CATCHES && dp <= DISP_NOTHING, "disposition %d", (int)dp);
			if (sig == SIGKILL)
				CHECK(dp == DISP_DIES, "SIGKILL not fatal");
			if (sig >= 1 && sig <= 64 && sig != SIGKILL && sig != SIGSTOP) {
				uint64_t bit = (uint64_t)1 << (sig - 1);
				if (st.blocked & bit)
					CHECK(dp == DISP_BLOCKS, "blocked %d reads %d", sig, (int)dp);
				else if (st.ignored & bit)
					CHECK(dp == DISP_IGNORES, "ignored %d reads %d", sig, (int)dp);
				else if (st.caught & bit)
					CHECK(dp == DISP_CATCHES, "caught %d reads %d", sig, (int)dp);
			}
			char words[128]; /* inspect.c's show() */
			memset(words, 0x5a, sizeof words);
			inspect_words(dp, sig, words, sizeof words);
			CHECK(fz_terminated(words, sizeof words) && words[0] != 0x5a,
			      "inspect_words(%d, %d)", (int)dp, sig);
		}
	}

	/* The same masks with a thread in sigwait: waiting for part of what it
	 * blocks (the caught set stands in for the waited one), then waiting
	 * for a set that could not be read, then sleeping where whether it
	 * waits could not be read. */
	if (inspect_parse_status(text, &st) == 0) {
		st.waited = st.caught;
		for (int pass = 0; pass < 3; pass++) {
			st.waits_unread = pass == 1;
			st.waits_maybe = pass == 2;
			for (int sig = 1; sig <= 64; sig++) {
				uint64_t bit = (uint64_t)1 << (sig - 1);
				enum disposition dp = inspect_disposition(&st, sig);
				CHECK(dp >= DISP_CATCHES && dp <= DISP_NOTHING, "disposition %d", (int)dp);
				if (sig != SIGKILL && sig != SIGSTOP && (st.blocked & bit))
					CHECK(dp == ((st.waited & bit) ? DISP_WAITS : DISP_BLOCKS),
					      "blocked %d, waited %d, reads %d", sig, !!(st.waited & bit), (int)dp);
				if (sig != SIGKILL && sig != SIGSTOP && !((st.blocked | st.ignored | st.caught) & bit))
					CHECK((dp == DISP_UNKNOWN) == st.waits_unread, "unread set, %d reads %d", sig,
					      (int)dp);
				if (dp == DISP_MAYBE)
					CHECK(st.waits_maybe && !((st.blocked | st.ignored | st.caught) & bit),
					      "maybe for %d", sig);
				char words[128];
				memset(words, 0x5a, sizeof words);
				inspect_words(dp, sig, words, sizeof words);
				CHECK(fz_terminated(words, sizeof words) && strlen(words) < sizeof words - 1,
				      "inspect_words(%d, %d) fills its 128 bytes", (int)dp, sig);
			}
		}
	}

	long nr;
	uint64_t arg1;
	if (inspect_parse_syscall(text, &nr, &arg1) == 0) {
		char *sp = strchr(text, ' ');
		CHECK(sp && strncmp(sp + 1, "0x", 2) == 0, "parsed '%s'", text);
		CHECK(strtol(text, NULL, 10) == nr, "number %ld of '%s'", nr, text);
	}

	struct proc_entry e;
	memset(&e, 0x5a, sizeof e);
	if (proc_parse_stat(text, &e) == 0) {
		CHECK(fz_terminated(e.comm, sizeof e.comm), "comm not terminated");
		CHECK(strchr(text, '(') && strrchr(text, ')') > strchr(text, '('), "parsed '%s'", text);
		/* the last ')' closes the name: what follows is the state */
		const char *close = strrchr(text, ')');
		const char *s = close + 1;
		while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			s++;
		CHECK(*s == e.state, "state '%c', text has '%c'", e.state, *s);
	}

	free(text);
	return 0;
}
