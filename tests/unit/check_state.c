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

#define NPHASES (PH_DONE + 1)
#define NEVENTS (EV_ALL_EXITED + 1)

/* One transition: a machine in `phase` having seen `terms` lifecycle signals
 * and `rounds` SIGKILL sweeps gets `ev`. */
struct row {
	bool has_delay;
	enum phase phase;
	unsigned terms, rounds;
	enum event ev;
	enum phase next;
	unsigned actions;
};

#define BOTH(...) { false, __VA_ARGS__ }, { true, __VA_ARGS__ }

static const struct row table[] = {
	/* starting */
	BOTH(PH_STARTING, 0, 0, EV_STARTED, PH_RUNNING, MARK),
	BOTH(PH_STARTING, 0, 0, EV_DEADLINE, PH_STARTING, 0),
	BOTH(PH_STARTING, 0, 0, EV_APP_EXIT, PH_DRAINING, CLEAR | STOP | ADRAIN),
	BOTH(PH_STARTING, 0, 0, EV_ALL_EXITED, PH_DONE, CLEAR | EXIT),
	{ true, PH_STARTING, 0, 0, EV_TERM, PH_DELAY, CLEAR | ADELAY },
	{ false, PH_STARTING, 0, 0, EV_TERM, PH_DRAINING, CLEAR | STOP | ADRAIN },

	/* running */
	{ true, PH_RUNNING, 0, 0, EV_TERM, PH_DELAY, CLEAR | ADELAY },
	{ false, PH_RUNNING, 0, 0, EV_TERM, PH_DRAINING, CLEAR | STOP | ADRAIN },
	BOTH(PH_RUNNING, 0, 0, EV_STARTED, PH_RUNNING, 0), /* ready only once */
	BOTH(PH_RUNNING, 0, 0, EV_DEADLINE, PH_RUNNING, 0),
	BOTH(PH_RUNNING, 0, 0, EV_APP_EXIT, PH_DRAINING, CLEAR | STOP | ADRAIN),
	BOTH(PH_RUNNING, 0, 0, EV_ALL_EXITED, PH_DONE, CLEAR | EXIT),

	/* delay (only with a delay) */
	{ true, PH_DELAY, 1, 0, EV_TERM, PH_DRAINING, STOP | ADRAIN }, /* second TERM */
	{ true, PH_DELAY, 1, 0, EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	{ true, PH_DELAY, 1, 0, EV_APP_EXIT, PH_DRAINING, STOP | ADRAIN },
	{ true, PH_DELAY, 1, 0, EV_STARTED, PH_DELAY, 0 },
	{ true, PH_DELAY, 1, 0, EV_ALL_EXITED, PH_DONE, CLEAR | EXIT },

	/* draining */
	BOTH(PH_DRAINING, 1, 0, EV_APP_EXIT, PH_DRAINING, 0), /* a wrapper dying first */
	BOTH(PH_DRAINING, 0, 0, EV_APP_EXIT, PH_DRAINING, 0),
	BOTH(PH_DRAINING, 1, 0, EV_DEADLINE, PH_KILLING, KILL | AKILL),
	BOTH(PH_DRAINING, 1, 0, EV_STARTED, PH_DRAINING, 0),
	BOTH(PH_DRAINING, 1, 0, EV_ALL_EXITED, PH_DONE, CLEAR | EXIT),
	{ false, PH_DRAINING, 1, 0, EV_TERM, PH_DRAINING, 0 }, /* second TERM: nothing */
	{ false, PH_DRAINING, 0, 0, EV_TERM, PH_DRAINING, 0 }, /* first TERM after the app exit */

	/* the third TERM from any live phase kills */
	BOTH(PH_STARTING, 2, 0, EV_TERM, PH_KILLING, CLEAR | KILL | AKILL),
	BOTH(PH_RUNNING, 2, 0, EV_TERM, PH_KILLING, CLEAR | KILL | AKILL),
	{ true, PH_DELAY, 2, 0, EV_TERM, PH_KILLING, CLEAR | KILL | AKILL },
	BOTH(PH_DRAINING, 2, 0, EV_TERM, PH_KILLING, CLEAR | KILL | AKILL),
	BOTH(PH_DRAINING, 5, 0, EV_TERM, PH_KILLING, CLEAR | KILL | AKILL),

	/* killing: sweep again until KILL_ROUNDS sweeps, then give up */
	BOTH(PH_KILLING, 1, 1, EV_DEADLINE, PH_KILLING, KILL | AKILL),
	BOTH(PH_KILLING, 1, KILL_ROUNDS - 1, EV_DEADLINE, PH_KILLING, KILL | AKILL),
	BOTH(PH_KILLING, 1, KILL_ROUNDS, EV_DEADLINE, PH_DONE, EXIT),
	BOTH(PH_KILLING, 2, 1, EV_TERM, PH_KILLING, 0), /* a third TERM changes nothing */
	BOTH(PH_KILLING, 3, 1, EV_TERM, PH_KILLING, 0),
	BOTH(PH_KILLING, 1, 1, EV_APP_EXIT, PH_KILLING, 0),
	BOTH(PH_KILLING, 1, 1, EV_STARTED, PH_KILLING, 0),
	BOTH(PH_KILLING, 1, 1, EV_ALL_EXITED, PH_DONE, CLEAR | EXIT),

	/* done ignores everything */
	BOTH(PH_DONE, 0, 0, EV_STARTED, PH_DONE, 0),
	BOTH(PH_DONE, 1, 0, EV_TERM, PH_DONE, 0),
	BOTH(PH_DONE, 2, 0, EV_TERM, PH_DONE, 0),
	BOTH(PH_DONE, 1, 1, EV_DEADLINE, PH_DONE, 0),
	BOTH(PH_DONE, 1, KILL_ROUNDS, EV_DEADLINE, PH_DONE, 0),
	BOTH(PH_DONE, 1, 0, EV_APP_EXIT, PH_DONE, 0),
	BOTH(PH_DONE, 1, 0, EV_ALL_EXITED, PH_DONE, 0),
};

static void actions_text(unsigned a, char *buf, size_t len)
{
	static const char *const names[] = { "CLEAR_READY", "MARK_READY", "STOP", "KILL",
					     "ARM_DELAY", "ARM_DRAIN", "ARM_KILL", "EXIT" };
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < 8; i++)
		if (a & (1u << i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "|" : "", names[i]);
	if (a >> 8)
		snprintf(buf + o, len - o, "|0x%x", a & ~0xffu);
	if (!a)
		snprintf(buf, len, "none");
}

START_TEST(test_table)
{
	const struct row *r = &table[_i];
	struct machine m;
	char got[128], want[128];

	state_init(&m, r->has_delay, false);
	m.phase = r->phase;
	m.terms = r->terms;
	m.kill_rounds = r->rounds;
	unsigned a = state_step(&m, r->ev);
	actions_text(a, got, sizeof got);
	actions_text(r->actions, want, sizeof want);
	ck_assert_msg(a == r->actions && m.phase == r->next,
		      "row %d: %s (delay=%d terms=%u rounds=%u) + %s: got %s/%s, want %s/%s", _i,
		      state_phase_name(r->phase), r->has_delay, r->terms, r->rounds,
		      state_event_name(r->ev), state_phase_name(m.phase), got,
		      state_phase_name(r->next), want);
	/* the counters: TERM counts, each KILL is one sweep */
	ck_assert_uint_eq(m.terms, r->terms + (r->ev == EV_TERM));
	ck_assert_uint_eq(m.kill_rounds, r->rounds + ((a & A_KILL) != 0));
	ck_assert_int_eq(m.has_delay, r->has_delay);
}
END_TEST

START_TEST(test_init)
{
	struct machine m;
	memset(&m, 0xff, sizeof m);
	state_init(&m, true, false);
	ck_assert_int_eq(m.phase, PH_STARTING);
	ck_assert_uint_eq(m.terms, 0);
	ck_assert_uint_eq(m.kill_rounds, 0);
	ck_assert(m.has_delay);
	state_init(&m, false, false);
	ck_assert(!m.has_delay);
}
END_TEST

/* Runs events from a fresh machine and checks each step. */
struct step {
	enum event ev;
	enum phase next;
	unsigned actions;
};

static void run_sequence(bool has_delay, const struct step *steps, size_t n)
{
	struct machine m;
	char got[128], want[128];
	state_init(&m, has_delay, false);
	for (size_t i = 0; i < n; i++) {
		unsigned a = state_step(&m, steps[i].ev);
		actions_text(a, got, sizeof got);
		actions_text(steps[i].actions, want, sizeof want);
		ck_assert_msg(a == steps[i].actions && m.phase == steps[i].next,
			      "step %zu (%s): got %s/%s, want %s/%s", i, state_event_name(steps[i].ev),
			      state_phase_name(m.phase), got, state_phase_name(steps[i].next), want);
	}
}

#define SEQ(delay, ...) do { \
		static const struct step s_[] = { __VA_ARGS__ }; \
		run_sequence((delay), s_, sizeof s_ / sizeof s_[0]); \
	} while (0)

