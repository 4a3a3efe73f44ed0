/* Signal names and numbers: "TERM", "sigterm", "15", "RTMIN+2",
 * "SIGRTMAX-1". Input: the text. What parses must name itself back:
 * sig_parse(sig_name(n)) == n, and sig_parse("%d" of n) == n. */
#include <signal.h>

#include "fuzz.h"
#include "sig.h"

static void round_trip(int sig)
{
	char name[32], num[16], err[128];

	memset(name, 0x5a, sizeof name);
	sig_name(sig, name, sizeof name);
	CHECK(fz_terminated(name, sizeof name), "sig_name(%d) not terminated", sig);
	if (sig >= 1 && sig <= SIGRTMAX) {
		snprintf(num, sizeof num, "%d", sig);
		CHECK(sig_parse(num, err, sizeof err) == sig, "'%s' does not parse to %d", num, sig);
		/* glibc keeps 32 and 33 for itself: no names, "signal 32" */
		if (sig >= 32 && sig < SIGRTMIN) {
			CHECK(strncmp(name, "signal ", 7) == 0, "sig_name(%d) = '%s'", sig, name);
			return;
		}
		CHECK(strncmp(name, "SIG", 3) == 0, "sig_name(%d) = '%s'", sig, name);
		int back = sig_parse(name, err, sizeof err);
		CHECK(back == sig, "sig_name(%d) = '%s' parses to %d (%s)", sig, name, back,
		      back ? "" : err);
		/* without SIG, in lower case */
		char low[32];
		size_t i = 0;
		for (; name[3 + i] && i < sizeof low - 1; i++)
			low[i] = (char)(name[3 + i] >= 'A' && name[3 + i] <= 'Z' ? name[3 + i] + 32
										 : name[3 + i]);
		low[i] = '\0';
		back = sig_parse(low, err, sizeof err);
		CHECK(back == sig, "'%s' parses to %d, not %d", low, back, sig);
	} else {
		CHECK(strncmp(name, "signal ", 7) == 0, "sig_name(%d) = '%s'", sig, name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	if (!once) {
		once = true;
		for (int sig = -2; sig <= 70; sig++)
			round_trip(sig);
	}

	char *s = fz_str(data, size);
	size_t errlen = 1 + size % 150;
	char *err = fz_errbuf(errlen);
	int sig = sig_parse(s, err, errlen);

	if (sig != 0) {
		CHECK(sig >= 1 && sig <= SIGRTMAX, "'%s' gave %d", s, sig);
		CHECK(s[0] != '\0', "empty string gave %d", sig);
		round_trip(sig);
	} else {
		CHECK(fz_terminated(err, errlen), "error not terminated");
		CHECK(errlen < 12 || strncmp(err, "bad signal", 10) == 0, "error '%s'", err);
	}

	/* A number from the input through sig_name: any int is named. */
	const uint8_t *d = data;
	size_t n = size;
	int any = (int)(uint32_t)fz_take_u64(&d, &n, 4);
	char buf[32];
	size_t blen = 1 + (size_t)(any & 31);
	char *tight = malloc(blen);
	if (!tight)
		abort();
	sig_name(any, tight, blen);
	CHECK(fz_terminated(tight, blen), "sig_name(%d) into %zu bytes not terminated", any, blen);
	sig_name(any, buf, sizeof buf);
	CHECK(strncmp(tight, buf, blen - 1) == 0, "sig_name cut differently: '%s' / '%s'", tight, buf);
	free(tight);

	free(err);
	free(s);
	return 0;
}
