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

#endif
