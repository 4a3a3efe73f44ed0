#include <stdio.h>
#include <string.h>

#include "state.h"
#include "suites.h"

#define CLEAR A_CLEAR_READY
#define MARK A_MARK_READY
#define STOP A_STOP
#define KILL A_KILL
#define ADELAY A_ARM_DELAY
#define ADRAIN A_ARM_DRAIN
#define AKILL A_ARM_KILL
#define EXIT A_EXIT
#define BEGIN A_BEGIN_CHECKS
#define END A_END_CHECKS
/* leaving service: readiness withdrawn, and no longer checked */
#define LEAVE (END | CLEAR)
#define ALL_ACTIONS 0x3ffu

#define NPHASES (PH_DONE + 1)
#define NEVENTS (EV_ALL_EXITED + 1)

/* One transition: a machine in `phase` (checking a readiness condition or
 * not, the app exec'd or not) having seen `terms` lifecycle signals and
 * `rounds` SIGKILL sweeps gets `ev`. */
struct row {
	bool has_delay, checked, started;
	enum phase phase;
	unsigned terms, rounds;
	enum event ev;
	enum phase next;
	unsigned actions;
};

/* BOTH: with and without a delay; ALL: also checked or not. The app was
 * exec'd (started) unless a row says otherwise. */
#define ROW(delay, checked, started, ...) { delay, checked, started, __VA_ARGS__ }
#define BOTH_C(checked, started, ...) \
	ROW(false, checked, started, __VA_ARGS__), ROW(true, checked, started, __VA_ARGS__)
#define ALL_S(started, ...) BOTH_C(false, started, __VA_ARGS__), BOTH_C(true, started, __VA_ARGS__)
#define ALL(...) ALL_S(true, __VA_ARGS__)
#define UNCHECKED(...) BOTH_C(false, true, __VA_ARGS__)
#define CHECKED(...) BOTH_C(true, true, __VA_ARGS__)
#define DELAY_ONLY(...) ROW(true, false, true, __VA_ARGS__), ROW(true, true, true, __VA_ARGS__)
#define NO_DELAY(...) ROW(false, false, true, __VA_ARGS__), ROW(false, true, true, __VA_ARGS__)

