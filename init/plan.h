#ifndef DRAINIT_PLAN_H
#define DRAINIT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Timing arithmetic: `drainit plan`, the start-up check, the summary's
 * phases. All pure. */

/* The time drainit keeps between its SIGKILL deadline and the end of the
 * grace period, so that it logs and exits before the kubelet kills it. */
#define PLAN_MARGIN_MS 2000

/* True when delay + drain + margin fit inside grace. */
bool plan_fits(int64_t delay_ms, int64_t drain_ms, int64_t grace_ms);

/* When the shutdown's steps happened (CLOCK_MONOTONIC ms; -1: never). */
struct plan_marks {
	int64_t term, stop, kill, end;
};

/* How long each phase took, for the closing summary. */
struct plan_phases {
	bool by_term;    /* SIGTERM started the shutdown, not the app's own exit */
	bool stopped;    /* a stop signal went out */
	int64_t total;   /* SIGTERM to exit (by_term only) */
	int64_t delay;   /* SIGTERM to the stop signal, or to SIGKILL without one */
	int64_t drain;   /* stop signal to exit, or to SIGKILL */
};

/* Splits a shutdown into its phases; pure, never negative. */
struct plan_phases plan_phases(struct plan_marks m);

/* What `drainit plan` is told. Durations in ms; -1 (or 0 for the counts):
 * not given. The probe's fields default to Kubernetes' own. */
struct plan_input {
	int64_t probe_period_ms;    /* readinessProbe.periodSeconds (10 s) */
	int64_t probe_timeout_ms;   /* readinessProbe.timeoutSeconds (1 s) */
	long probe_failures;        /* readinessProbe.failureThreshold (3) */
	int64_t lb_interval_ms;     /* the load balancer's health-check interval */
	long lb_failures;           /* ... and its unhealthy threshold */
	int64_t lb_lag_ms;          /* measured: endpoint removal to the LB's last new request */
	int64_t longest_ms;         /* the slowest request (required) */
	int64_t shutdown_ms;        /* the app's own shutdown after its last request (0) */
	int64_t margin_ms;          /* added to the delay and to the drain (5 s) */
};

#define PLAN_PROBE_PERIOD_MS 10000
#define PLAN_PROBE_TIMEOUT_MS 1000
#define PLAN_PROBE_FAILURES 3
#define PLAN_DEFAULT_MARGIN_MS 5000
#define PLAN_FAILURES_MAX 10000
/* The fast probe the plan suggests: periodSeconds 2, failureThreshold 1. */
#define PLAN_FAST_PERIOD_MS 2000

/* An input with nothing given but the Kubernetes defaults. */
void plan_input_init(struct plan_input *in);

/* The plan: every time is counted from the SIGTERM at which drainit
 * withdraws readiness; worst cases unless said otherwise. */
struct plan {
	int64_t k8s_first_ms;  /* earliest the readiness probe takes the pod out */
	int64_t k8s_last_ms;   /* latest: failures x period + timeout */
	int64_t lb_first_ms;   /* the same for the LB's health check; -1: not given */
	int64_t lb_last_ms;
	int64_t window_ms;     /* the LB may route after Kubernetes took the pod out; -1 */
	int64_t lag_last_ms;   /* k8s_last + measured lag; -1: not given */
	int64_t last_ms;       /* the last of them: nothing new arrives after it */
	int64_t delay_ms;      /* pre-stop delay: last + margin, whole seconds */
	int64_t drain_ms;      /* drain timeout: longest + shutdown + margin, whole seconds */
	int64_t grace_s;       /* terminationGracePeriodSeconds: delay + drain + PLAN_MARGIN_MS */
	int64_t fast_delay_ms; /* the delay with a fast probe (PLAN_FAST_PERIOD_MS x 1) */
};

/* Checks the input and computes the plan. Returns 0, or -1 with a one-line
 * reason in err (missing or inconsistent input, a result drainit cannot
 * take). */
int plan_compute(const struct plan_input *in, struct plan *out, char *err, size_t errlen);

#endif
