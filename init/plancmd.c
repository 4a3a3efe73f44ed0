#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dur.h"
#include "exitcode.h"
#include "log.h"
#include "opt.h"
#include "plancmd.h"

/* Where the snippet puts things: as in Dockerfile.example and
 * docs/kubernetes.yaml. */
#define SNIPPET_DRAINIT "/usr/local/bin/drainit"
#define SNIPPET_READY_FILE "/run/drainit/ready"

#define WHY_MAX 12
#define WHY_LEN 256

enum flag {
	F_LONGEST, F_SHUTDOWN, F_PROBE_PERIOD, F_PROBE_TIMEOUT, F_PROBE_FAILURES,
	F_LB_INTERVAL, F_LB_FAILURES, F_LB_LAG, F_MARGIN, F_FORMAT, F_HELP,
};

static const struct {
	enum flag id;
	const char *name;
} flags[] = {
	{ F_LONGEST, "longest-request" },
	{ F_SHUTDOWN, "app-shutdown" },
	{ F_PROBE_PERIOD, "probe-period" },
	{ F_PROBE_TIMEOUT, "probe-timeout" },
	{ F_PROBE_FAILURES, "probe-failures" },
	{ F_LB_INTERVAL, "lb-interval" },
	{ F_LB_FAILURES, "lb-failures" },
	{ F_LB_LAG, "lb-lag" },
	{ F_MARGIN, "margin" },
	{ F_FORMAT, "format" },
	{ F_HELP, "help" },
};

static int apply_flag(enum flag id, const char *val, struct plan_input *in,
		      enum plan_format *fmt, char *err, size_t errlen)
{
	int64_t *dur = id == F_LONGEST ? &in->longest_ms
		     : id == F_SHUTDOWN ? &in->shutdown_ms
		     : id == F_PROBE_PERIOD ? &in->probe_period_ms
		     : id == F_PROBE_TIMEOUT ? &in->probe_timeout_ms
		     : id == F_LB_INTERVAL ? &in->lb_interval_ms
		     : id == F_LB_LAG ? &in->lb_lag_ms
		     : id == F_MARGIN ? &in->margin_ms : NULL;
	long *count = id == F_PROBE_FAILURES ? &in->probe_failures
		    : id == F_LB_FAILURES ? &in->lb_failures : NULL;

	if (dur)
		return dur_parse(val, dur, err, errlen);
	if (count) {
		if (opt_parse_int(val, 1, PLAN_FAILURES_MAX, count) == 0)
			return 0;
		snprintf(err, errlen, "bad count '%s': expected 1 to %d", val, PLAN_FAILURES_MAX);
		return -1;
	}
	if (strcmp(val, "text") == 0)
		*fmt = PLAN_TEXT;
	else if (strcmp(val, "yaml") == 0)
		*fmt = PLAN_YAML;
	else if (strcmp(val, "json") == 0)
		*fmt = PLAN_JSON;
	else {
		snprintf(err, errlen, "unknown format '%s' (text, yaml or json)", val);
		return -1;
	}
	return 0;
}

enum plan_parsed plancmd_parse(int argc, char **argv, struct plan_input *in,
			       enum plan_format *fmt, char *err, size_t errlen)
{
	char why[200];

	plan_input_init(in);
	*fmt = PLAN_TEXT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0)
			return PLAN_HELP;
		if (a[0] == '-' && a[1] != '-') {
			snprintf(err, errlen, "plan: unknown option '%s'", a);
			return PLAN_BAD;
		}
		if (strncmp(a, "--", 2) != 0) {
			snprintf(err, errlen, "plan: unexpected argument '%s'", a);
			return PLAN_BAD;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		size_t k = 0;
		while (k < sizeof flags / sizeof flags[0]
		       && (strlen(flags[k].name) != len || strncmp(flags[k].name, name, len) != 0))
			k++;
		if (k == sizeof flags / sizeof flags[0]) {
			snprintf(err, errlen, "plan: unknown option '%.*s'", (int)(len + 2), a);
			return PLAN_BAD;
		}
		if (flags[k].id == F_HELP) {
			if (eq) {
				snprintf(err, errlen, "plan: option '--help' takes no value");
				return PLAN_BAD;
			}
			return PLAN_HELP;
		}
		const char *val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
		if (!val) {
			snprintf(err, errlen, "plan: option '--%s' needs a value", flags[k].name);
			return PLAN_BAD;
		}
		if (apply_flag(flags[k].id, val, in, fmt, why, sizeof why) != 0) {
			snprintf(err, errlen, "plan: --%s: %s", flags[k].name, why);
			return PLAN_BAD;
		}
	}
	return PLAN_GO;
}


