# Options: tini's flags and variables, every DRAINIT_* variable (a flag
# beats it), the grace-period warning, and bad input refused with one line
# before anything starts.

OP_TEXT_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z drainit: (error|warning|info|debug): [a-z]+: '

# op_bad WORD... -- DRAINIT-ARGS...: drainit refuses with exit 64 and one
# line on stderr naming every WORD, and does not start the app.
op_bad() {
	local words=()
	while [ "$1" != -- ]; do words+=("$1"); shift; done
	shift
	rm -f "$T/started"
	run_ns "$@"
	assert_one_line 64 "${words[@]}"
	grep -qE '^drainit: error: ' "$T/log" || fail "not an error line: $(cat "$T/log")"
}

test_options_bad_input_one_line_exit_64() {
	local app=(sh -c "touch $T/started")
	op_bad "'--no-such-option'" -- --no-such-option -- "${app[@]}"
	op_bad "'-x'" -- -x "${app[@]}"
	op_bad "'-x'" -- -vx "${app[@]}" # -v must not log before the error
	op_bad --drain-timeout "'5x'" -- --drain-timeout 5x "${app[@]}"
	op_bad --drain-timeout "'-1s'" -- --drain-timeout -1s "${app[@]}"
	op_bad --pre-stop-delay "'99999999999999999999999s'" -- --pre-stop-delay 99999999999999999999999s "${app[@]}"
	op_bad --grace-period "'8761h'" -- --grace-period 8761h "${app[@]}"
	op_bad --drain-timeout "'1.0001s'" -- --drain-timeout=1.0001s "${app[@]}"
	op_bad --stop-signal "'FOO'" -- --stop-signal FOO "${app[@]}"
	op_bad --stop-signal "'99'" -- --stop-signal 99 "${app[@]}"
	op_bad --stop-signal "'0'" -- --stop-signal 0 "${app[@]}"
	op_bad -p "'NOPE'" -- -p NOPE "${app[@]}"
	op_bad --log-format "'xml'" -- --log-format xml "${app[@]}"
	op_bad -e "'300'" -- -e 300 "${app[@]}"
	op_bad -e "'x'" -- -e 3,x "${app[@]}"
	op_bad --single-child -- --single-child=yes "${app[@]}"
	op_bad --ready-file empty -- --ready-file "" "${app[@]}"
	op_bad "no command" --
	op_bad "no command" -- --drain-timeout 5s
	op_bad "no command after '--'" -- --
	op_bad "'--drain-timeout'" "needs a value" -- --drain-timeout
	op_bad "empty command" -- ""
	DRAINIT_DRAIN_TIMEOUT=5x op_bad DRAINIT_DRAIN_TIMEOUT "'5x'" -- "${app[@]}"
	DRAINIT_PRE_STOP_DELAY=-1s op_bad DRAINIT_PRE_STOP_DELAY "'-1s'" -- "${app[@]}"
	DRAINIT_SINGLE_CHILD=maybe op_bad DRAINIT_SINGLE_CHILD "'maybe'" -- "${app[@]}"
	DRAINIT_LOG_FORMAT=xml op_bad DRAINIT_LOG_FORMAT "'xml'" -- "${app[@]}"
	DRAINIT_STOP_SIGNAL=FOO op_bad DRAINIT_STOP_SIGNAL "'FOO'" -- "${app[@]}"
	DRAINIT_VERBOSITY=9 op_bad DRAINIT_VERBOSITY "'9'" -- "${app[@]}"
	DRAINIT_EXPECT_EXIT=256 op_bad DRAINIT_EXPECT_EXIT "'256'" -- "${app[@]}"
	TINI_VERBOSITY=lots op_bad TINI_VERBOSITY "'lots'" -- "${app[@]}"
	# a newline in a value stays one line: escaped as \n
	op_bad --stop-signal "'TE\\nRM'" -- --stop-signal "$(printf 'TE\nRM')" "${app[@]}"
	DRAINIT_READY_WHEN="$(printf 'tcp:1\nx')" op_bad DRAINIT_READY_WHEN '\n' -- "${app[@]}"
}