START_TEST(test_sequence_with_delay)
{
	/* start, term, delay passes, drain times out, everything gone */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DELAY, CLEAR | ADELAY },
	    { EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_ALL_EXITED, PH_DONE, CLEAR | EXIT },
	    { EV_DEADLINE, PH_DONE, 0 });
}
END_TEST

START_TEST(test_sequence_without_delay)
{
	SEQ(false,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DRAINING, CLEAR | STOP | ADRAIN },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_ALL_EXITED, PH_DONE, CLEAR | EXIT });
}
END_TEST

START_TEST(test_sequence_clean_drain)
{
	/* the app and everything else exit within the drain */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DELAY, CLEAR | ADELAY },
	    { EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	    { EV_APP_EXIT, PH_DRAINING, 0 },
	    { EV_ALL_EXITED, PH_DONE, CLEAR | EXIT });
}
END_TEST

START_TEST(test_sequence_impatient_user)
{
	/* three SIGTERMs: the second cuts the delay short, the third kills */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DELAY, CLEAR | ADELAY },
	    { EV_TERM, PH_DRAINING, STOP | ADRAIN },
	    { EV_TERM, PH_KILLING, CLEAR | KILL | AKILL },
	    { EV_TERM, PH_KILLING, 0 },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_DEADLINE, PH_DONE, EXIT },
	    { EV_TERM, PH_DONE, 0 });
	SEQ(false,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DRAINING, CLEAR | STOP | ADRAIN },
	    { EV_TERM, PH_DRAINING, 0 },
	    { EV_TERM, PH_KILLING, CLEAR | KILL | AKILL },
	    { EV_ALL_EXITED, PH_DONE, CLEAR | EXIT });
}
END_TEST