/* A whole number of seconds, as the plan's results are: "60s", not "1m". */
static const char *secs(char buf[32], int64_t ms)
{
	snprintf(buf, 32, "%llds", (long long)(ms / 1000));
	return buf;
}

/* The arithmetic in words, one line each; a line starting with two spaces
 * continues the one before. Returns the number of lines. */
static int explain(const struct plan_input *in, const struct plan *p, char out[WHY_MAX][WHY_LEN])
{
	char a[32], b[32], c[32], e[32], f[32];
	int n = 0;

	snprintf(out[n++], WHY_LEN, "Kubernetes' readiness probe (every %s, %ld failure%s, %s timeout) takes the pod out",
		 dur_text(in->probe_period_ms, a, sizeof a), in->probe_failures,
		 in->probe_failures == 1 ? "" : "s",
		 dur_text(in->probe_timeout_ms, b, sizeof b));
	snprintf(out[n++], WHY_LEN, "  %s to %s after SIGTERM (0s if the pod is deleted): at worst %ld x %s + %s",
		 dur_text(p->k8s_first_ms, a, sizeof a), dur_text(p->k8s_last_ms, b, sizeof b),
		 in->probe_failures,
		 dur_text(in->probe_period_ms, c, sizeof c), dur_text(in->probe_timeout_ms, e, sizeof e));
	if (p->lb_last_ms >= 0) {
		snprintf(out[n++], WHY_LEN, "The load balancer's health check (every %s, %ld failure%s) marks it unhealthy",
			 dur_text(in->lb_interval_ms, a, sizeof a), in->lb_failures, in->lb_failures == 1 ? "" : "s");
		snprintf(out[n++], WHY_LEN, "  %s to %s after SIGTERM: at worst %ld x %s",
			 dur_text(p->lb_first_ms, a, sizeof a), dur_text(p->lb_last_ms, b, sizeof b),
			 in->lb_failures, dur_text(in->lb_interval_ms, c, sizeof c));
		if (p->window_ms > 0) {
			snprintf(out[n++], WHY_LEN, "Out of phase, the load balancer still routes for up to %s after Kubernetes",
				 dur_text(p->window_ms, a, sizeof a));
			snprintf(out[n++], WHY_LEN, "  took the pod out (%s - %s): an app that stops then loses those requests",
				 dur_text(p->lb_last_ms, a, sizeof a), dur_text(p->k8s_first_ms, b, sizeof b));
		} else {
			snprintf(out[n++], WHY_LEN, "The load balancer concludes no later than Kubernetes can: no out-of-phase window");
		}
	}
	if (p->lag_last_ms >= 0)
		snprintf(out[n++], WHY_LEN, "The load balancer lets go %s after Kubernetes: by %s + %s = %s",
			 dur_text(in->lb_lag_ms, a, sizeof a), dur_text(p->k8s_last_ms, b, sizeof b),
			 dur_text(in->lb_lag_ms, c, sizeof c), dur_text(p->lag_last_ms, e, sizeof e));

	int64_t sum = p->last_ms + in->margin_ms;
	snprintf(out[n++], WHY_LEN, "pre-stop delay = the last of these, %s, + margin %s = %s%s%s",
		 dur_text(p->last_ms, a, sizeof a), dur_text(in->margin_ms, b, sizeof b),
		 dur_text(sum, c, sizeof c),
		 sum != p->delay_ms ? ", rounded up to " : "", sum != p->delay_ms ? secs(e, p->delay_ms) : "");
	/* a fast probe is worth suggesting when it saves 5 s or more */
	if (p->delay_ms - p->fast_delay_ms >= 5000)
		snprintf(out[n++], WHY_LEN, "  with periodSeconds %d and failureThreshold 1 (drainit probe is cheap) "
			 "it would be %llds", PLAN_FAST_PERIOD_MS / 1000, (long long)(p->fast_delay_ms / 1000));
	sum = in->longest_ms + in->shutdown_ms + in->margin_ms;
	snprintf(out[n++], WHY_LEN, "drain timeout  = longest request %s + app shutdown %s + margin %s = %s%s%s",
		 dur_text(in->longest_ms, a, sizeof a), dur_text(in->shutdown_ms, b, sizeof b),
		 dur_text(in->margin_ms, c, sizeof c), dur_text(sum, e, sizeof e),
		 sum != p->drain_ms ? ", rounded up to " : "", sum != p->drain_ms ? secs(f, p->drain_ms) : "");
	snprintf(out[n++], WHY_LEN, "grace period   = %llds + %llds + %llds for drainit to kill, log and exit = %llds",
		 (long long)(p->delay_ms / 1000), (long long)(p->drain_ms / 1000),
		 (long long)(PLAN_MARGIN_MS / 1000), (long long)p->grace_s);
	return n;
}

