/* Durations: "500ms", "1.5s", "2m", "1h", "10". Input: the text for
 * dur_parse; its first 8 bytes also make a number of milliseconds for
 * dur_format. Whatever parses must format and parse back to the same
 * milliseconds. */
#include <inttypes.h>

#include "dur.h"
#include "fuzz.h"

/* dur_format, then dur_parse of what it wrote: the same ms. */
static void round_trip(int64_t ms)
{
	char buf[32], err[160];
	int64_t back = -1;

	memset(buf, 0x5a, sizeof buf);
	dur_format(ms, buf, sizeof buf);
	CHECK(fz_terminated(buf, sizeof buf), "dur_format(%" PRId64 ") not terminated", ms);
	CHECK(strlen(buf) <= 16, "dur_format(%" PRId64 ") = '%s': long", ms, buf);
	CHECK(dur_parse(buf, &back, err, sizeof err) == 0, "dur_parse refuses dur_format(%" PRId64
	      ") = '%s': %s", ms, buf, err);
	CHECK(back == ms, "'%s' from %" PRId64 " reads back as %" PRId64, buf, ms, back);
	/* the shortest form: no trailing zero decimals, no ".s" */
	const char *dot = strchr(buf, '.');
	if (dot) {
		size_t l = strlen(buf);
		CHECK(buf[l - 1] == 's' && buf[l - 2] != '0' && buf[l - 2] != '.',
		      "dur_format(%" PRId64 ") = '%s'", ms, buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	size_t errlen = 1 + size % 200;      /* tight and roomy error buffers */
	char *err = fz_errbuf(errlen);
	int64_t ms = -7;

	if (dur_parse(s, &ms, err, errlen) == 0) {
		CHECK(ms >= 0 && ms <= DUR_MAX_MS, "'%s' gave %" PRId64 " ms", s, ms);
		CHECK((s[0] >= '0' && s[0] <= '9') || s[0] == '.', "'%s' accepted", s);
		round_trip(ms);
	} else {
		CHECK(ms == -7, "'%s' refused but wrote %" PRId64, s, ms);
		CHECK(fz_terminated(err, errlen), "error not terminated");
		CHECK(errlen < 16 || strncmp(err, "bad duration", 12) == 0,
		      "error '%s'", err);
	}

	const uint8_t *d = data;
	size_t n = size;
	uint64_t raw = fz_take_u64(&d, &n, 8);
	round_trip((int64_t)(raw % (uint64_t)(DUR_MAX_MS + 1)));
	/* whole seconds and minutes and near the top, where the units change */
	round_trip((int64_t)(raw % 8760) * 3600000);
	round_trip(DUR_MAX_MS - (int64_t)(raw % 100000));

	free(err);
	free(s);
	return 0;
}