START_TEST(test_sequence_stuck_processes)
{
	/* nothing ever exits: KILL_ROUNDS sweeps, then drainit gives up */
	SEQ(false,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_TERM, PH_DRAINING, CLEAR | STOP | ADRAIN },
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
	    { EV_APP_EXIT, PH_DRAINING, CLEAR | STOP | ADRAIN },
	    { EV_TERM, PH_DRAINING, 0 },
	    { EV_DEADLINE, PH_KILLING, KILL | AKILL },
	    { EV_ALL_EXITED, PH_DONE, CLEAR | EXIT });
	/* with a delay the app exiting skips it: nothing left to serve */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_APP_EXIT, PH_DRAINING, CLEAR | STOP | ADRAIN },
	    { EV_ALL_EXITED, PH_DONE, CLEAR | EXIT });
	/* or simply everything exits while running */
	SEQ(true,
	    { EV_STARTED, PH_RUNNING, MARK },
	    { EV_ALL_EXITED, PH_DONE, CLEAR | EXIT },
	    { EV_STARTED, PH_DONE, 0 });
}
END_TEST

START_TEST(test_sequence_term_before_ready)
{
	SEQ(true,
	    { EV_TERM, PH_DELAY, CLEAR | ADELAY },
	    { EV_STARTED, PH_DELAY, 0 }, /* never ready once stopping */
	    { EV_DEADLINE, PH_DRAINING, STOP | ADRAIN },
	    { EV_ALL_EXITED, PH_DONE, CLEAR | EXIT });
}
END_TEST

/* Every event sequence up to DEPTH long, from both starts: the promises of
 * state.h and of the lifecycle hold on each path. Half a million steps, so
 * failures go through ck_abort_msg only (ck_assert records every pass). */
#define DEPTH 8

struct trace {
	unsigned marks, stops, exits, kills;
	bool cleared, done;
};

static const char *path_text(bool has_delay, const enum event *path, int n)
{
	static char where[256];
	size_t o = (size_t)snprintf(where, sizeof where, "delay=%d:", has_delay);
	for (int i = 0; i < n && o < sizeof where; i++)
		o += (size_t)snprintf(where + o, sizeof where - o, " %s", state_event_name(path[i]));
	return where;
}

#define REQUIRE(cond, what) do { \
		if (!(cond)) \
			ck_abort_msg("%s: %s", path_text(m.has_delay, path, depth + 1), (what)); \
	} while (0)

