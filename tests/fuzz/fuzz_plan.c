/* drainit plan: its options, the arithmetic and the three printed forms.
 * Input: argv[1..] split at NUL bytes (argv[0] is "plan"). Its bytes also
 * make a second, structured plan_input within the bounds dur_parse keeps,
 * so the arithmetic sees its extremes. When plan_compute succeeds, the
 * results are whole seconds that fit (delay + drain + 2 s <= grace),
 * drainit takes them as durations, and each printed form holds them; the
 * JSON parses. */
#include <stdio.h>

#include "dur.h"
#include "fuzz.h"
#include "plan.h"
#include "plancmd.h"

/* A small JSON parser: enough to say the output is one well-formed value. */
struct json {
	const char *p, *end;
	int depth;
};

static bool j_value(struct json *j);

static void j_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static bool j_lit(struct json *j, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool j_string(struct json *j)
{
	if (!j_lit(j, "\""))
		return false;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return false;
			if (*j->p == 'u') {
				for (int k = 1; k <= 4; k++)
					if (j->p + k >= j->end || !strchr("0123456789abcdefABCDEF", j->p[k]))
						return false;
				j->p += 4;
			} else if (!strchr("\"\\/bfnrt", *j->p)) {
				return false;
			}
		}
		j->p++;
	}
	return j_lit(j, "\"");
}

static bool j_number(struct json *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return false;
	if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
		return false; /* no leading zeros */
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool j_seq(struct json *j, char close, bool object)
{
	j->p++;
	if (++j->depth > 32)
		return false;
	j_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		j_ws(j);
		if (object) {
			if (!j_string(j))
				return false;
			j_ws(j);
			if (!j_lit(j, ":"))
				return false;
			j_ws(j);
		}
		if (!j_value(j))
			return false;
		j_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		return false;
	}
}

static bool j_value(struct json *j)
{
	j_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{': return j_seq(j, '}', true);
	case '[': return j_seq(j, ']', false);
	case '"': return j_string(j);
	case 't': return j_lit(j, "true");
	case 'f': return j_lit(j, "false");
	case 'n': return j_lit(j, "null");
	default: return j_number(j);
	}
}

static bool json_ok(const char *s, size_t n)
{
	struct json j = { s, s + n, 0 };
	if (!j_value(&j))
		return false;
	j_ws(&j);
	return j.p == j.end;
}

static char *print(const struct plan_input *in, const struct plan *p, enum plan_format fmt,
		   size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		abort();
	plancmd_print(f, in, p, fmt);
	CHECK(!ferror(f), "write error");
	fclose(f);
	return buf;
}

static void has(const char *out, const char *fmt, long long v, const char *form)
{
	char want[128];
	snprintf(want, sizeof want, fmt, v);
	CHECK(strstr(out, want) != NULL, "the %s form lacks '%s':\n%s", form, want, out);
}

/* drainit itself takes what the plan tells it to set */
static void takes(const char *var, long long secs)
{
	char s[32], err[128];
	int64_t ms;
	snprintf(s, sizeof s, "%llds", secs);
	CHECK(dur_parse(s, &ms, err, sizeof err) == 0 && ms == secs * 1000,
	      "drainit refuses the plan's %s=%s: %s", var, s, err);
}