test_options_help_version_license() {
	local f
	for f in -h --help; do
		run_plain "$f" sh -c "touch $T/started"
		assert_eq "$RC" 0 "$f exit status"
		grep -q '^usage: drainit \[OPTIONS\] \[--\] COMMAND' "$T/out" || fail "$f: no usage on stdout"
		grep -q -- '--drain-timeout' "$T/out" || fail "$f: options not listed"
		[ ! -s "$T/log" ] || fail "$f wrote to stderr: $(cat "$T/log")"
		[ ! -e "$T/started" ] || fail "$f started the app"
	done
	run_plain --version
	assert_eq "$RC" 0 "--version exit status"
	grep -qE '^drainit [0-9]+\.[0-9]+\.[0-9]+$' "$T/out" || fail "--version: $(cat "$T/out")"
	[ ! -s "$T/log" ] || fail "--version wrote to stderr"
	for f in -l --license; do
		run_plain "$f"
		assert_eq "$RC" 0 "$f exit status"
		grep -q 'MIT License' "$T/out" || fail "$f: no license on stdout"
		grep -q 'WITHOUT WARRANTY' "$T/out" || fail "$f: license text incomplete"
		# what the static build holds: binary redistribution carries their terms
		grep -q 'musl libc' "$T/out" || fail "$f: no notice for musl"
		grep -q 'Redistributions in binary form must reproduce' "$T/out" ||
			fail "$f: no terms for libcap"
	done
}

# op_usr1_reaches DRAINIT-ARGS...: runs an app with a helper in its process
# group, sends SIGUSR1 to drainit, sets OP_HELPER_GOT to yes or no.
op_usr1_reaches() {
	rm -f "$T/rec" "$T/helper"
	start_ns "$@" -- sh -c "\"$H/sigrec\" \"$T/helper\" & exec \"$H/sigrec\" \"$T/rec\""
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/helper"
	local app helper
	app=$(app_host_pid)
	wait_until 10 has_child "$app" || fail "no helper under the app"
	helper=$(children "$app" | head -n 1)
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1' "$T/rec"
	wait_log 'signal: SIGUSR1 .*forwarded'
	if wait_until 1 grep -q '^sig SIGUSR1' "$T/helper"; then OP_HELPER_GOT=yes; else OP_HELPER_GOT=no; fi
	kill -TERM "$helper" 2>/dev/null
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
}

test_options_process_group_and_single_child() {
	op_usr1_reaches
	assert_eq "$OP_HELPER_GOT" yes "default: helper in the group got SIGUSR1"
	assert_log 'forwarded to process group 2'

	op_usr1_reaches --single-child
	assert_eq "$OP_HELPER_GOT" no "--single-child: helper got SIGUSR1"
	assert_log 'forwarded to pid 2'

	DRAINIT_SINGLE_CHILD=1 op_usr1_reaches
	assert_eq "$OP_HELPER_GOT" no "DRAINIT_SINGLE_CHILD=1: helper got SIGUSR1"

	# tini's -g (and TINI_KILL_PROCESS_GROUP) mean the group; the flag
	# beats DRAINIT_SINGLE_CHILD.
	DRAINIT_SINGLE_CHILD=true op_usr1_reaches -g
	assert_eq "$OP_HELPER_GOT" yes "-g: helper in the group got SIGUSR1"
	TINI_KILL_PROCESS_GROUP=1 op_usr1_reaches
	assert_eq "$OP_HELPER_GOT" yes "TINI_KILL_PROCESS_GROUP: helper got SIGUSR1"
}

# op_orphan DRAINIT-ARGS...: an app leaves an orphan (sleep 0.2) that comes
# back to drainit; returns once drainit has reaped it, then stops drainit.
op_orphan() {
	rm -f "$T/rec"
	start_ns "$@" -- sh -c "(sleep 0.2 &); exec \"$H/sigrec\" \"$T/rec\""
	wait_file '^start ' "$T/rec"
	# the orphan is there by now (its shell has exec'd sigrec): wait until
	# it has come back to drainit and been reaped
	wait_until 5 eval '! ps -o comm= --ppid "$DPID" | grep -q sleep' || fail "orphan not reaped"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
}

