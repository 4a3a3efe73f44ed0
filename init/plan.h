#ifndef DRAINIT_PLAN_H
#define DRAINIT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

/* Timing arithmetic. Room for `drainit plan`; today, the start-up check. */

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

#endif