static void check_plan(const struct plan_input *in, const struct plan *p)
{
	int64_t grace_ms = p->grace_s * 1000;

	CHECK(p->delay_ms > 0 && p->delay_ms % 1000 == 0, "delay %lld ms", (long long)p->delay_ms);
	CHECK(p->drain_ms > 0 && p->drain_ms % 1000 == 0, "drain %lld ms", (long long)p->drain_ms);
	CHECK(grace_ms >= p->delay_ms + p->drain_ms + PLAN_MARGIN_MS,
	      "grace %llds < delay %lld + drain %lld + margin", (long long)p->grace_s,
	      (long long)p->delay_ms, (long long)p->drain_ms);
	CHECK(grace_ms == p->delay_ms + p->drain_ms + PLAN_MARGIN_MS, "grace %llds is not the sum",
	      (long long)p->grace_s);
	CHECK(grace_ms <= DUR_MAX_MS, "grace %llds past what drainit takes", (long long)p->grace_s);
	CHECK(plan_fits(p->delay_ms, p->drain_ms, grace_ms), "plan_fits says no to its own plan");
	CHECK(!plan_fits(p->delay_ms, p->drain_ms, grace_ms - 1), "plan_fits with a second less");

	CHECK(p->k8s_first_ms >= 0 && p->k8s_first_ms <= p->k8s_last_ms, "k8s %lld..%lld",
	      (long long)p->k8s_first_ms, (long long)p->k8s_last_ms);
	CHECK(p->last_ms >= p->k8s_last_ms, "last %lld before k8s %lld", (long long)p->last_ms,
	      (long long)p->k8s_last_ms);
	if (p->lb_last_ms >= 0) {
		CHECK(p->lb_first_ms >= 0 && p->lb_first_ms <= p->lb_last_ms && p->last_ms >= p->lb_last_ms,
		      "lb %lld..%lld, last %lld", (long long)p->lb_first_ms, (long long)p->lb_last_ms,
		      (long long)p->last_ms);
		CHECK(p->window_ms >= 0, "window %lld", (long long)p->window_ms);
	} else {
		CHECK(p->lb_first_ms == -1 && p->window_ms == -1, "lb fields without an lb");
	}
	if (p->lag_last_ms >= 0)
		CHECK(p->lag_last_ms >= p->k8s_last_ms && p->last_ms >= p->lag_last_ms, "lag %lld",
		      (long long)p->lag_last_ms);
	CHECK(p->last_ms == p->k8s_last_ms || p->last_ms == p->lb_last_ms ||
	      p->last_ms == p->lag_last_ms, "last %lld is none of the bounds", (long long)p->last_ms);

	int64_t d = p->last_ms + in->margin_ms, t = in->longest_ms + in->shutdown_ms + in->margin_ms;
	CHECK(p->delay_ms >= d && p->delay_ms < d + 1000, "delay %lld for %lld",
	      (long long)p->delay_ms, (long long)d);
	CHECK(p->drain_ms >= t && p->drain_ms < t + 1000, "drain %lld for %lld",
	      (long long)p->drain_ms, (long long)t);

	takes("DRAINIT_PRE_STOP_DELAY", (long long)(p->delay_ms / 1000));
	takes("DRAINIT_DRAIN_TIMEOUT", (long long)(p->drain_ms / 1000));
	takes("DRAINIT_GRACE_PERIOD", (long long)p->grace_s);

	size_t len;
	char *out = print(in, p, PLAN_TEXT, &len);
	CHECK(len > 0 && out[len - 1] == '\n' && strlen(out) == len, "text form");
	has(out, "pre-stop delay                 %llds\n", (long long)(p->delay_ms / 1000), "text");
	has(out, "drain timeout                  %llds\n", (long long)(p->drain_ms / 1000), "text");
	has(out, "terminationGracePeriodSeconds  %lld\n", (long long)p->grace_s, "text");
	has(out, "  terminationGracePeriodSeconds: %lld\n", (long long)p->grace_s, "text");
	free(out);

	out = print(in, p, PLAN_YAML, &len);
	CHECK(len > 0 && out[len - 1] == '\n' && strlen(out) == len, "yaml form");
	has(out, "\nterminationGracePeriodSeconds: %lld\n", (long long)p->grace_s, "yaml");
	has(out, "        value: %llds\n", (long long)(p->delay_ms / 1000), "yaml");
	/* every line is a comment or the snippet, none cut in two */
	for (const char *l = out; *l; l = strchr(l, '\n') + 1)
		CHECK(*l == '#' || *l == ' ' || (*l >= 'a' && *l <= 'z'), "yaml line '%.40s'", l);
	free(out);

	out = print(in, p, PLAN_JSON, &len);
	CHECK(len > 0 && strlen(out) == len, "json form");
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = out[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			CHECK(--depth >= 0, "json closes more than it opens:\n%s", out);
	}
	CHECK(depth == 0 && !in_str, "json unbalanced (depth %d):\n%s", depth, out);
	CHECK(json_ok(out, len), "json does not parse:\n%s", out);
	has(out, "\"termination_grace_period_seconds\": %lld,", (long long)p->grace_s, "json");
	has(out, "\"pre_stop_delay_ms\": %lld,", (long long)p->delay_ms, "json");
	has(out, "\"drain_timeout_ms\": %lld,", (long long)p->drain_ms, "json");
	free(out);
}

static void compute(const struct plan_input *in)
{
	struct plan p;
	char err[300];
	memset(err, 0x5a, sizeof err);
	if (plan_compute(in, &p, err, sizeof err) == 0) {
		check_plan(in, &p);
	} else {
		CHECK(fz_terminated(err, sizeof err) && err[0] && (unsigned char)err[0] != 0x5a,
		      "plan_compute failed without a reason");
		CHECK(fz_one_line(err), "two-line error '%s'", err);
	}
}