static const struct row table[] = {
	/* starting, before exec */
	BOTH_C(false, false, PH_STARTING, 0, 0, EV_STARTED, PH_RUNNING, MARK),
	BOTH_C(true, false, PH_STARTING, 0, 0, EV_STARTED, PH_STARTING, BEGIN), /* wait for the condition */
	ALL_S(false, PH_STARTING, 0, 0, EV_READY, PH_STARTING, 0), /* not before exec */
	ALL_S(false, PH_STARTING, 0, 0, EV_UNREADY, PH_STARTING, 0),
	ALL_S(false, PH_STARTING, 0, 0, EV_DEADLINE, PH_STARTING, 0),
	ALL_S(false, PH_STARTING, 0, 0, EV_APP_EXIT, PH_DRAINING, LEAVE | STOP | ADRAIN),
	ALL_S(false, PH_STARTING, 0, 0, EV_ALL_EXITED, PH_DONE, LEAVE | EXIT), /* exec failed */
	ROW(true, false, false, PH_STARTING, 0, 0, EV_TERM, PH_DELAY, LEAVE | ADELAY),
	ROW(true, true, false, PH_STARTING, 0, 0, EV_TERM, PH_DELAY, LEAVE | ADELAY),
	ROW(false, false, false, PH_STARTING, 0, 0, EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN),
	ROW(false, true, false, PH_STARTING, 0, 0, EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN),

	/* starting, exec'd, checking (or unready again after a withdrawal) */
	CHECKED(PH_STARTING, 0, 0, EV_STARTED, PH_STARTING, 0), /* checks begin only once */
	CHECKED(PH_STARTING, 0, 0, EV_READY, PH_RUNNING, MARK),
	CHECKED(PH_STARTING, 0, 0, EV_UNREADY, PH_STARTING, 0), /* not ready already */
	CHECKED(PH_STARTING, 0, 0, EV_DEADLINE, PH_STARTING, 0),
	CHECKED(PH_STARTING, 0, 0, EV_APP_EXIT, PH_DRAINING, LEAVE | STOP | ADRAIN),
	CHECKED(PH_STARTING, 0, 0, EV_ALL_EXITED, PH_DONE, LEAVE | EXIT),
	ROW(true, true, true, PH_STARTING, 0, 0, EV_TERM, PH_DELAY, LEAVE | ADELAY),
	ROW(false, true, true, PH_STARTING, 0, 0, EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN),

	/* running */
	DELAY_ONLY(PH_RUNNING, 0, 0, EV_TERM, PH_DELAY, LEAVE | ADELAY),
	NO_DELAY(PH_RUNNING, 0, 0, EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN),
	ALL(PH_RUNNING, 0, 0, EV_STARTED, PH_RUNNING, 0), /* ready only once */
	ALL(PH_RUNNING, 0, 0, EV_READY, PH_RUNNING, 0),   /* ready already */
	/* rechecks failed: not ready, but checking goes on (no END_CHECKS) */
	ALL(PH_RUNNING, 0, 0, EV_UNREADY, PH_STARTING, CLEAR),
	ALL(PH_RUNNING, 0, 0, EV_DEADLINE, PH_RUNNING, 0),
	ALL(PH_RUNNING, 0, 0, EV_APP_EXIT, PH_DRAINING, LEAVE | STOP | ADRAIN),
	ALL(PH_RUNNING, 0, 0, EV_ALL_EXITED, PH_DONE, LEAVE | EXIT),

	/* delay (only with a delay): out of service already */
	DELAY_ONLY(PH_DELAY, 1, 0, EV_TERM, PH_DRAINING, STOP | ADRAIN), /* second TERM */
	DELAY_ONLY(PH_DELAY, 1, 0, EV_DEADLINE, PH_DRAINING, STOP | ADRAIN),
	DELAY_ONLY(PH_DELAY, 1, 0, EV_APP_EXIT, PH_DRAINING, STOP | ADRAIN),
	DELAY_ONLY(PH_DELAY, 1, 0, EV_STARTED, PH_DELAY, 0),
	DELAY_ONLY(PH_DELAY, 1, 0, EV_READY, PH_DELAY, 0),
	DELAY_ONLY(PH_DELAY, 1, 0, EV_UNREADY, PH_DELAY, 0),
	ROW(true, true, false, PH_DELAY, 1, 0, EV_STARTED, PH_DELAY, 0), /* no checks once stopping */
	ROW(true, true, false, PH_DELAY, 1, 0, EV_READY, PH_DELAY, 0),
	DELAY_ONLY(PH_DELAY, 1, 0, EV_ALL_EXITED, PH_DONE, LEAVE | EXIT),

	/* draining */
	ALL(PH_DRAINING, 1, 0, EV_APP_EXIT, PH_DRAINING, 0), /* a wrapper dying first */
	ALL(PH_DRAINING, 0, 0, EV_APP_EXIT, PH_DRAINING, 0),
	ALL(PH_DRAINING, 1, 0, EV_DEADLINE, PH_KILLING, KILL | AKILL),
	ALL(PH_DRAINING, 1, 0, EV_STARTED, PH_DRAINING, 0),
	ALL(PH_DRAINING, 1, 0, EV_READY, PH_DRAINING, 0),
	ALL(PH_DRAINING, 1, 0, EV_UNREADY, PH_DRAINING, 0),
	ROW(false, true, false, PH_DRAINING, 1, 0, EV_STARTED, PH_DRAINING, 0),
	ROW(false, true, false, PH_DRAINING, 1, 0, EV_READY, PH_DRAINING, 0),
	ALL(PH_DRAINING, 1, 0, EV_ALL_EXITED, PH_DONE, LEAVE | EXIT),
	NO_DELAY(PH_DRAINING, 1, 0, EV_TERM, PH_DRAINING, 0), /* second TERM: nothing */
	NO_DELAY(PH_DRAINING, 0, 0, EV_TERM, PH_DRAINING, 0), /* first TERM after the app exit */

	/* the third TERM from any live phase kills */
	ALL(PH_STARTING, 2, 0, EV_TERM, PH_KILLING, LEAVE | KILL | AKILL),
	ALL_S(false, PH_STARTING, 2, 0, EV_TERM, PH_KILLING, LEAVE | KILL | AKILL),
	ALL(PH_RUNNING, 2, 0, EV_TERM, PH_KILLING, LEAVE | KILL | AKILL),
	DELAY_ONLY(PH_DELAY, 2, 0, EV_TERM, PH_KILLING, LEAVE | KILL | AKILL),
	ALL(PH_DRAINING, 2, 0, EV_TERM, PH_KILLING, LEAVE | KILL | AKILL),
	ALL(PH_DRAINING, 5, 0, EV_TERM, PH_KILLING, LEAVE | KILL | AKILL),

	/* killing: sweep again until KILL_ROUNDS sweeps, then give up */
	ALL(PH_KILLING, 1, 1, EV_DEADLINE, PH_KILLING, KILL | AKILL),
	ALL(PH_KILLING, 1, KILL_ROUNDS - 1, EV_DEADLINE, PH_KILLING, KILL | AKILL),
	ALL(PH_KILLING, 1, KILL_ROUNDS, EV_DEADLINE, PH_DONE, EXIT),
	ALL(PH_KILLING, 2, 1, EV_TERM, PH_KILLING, 0), /* a third TERM changes nothing */
	ALL(PH_KILLING, 3, 1, EV_TERM, PH_KILLING, 0),
	ALL(PH_KILLING, 1, 1, EV_APP_EXIT, PH_KILLING, 0),
	ALL(PH_KILLING, 1, 1, EV_STARTED, PH_KILLING, 0),
	ALL(PH_KILLING, 1, 1, EV_READY, PH_KILLING, 0),
	ALL(PH_KILLING, 1, 1, EV_UNREADY, PH_KILLING, 0),
	ALL(PH_KILLING, 1, 1, EV_ALL_EXITED, PH_DONE, LEAVE | EXIT),

	/* done ignores everything */
	ALL(PH_DONE, 0, 0, EV_STARTED, PH_DONE, 0),
	ALL_S(false, PH_DONE, 0, 0, EV_STARTED, PH_DONE, 0),
	ALL(PH_DONE, 0, 0, EV_READY, PH_DONE, 0),
	ALL(PH_DONE, 0, 0, EV_UNREADY, PH_DONE, 0),
	ALL(PH_DONE, 1, 0, EV_TERM, PH_DONE, 0),
	ALL(PH_DONE, 2, 0, EV_TERM, PH_DONE, 0),
	ALL(PH_DONE, 1, 1, EV_DEADLINE, PH_DONE, 0),
	ALL(PH_DONE, 1, KILL_ROUNDS, EV_DEADLINE, PH_DONE, 0),
	ALL(PH_DONE, 1, 0, EV_APP_EXIT, PH_DONE, 0),
	ALL(PH_DONE, 1, 0, EV_ALL_EXITED, PH_DONE, 0),
};

