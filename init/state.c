#include "state.h"

void state_init(struct machine *m, bool has_delay, bool single_child, bool checked)
{
	m->single_child = single_child;
	m->checked = checked;
	m->phase = PH_STARTING;
	m->terms = 0;
	m->kill_rounds = 0;
	m->has_delay = has_delay;
	m->started = false;
}

static unsigned go(struct machine *m, enum phase next, unsigned actions)
{
	m->phase = next;
	if (actions & A_KILL)
		m->kill_rounds++;
	return actions;
}

/* Leaving service: readiness is withdrawn and no longer checked. */
#define LEAVE (A_END_CHECKS | A_CLEAR_READY)

/* Without a delay, the stop signal goes out at once. */
static unsigned begin_stop(struct machine *m)
{
	if (m->has_delay)
		return go(m, PH_DELAY, LEAVE | A_ARM_DELAY);
	return go(m, PH_DRAINING, LEAVE | A_STOP | A_ARM_DRAIN);
}

unsigned state_step(struct machine *m, enum event ev)
{
	if (ev == EV_TERM)
		m->terms++;
	/* The third lifecycle signal is the user saying "now". */
	if (ev == EV_TERM && m->terms >= 3 && m->phase != PH_KILLING && m->phase != PH_DONE)
		return go(m, PH_KILLING, LEAVE | A_KILL | A_ARM_KILL);
	if (ev == EV_ALL_EXITED && m->phase != PH_DONE)
		return go(m, PH_DONE, LEAVE | A_EXIT);

	switch (m->phase) {
	case PH_STARTING:
	case PH_RUNNING:
		switch (ev) {
		case EV_STARTED:
			if (m->phase != PH_STARTING || m->started)
				return 0;
			m->started = true;
			return m->checked ? A_BEGIN_CHECKS : go(m, PH_RUNNING, A_MARK_READY);
		case EV_READY:
			return m->phase == PH_STARTING && m->started ? go(m, PH_RUNNING, A_MARK_READY) : 0;
		case EV_UNREADY:
			return m->phase == PH_RUNNING ? go(m, PH_STARTING, A_CLEAR_READY) : 0;
		case EV_TERM:
			return begin_stop(m);
		case EV_APP_EXIT:
			return go(m, PH_DRAINING, LEAVE | A_STOP | A_ARM_DRAIN);
		default:
			return 0;
		}
	case PH_DELAY:
		switch (ev) {
		case EV_TERM:     /* a second SIGTERM cuts the delay short */
		case EV_DEADLINE:
		case EV_APP_EXIT: /* nothing left to keep serving */
			return go(m, PH_DRAINING, A_STOP | A_ARM_DRAIN);
		default:
			return 0;
		}
	case PH_DRAINING:
		/* The app exiting first (a bash wrapper dying at once) does not end
		 * the drain: only EV_ALL_EXITED does. What it leaves behind got the
		 * stop signal with its group, unless the signal went to the app
		 * alone: then the rest gets it now. */
		if (ev == EV_DEADLINE)
			return go(m, PH_KILLING, A_KILL | A_ARM_KILL);
		if (ev == EV_APP_EXIT && m->single_child)
			return A_STOP;
		return 0;
	case PH_KILLING:
		if (ev == EV_DEADLINE) {
			if (m->kill_rounds < KILL_ROUNDS)
				return go(m, PH_KILLING, A_KILL | A_ARM_KILL);
			return go(m, PH_DONE, A_EXIT);
		}
		return 0;
	case PH_DONE:
		return 0;
	}
	return 0;
}

const char *state_phase_name(enum phase p)
{
	static const char *const n[] = { "starting", "running", "delay", "draining", "killing", "done" };
	return (unsigned)p < sizeof n / sizeof n[0] ? n[p] : "?";
}

const char *state_event_name(enum event e)
{
	static const char *const n[] = { "started", "ready", "unready", "term", "deadline", "app-exit",
					 "all-exited" };
	return (unsigned)e < sizeof n / sizeof n[0] ? n[e] : "?";
}