test_options_warn_on_reap() {
	op_orphan
	assert_no_log 'exit: pid [0-9]+ \(sleep\)|Reaped'
	# SIGCHLD is said only at -v: one line per orphan would flood the log
	assert_no_log 'SIGCHLD'
	op_orphan -v
	assert_log 'debug: exit: pid [0-9]+ \(sleep\) exited with status 0'
	assert_log 'debug: signal: SIGCHLD from pid [0-9]+ \(uid 0\): reaping$'
	# -w: a warning per reaped orphan in tini's words, which scripts grep
	op_orphan -w
	assert_log '^[^ ]+ drainit: warning: reap: Reaped zombie process with pid=[0-9]+ \(sleep\): exited with status 0$'
	DRAINIT_WARN_ON_REAP=1 op_orphan
	assert_log 'warning: reap: Reaped zombie process with pid=[0-9]+ \(sleep\): exited with status 0$'
	assert_no_log 'SIGCHLD'
	DRAINIT_WARN_ON_REAP=0 op_orphan
	assert_no_log 'Reaped|warning: exit: pid [0-9]+ \(sleep\)'
}

# op_plain_orphan DRAINIT-ARGS...: the same with drainit not PID 1.
op_plain_orphan() {
	rm -f "$T/rec"
	start_plain "$@" -- sh -c "(sleep 0.2 &); exec \"$H/sigrec\" \"$T/rec\""
	wait_file '^start ' "$T/rec"
	wait_log 'warning: reap: Reaped zombie process with pid=[0-9]+ \(sleep\): exited with status 0'
	assert_log 'start: drainit pid [0-9]+ \(child subreaper\)'
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
}

test_options_subreaper() {
	# Not PID 1, orphans still come back to drainit with -s, TINI_SUBREAPER
	# and DRAINIT_SUBREAPER (drainit is a subreaper anyway when not PID 1).
	op_plain_orphan -s -w
	TINI_SUBREAPER= op_plain_orphan -w
	DRAINIT_SUBREAPER=1 op_plain_orphan -w
	# As PID 1, -s is accepted and harmless.
	run_ns -s -- sh -c 'exit 0'
	assert_eq "$RC" 0 "-s as PID 1"
}

test_options_verbosity_flags_and_variables() {
	run_ns -- true
	assert_log ' info: start: '
	assert_no_log ' debug: '
	local v
	for v in -v -vvv --verbose; do
		run_ns "$v" -- true
		assert_eq "$RC" 0 "$v exit status"
		assert_log ' debug: caps: '
		assert_log ' debug: state: '
	done
	TINI_VERBOSITY=3 run_ns -- true
	assert_log ' debug: caps: '
	TINI_VERBOSITY=0 run_ns -- true
	[ ! -s "$T/log" ] || fail "TINI_VERBOSITY=0: $(cat "$T/log")"
	TINI_VERBOSITY=0 run_ns -- drainit-no-such-command-x7
	assert_eq "$(wc -l <"$T/log")" 1 "TINI_VERBOSITY=0: lines for a missing command"
	assert_log ' error: .*drainit-no-such-command-x7'
	DRAINIT_VERBOSITY=3 run_ns -- true
	assert_log ' debug: caps: '
	DRAINIT_VERBOSITY=0 run_ns -- true
	[ ! -s "$T/log" ] || fail "DRAINIT_VERBOSITY=0: $(cat "$T/log")"
	# 1: warnings and errors only.
	DRAINIT_VERBOSITY=1 run_ns --grace-period 1s -- true
	assert_eq "$(wc -l <"$T/log")" 1 "DRAINIT_VERBOSITY=1: lines"
	assert_log ' warning: timeline: '
	# drainit's variable beats tini's; a flag beats both.
	TINI_VERBOSITY=3 DRAINIT_VERBOSITY=0 run_ns -- true
	[ ! -s "$T/log" ] || fail "DRAINIT_VERBOSITY=0 with TINI_VERBOSITY=3: $(cat "$T/log")"
	DRAINIT_VERBOSITY=3 run_ns -q -- true
	[ ! -s "$T/log" ] || fail "-q with DRAINIT_VERBOSITY=3: $(cat "$T/log")"
}