/* The part of a pod template's spec that carries the plan. */
static void snippet(FILE *out, const char *indent, const struct plan_input *in, const struct plan *p)
{
	fprintf(out,
		"%sterminationGracePeriodSeconds: %lld\n"
		"%scontainers:\n"
		"%s  - name: app\n"
		"%s    env:\n"
		"%s      - name: DRAINIT_READY_FILE\n"
		"%s        value: " SNIPPET_READY_FILE "\n"
		"%s      - name: DRAINIT_PRE_STOP_DELAY\n"
		"%s        value: %llds\n"
		"%s      - name: DRAINIT_DRAIN_TIMEOUT\n"
		"%s        value: %llds\n"
		"%s      - name: DRAINIT_GRACE_PERIOD\n"
		"%s        value: %llds\n"
		"%s    readinessProbe:\n"
		"%s      exec:\n"
		"%s        command: [\"" SNIPPET_DRAINIT "\", \"probe\"]\n"
		"%s      periodSeconds: %lld\n"
		"%s      timeoutSeconds: %lld\n"
		"%s      failureThreshold: %ld\n",
		indent, (long long)p->grace_s, indent, indent, indent, indent, indent,
		indent, indent, (long long)(p->delay_ms / 1000),
		indent, indent, (long long)(p->drain_ms / 1000),
		indent, indent, (long long)p->grace_s,
		indent, indent, indent,
		indent, (long long)(in->probe_period_ms / 1000),
		indent, (long long)(in->probe_timeout_ms / 1000),
		indent, in->probe_failures);
}

/* A JSON string, escaped as the log's JSON lines are (log.c), control
 * characters included. */
static void json_string(FILE *out, const char *s)
{
	char esc[WHY_LEN * 6];
	log_json_escape(s, esc, sizeof esc);
	fprintf(out, "\"%s\"", esc);
}

static void json_ms(FILE *out, const char *key, int64_t ms, bool given, bool last)
{
	if (given)
		fprintf(out, "    \"%s\": %lld%s\n", key, (long long)ms, last ? "" : ",");
	else
		fprintf(out, "    \"%s\": null%s\n", key, last ? "" : ",");
}

static void print_json(FILE *out, const struct plan_input *in, const struct plan *p,
		       char lines[WHY_MAX][WHY_LEN], int n)
{
	bool lb = p->lb_last_ms >= 0;

	fprintf(out, "{\n");
	fprintf(out, "  \"pre_stop_delay\": \"%llds\",\n", (long long)(p->delay_ms / 1000));
	fprintf(out, "  \"drain_timeout\": \"%llds\",\n", (long long)(p->drain_ms / 1000));
	fprintf(out, "  \"termination_grace_period_seconds\": %lld,\n", (long long)p->grace_s);
	fprintf(out, "  \"pre_stop_delay_ms\": %lld,\n", (long long)p->delay_ms);
	fprintf(out, "  \"drain_timeout_ms\": %lld,\n", (long long)p->drain_ms);
	fprintf(out, "  \"kubernetes_out_ms\": [%lld, %lld],\n",
		(long long)p->k8s_first_ms, (long long)p->k8s_last_ms);
	if (lb)
		fprintf(out, "  \"load_balancer_out_ms\": [%lld, %lld],\n",
			(long long)p->lb_first_ms, (long long)p->lb_last_ms);
	else
		fprintf(out, "  \"load_balancer_out_ms\": null,\n");
	if (lb)
		fprintf(out, "  \"out_of_phase_ms\": %lld,\n", (long long)p->window_ms);
	else
		fprintf(out, "  \"out_of_phase_ms\": null,\n");
	if (p->lag_last_ms >= 0)
		fprintf(out, "  \"lag_out_ms\": %lld,\n", (long long)p->lag_last_ms);
	else
		fprintf(out, "  \"lag_out_ms\": null,\n");
	fprintf(out, "  \"last_out_ms\": %lld,\n", (long long)p->last_ms);
	fprintf(out, "  \"input\": {\n");
	json_ms(out, "probe_period_ms", in->probe_period_ms, true, false);
	json_ms(out, "probe_timeout_ms", in->probe_timeout_ms, true, false);
	json_ms(out, "probe_failures", in->probe_failures, true, false);
	json_ms(out, "lb_interval_ms", in->lb_interval_ms, lb, false);
	json_ms(out, "lb_failures", in->lb_failures, lb, false);
	json_ms(out, "lb_lag_ms", in->lb_lag_ms, in->lb_lag_ms >= 0, false);
	json_ms(out, "longest_request_ms", in->longest_ms, true, false);
	json_ms(out, "app_shutdown_ms", in->shutdown_ms, true, false);
	json_ms(out, "margin_ms", in->margin_ms, true, true);
	fprintf(out, "  },\n");
	fprintf(out, "  \"why\": [\n");
	for (int i = 0; i < n; i++) {
		fprintf(out, "    ");
		json_string(out, lines[i]);
		fprintf(out, "%s\n", i + 1 < n ? "," : "");
	}
	fprintf(out, "  ]\n}\n");
}

