# Robustness: drainit keeps working when its log stalls; glibc's internal
# signals 32 and 33 are forwarded like any other (and do not kill drainit);
# the stop signal reaches every process exactly once, those outside the
# app's process group and those left behind by a --single-child app
# included; zombies are not reported as SIGKILLed; the app dies with a
# SIGKILLed drainit (not PID 1) and its readiness file then reads as stale;
# the summary never shows a negative duration.

# rb_start ns|plain DRAINIT-ARGS...: start_ns or start_plain. Sets RB_FROM,
# the pid that signals from drainit carry as seen by its processes (the
# from= of sigrec and rawsig).
rb_start() {
	local mode=$1; shift
	case $mode in
	ns) start_ns "$@"; RB_FROM=1 ;;
	plain) start_plain "$@"; RB_FROM=$DPID ;;
	*) fail "rb_start: bad mode $mode" ;;
	esac
}

# rb_state PID: the process state letter (R, S, Z...), empty when gone.
rb_state() { sed -E 's/^[0-9]+ \(.*\) (.) .*/\1/' "/proc/$1/stat" 2>/dev/null; }

# rb_zombie_count PID: how many of PID's children are zombies.
rb_zombie_count() {
	local p f=()
	for p in $(children "$1"); do f+=("/proc/$p/stat"); done
	[ ${#f[@]} -gt 0 ] || { echo 0; return 0; }
	cat "${f[@]}" 2>/dev/null | grep -c ') Z '
}

# rb_only_child PID CHILD: CHILD is PID's one child left, and is no zombie.
rb_only_child() {
	[ "$(children "$1")" = "$2" ] && [ "$(rb_state "$2")" != Z ]
}

# rb_gone PID: no such process (not even a zombie).
rb_gone() { ! kill -0 "$1" 2>/dev/null; }

# rb_terms FILE: how many SIGTERMs the recorder writing FILE got.
rb_terms() { grep -c '^sig SIGTERM ' "$1"; }

# rb_log_line PATTERN: the line number of the first log line matching.
rb_log_line() { grep -n -m1 -E -- "$1" "$T/log" | cut -d: -f1; }

# rb_ns_pid HOSTPID: the pid as seen in the innermost PID namespace.
rb_ns_pid() { awk '/^NSpid:/ { print $NF }' "/proc/$1/status"; }

# --- a stalled log --------------------------------------------------------

test_robust_stalled_log_does_not_stall_pid1() {
	# drainit's stderr is a FIFO that nobody reads: fd 9 holds it open (read
	# and write, so opening does not block) and never reads. -v logs every
	# reaped orphan: far more than the pipe's 64 KiB.
	mkfifo "$T/fifo" || fail "mkfifo failed"
	exec 9<>"$T/fifo"
	# start_ns sends stderr to $T/log; the wrapper points it at the FIFO
	# before it execs unshare, and keeps fd 9 from drainit and the app.
	local NS_WRAP=(bash -c 'exec 2>"$0" 9<&-; exec "$@"' "$T/fifo")
	start_ns -v --ready-file "$T/ready" --drain-timeout 20s -- \
		"$H/orphans" 2000 "$T/spawned" --live 50
	[ -n "$DPID" ] || fail "drainit ended at once"
	local app; app=$(app_host_pid)
	wait_until 10 test -e "$T/ready" || fail "readiness file never written"
	wait_file '^spawned 2000 ' "$T/spawned" 40
	# Every orphan lived 50 ms: once drainit has reaped them all, the app
	# is its one child left.
	wait_until 20 rb_only_child "$DPID" "$app" ||
		fail "orphans not reaped with the log stalled: $(rb_zombie_count "$DPID") zombies," \
			"$(children "$DPID" | wc -l) children of drainit; drainit is in $(cat /proc/"$DPID"/wchan 2>/dev/null)"
	assert_eq "$(rb_zombie_count "$DPID")" 0 "zombies under drainit"

	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_until 3 test ! -e "$T/ready" ||
		fail "readiness file still there 3 s after SIGTERM (log stalled)"
	wait_exit 15
	assert_eq "$RC" 0 "exit status (the app's, after SIGTERM)"
	assert_ms_between $(( $(now_ms) - t0 )) 0 15000 "ms from SIGTERM to exit"
	# The test did stall the log: the pipe is full (lines that did not fit
	# were dropped, or would have been).
	local bytes
	bytes=$(dd if=/proc/self/fd/9 iflag=nonblock bs=65536 2>/dev/null | wc -c)
	exec 9<&-
	(( bytes >= 61440 )) || fail "the log pipe held only $bytes bytes: it was never full"
}

# --- signals 32 and 33 ----------------------------------------------------

# glibc keeps 32 (SIGCANCEL) and 33 (SIGSETXID) for itself: sigfillset and
# sigprocmask leave them out and sigaction refuses them. sigrec cannot catch
# them, so the app is rawsig (raw syscalls, a signalfd).
rb_signals_32_33() {
	rb_start "$1" --drain-timeout 5s -- "$H/rawsig" "$T/rec"
	wait_file '^start ' "$T/rec"
	local app; app=$(logged_app_pid)
	[ -n "$app" ] || fail "no app pid in the log"
	local s
	for s in 32 33; do
		kill -s "$s" "$DPID" || fail "kill -s $s failed"
		wait_file "^sig $s from=$RB_FROM " "$T/rec"
		wait_log "signal: [^:]*$s from [^:]*: forwarded to process group $app\$"
		kill -0 "$DPID" 2>/dev/null || fail "drainit died of signal $s"
	done
	assert_eq "$(grep -c '^sig 32 ' "$T/rec")" 1 "signal 32s the app got"
	assert_eq "$(grep -c '^sig 33 ' "$T/rec")" 1 "signal 33s the app got"
	# Still a working drainit: it stops the app and exits with its status.
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(grep -c '^sig 15 ' "$T/rec")" 1 "SIGTERMs the app got"
	assert_no_log 'warning|error'
}

test_robust_signals_32_33_forwarded_as_pid1() { rb_signals_32_33 ns; }
test_robust_signals_32_33_forwarded_not_pid1() { rb_signals_32_33 plain; }

# --- the stop signal reaches every process, each once ---------------------

# --single-child: the stop signal goes to the app (bash) alone. bash's trap
# holds it until $T/go exists; then it exits 3, and what it left behind
# (rec2) gets the stop signal once, drains 300 ms and exits; drainit after it.
rb_single_child_leftover() {
	rb_start "$1" --single-child --drain-timeout 20s -- bash -c \
		"trap 'until [ -e $T/go ]; do sleep 0.02; done; exit 3' TERM; $H/sigrec $T/rec2 --drain 300 & wait"
	wait_file '^start ' "$T/rec2"
	local app; app=$(logged_app_pid)
	local rec2; rec2=$(children "$(app_host_pid)")
	[ -n "$rec2" ] || fail "bash has no child"
	kill -TERM "$DPID"
	wait_log "stop: sent SIGTERM to pid $app\b"
	# drainit's kill() has returned. Had it reached rec2, SIGTERM would be
	# pending there or recorded; a marker sent now, numbered above SIGTERM,
	# is recorded after any such SIGTERM.
	kill -s RTMIN+3 "$rec2"
	wait_file '^sig SIGRTMIN\+3 ' "$T/rec2"
	assert_eq "$(rb_terms "$T/rec2")" 0 "SIGTERMs rec2 got while bash runs (--single-child)"

	local t0; t0=$(now_ms)
	touch "$T/go"
	wait_file "^sig SIGTERM from=$RB_FROM " "$T/rec2" 8
	wait_exit 8
	assert_ms_between $(( $(now_ms) - t0 )) 0 8000 "ms from bash's exit to drainit's"
	assert_eq "$RC" 3 "exit status (bash's)"
	grep -q '^exit code=0 ' "$T/rec2" || fail "rec2 did not finish its drain"
	assert_eq "$(rb_terms "$T/rec2")" 1 "SIGTERMs the leftover got"
	assert_no_log 'kill: SIGKILL'
}

test_robust_single_child_leftover_gets_stop_once_as_pid1() { rb_single_child_leftover ns; }
test_robust_single_child_leftover_gets_stop_once_not_pid1() { rb_single_child_leftover plain; }

# Default (group) mode: the app (rec1) and rec3 are in the app's process
# group, rec2 left it (setsid). On SIGTERM each gets the stop signal once,
# rec2 while the app still runs (at the stop, not when the app exits or at
# the deadline). rec1 ends only on SIGUSR1, sent by the test.
rb_group_and_outsider() {
	rb_start "$1" --drain-timeout 20s -- bash -c \
		"setsid $H/sigrec $T/rec2 --drain 300 & $H/sigrec $T/rec3 --drain 300 & exec $H/sigrec $T/rec1 --exit-on USR1"
	wait_file '^start ' "$T/rec1"
	wait_file '^start ' "$T/rec2"
	wait_file '^start ' "$T/rec3"
	local pgid; pgid=$(rec_field "$T/rec1" pgid)
	[ "$(rec_field "$T/rec2" pgid)" != "$pgid" ] || fail "rec2 is still in the app's group"
	assert_eq "$(rec_field "$T/rec3" pgid)" "$pgid" "rec3's process group"
	local app; app=$(app_host_pid)

	kill -TERM "$DPID"
	wait_file "^sig SIGTERM from=$RB_FROM " "$T/rec1"
	wait_file "^sig SIGTERM from=$RB_FROM " "$T/rec3"
	wait_file "^sig SIGTERM from=$RB_FROM " "$T/rec2" 10
	! grep -q '^exit ' "$T/rec1" || fail "the app ended before rec2 got the stop signal"
	wait_file '^exit ' "$T/rec2"
	wait_file '^exit ' "$T/rec3"
	kill -s USR1 "$app"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	local f
	for f in rec1 rec2 rec3; do
		assert_eq "$(rb_terms "$T/$f")" 1 "SIGTERMs $f got"
	done
	assert_no_log 'kill: SIGKILL'
}

test_robust_group_mode_outsider_and_group_get_stop_once_as_pid1() { rb_group_and_outsider ns; }
test_robust_group_mode_outsider_and_group_get_stop_once_not_pid1() { rb_group_and_outsider plain; }

# --- zombies are not SIGKILLed --------------------------------------------

# The app ignores SIGTERM and never reaps its child (a subshell that exits
# once the app runs): at the deadline only the app is SIGKILLed.
rb_zombie_not_killed() {
	rb_start "$1" --drain-timeout 1s -- bash -c \
		"(until grep -q '^start ' $T/rec 2>/dev/null; do sleep 0.02; done) & exec $H/sigrec $T/rec --ignore TERM"
	wait_file '^sig SIGCHLD ' "$T/rec"
	local app; app=$(app_host_pid)
	local z; z=$(children "$app")
	[ -n "$z" ] || fail "the app has no child"
	assert_eq "$(rb_state "$z")" Z "state of the app's exited child"
	local app_ns; app_ns=$(logged_app_pid)
	local z_ns; z_ns=$(rb_ns_pid "$z")
	[ -n "$app_ns" ] && [ -n "$z_ns" ] || fail "no pids (app '$app_ns', zombie '$z_ns')"

	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 137 "exit status (app killed by SIGKILL)"
	assert_no_log "kill: SIGKILL to pid $z_ns\b"
	local n; n=$(count_lines 'kill: SIGKILL to pid')
	(( n >= 1 )) || fail "no SIGKILL logged"
	assert_eq "$(count_lines "kill: SIGKILL to pid $app_ns \(sigrec\)")" "$n" "SIGKILL lines naming the app"
	assert_log "summary: 1 process was SIGKILLed: pid $app_ns \(sigrec\)\$"
}

test_robust_zombie_not_reported_killed_as_pid1() { rb_zombie_not_killed ns; }
test_robust_zombie_not_reported_killed_not_pid1() { rb_zombie_not_killed plain; }

# --- a SIGKILLed drainit (not PID 1) --------------------------------------

test_robust_sigkilled_drainit_takes_app_along_probe_says_stale_not_pid1() {
	# As start_plain, under a subreaper that reaps the orphaned app at once
	# (the machine's init may leave it a zombie for a while). sigrec
	# --no-exit: only SIGKILL ends it.
	setsid "$H/subreaper" "$DRAINIT" --ready-file "$T/ready" -- "$H/sigrec" "$T/rec" --no-exit \
		>"$T/out" 2>"$T/log" </dev/null &
	JOB=$!
	wait_until 10 has_child "$JOB" || fail "drainit did not start"
	DPID=$(children "$JOB" | head -n 1)
	wait_file '^start ' "$T/rec"
	wait_until 10 test -e "$T/ready" || fail "readiness file never written"
	local app; app=$(rec_field "$T/rec" pid)
	assert_eq "$(children "$DPID")" "$app" "drainit's child"
	env -i "$DRAINIT" probe --ready-file "$T/ready" >"$T/probe.out" 2>&1 ||
		fail "probe says not ready while the app runs: $(cat "$T/probe.out")"

	kill -KILL "$DPID"
	wait_until 5 rb_gone "$app" || fail "the app (pid $app) outlived drainit; state $(rb_state "$app")"
	! grep -q '^sig ' "$T/rec" || fail "the app got a catchable signal: $(grep '^sig ' "$T/rec")"
	[ -e "$T/ready" ] || fail "the readiness file is gone: nothing left to probe"
	local prc=0
	env -i "$DRAINIT" probe --ready-file "$T/ready" >"$T/probe.out" 2>&1 || prc=$?
	assert_eq "$prc" 1 "probe exit status ($(cat "$T/probe.out"))"
	assert_eq "$(wc -l <"$T/probe.out")" 1 "probe output lines"
	grep -qE '^not ready: .*stale' "$T/probe.out" || fail "probe says: $(cat "$T/probe.out")"
}

# --- the summary ----------------------------------------------------------

test_robust_summary_no_negative_duration_term_during_drain() {
	# The app (rec1) exits 3 on its own after 200 ms, once rec2 runs; rec2
	# takes 1.5 s to drain after its stop signal; SIGTERM comes meanwhile.
	start_ns --drain-timeout 20s -- bash -c \
		"$H/sigrec $T/rec2 --drain 1500 & until grep -q '^start ' $T/rec2 2>/dev/null; do sleep 0.02; done; exec $H/sigrec $T/rec1 --exit-after 200 --code 3"
	wait_file '^exit ' "$T/rec1"
	wait_file '^sig SIGTERM ' "$T/rec2"
	kill -TERM "$DPID"
	wait_log 'signal: SIGTERM from'
	wait_exit 15
	assert_eq "$RC" 3 "exit status (the app's)"
	local term_line exit_line
	term_line=$(rb_log_line 'signal: SIGTERM from')
	exit_line=$(rb_log_line 'exit: pid [0-9]+ \(sigrec\)')
	[ -n "$exit_line" ] || fail "rec2's exit not logged"
	(( term_line < exit_line )) || fail "test too slow: SIGTERM came after the drain"
	grep -q 'summary:' "$T/log" || fail "no summary"
	! grep 'summary:' "$T/log" | grep -qE ' -[0-9]' ||
		fail "negative duration: $(grep 'summary:' "$T/log" | grep -E ' -[0-9]')"
}

# --- a process entered from outside is not asked to stop -------------------

# rb_entered_left_alone app-exits|term: drainit as PID 1; a process entered
# with nsenter (as docker exec or an exec probe would be) runs beside the
# app. When the stop signal goes out (the app exiting on its own, or
# SIGTERM), the leftover started under drainit gets it, the entered one
# does not: it is not drainit's.
rb_entered_left_alone() {
	start_ns --drain-timeout 20s -- bash -c \
		"$H/sigrec $T/left --drain 300 & exec $H/sigrec $T/rec --exit-on USR1 --exit-on TERM"
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/left"
	ns_exec "$H/sigrec" "$T/entered" --no-exit &
	local nsenter=$!
	wait_file '^start ' "$T/entered"
	if [ "$1" = app-exits ]; then
		kill -s USR1 "$(app_host_pid)"
	else
		kill -TERM "$DPID"
	fi
	wait_file '^sig SIGTERM from=1 ' "$T/left"
	wait_file '^exit ' "$T/left"
	! grep -q '^sig SIGTERM' "$T/entered" || fail "the entered process got the stop signal"
	# drainit exits once its own processes are gone; the namespace, and the
	# entered process with it, ends then.
	wait_exit 15
	wait "$nsenter" 2>/dev/null
	! grep -q '^sig SIGTERM' "$T/entered" || fail "the entered process got the stop signal"
}

test_robust_entered_process_not_stopped_when_app_exits() {
	rb_entered_left_alone app-exits
	assert_log 'stop: SIGTERM to pid [0-9]+ \(sigrec\): the app has exited'
	assert_eq "$(grep -c 'stop: SIGTERM to pid' "$T/log")" 1 "processes stopped one by one (the leftover only)"
}

test_robust_entered_process_not_stopped_on_sigterm() {
	rb_entered_left_alone term
	assert_log 'stop: sent SIGTERM to process group'
	assert_no_log 'outside the app.s process group'
}