static void actions_text(unsigned a, char *buf, size_t len)
{
	static const char *const names[] = { "CLEAR_READY", "MARK_READY", "STOP", "KILL",
					     "ARM_DELAY", "ARM_DRAIN", "ARM_KILL", "EXIT",
					     "BEGIN_CHECKS", "END_CHECKS" };
	const unsigned known = sizeof names / sizeof names[0];
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < known; i++)
		if (a & (1u << i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "|" : "", names[i]);
	if (a >> known)
		snprintf(buf + o, len - o, "|0x%x", a & ~((1u << known) - 1));
	if (!a)
		snprintf(buf, len, "none");
}

START_TEST(test_actions_text)
{
	/* the names the failure messages use are the right ones */
	char buf[256];
	actions_text(0, buf, sizeof buf);
	ck_assert_str_eq(buf, "none");
	actions_text(LEAVE | STOP | ADRAIN, buf, sizeof buf);
	ck_assert_str_eq(buf, "CLEAR_READY|STOP|ARM_DRAIN|END_CHECKS");
	actions_text(BEGIN, buf, sizeof buf);
	ck_assert_str_eq(buf, "BEGIN_CHECKS");
	actions_text(MARK | (1u << 10), buf, sizeof buf);
	ck_assert_str_eq(buf, "MARK_READY|0x400");
	/* the bits are distinct and all known */
	ck_assert_uint_eq(CLEAR | MARK | STOP | KILL | ADELAY | ADRAIN | AKILL | EXIT | BEGIN | END,
			  ALL_ACTIONS);
}
END_TEST

START_TEST(test_table)
{
	const struct row *r = &table[_i];
	struct machine m;
	char got[160], want[160];

	state_init(&m, r->has_delay, false, r->checked);
	m.phase = r->phase;
	m.terms = r->terms;
	m.kill_rounds = r->rounds;
	m.started = r->started;
	unsigned a = state_step(&m, r->ev);
	actions_text(a, got, sizeof got);
	actions_text(r->actions, want, sizeof want);
	ck_assert_msg(a == r->actions && m.phase == r->next,
		      "row %d: %s (delay=%d checked=%d started=%d terms=%u rounds=%u) + %s: "
		      "got %s/%s, want %s/%s", _i, state_phase_name(r->phase), r->has_delay,
		      r->checked, r->started, r->terms, r->rounds, state_event_name(r->ev),
		      state_phase_name(m.phase), got, state_phase_name(r->next), want);
	/* the counters: TERM counts, each KILL is one sweep */
	ck_assert_uint_eq(m.terms, r->terms + (r->ev == EV_TERM));
	ck_assert_uint_eq(m.kill_rounds, r->rounds + ((a & A_KILL) != 0));
	ck_assert_int_eq(m.has_delay, r->has_delay);
	ck_assert_int_eq(m.checked, r->checked);
	/* only an accepted STARTED records the exec */
	ck_assert_int_eq(m.started, r->started || (r->ev == EV_STARTED && r->phase == PH_STARTING));
}
END_TEST

