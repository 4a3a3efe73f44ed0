#include <stdio.h>
#include <string.h>

#include "dur.h"

static int bad_duration(char *err, size_t errlen, const char *s, const char *why)
{
	snprintf(err, errlen, "bad duration '%s': %s", s, why);
	return -1;
}

/* The units, from hours down: a compound must name them in this order. */
static const struct {
	const char *name;
	int64_t ms;
} units[] = {
	{ "h", 3600 * 1000LL },
	{ "m", 60 * 1000LL },
	{ "s", 1000 },
	{ "ms", 1 },
};
#define NUNITS (int)(sizeof units / sizeof units[0])

static int unit_of(const char *u, size_t len)
{
	for (int i = 0; i < NUNITS; i++)
		if (strlen(units[i].name) == len && memcmp(units[i].name, u, len) == 0)
			return i;
	return -1;
}

/* One part of a duration: a number (digits, a '.' and more digits) and the
 * text of its unit, which runs to the next digit or '.'. */
struct part {
	int64_t whole, frac, frac_scale;
	const char *unit;
	size_t unit_len;
};

static int read_part(const char *s, const char **pp, struct part *pt, char *err, size_t errlen)
{
	const char *p = *pp;
	int digits = 0;

	pt->whole = 0;
	pt->frac = 0;
	pt->frac_scale = 1;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (pt->whole > DUR_MAX_MS)
			return bad_duration(err, errlen, s, "too large (at most 8760h)");
		pt->whole = pt->whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (pt->frac_scale >= 1000000000LL)
				return bad_duration(err, errlen, s, "too many decimals");
			pt->frac = pt->frac * 10 + (*p - '0');
			pt->frac_scale *= 10;
		}
	}
	if (digits == 0)
		return bad_duration(err, errlen, s, "expected a number such as 500ms, 15s, 2m or 1h");
	pt->unit = p;
	pt->unit_len = strcspn(p, "0123456789.");
	if (pt->unit_len == 0 && *p == '.') /* "1.5.5s": a second point is no unit either */
		pt->unit_len = strcspn(p, "0123456789");
	*pp = p + pt->unit_len;
	return 0;
}

int dur_parse(const char *s, int64_t *ms, char *err, size_t errlen)
{
	const char *p = s;
	int64_t total = 0;
	int last = -1; /* the unit of the part before, from units[] */
	char why[160];

	if (*p == '-')
		return bad_duration(err, errlen, s, "must not be negative");
	do {
		const char *start = p;
		struct part pt;
		if (read_part(s, &p, &pt, err, errlen) != 0)
			return -1;

		int u;
		if (pt.unit_len == 0 && start == s) {
			u = 2; /* a number alone is seconds */
		} else if (pt.unit_len == 0) {
			if (last + 1 < NUNITS)
				snprintf(why, sizeof why, "the number after %.*s has no unit, such as %s in %s%s",
					 (int)(start - s), s, units[last + 1].name, s, units[last + 1].name);
			else
				snprintf(why, sizeof why, "the number after %.*s has no unit, and no unit "
					 "may follow ms", (int)(start - s), s);
			return bad_duration(err, errlen, s, why);
		} else if ((u = unit_of(pt.unit, pt.unit_len)) < 0) {
			snprintf(why, sizeof why, "unknown unit '%.*s' (use ms, s, m or h, "
				 "or a compound such as 1m30s)", (int)pt.unit_len, pt.unit);
			return bad_duration(err, errlen, s, why);
		} else if (u == last) {
			snprintf(why, sizeof why, "unit '%s' is repeated: each unit at most once, "
				 "as in 1h2m3s", units[u].name);
			return bad_duration(err, errlen, s, why);
		} else if (u < last) {
			snprintf(why, sizeof why, "'%s' after '%s': units must go from hours down, "
				 "as in 1h2m3s", units[u].name, units[last].name);
			return bad_duration(err, errlen, s, why);
		}

		int64_t unit = units[u].ms;
		if (pt.whole > DUR_MAX_MS / unit)
			return bad_duration(err, errlen, s, "too large (at most 8760h)");
		if ((pt.frac * unit) % pt.frac_scale != 0)
			return bad_duration(err, errlen, s, "finer than a millisecond");
		/* each part is at most DUR_MAX_MS plus less than an hour: no overflow */
		total += pt.whole * unit + pt.frac * unit / pt.frac_scale;
		if (total > DUR_MAX_MS)
			return bad_duration(err, errlen, s, "too large (at most 8760h)");
		last = u;
	} while (*p != '\0');
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

const char *dur_text(int64_t ms, char *buf, size_t len)
{
	dur_format(ms, buf, len);
	return buf;
}
