#include "plan.h"

bool plan_fits(int64_t delay_ms, int64_t drain_ms, int64_t grace_ms)
{
	return delay_ms + drain_ms + PLAN_MARGIN_MS <= grace_ms;
}