test_options_parent_death_signal() {
	# unshare without --kill-child: here drainit's own parent-death signal,
	# or none, is what counts when unshare dies.
	local NS_KILL_CHILD=
	# -p TERM: drainit's parent (unshare) dies, drainit starts its shutdown.
	start_ns -p TERM -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	kill -KILL "$JOB"
	wait_log 'signal: SIGTERM .*withdrawing readiness'
	wait_file '^sig SIGTERM' "$T/rec"
	wait_log 'summary: exit status 0'
	# said as what it is, not as any signal from outside
	# said as what it may be: as PID 1, drainit cannot see its parent
	assert_log 'signal: SIGTERM from outside the namespace \(pid 0, uid 0\): the parent-death signal \(-p\), sent when drainit.s parent exits, or a kill from outside: withdrawing readiness'

	# DRAINIT_PARENT_DEATH_SIGNAL=USR1: forwarded to the app like any other.
	DRAINIT_PARENT_DEATH_SIGNAL=USR1 start_ns -- "$H/sigrec" "$T/rec2"
	wait_file '^start ' "$T/rec2"
	kill -KILL "$JOB"
	wait_log 'signal: SIGUSR1 .*parent-death signal.*forwarded'
	wait_file '^sig SIGUSR1' "$T/rec2"
	kill -TERM "$DPID"
	wait_log 'summary: exit status 0'
	# Not PID 1: the line names the parent that exited, and an ordinary
	# SIGUSR1 (from this shell) is not taken for it.
	bash -c "\"$DRAINIT\" -p USR1 -- \"$H/sigrec\" \"$T/rec4\" 2>\"$T/log4\" & wait" &
	local sh=$!
	wait_file '^start ' "$T/rec4"
	local d; d=$(children "$sh") || fail "no drainit under bash"
	kill -USR1 "$d"
	wait_file '^sig SIGUSR1' "$T/rec4"
	grep -qE "signal: SIGUSR1 from pid $BASHPID \(uid 0\): forwarded" "$T/log4" ||
		fail "a SIGUSR1 from this shell: $(cat "$T/log4")"
	kill -KILL "$sh"
	wait_until 10 eval '[ "$(grep -c "^sig SIGUSR1" "$T/rec4")" = 2 ]' || fail "no parent-death signal"
	kill -TERM "$d"
	wait_until 10 eval '! kill -0 "$d"' || fail "drainit did not exit"
	grep -qE "signal: SIGUSR1 as the parent-death signal \(-p\): drainit's parent, pid $sh, exited: forwarded to process group" "$T/log4" ||
		fail "the parent-death signal as drainit not PID 1 logs it: $(cat "$T/log4")"

	# The flag beats the variable; --parent-death-signal=SIG is the long form.
	DRAINIT_PARENT_DEATH_SIGNAL=USR1 start_ns --parent-death-signal=USR2 -- "$H/sigrec" "$T/rec3"
	wait_file '^start ' "$T/rec3"
	kill -KILL "$JOB"
	wait_file '^sig SIGUSR2' "$T/rec3"
	kill -TERM "$DPID"
	wait_log 'summary: exit status 0'
	! grep -q 'SIGUSR1' "$T/rec3" || fail "the app got the variable's signal"

	# Without it, the parent's death goes unnoticed.
	start_ns -- "$H/sigrec" "$T/rec4"
	wait_file '^start ' "$T/rec4"
	kill -KILL "$JOB"
	sleep 0.5
	assert_no_log ': signal: '
	kill -0 "$DPID" || fail "drainit ended with its parent without -p"
	kill -TERM "$DPID"
	wait_log 'summary: exit status 0'
}