START_TEST(test_table_leaving_service)
{
	/* every row that leaves service (a live phase to a stopping one, or the
	 * third TERM) stops the checks and withdraws readiness together; no
	 * other row touches the checks but the first STARTED */
	size_t n = sizeof table / sizeof table[0];
	unsigned leaving = 0;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &table[i];
		bool live = r->phase == PH_STARTING || r->phase == PH_RUNNING;
		bool leaves = (live && r->next != PH_STARTING && r->next != PH_RUNNING) ||
			      (r->next == PH_KILLING && r->phase != PH_KILLING && r->ev == EV_TERM) ||
			      (r->next == PH_DONE && r->ev == EV_ALL_EXITED && r->phase != PH_DONE);
		leaving += leaves;
		ck_assert_msg(!leaves || (r->actions & LEAVE) == LEAVE, "row %zu leaves without END|CLEAR", i);
		ck_assert_msg(leaves == !!(r->actions & END), "row %zu: END_CHECKS iff leaving", i);
		ck_assert_msg(!(r->actions & BEGIN) ||
			      (r->checked && !r->started && r->ev == EV_STARTED), "row %zu: BEGIN", i);
	}
	ck_assert_uint_ge(leaving, 40);
}
END_TEST

START_TEST(test_init)
{
	struct machine m;
	memset(&m, 0xff, sizeof m);
	state_init(&m, true, false, false);
	ck_assert_int_eq(m.phase, PH_STARTING);
	ck_assert_uint_eq(m.terms, 0);
	ck_assert_uint_eq(m.kill_rounds, 0);
	ck_assert(m.has_delay);
	ck_assert(!m.single_child);
	ck_assert(!m.checked);
	ck_assert(!m.started);
	state_init(&m, false, false, false);
	ck_assert(!m.has_delay);
	memset(&m, 0xff, sizeof m);
	state_init(&m, false, true, true);
	ck_assert_int_eq(m.phase, PH_STARTING);
	ck_assert(m.single_child);
	ck_assert(m.checked);
	ck_assert(!m.started);
	ck_assert_uint_eq(m.terms, 0);
	ck_assert_uint_eq(m.kill_rounds, 0);
}
END_TEST

/* Runs events from a fresh machine and checks each step. */
struct step {
	enum event ev;
	enum phase next;
	unsigned actions;
};

static void run_sequence(bool has_delay, bool checked, const struct step *steps, size_t n)
{
	struct machine m;
	char got[160], want[160];
	state_init(&m, has_delay, false, checked);
	for (size_t i = 0; i < n; i++) {
		unsigned a = state_step(&m, steps[i].ev);
		actions_text(a, got, sizeof got);
		actions_text(steps[i].actions, want, sizeof want);
		ck_assert_msg(a == steps[i].actions && m.phase == steps[i].next,
			      "delay=%d checked=%d step %zu (%s): got %s/%s, want %s/%s", has_delay,
			      checked, i, state_event_name(steps[i].ev), state_phase_name(m.phase), got,
			      state_phase_name(steps[i].next), want);
	}
}

#define SEQC(delay, checked, ...) do { \
		static const struct step s_[] = { __VA_ARGS__ }; \
		run_sequence((delay), (checked), s_, sizeof s_ / sizeof s_[0]); \
	} while (0)
#define SEQ(delay, ...) SEQC((delay), false, __VA_ARGS__)

START_TEST(test_sequence_with_delay)
{
	/* start, term, delay passes, drain times out, everything gone */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DELAY, LEAVE | ADELAY },
	    { EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT },
	    { EV_DEADLINE, PH_DONE, 0 });
}
END_TEST

START_TEST(test_sequence_without_delay)
{
	SEQ(false,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
}
END_TEST

START_TEST(test_sequence_clean_drain)
{
	/* the app and everything else exit within the drain */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DELAY, LEAVE | ADELAY },
	    { EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	    { EV_APP_EXIT, PH_DRAINING, 0 },
	    { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
}
END_TEST

START_TEST(test_sequence_impatient_user)
{
	/* three SIGTERMs: the second cuts the delay short, the third kills */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DELAY, LEAVE | ADELAY },
	    { EV_TERM, PH_DRAINING, STOP | ADRAIN },
	    { EV_TERM, PH_KILLING, LEAVE | KILL | AKILL },
	    { EV_TERM, PH_KILLING, 0 },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_DONE, EXIT },
	    { EV_TERM, PH_DONE, 0 });
	SEQ(false,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN },
	    { EV_TERM, PH_DRAINING, 0 },
	    { EV_TERM, PH_KILLING, LEAVE | KILL | AKILL },
	    { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
}
END_TEST

