#include <stdio.h>

#include "dur.h"
#include "plan.h"

bool plan_fits(int64_t delay_ms, int64_t drain_ms, int64_t grace_ms)
{
	return delay_ms + drain_ms + PLAN_MARGIN_MS <= grace_ms;
}

struct plan_phases plan_phases(struct plan_marks m)
{
	struct plan_phases p = { 0 };
	int64_t drain_end = m.kill >= 0 ? m.kill : m.end;

	/* A SIGTERM that came after the app had exited and its leftovers were
	 * being stopped did not start anything: the drain was already on. */
	p.by_term = m.term >= 0 && (m.stop < 0 || m.term <= m.stop);
	p.stopped = m.stop >= 0;
	if (p.by_term) {
		p.total = m.end - m.term;
		p.delay = (m.stop >= 0 ? m.stop : drain_end) - m.term;
	}
	if (p.stopped && drain_end >= m.stop)
		p.drain = drain_end - m.stop;
	return p;
}

void plan_input_init(struct plan_input *in)
{
	*in = (struct plan_input){
		.probe_period_ms = PLAN_PROBE_PERIOD_MS,
		.probe_timeout_ms = PLAN_PROBE_TIMEOUT_MS,
		.probe_failures = PLAN_PROBE_FAILURES,
		.lb_interval_ms = -1,
		.lb_failures = 0,
		.lb_lag_ms = -1,
		.longest_ms = -1,
		.shutdown_ms = 0,
		.margin_ms = PLAN_DEFAULT_MARGIN_MS,
	};
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t whole_seconds_up(int64_t ms)
{
	return (ms + 999) / 1000 * 1000;
}

static bool in_range(const char *what, int64_t v, int64_t lo, int64_t hi,
		     char *err, size_t errlen)
{
	if (v >= lo && v <= hi)
		return true;
	snprintf(err, errlen, "%s must be from %lld to %lld", what, (long long)lo, (long long)hi);
	return false;
}

/* The last moment a router may still send a new request, given the
 * readiness probe's worst case: the probe itself, the load balancer's own
 * health check, the measured lag after the probe. */
static int64_t last_out(const struct plan_input *in, const struct plan *p, int64_t k8s_last)
{
	int64_t last = max64(k8s_last, p->lb_last_ms);
	return in->lb_lag_ms >= 0 ? max64(last, k8s_last + in->lb_lag_ms) : last;
}

/* Inputs arrive through dur_parse, so each is at most DUR_MAX_MS and no sum
 * or product below overflows: the largest, failures x period, is below
 * 2^49. */
int plan_compute(const struct plan_input *in, struct plan *p, char *err, size_t errlen)
{
	bool have_lb = in->lb_interval_ms >= 0 || in->lb_failures > 0;

	if (in->longest_ms < 0) {
		snprintf(err, errlen, "--longest-request is required: the slowest request's time (the maximum latency, not the average)");
		return -1;
	}
	if (in->longest_ms == 0) {
		snprintf(err, errlen, "--longest-request must be more than 0");
		return -1;
	}
	if (in->probe_period_ms < 1000 || in->probe_period_ms % 1000 != 0) {
		snprintf(err, errlen, "--probe-period must be whole seconds, at least 1s (it is Kubernetes' periodSeconds)");
		return -1;
	}
	if (in->probe_timeout_ms < 1000 || in->probe_timeout_ms % 1000 != 0) {
		snprintf(err, errlen, "--probe-timeout must be whole seconds, at least 1s (it is Kubernetes' timeoutSeconds)");
		return -1;
	}
	if (!in_range("--probe-failures", in->probe_failures, 1, PLAN_FAILURES_MAX, err, errlen))
		return -1;
	if (have_lb && (in->lb_interval_ms < 0 || in->lb_failures <= 0)) {
		snprintf(err, errlen, "--lb-interval and --lb-failures go together: the load balancer's health-check interval and unhealthy threshold");
		return -1;
	}
	if (have_lb && in->lb_interval_ms == 0) {
		snprintf(err, errlen, "--lb-interval must be more than 0");
		return -1;
	}
	if (have_lb && !in_range("--lb-failures", in->lb_failures, 1, PLAN_FAILURES_MAX, err, errlen))
		return -1;
	if (!have_lb && in->lb_lag_ms < 0) {
		snprintf(err, errlen, "say how the load balancer lets go of the pod: --lb-lag DUR (measured; 0 if nothing else routes to it) or --lb-interval DUR with --lb-failures N");
		return -1;
	}
	if (in->shutdown_ms < 0 || in->margin_ms < 0) {
		snprintf(err, errlen, "--app-shutdown and --margin must not be negative");
		return -1;
	}

	*p = (struct plan){ .lb_first_ms = -1, .lb_last_ms = -1, .window_ms = -1, .lag_last_ms = -1 };
	/* The withdrawal lands anywhere between two probes: the first failing
	 * probe runs at once or a period later, the threshold-th one
	 * (failures - 1) periods after that and may take its timeout. */
	p->k8s_first_ms = (in->probe_failures - 1) * in->probe_period_ms;
	p->k8s_last_ms = in->probe_failures * in->probe_period_ms + in->probe_timeout_ms;
	if (have_lb) {
		/* The load balancer samples on its own clock: out of phase, it can
		 * conclude as late as Kubernetes could conclude early. */
		p->lb_first_ms = (in->lb_failures - 1) * in->lb_interval_ms;
		p->lb_last_ms = in->lb_failures * in->lb_interval_ms;
		p->window_ms = max64(0, p->lb_last_ms - p->k8s_first_ms);
	}
	if (in->lb_lag_ms >= 0)
		p->lag_last_ms = p->k8s_last_ms + in->lb_lag_ms;
	p->last_ms = last_out(in, p, p->k8s_last_ms);
	p->delay_ms = whole_seconds_up(p->last_ms + in->margin_ms);
	/* The same with the fast probe: the bound a user controls most cheaply. */
	p->fast_delay_ms = whole_seconds_up(last_out(in, p, PLAN_FAST_PERIOD_MS + in->probe_timeout_ms) +
					    in->margin_ms);
	p->drain_ms = whole_seconds_up(in->longest_ms + in->shutdown_ms + in->margin_ms);
	p->grace_s = (p->delay_ms + p->drain_ms + PLAN_MARGIN_MS + 999) / 1000;

	if (p->grace_s * 1000 > DUR_MAX_MS) {
		snprintf(err, errlen, "the plan needs a grace period of %llds, more than drainit takes (8760h)",
			 (long long)p->grace_s);
		return -1;
	}
	return 0;
}