test_options_expect_exit_flag_and_variable() {
	run_ns -e 3 -- sh -c 'exit 3'
	assert_eq "$RC" 0 "-e 3, app exits 3"
	DRAINIT_EXPECT_EXIT=3,4 run_ns -- sh -c 'exit 4'
	assert_eq "$RC" 0 "DRAINIT_EXPECT_EXIT=3,4, app exits 4"
	DRAINIT_EXPECT_EXIT=3 run_ns -- sh -c 'exit 4'
	assert_eq "$RC" 4 "DRAINIT_EXPECT_EXIT=3, app exits 4"
}

test_options_expect_exit_flag_beats_variable() {
	# A flag beats the environment: -e 5 replaces DRAINIT_EXPECT_EXIT=3, so
	# an exit 3 is reported as 3.
	DRAINIT_EXPECT_EXIT=3 run_ns -e 5 -- sh -c 'exit 3'
	assert_eq "$RC" 3 "DRAINIT_EXPECT_EXIT=3 with -e 5, app exits 3"
	DRAINIT_EXPECT_EXIT=3 run_ns -e 5 -- sh -c 'exit 5'
	assert_eq "$RC" 0 "DRAINIT_EXPECT_EXIT=3 with -e 5, app exits 5"
}

test_options_env_delay_and_drain_timeout() {
	# The app records SIGTERM but does not exit: it must get it after the
	# delay and be killed after delay + drain.
	DRAINIT_PRE_STOP_DELAY=700ms DRAINIT_DRAIN_TIMEOUT=1500ms start_ns -- "$H/sigrec" "$T/rec" --no-exit
	wait_file '^start ' "$T/rec"
	wait_log 'timeline: on SIGTERM: SIGTERM after 700ms, SIGKILL 1.5s later'
	local t0 t1
	t0=$(now_ms)
	kill -TERM "$DPID"
	wait_exit 30
	t1=$(now_ms)
	assert_eq "$RC" 137 "exit status of the killed app"
	# Upper bounds below twice each deadline, so that a doubled delay or
	# drain fails: the stop signal by 1.4s, SIGKILL by 2 x 2.2s.
	assert_ms_between $(( $(rec_ms "$T/rec" '^sig SIGTERM') - t0 )) 650 1350 "ms from SIGTERM to the stop signal"
	local stop kill
	log_ms stop 'stop: sent SIGTERM'
	log_ms kill 'kill: SIGKILL to pid'
	assert_ms_between $(( kill - stop )) 1450 2900 "ms from the stop signal to SIGKILL (drain 1.5s)"
	assert_ms_between $(( t1 - t0 )) 2150 4300 "ms from SIGTERM to exit"
	assert_log 'kill: SIGKILL to pid 2 \(sigrec\)'

	# A flag beats the variables; an empty variable (Kubernetes' value: "")
	# is unset.
	DRAINIT_PRE_STOP_DELAY=9s DRAINIT_DRAIN_TIMEOUT=9s run_ns --pre-stop-delay 2s --drain-timeout=1500ms -- true
	assert_log 'SIGTERM after 2s, SIGKILL 1.5s later'
	DRAINIT_PRE_STOP_DELAY= DRAINIT_DRAIN_TIMEOUT= run_ns -- true
	assert_eq "$RC" 0 "empty variables"
	assert_log 'SIGTERM after 0s, SIGKILL 25s later'
	DRAINIT_DRAIN_TIMEOUT=2m run_ns -- true
	assert_log 'SIGKILL 2m later'
	DRAINIT_DRAIN_TIMEOUT=90 run_ns -- true
	assert_log 'SIGKILL 1m30s later|SIGKILL 90s later'
}

