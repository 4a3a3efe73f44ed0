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