START_TEST(test_sequence_stuck_processes)
{
	/* nothing ever exits: KILL_ROUNDS sweeps, then drainit gives up */
	SEQ(false,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_DONE, EXIT },
	    { EV_DEADLINE, PH_DONE, 0 },
	    { EV_ALL_EXITED, PH_DONE, 0 });
	ck_assert_int_eq(KILL_ROUNDS, 3); /* the sequence above spells out 3 sweeps */
}
END_TEST

START_TEST(test_sequence_app_exits_by_itself)
{
	/* the app ends on its own, a daemon it left behind keeps running */
	SEQ(false,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_APP_EXIT, PH_DRAINING, LEAVE | STOP | ADRAIN },
	    { EV_TERM, PH_DRAINING, 0 },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
	/* with a delay the app exiting skips it: nothing left to serve */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_APP_EXIT, PH_DRAINING, LEAVE | STOP | ADRAIN },
	    { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
	/* or simply everything exits while running */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT },
	    { EV_STARTED, PH_DONE, 0 });
}
END_TEST

START_TEST(test_sequence_term_before_ready)
{
	SEQ(true,
	    { EV_TERM, PH_DELAY, LEAVE | ADELAY },
	    { EV_STARTED, PH_DELAY, 0 }, /* never ready once stopping */
	    { EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	    { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
	/* checked: the checks never begin */
	SEQC(true, true,
	     { EV_TERM, PH_DELAY, LEAVE | ADELAY },
	     { EV_STARTED, PH_DELAY, 0 },
	     { EV_READY, PH_DELAY, 0 },
	     { EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	     { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
}
END_TEST

START_TEST(test_sequence_checked_start)
{
	/* exec'd: checking begins; ready; rechecks fail: withdrawn but still
	 * checked; ready again; SIGTERM ends the checks */
	SEQC(true, true,
	     { EV_STARTED, PH_STARTING, BEGIN },
	     { EV_STARTED, PH_STARTING, 0 }, /* once */
	     { EV_DEADLINE, PH_STARTING, 0 },
	     { EV_READY, PH_RUNNING, MARK },
	     { EV_READY, PH_RUNNING, 0 },
	     { EV_UNREADY, PH_STARTING, CLEAR },
	     { EV_UNREADY, PH_STARTING, 0 },
	     { EV_STARTED, PH_STARTING, 0 }, /* no second BEGIN after a withdrawal */
	     { EV_READY, PH_RUNNING, MARK },
	     { EV_TERM, PH_DELAY, LEAVE | ADELAY },
	     { EV_READY, PH_DELAY, 0 },
	     { EV_UNREADY, PH_DELAY, 0 },
	     { EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	     { EV_READY, PH_DRAINING, 0 },
	     { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	     { EV_READY, PH_KILLING, 0 },
	     { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT },
	     { EV_READY, PH_DONE, 0 });
	SEQC(false, true,
	     { EV_STARTED, PH_STARTING, BEGIN },
	     { EV_READY, PH_RUNNING, MARK },
	     { EV_UNREADY, PH_STARTING, CLEAR },
	     { EV_READY, PH_RUNNING, MARK },
	     { EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN },
	     { EV_READY, PH_DRAINING, 0 },
	     { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
}
END_TEST

START_TEST(test_sequence_checked_never_ready)
{
	/* the condition never holds: SIGTERM still drains as usual */
	SEQC(false, true,
	     { EV_STARTED, PH_STARTING, BEGIN },
	     { EV_DEADLINE, PH_STARTING, 0 },
	     { EV_UNREADY, PH_STARTING, 0 },
	     { EV_TERM, PH_DRAINING, LEAVE | STOP | ADRAIN },
	     { EV_READY, PH_DRAINING, 0 },
	     { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
	/* the app dies before it was ready */
	SEQC(true, true,
	     { EV_STARTED, PH_STARTING, BEGIN },
	     { EV_APP_EXIT, PH_DRAINING, LEAVE | STOP | ADRAIN },
	     { EV_READY, PH_DRAINING, 0 },
	     { EV_ALL_EXITED, PH_DONE, LEAVE | EXIT });
	/* withdrawn, then SIGTERM while unready */
	SEQC(true, true,
	     { EV_STARTED, PH_STARTING, BEGIN },
	     { EV_READY, PH_RUNNING, MARK },
	     { EV_UNREADY, PH_STARTING, CLEAR },
	     { EV_TERM, PH_DELAY, LEAVE | ADELAY },
	     { EV_TERM, PH_DRAINING, STOP | ADRAIN },
	     { EV_TERM, PH_KILLING, LEAVE | KILL | AKILL });
}
END_TEST

START_TEST(test_sequence_ready_before_exec)
{
	/* a READY before the exec was confirmed does not count */
	SEQC(false, true,
	     { EV_READY, PH_STARTING, 0 },
	     { EV_UNREADY, PH_STARTING, 0 },
	     { EV_STARTED, PH_STARTING, BEGIN },
	     { EV_READY, PH_RUNNING, MARK });
	/* unchecked: ready at exec, READY changes nothing */
	SEQ(false,
	    { EV_READY, PH_STARTING, 0 },
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_READY, PH_RUNNING, 0 },
	    { EV_STARTED, PH_RUNNING, 0 });
}
END_TEST

/* Every event sequence up to DEPTH long, from the four starts (delay or not,
 * checked or not): the promises of state.h and of the lifecycle hold on each
 * path. Millions of steps, so failures go through ck_abort_msg only
 * (ck_assert records every pass), and each test takes one start and one
 * first event. */
#define DEPTH 8

struct trace {
	unsigned stops, exits, kills, begins;
	bool marked;   /* the readiness file is there */
	bool checking; /* between BEGIN_CHECKS and END_CHECKS */
	bool left;     /* service was left: END_CHECKS seen */
	bool done;
};

static const char *path_text(const struct machine *m0, const enum event *path, int n)
{
	static char where[256];
	size_t o = (size_t)snprintf(where, sizeof where, "delay=%d checked=%d:", m0->has_delay,
				    m0->checked);
	for (int i = 0; i < n && o < sizeof where; i++)
		o += (size_t)snprintf(where + o, sizeof where - o, " %s", state_event_name(path[i]));
	return where;
}

#define REQUIRE(cond, what) do { \
		if (!(cond)) \
			ck_abort_msg("%s: %s", path_text(&m, path, depth + 1), (what)); \
	} while (0)

static bool live(enum phase p)
{
	return p == PH_STARTING || p == PH_RUNNING;
}

static unsigned long explored;

static void explore(struct machine m, struct trace t, int depth, enum event *path, int only)
{
	if (depth == DEPTH)
		return;
	for (int e = 0; e < NEVENTS; e++) {
		if (only >= 0 && e != only)
			continue;
		struct machine n = m;
		struct trace u = t;
		enum phase before = n.phase;
		path[depth] = (enum event)e;
		unsigned a = state_step(&n, (enum event)e);
		explored++;

		REQUIRE((a & ~ALL_ACTIONS) == 0, "unknown action bits");
		REQUIRE(!!(a & A_ARM_DELAY) + !!(a & A_ARM_DRAIN) + !!(a & A_ARM_KILL) <= 1,
			"more than one deadline armed");
		REQUIRE(!u.done || a == 0, "acts after exit");
		REQUIRE(!!(a & A_EXIT) == (n.phase == PH_DONE && before != PH_DONE),
			"EXIT iff entering done");
		/* every waiting phase entered has its deadline */
		REQUIRE(!(n.phase != before && n.phase == PH_DELAY) || (a & A_ARM_DELAY),
			"delay without a deadline");
		REQUIRE(!(n.phase != before && n.phase == PH_DRAINING) || (a & A_ARM_DRAIN),
			"draining without a deadline");
		REQUIRE(!(a & A_KILL) || (a & A_ARM_KILL), "SIGKILL without a deadline");
		REQUIRE(!(a & A_STOP) || (a & A_ARM_DRAIN), "stop signal without a drain deadline");
		REQUIRE(!(a & A_ARM_DELAY) || m.has_delay, "delay armed without a delay");
		/* readiness */
		REQUIRE(!(a & A_MARK_READY) || !(a & A_CLEAR_READY), "marked and cleared at once");
		REQUIRE(!(a & A_MARK_READY) || (!u.marked && !u.left), "ready while ready, or after leaving");
		REQUIRE(!(a & A_MARK_READY) || !m.checked || u.checking, "checked, ready without checks");
		REQUIRE(!(a & A_MARK_READY) || n.phase == PH_RUNNING, "ready, yet not running");
		/* the checks */
		REQUIRE(!(a & A_BEGIN_CHECKS) || (m.checked && u.begins == 0 && !u.left),
			"checks begun twice, unchecked or after leaving");
		REQUIRE(!(a & A_BEGIN_CHECKS) || e == EV_STARTED, "checks begun on another event");
		REQUIRE(!(a & A_END_CHECKS) || (a & A_CLEAR_READY), "checks ended without withdrawing");
		/* leaving service (a live phase for a stopping one) withdraws
		 * readiness and ends the checks */
		REQUIRE(!(live(before) && !live(n.phase)) || (a & LEAVE) == LEAVE,
			"left service without END_CHECKS|CLEAR_READY");
		REQUIRE(!(a & A_END_CHECKS) || !live(n.phase), "checks ended, yet still live");
		/* READY and UNREADY only ever mark or withdraw */
		REQUIRE(e != EV_READY || a == 0 || a == A_MARK_READY, "READY did more than mark");
		REQUIRE(e != EV_UNREADY || a == 0 || a == A_CLEAR_READY, "UNREADY did more than clear");
		REQUIRE(!(e == EV_UNREADY && a) || before == PH_RUNNING, "UNREADY acted outside running");
		/* leaving service withdraws readiness first */
		REQUIRE(!(a & (A_STOP | A_KILL | A_EXIT | A_ARM_DELAY)) || !u.marked ||
			(a & A_CLEAR_READY), "stopping while still marked ready");

		u.stops += !!(a & A_STOP);
		u.exits += !!(a & A_EXIT);
		u.kills += !!(a & A_KILL);
		u.begins += !!(a & A_BEGIN_CHECKS);
		if (a & A_CLEAR_READY)
			u.marked = false;
		if (a & A_MARK_READY)
			u.marked = true;
		if (a & A_BEGIN_CHECKS)
			u.checking = true;
		if (a & A_END_CHECKS) {
			u.checking = false;
			u.left = true;
		}
		u.done |= !!(a & A_EXIT);
		/* the file is there exactly while running */
		REQUIRE(u.marked == (n.phase == PH_RUNNING), "readiness file and phase disagree");
		/* checking exactly while live after the exec, when checked */
		REQUIRE(u.checking == (m.checked && n.started && live(n.phase)),
			"checking and phase disagree");
		REQUIRE(u.stops <= 1, "stop signal sent twice");
		REQUIRE(u.exits <= 1, "exit twice");
		REQUIRE(u.kills <= KILL_ROUNDS, "more SIGKILL sweeps than KILL_ROUNDS");
		/* SIGKILL never skips the stop signal, unless the user sent a
		 * third TERM */
		REQUIRE(!(a & A_KILL) || u.stops > 0 || n.terms >= 3, "SIGKILL before the stop signal");
		explore(n, u, depth + 1, path, -1);
	}
}

START_TEST(test_all_paths)
{
	/* _i: bit 0 delay, bit 1 checked, the rest the first event */
	struct machine m;
	struct trace t;
	enum event path[DEPTH];
	memset(&t, 0, sizeof t);
	state_init(&m, _i & 1, false, (_i >> 1) & 1);
	explored = 0;
	explore(m, t, 0, path, _i >> 2);
	unsigned long want = 0, level = 1;
	for (int d = 1; d < DEPTH; d++)
		want += level *= NEVENTS;
	ck_assert_uint_eq(explored, want + 1); /* every path was walked */
}
END_TEST

START_TEST(test_deadlines_always_end)
{
	/* from any phase after SIGTERM, deadlines alone reach done in at most
	 * 1 (delay) + 1 (drain) + KILL_ROUNDS steps, whatever two events came
	 * before, checked or not */
	for (int conf = 0; conf < 4; conf++) {
		for (int first = 0; first < NEVENTS; first++) {
			for (int second = 0; second < NEVENTS; second++) {
				struct machine m;
				state_init(&m, conf & 1, false, conf & 2);
				state_step(&m, EV_STARTED);
				state_step(&m, (enum event)first);
				state_step(&m, (enum event)second);
				state_step(&m, EV_TERM);
				int steps = 0;
				while (m.phase != PH_DONE && steps < 10) {
					state_step(&m, EV_DEADLINE);
					steps++;
				}
				ck_assert_msg(m.phase == PH_DONE, "delay=%d checked=%d after %s, %s: stuck in %s",
					      conf & 1, !!(conf & 2), state_event_name((enum event)first),
					      state_event_name((enum event)second), state_phase_name(m.phase));
				ck_assert_int_le(steps, 2 + KILL_ROUNDS);
			}
		}
	}
}
END_TEST

START_TEST(test_checked_ready_and_unready_only_move_between_live_phases)
{
	/* however often the condition flips, the machine stays live, and never
	 * arms a deadline or signals anything */
	struct machine m;
	state_init(&m, true, false, true);
	ck_assert_uint_eq(state_step(&m, EV_STARTED), A_BEGIN_CHECKS);
	for (int i = 0; i < 100; i++) {
		ck_assert_uint_eq(state_step(&m, EV_READY), A_MARK_READY);
		ck_assert_int_eq(m.phase, PH_RUNNING);
		ck_assert_uint_eq(state_step(&m, EV_UNREADY), A_CLEAR_READY);
		ck_assert_int_eq(m.phase, PH_STARTING);
	}
	ck_assert_uint_eq(m.terms, 0);
	ck_assert_uint_eq(m.kill_rounds, 0);
	ck_assert(m.started);
	ck_assert_uint_eq(state_step(&m, EV_TERM), A_END_CHECKS | A_CLEAR_READY | A_ARM_DELAY);
}
END_TEST

START_TEST(test_single_child_leftovers_get_the_stop_signal)
{
	/* --single-child: SIGTERM reaches the app alone; when it exits, what it
	 * leaves behind gets the stop signal then, once. In group mode the
	 * leftovers got it with the group already. */
	struct machine m;
	state_init(&m, false, true, false);
	state_step(&m, EV_STARTED);
	ck_assert_uint_eq(state_step(&m, EV_TERM), A_END_CHECKS | A_CLEAR_READY | A_STOP | A_ARM_DRAIN);
	ck_assert_uint_eq(state_step(&m, EV_APP_EXIT), A_STOP);
	ck_assert_int_eq(m.phase, PH_DRAINING);
	ck_assert_uint_eq(state_step(&m, EV_ALL_EXITED), A_END_CHECKS | A_CLEAR_READY | A_EXIT);

	state_init(&m, false, false, false);
	state_step(&m, EV_STARTED);
	state_step(&m, EV_TERM);
	ck_assert_uint_eq(state_step(&m, EV_APP_EXIT), 0);

	/* the same, checked */
	state_init(&m, false, true, true);
	ck_assert_uint_eq(state_step(&m, EV_STARTED), A_BEGIN_CHECKS);
	ck_assert_uint_eq(state_step(&m, EV_READY), A_MARK_READY);
	ck_assert_uint_eq(state_step(&m, EV_TERM), A_END_CHECKS | A_CLEAR_READY | A_STOP | A_ARM_DRAIN);
	ck_assert_uint_eq(state_step(&m, EV_APP_EXIT), A_STOP);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(state_phase_name(PH_STARTING), "starting");
	ck_assert_str_eq(state_phase_name(PH_RUNNING), "running");
	ck_assert_str_eq(state_phase_name(PH_DELAY), "delay");
	ck_assert_str_eq(state_phase_name(PH_DRAINING), "draining");
	ck_assert_str_eq(state_phase_name(PH_KILLING), "killing");
	ck_assert_str_eq(state_phase_name(PH_DONE), "done");
	ck_assert_str_eq(state_phase_name((enum phase)(PH_DONE + 1)), "?");
	ck_assert_str_eq(state_phase_name((enum phase)-1), "?");
	ck_assert_str_eq(state_event_name(EV_STARTED), "started");
	ck_assert_str_eq(state_event_name(EV_READY), "ready");
	ck_assert_str_eq(state_event_name(EV_UNREADY), "unready");
	ck_assert_str_eq(state_event_name(EV_TERM), "term");
	ck_assert_str_eq(state_event_name(EV_DEADLINE), "deadline");
	ck_assert_str_eq(state_event_name(EV_APP_EXIT), "app-exit");
	ck_assert_str_eq(state_event_name(EV_ALL_EXITED), "all-exited");
	ck_assert_str_eq(state_event_name((enum event)(EV_ALL_EXITED + 1)), "?");
	ck_assert_str_eq(state_event_name((enum event)-1), "?");
	ck_assert_int_eq(NEVENTS, 7);
}
END_TEST

Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("transitions");
	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_actions_text);
	tcase_add_loop_test(tc, test_table, 0, sizeof table / sizeof table[0]);
	tcase_add_test(tc, test_table_leaving_service);
	suite_add_tcase(s, tc);

	tc = tcase_create("sequences");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sequence_with_delay);
	tcase_add_test(tc, test_sequence_without_delay);
	tcase_add_test(tc, test_sequence_clean_drain);
	tcase_add_test(tc, test_sequence_impatient_user);
	tcase_add_test(tc, test_sequence_stuck_processes);
	tcase_add_test(tc, test_sequence_app_exits_by_itself);
	tcase_add_test(tc, test_sequence_term_before_ready);
	tcase_add_test(tc, test_sequence_checked_start);
	tcase_add_test(tc, test_sequence_checked_never_ready);
	tcase_add_test(tc, test_sequence_ready_before_exec);
	tcase_add_loop_test(tc, test_all_paths, 0, 4 * NEVENTS);
	tcase_add_test(tc, test_deadlines_always_end);
	tcase_add_test(tc, test_checked_ready_and_unready_only_move_between_live_phases);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_single_child_leftovers_get_the_stop_signal);
	suite_add_tcase(s, tc);
	return s;
}