/* Within what plancmd_parse can give: durations 0..DUR_MAX_MS (or -1 where
 * "not given" is allowed), counts 1..PLAN_FAILURES_MAX (0: not given). */
static int64_t take_dur(const uint8_t **d, size_t *n, bool maybe_unset)
{
	uint64_t v = fz_take_u64(d, n, 6);
	if (maybe_unset && (v & 0xff) == 0xff)
		return -1;
	switch (v & 3) {
	case 0: return (int64_t)((v >> 2) % 10) * 1000;         /* small, whole seconds */
	case 1: return (int64_t)((v >> 2) % (DUR_MAX_MS + 1));  /* anything */
	case 2: return DUR_MAX_MS - (int64_t)((v >> 2) % 3);    /* the top */
	default: return (int64_t)((v >> 2) % 100000);           /* odd milliseconds */
	}
}

static long take_count(const uint8_t **d, size_t *n, bool maybe_unset)
{
	uint64_t v = fz_take_u64(d, n, 2);
	if (maybe_unset && (v & 0x8000))
		return 0;
	return 1 + (long)((v & 0x7fff) % PLAN_FAILURES_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_parts a = fz_split(data, size, 0, 1, 200);
	a.v[0] = fz_str((const uint8_t *)"plan", 4);
	struct plan_input in;
	enum plan_format fmt = (enum plan_format)-1;
	size_t errlen = 1 + size % 300;
	char *err = fz_errbuf(errlen);

	switch (plancmd_parse((int)(a.n + 1), a.v, &in, &fmt, err, errlen)) {
	case PLAN_GO:
		CHECK(fmt == PLAN_TEXT || fmt == PLAN_YAML || fmt == PLAN_JSON, "format %d", (int)fmt);
		CHECK(in.probe_failures >= 1 && in.probe_failures <= PLAN_FAILURES_MAX, "failures %ld",
		      in.probe_failures);
		CHECK(in.lb_failures >= 0 && in.lb_failures <= PLAN_FAILURES_MAX, "lb failures %ld",
		      in.lb_failures);
		CHECK(in.longest_ms >= -1 && in.longest_ms <= DUR_MAX_MS, "longest %lld",
		      (long long)in.longest_ms);
		CHECK(in.probe_period_ms >= 0 && in.probe_period_ms <= DUR_MAX_MS &&
		      in.probe_timeout_ms >= 0 && in.probe_timeout_ms <= DUR_MAX_MS &&
		      in.margin_ms >= 0 && in.margin_ms <= DUR_MAX_MS &&
		      in.shutdown_ms >= 0 && in.shutdown_ms <= DUR_MAX_MS &&
		      in.lb_interval_ms >= -1 && in.lb_interval_ms <= DUR_MAX_MS &&
		      in.lb_lag_ms >= -1 && in.lb_lag_ms <= DUR_MAX_MS, "a duration out of range");
		compute(&in);
		break;
	case PLAN_HELP:
		break;
	case PLAN_BAD:
		CHECK(fz_terminated(err, errlen), "error not terminated");
		CHECK(errlen < 8 || strncmp(err, "plan: ", errlen - 1 < 6 ? errlen - 1 : 6) == 0,
		      "error '%s'", err);
		CHECK(fz_one_line(err) || fz_any_newline(a.v, a.n + 1), "two-line error '%s'", err);
		break;
	default:
		CHECK(0, "plancmd_parse returned something else");
	}

	/* The same bytes as a structured input. */
	const uint8_t *d = data;
	size_t n = size;
	plan_input_init(&in);
	in.longest_ms = take_dur(&d, &n, true);
	in.shutdown_ms = take_dur(&d, &n, false);
	in.probe_period_ms = take_dur(&d, &n, false);
	in.probe_timeout_ms = take_dur(&d, &n, false);
	in.probe_failures = take_count(&d, &n, false);
	in.lb_interval_ms = take_dur(&d, &n, true);
	in.lb_failures = take_count(&d, &n, true);
	in.lb_lag_ms = take_dur(&d, &n, true);
	in.margin_ms = take_dur(&d, &n, false);
	compute(&in);

	free(err);
	free(a.v[0]);
	a.v[0] = NULL;
	fz_free_parts(&a);
	return 0;
}
