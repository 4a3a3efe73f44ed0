#include <stdio.h>
#include <string.h>

#include "dur.h"

static int fail(char *err, size_t errlen, const char *s, const char *why)
{
	snprintf(err, errlen, "bad duration '%s': %s", s, why);
	return -1;
}

int dur_parse(const char *s, int64_t *ms, char *err, size_t errlen)
{
	const char *p = s;
	int64_t whole = 0, frac = 0, frac_scale = 1;
	int digits = 0;

	if (*p == '-')
		return fail(err, errlen, s, "must not be negative");
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > DUR_MAX_MS)
			return fail(err, errlen, s, "too large (at most 8760h)");
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (frac_scale >= 1000000000LL)
				return fail(err, errlen, s, "too many decimals");
			frac = frac * 10 + (*p - '0');
			frac_scale *= 10;
		}
	}
	if (digits == 0)
		return fail(err, errlen, s, "expected a number such as 500ms, 15s, 2m or 1h");

	int64_t unit;
	if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (*p == '\0' || strcmp(p, "s") == 0)
		unit = 1000;
	else if (strcmp(p, "m") == 0)
		unit = 60 * 1000LL;
	else if (strcmp(p, "h") == 0)
		unit = 3600 * 1000LL;
	else
		return fail(err, errlen, s, "unknown unit (use ms, s, m or h)");

	if (whole > DUR_MAX_MS / unit)
		return fail(err, errlen, s, "too large (at most 8760h)");
	int64_t total = whole * unit;
	if ((frac * unit) % frac_scale != 0)
		return fail(err, errlen, s, "finer than a millisecond");
	total += frac * unit / frac_scale;
	if (total > DUR_MAX_MS)
		return fail(err, errlen, s, "too large (at most 8760h)");
	*ms = total;
	return 0;
}

void dur_format(int64_t ms, char *buf, size_t len)
{
	if (ms % 1000 != 0 && ms < 1000)
		snprintf(buf, len, "%lldms", (long long)ms);
	else if (ms % 1000 != 0)
		snprintf(buf, len, "%lld.%03llds", (long long)(ms / 1000), (long long)(ms % 1000));
	else if (ms % 3600000 == 0 && ms != 0)
		snprintf(buf, len, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0 && ms != 0)
		snprintf(buf, len, "%lldm", (long long)(ms / 60000));
	else
		snprintf(buf, len, "%llds", (long long)(ms / 1000));
	/* "1.500s" reads better as "1.5s" */
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf) - 1; /* the 's' */
		char *z = end - 1;
		while (z > dot && *z == '0')
			z--;
		memmove(z + 1, end, 2);
	}
}