void plancmd_print(FILE *out, const struct plan_input *in, const struct plan *p,
		   enum plan_format fmt)
{
	char lines[WHY_MAX][WHY_LEN];
	int n = explain(in, p, lines);

	switch (fmt) {
	case PLAN_TEXT:
		fprintf(out, "pre-stop delay                 %llds\n", (long long)(p->delay_ms / 1000));
		fprintf(out, "drain timeout                  %llds\n", (long long)(p->drain_ms / 1000));
		fprintf(out, "terminationGracePeriodSeconds  %lld\n", (long long)p->grace_s);
		fprintf(out, "\nWhy, counting from the SIGTERM at which drainit withdraws readiness:\n");
		for (int i = 0; i < n; i++)
			fprintf(out, "  %s\n", lines[i]);
		fprintf(out, "\nKubernetes, in the pod template's spec (" SNIPPET_READY_FILE
			" on an emptyDir, as in docs/kubernetes.yaml):\n\n");
		snippet(out, "  ", in, p);
		break;
	case PLAN_YAML:
		fprintf(out, "# drainit plan: pre-stop delay %llds, drain timeout %llds, grace period %llds\n",
			(long long)(p->delay_ms / 1000), (long long)(p->drain_ms / 1000), (long long)p->grace_s);
		for (int i = 0; i < n; i++)
			fprintf(out, "#   %s\n", lines[i]);
		fprintf(out, "# For the pod template's spec; " SNIPPET_READY_FILE
			" wants an emptyDir (docs/kubernetes.yaml).\n");
		snippet(out, "", in, p);
		break;
	case PLAN_JSON:
		print_json(out, in, p, lines, n);
		break;
	}
}

void plancmd_help(FILE *out)
{
	fputs(
"usage: drainit plan --longest-request DUR (--lb-lag DUR | --lb-interval DUR\n"
"                    --lb-failures N) [OPTIONS]\n"
"\n"
"Computes the pre-stop delay, the drain timeout and terminationGracePeriodSeconds\n"
"from what you know, explains the arithmetic, and prints a Kubernetes snippet.\n"
"\n"
"  --longest-request DUR  the slowest request: the maximum latency, not the\n"
"                         average (required)\n"
"  --app-shutdown DUR     the app's own shutdown after its last request (0)\n"
"  --probe-period DUR     readinessProbe periodSeconds (10s)\n"
"  --probe-failures N     readinessProbe failureThreshold (3)\n"
"  --probe-timeout DUR    readinessProbe timeoutSeconds (1s)\n"
"  --lb-interval DUR      the load balancer's health-check interval\n"
"  --lb-failures N        ... and its unhealthy threshold\n"
"  --lb-lag DUR           measured: how long the load balancer keeps routing\n"
"                         after the pod left the endpoints (0 if nothing does)\n"
"  --margin DUR           added to the delay and to the drain (5s)\n"
"  --format FMT           text, yaml (the snippet, explained in comments) or json\n"
"  -h, --help             show this help\n"
"\n"
"pre-stop delay = the latest of: probe failures x period + timeout; the load\n"
"balancer's failures x interval; probe + lag. Then + margin.\n"
"drain timeout = longest request + app shutdown + margin.\n"
"grace period = delay + drain + 2s for drainit itself. Whole seconds, rounded up.\n"
"Exit status 0; 64 on missing or inconsistent input; 71 when the output cannot\n"
"be written. See drainit(8).\n", out);
}

int plancmd_main(int argc, char **argv)
{
	struct plan_input in;
	struct plan p;
	enum plan_format fmt;
	char err[300];

	switch (plancmd_parse(argc, argv, &in, &fmt, err, sizeof err)) {
	case PLAN_HELP:
		plancmd_help(stdout);
		return 0;
	case PLAN_BAD:
		log_usage_error(err, "drainit plan --help");
		return EXIT_USAGE;
	case PLAN_GO:
		break;
	}
	if (plan_compute(&in, &p, err, sizeof err) != 0) {
		char both[sizeof err + 8];
		snprintf(both, sizeof both, "plan: %s", err);
		log_usage_error(both, "drainit plan --help");
		return EXIT_USAGE;
	}
	plancmd_print(stdout, &in, &p, fmt);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "drainit: error: plan: cannot write the plan: %s\n", strerror(errno));
		return EXIT_OSERR;
	}
	return 0;
}
