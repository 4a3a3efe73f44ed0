#ifndef DRAINIT_STATE_H
#define DRAINIT_STATE_H

#include <stdbool.h>

/* The lifecycle as a pure state machine: given the phase and an event, the
 * next phase and the actions the caller must carry out, in this order:
 * END_CHECKS, CLEAR_READY, BEGIN_CHECKS, MARK_READY, STOP, KILL, then at most
 * one ARM_*, then EXIT. */

enum phase {
	PH_STARTING,    /* app spawned, not ready (yet, or again after a withdrawal) */
	PH_RUNNING,     /* ready, serving */
	PH_DELAY,       /* SIGTERM seen: unready, still serving for the pre-stop delay */
	PH_DRAINING,    /* stop signal sent: waiting for every process to exit */
	PH_KILLING,     /* SIGKILL sent: waiting for the last exits */
	PH_DONE,
};

enum event {
	EV_STARTED,     /* the app was exec'd */
	EV_READY,       /* the readiness condition holds */
	EV_UNREADY,     /* it stopped holding (failed rechecks, STOPPING=1) */
	EV_TERM,        /* the lifecycle signal (SIGTERM) arrived */
	EV_DEADLINE,    /* the armed deadline passed */
	EV_APP_EXIT,    /* the app exited while other processes remain */
	EV_ALL_EXITED,  /* no process is left under drainit */
};

enum action {
	A_CLEAR_READY = 1 << 0,
	A_MARK_READY  = 1 << 1,
	A_STOP        = 1 << 2,  /* send the stop signal */
	A_KILL        = 1 << 3,  /* SIGKILL every remaining process */
	A_ARM_DELAY   = 1 << 4,  /* deadline: now + pre-stop delay */
	A_ARM_DRAIN   = 1 << 5,  /* deadline: now + drain timeout */
	A_ARM_KILL    = 1 << 6,  /* deadline: now + KILL_WAIT_MS */
	A_EXIT        = 1 << 7,
	A_BEGIN_CHECKS = 1 << 8, /* start checking the readiness condition */
	A_END_CHECKS  = 1 << 9,  /* stop checking it: leaving service */
};

/* After SIGKILL, how long to wait for exits before sweeping again, and how
 * many sweeps before giving up on processes stuck in the kernel. */
#define KILL_WAIT_MS 1000
#define KILL_ROUNDS 3

struct machine {
	enum phase phase;
	unsigned terms;       /* lifecycle signals seen */
	unsigned kill_rounds; /* SIGKILL sweeps done */
	bool has_delay;       /* pre-stop delay > 0 */
	bool single_child;    /* the stop signal goes to the app alone */
	bool checked;         /* ready when a condition holds, not at exec */
	bool started;         /* the app was exec'd */
};

void state_init(struct machine *m, bool has_delay, bool single_child, bool checked);
unsigned state_step(struct machine *m, enum event ev);
const char *state_phase_name(enum phase p);
const char *state_event_name(enum event e);

#endif
