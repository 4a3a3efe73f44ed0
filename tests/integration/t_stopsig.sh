# Images that stop with another signal: the configured stop signal
# (--stop-signal, DRAINIT_STOP_SIGNAL) begins the stop exactly as SIGTERM
# does (nginx and php-fpm images have STOPSIGNAL SIGQUIT, and the engine
# sends it). Any other signal is forwarded at once; when the first signal
# is one engines stop with and not the stop signal, one warning says the
# drain was skipped and how to get it.

# ss_ready_app DRAINIT-ARGS...: drainit with a readiness file and sigrec as
# the app (exits on SIGQUIT and SIGTERM); returns once the file is written.
ss_ready_app() {
	start_ns --ready-file "$T/ready" "$@" -- "$H/sigrec" "$T/rec" --exit-on QUIT --exit-on TERM
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
}

# ss_drains SIGNAL: after SIGNAL to drainit (stop signal SIGQUIT, pre-stop
# delay 1s), readiness is withdrawn at once, the app gets SIGQUIT only
# after the delay, and nothing else.
ss_drains() {
	local t0; t0=$(now_ms)
	kill -s "$1" "$DPID"
	wait_until 5 eval '! test -e "$T/ready"' || fail "readiness not withdrawn after SIG$1"
	local gone; gone=$(now_ms)
	# still serving: the app has not been told anything yet
	! grep -q '^sig ' "$T/rec" || fail "the app got a signal during the delay: $(grep '^sig ' "$T/rec")"
	wait_file '^sig SIGQUIT from=1 ' "$T/rec" 10
	local at; at=$(rec_ms "$T/rec" '^sig SIGQUIT ')
	assert_ms_between $((gone - t0)) 0 900 "ms from SIG$1 to the readiness file's removal"
	assert_ms_between $((at - t0)) 900 6000 "ms from SIG$1 to the app's SIGQUIT"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(grep -c '^sig ' "$T/rec")" 1 "signals the app got"
	assert_log "signal: SIG$1 from [^:]*: withdrawing readiness; pre-stop delay starts$"
	assert_log "unready: readiness withdrawn \(.*\): SIG$1 received$"
	assert_log 'stop: sent SIGQUIT to process group [0-9]+; draining for up to'
	assert_log "summary: SIG$1 to exit took .*; no SIGKILL needed"
	assert_no_log 'forwarded|warning'
}

test_stopsig_the_stop_signal_drains_as_sigterm_does() {
	ss_ready_app --stop-signal SIGQUIT --pre-stop-delay 1s
	assert_log 'timeline: on SIGTERM or SIGQUIT: unready at once, SIGQUIT after 1s, SIGKILL 25s later'
	ss_drains QUIT
}

test_stopsig_sigterm_still_drains_and_the_app_gets_the_stop_signal() {
	DRAINIT_STOP_SIGNAL=quit ss_ready_app --pre-stop-delay 1s
	ss_drains TERM
}

test_stopsig_second_stop_signal_cuts_the_delay_third_kills() {
	ss_ready_app --stop-signal QUIT --pre-stop-delay 60s
	kill -QUIT "$DPID"
	wait_log 'signal: SIGQUIT from [^:]*: withdrawing readiness; pre-stop delay starts$'
	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_log 'signal: SIGTERM from [^:]*: second SIGTERM: cutting the pre-stop delay short$'
	wait_file '^sig SIGQUIT from=1 ' "$T/rec" 10
	assert_ms_between $(( $(rec_ms "$T/rec" '^sig SIGQUIT ') - t0 )) 0 5000 "ms from the second signal to the app's"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"

	# An app that does not stop: the third lifecycle signal kills at once.
	start_ns --stop-signal QUIT --pre-stop-delay 60s -- "$H/sigrec" "$T/rec2" --no-exit
	wait_file '^start ' "$T/rec2"
	kill -QUIT "$DPID"
	wait_log 'pre-stop delay starts$'
	kill -QUIT "$DPID"
	wait_log 'second SIGQUIT: cutting the pre-stop delay short$'
	kill -QUIT "$DPID"
	wait_log 'signal: SIGQUIT from [^:]*: third SIGQUIT: killing every process now$'
	wait_exit 10
	assert_eq "$RC" 137 "exit status"
}