static void explore(struct machine m, struct trace t, int depth, enum event *path)
{
	if (depth == DEPTH)
		return;
	for (int e = 0; e < NEVENTS; e++) {
		struct machine n = m;
		struct trace u = t;
		enum phase before = n.phase;
		path[depth] = (enum event)e;
		unsigned a = state_step(&n, (enum event)e);

		REQUIRE((a & ~0xffu) == 0, "unknown action bits");
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
		REQUIRE(!(a & A_MARK_READY) || (!u.cleared && u.marks == 0), "ready again");
		/* leaving service withdraws readiness first */
		REQUIRE(!(a & (A_STOP | A_KILL | A_EXIT | A_ARM_DELAY)) || u.cleared ||
			(a & A_CLEAR_READY) || u.marks == 0, "stopping while still marked ready");

		u.marks += !!(a & A_MARK_READY);
		u.stops += !!(a & A_STOP);
		u.exits += !!(a & A_EXIT);
		u.kills += !!(a & A_KILL);
		u.cleared |= !!(a & A_CLEAR_READY);
		u.done |= !!(a & A_EXIT);
		REQUIRE(u.stops <= 1, "stop signal sent twice");
		REQUIRE(u.exits <= 1, "exit twice");
		REQUIRE(u.kills <= KILL_ROUNDS, "more SIGKILL sweeps than KILL_ROUNDS");
		/* SIGKILL never skips the stop signal, unless the user sent a
		 * third TERM */
		REQUIRE(!(a & A_KILL) || u.stops > 0 || n.terms >= 3, "SIGKILL before the stop signal");
		explore(n, u, depth + 1, path);
	}
}

START_TEST(test_all_paths)
{
	struct machine m;
	struct trace t;
	enum event path[DEPTH];
	memset(&t, 0, sizeof t);
	state_init(&m, _i != 0, false);
	explore(m, t, 0, path);
}
END_TEST

START_TEST(test_deadlines_always_end)
{
	/* from any phase after SIGTERM, deadlines alone reach done in at most
	 * 1 (delay) + 1 (drain) + KILL_ROUNDS steps */
	for (int delay = 0; delay <= 1; delay++) {
		for (int first = 0; first < NEVENTS; first++) {
			struct machine m;
			state_init(&m, delay, false);
			state_step(&m, EV_STARTED);
			state_step(&m, (enum event)first);
			state_step(&m, EV_TERM);
			int steps = 0;
			while (m.phase != PH_DONE && steps < 10) {
				state_step(&m, EV_DEADLINE);
				steps++;
			}
			ck_assert_msg(m.phase == PH_DONE, "delay=%d after %s: stuck in %s", delay,
				      state_event_name((enum event)first), state_phase_name(m.phase));
			ck_assert_int_le(steps, 2 + KILL_ROUNDS);
		}
	}
}
END_TEST

START_TEST(test_single_child_leftovers_get_the_stop_signal)
{
	/* --single-child: SIGTERM reaches the app alone; when it exits, what it
	 * leaves behind gets the stop signal then, once. In group mode the
	 * leftovers got it with the group already. */
	struct machine m;
	state_init(&m, false, true);
	state_step(&m, EV_STARTED);
	ck_assert_uint_eq(state_step(&m, EV_TERM), A_CLEAR_READY | A_STOP | A_ARM_DRAIN);
	ck_assert_uint_eq(state_step(&m, EV_APP_EXIT), A_STOP);
	ck_assert_int_eq(m.phase, PH_DRAINING);
	ck_assert_uint_eq(state_step(&m, EV_ALL_EXITED), A_CLEAR_READY | A_EXIT);

	state_init(&m, false, false);
	state_step(&m, EV_STARTED);
	state_step(&m, EV_TERM);
	ck_assert_uint_eq(state_step(&m, EV_APP_EXIT), 0);
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
	ck_assert_str_eq(state_event_name(EV_TERM), "term");
	ck_assert_str_eq(state_event_name(EV_DEADLINE), "deadline");
	ck_assert_str_eq(state_event_name(EV_APP_EXIT), "app-exit");
	ck_assert_str_eq(state_event_name(EV_ALL_EXITED), "all-exited");
	ck_assert_str_eq(state_event_name((enum event)(EV_ALL_EXITED + 1)), "?");
	ck_assert_str_eq(state_event_name((enum event)-1), "?");
}
END_TEST

Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("transitions");
	tcase_add_test(tc, test_init);
	tcase_add_loop_test(tc, test_table, 0, sizeof table / sizeof table[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("sequences");
	tcase_add_test(tc, test_sequence_with_delay);
	tcase_add_test(tc, test_sequence_without_delay);
	tcase_add_test(tc, test_sequence_clean_drain);
	tcase_add_test(tc, test_sequence_impatient_user);
	tcase_add_test(tc, test_sequence_stuck_processes);
	tcase_add_test(tc, test_sequence_app_exits_by_itself);
	tcase_add_test(tc, test_sequence_term_before_ready);
	tcase_add_loop_test(tc, test_all_paths, 0, 2);
	tcase_add_test(tc, test_deadlines_always_end);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_single_child_leftovers_get_the_stop_signal);
	suite_add_tcase(s, tc);
	return s;
}