test_options_env_stop_signal_and_flag_beats_it() {
	DRAINIT_STOP_SIGNAL=sigusr1 start_ns -- "$H/sigrec" "$T/rec" --exit-on USR1 --exit-on USR2
	wait_file '^start ' "$T/rec"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
	grep -q '^sig SIGUSR1' "$T/rec" || fail "DRAINIT_STOP_SIGNAL: the app did not get SIGUSR1"
	! grep -q '^sig SIGTERM' "$T/rec" || fail "DRAINIT_STOP_SIGNAL: the app got SIGTERM"
	assert_log 'stop: sent SIGUSR1 to process group 2'

	DRAINIT_STOP_SIGNAL=USR1 start_ns --stop-signal 12 -- "$H/sigrec" "$T/rec2" --exit-on USR1 --exit-on USR2
	wait_file '^start ' "$T/rec2"
	kill -TERM "$DPID"
	wait_exit
	grep -q '^sig SIGUSR2' "$T/rec2" || fail "--stop-signal 12: the app did not get SIGUSR2"
	! grep -q '^sig SIGUSR1' "$T/rec2" || fail "--stop-signal USR2 lost to DRAINIT_STOP_SIGNAL=USR1"
	assert_log 'stop: sent SIGUSR2 to process group 2'

	DRAINIT_STOP_SIGNAL=RTMIN+2 run_ns -- true
	assert_log 'timeline: on SIGTERM or SIGRTMIN\+2: SIGRTMIN\+2 after'
}

test_options_grace_period_warning() {
	run_ns --pre-stop-delay 10s --drain-timeout 25s --grace-period 30s -- true
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(count_lines ' warning: timeline: ')" 1 "warnings for 10s + 25s in 30s"
	assert_log 'warning: timeline: .*10s.*25s.*30s'
	assert_log 'timeline: .*grace period 30s$'

	run_ns --pre-stop-delay 5s --drain-timeout 20s --grace-period 30s -- true
	assert_no_log ' warning: '
	# The margin is 2 s: 5 + 23 + 2 fits in 30, a millisecond more does not.
	run_ns --pre-stop-delay 5s --drain-timeout 23s --grace-period 30s -- true
	assert_no_log ' warning: '
	run_ns --pre-stop-delay 5s --drain-timeout 23001ms --grace-period 30s -- true
	assert_log ' warning: timeline: '
	# No grace period given, no warning whatever the times.
	run_ns --pre-stop-delay 1h --drain-timeout 1h -- true
	assert_no_log ' warning: '

	DRAINIT_GRACE_PERIOD=5s run_ns -- true
	assert_log 'warning: timeline: .*grace period 5s'
	DRAINIT_GRACE_PERIOD=5s run_ns --grace-period 60s -- true
	assert_no_log ' warning: '
}

test_options_env_log_format() {
	DRAINIT_LOG_FORMAT=json run_ns -- true
	assert_eq "$RC" 0 "exit status"
	[ -s "$T/log" ] || fail "no log"
	python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$T/log" ||
		fail "DRAINIT_LOG_FORMAT=json: not JSON lines: $(cat "$T/log")"
	DRAINIT_LOG_FORMAT=json run_ns --log-format text -- true
	[ -s "$T/log" ] || fail "no log"
	! grep -vqE "$OP_TEXT_RE" "$T/log" || fail "--log-format text lost to the variable: $(cat "$T/log")"
}

test_options_compound_durations_everywhere() {
	# As Kubernetes and Go write them, in flags, variables and plan.
	DRAINIT_PRE_STOP_DELAY=1m30s run_ns --drain-timeout 2m0.5s --grace-period 1h2m3s -- true
	assert_eq "$RC" 0 "exit status"
	assert_log 'timeline: on SIGTERM: SIGTERM after 90s, SIGKILL 120.5s later; grace period 3723s$'
	"$DRAINIT" plan --longest-request 1m30s --lb-lag 1s500ms >"$T/plan" 2>&1 || fail "plan: $(cat "$T/plan")"
	grep -qE '^drain timeout +95s$' "$T/plan" || fail "plan's drain timeout: $(cat "$T/plan")"
	# a bad part is named
	run_ns --pre-stop-delay 1m30x -- sh -c "touch $T/started"
	assert_one_line 64 "--pre-stop-delay: bad duration '1m30x': unknown unit 'x'"
	DRAINIT_DRAIN_TIMEOUT=30s1m run_ns -- sh -c "touch $T/started"
	assert_one_line 64 "DRAINIT_DRAIN_TIMEOUT: bad duration '30s1m'" "units must go from hours down"
}