test_stopsig_another_engine_signal_is_forwarded_at_once_and_warned_once() {
	ss_ready_app --pre-stop-delay 30s
	local app; app=$(logged_app_pid)
	# the default stop signal is TERM: SIGQUIT (a JVM's thread dump) goes
	# to the app at once, and the app, which stops on it, exits
	kill -QUIT "$DPID"
	wait_file '^sig SIGQUIT from=1 ' "$T/rec" 5
	wait_exit 10
	assert_eq "$RC" 0 "exit status"
	assert_log "signal: SIGQUIT from [^:]*: forwarded to process group $app\$"
	assert_log 'warning: signal: SIGQUIT was forwarded at once, without a drain: if the engine stops this container with SIGQUIT \(an image.s STOPSIGNAL\), set --stop-signal QUIT \(DRAINIT_STOP_SIGNAL=QUIT\) so that it drains first$'
	# readiness went only when the app had exited
	assert_log 'unready: readiness withdrawn .*: the app exited$'
	assert_no_log 'pre-stop delay starts'

	# Once: a second engine signal says nothing more.
	start_ns -- "$H/sigrec" "$T/rec2"
	wait_file '^start ' "$T/rec2"
	kill -PWR "$DPID"
	wait_file '^sig SIGPWR ' "$T/rec2"
	kill -s RTMIN+3 "$DPID"
	wait_file '^sig SIGRTMIN\+3 ' "$T/rec2"
	kill -TERM "$DPID"
	wait_exit 10
	assert_eq "$(count_lines 'warning: signal: .*without a drain')" 1 "warnings"
	assert_log 'warning: signal: SIGPWR was forwarded at once, without a drain: .* set --stop-signal PWR \(DRAINIT_STOP_SIGNAL=PWR\)'
}

test_stopsig_no_warning_unless_the_first_signal_is_an_engines() {
	# A signal of the app's own first (a reload): a later SIGQUIT is the
	# user's, not an engine's stop.
	start_ns -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	kill -HUP "$DPID"
	wait_file '^sig SIGHUP ' "$T/rec"
	kill -QUIT "$DPID"
	wait_file '^sig SIGQUIT ' "$T/rec"
	kill -TERM "$DPID"
	wait_exit 10
	assert_no_log 'warning'

	# The stop signal itself is no cause for a warning.
	start_ns --stop-signal INT -- "$H/sigrec" "$T/rec2" --exit-on INT
	wait_file '^start ' "$T/rec2"
	kill -INT "$DPID"
	wait_exit 10
	assert_log 'signal: SIGINT from [^:]*: withdrawing readiness; stopping the app$'
	assert_no_log 'warning'
}

test_stopsig_ctrl_c_on_a_terminal_is_no_engine() {
	# drainit on a terminal: SIGINT is a person's Ctrl-C, not an engine's
	# stop. (drainit hands the terminal to the app, so the keyboard's ^C
	# reaches the app itself; a SIGINT sent to drainit is forwarded.)
	# (ptyrun types nothing: the file it waits on never comes)
	"$H/ptyrun" -e "$T/log" -t 20 "$T/never" x 3 -- \
		unshare --pid --fork --mount-proc "$DRAINIT" -- "$H/sigrec" "$T/rec" --exit-on INT \
		>"$T/out" &
	local job=$!
	wait_file '^start ' "$T/rec"
	# ptyrun's child is unshare, whose child is drainit
	local u d
	u=$(children "$job" | head -n 1) && d=$(children "$u" | head -n 1) || fail "drainit not found"
	kill -INT "$d"
	wait_file '^sig SIGINT ' "$T/rec"
	wait "$job"
	assert_log 'signal: SIGINT from [^:]*: forwarded to process group'
	assert_no_log 'without a drain'

	# The same SIGINT to a drainit without a terminal: an engine's.
	start_ns -- "$H/sigrec" "$T/rec2" --exit-on INT
	wait_file '^start ' "$T/rec2"
	kill -INT "$DPID"
	wait_exit 10
	assert_log 'warning: signal: SIGINT was forwarded at once, without a drain'
}

test_stopsig_sigkill_as_the_stop_signal_is_warned() {
	run_ns --stop-signal 9 -- true
	assert_eq "$RC" 0 "exit status"
	assert_log 'warning: start: the stop signal is SIGKILL, which no app can catch: no drain is possible'
	assert_log 'timeline: on SIGTERM: SIGKILL after 0s'
	run_ns -- true
	assert_no_log 'warning'
}
