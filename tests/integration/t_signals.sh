# Every signal drainit gets is logged (name, sender pid and uid, what was
# done) and all but SIGCHLD and SIGTERM are forwarded at once: to the
# app's process group, or with --single-child to the app alone. A forward
# that fails is a warning, never fatal.

# sg_descendant_named PID COMM: the first descendant of PID named COMM.
sg_descendant_named() {
	local p
	for p in $(tree "$1"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ] && { echo "$p"; return 0; }
	done
	return 1
}

test_signals_each_forwardable_signal_reaches_app() {
	start_ns -- "$H/sigrec" "$T/rec" --no-exit
	wait_file '^start ' "$T/rec"
	local app; app=$(rec_field "$T/rec" pid)
	assert_eq "$(logged_app_pid)" "$app" "app pid in the log"
	local s recname logname
	local sigs=(HUP INT QUIT USR1 USR2 ALRM WINCH CONT TSTP TTIN TTOU PIPE URG VTALRM PROF
		XCPU XFSZ IO PWR SYS TRAP ABRT BUS FPE ILL SEGV STKFLT RTMIN RTMIN+5)
	# valgrind keeps SIGSYS, SIGTRAP, SIGBUS, SIGFPE, SIGILL and SIGSEGV
	# for faults of the program it runs: sent with kill, one ends the
	# process ("the 'impossible' happened") instead of reaching drainit's
	# signalfd. Under valgrind the test sends the other 23.
	[ -n "$UNDER_VALGRIND" ] && sigs=(HUP INT QUIT USR1 USR2 ALRM WINCH CONT TSTP TTIN TTOU PIPE URG VTALRM PROF
		XCPU XFSZ IO PWR ABRT STKFLT RTMIN RTMIN+5)
	for s in "${sigs[@]}"; do
		kill -s "$s" "$DPID" || fail "kill -s $s failed"
		case $s in
		IO) recname=SIGPOLL logname=SIGIO ;;          # glibc's abbreviation for 29 is POLL
		RTMIN) recname='SIGRTMIN\+0' logname=SIGRTMIN ;;
		RTMIN+5) recname='SIGRTMIN\+5' logname='SIGRTMIN\+5' ;;
		*) recname=SIG$s logname=SIG$s ;;
		esac
		# from=1: it came from drainit, PID 1 of the namespace.
		wait_file "^sig $recname from=1 " "$T/rec" 10
		wait_log "signal: $logname from [^:]*pid [0-9]+[ ,(]+uid 0\)?: forwarded to process group $app\$"
	done
	# One record per signal sent: nothing else was delivered or duplicated.
	assert_eq "$(grep -c '^sig ' "$T/rec")" ${#sigs[@]} "signals recorded by the app"
	kill -0 "$DPID" 2>/dev/null || fail "drainit died"
	assert_no_log 'warning|error'
}

test_signals_chld_and_term_are_not_forwarded() {
	# -v: SIGCHLD is logged at debug level only
	start_ns -v --pre-stop-delay 1s --drain-timeout 10s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	kill -s CHLD "$DPID"
	wait_log 'debug: signal: SIGCHLD from [^:]*uid 0\)?: reaping$'
	# A marker numbered above SIGCHLD: had SIGCHLD been forwarded, the app
	# would have recorded it before the marker.
	kill -s RTMIN+3 "$DPID"
	wait_file '^sig SIGRTMIN\+3 from=1 ' "$T/rec"
	! grep -q '^sig SIGCHLD' "$T/rec" || fail "SIGCHLD reached the app"
	assert_no_log 'SIGCHLD.*forward'

	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_log 'signal: SIGTERM from [^:]*: withdrawing readiness; pre-stop delay starts$'
	wait_file '^sig SIGTERM from=1 ' "$T/rec" 10
	local at; at=$(rec_ms "$T/rec" '^sig SIGTERM ')
	# Only as the stop signal, after the pre-stop delay: not forwarded at once.
	assert_ms_between $((at - t0)) 900 6000 "ms from SIGTERM to the app's SIGTERM"
	assert_eq "$(grep -c '^sig SIGTERM' "$T/rec")" 1 "SIGTERMs the app got"
	assert_no_log 'SIGTERM.*forwarded'
	wait_log 'stop: sent SIGTERM to process group'
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
}

test_signals_forwarded_to_whole_process_group_by_default() {
	# bash does not exec the app: the app is bash's child, in bash's group.
	start_ns --drain-timeout 3s -- bash -c "$H/sigrec $T/rec --no-exit; true"
	wait_file '^start ' "$T/rec"
	local app; app=$(logged_app_pid)
	[ -n "$app" ] || fail "no app pid in the log"
	assert_eq "$(rec_field "$T/rec" pgid)" "$app" "the grandchild's process group"
	[ "$(rec_field "$T/rec" pid)" != "$app" ] || fail "bash exec'd the app"
	# SIGWINCH: bash's default is to ignore it, so bash stays.
	kill -s WINCH "$DPID"
	wait_log "signal: SIGWINCH from [^:]*: forwarded to process group $app\$"
	wait_file '^sig SIGWINCH from=1 ' "$T/rec"
	kill -s USR2 "$DPID"
	wait_file '^sig SIGUSR2 from=1 ' "$T/rec"
}

# The app exits and leaves a member of its process group behind: signals
# forwarded to the group still reach that member (not only a log line).
test_signals_group_member_left_after_the_app_exits_still_gets_them() {
	# bash waits for the member's start line (its handlers are set by
	# then): the stop signal that follows the app's exit must find them.
	start_ns --drain-timeout 30s -- bash -c "$H/sigrec $T/rec --no-exit &
		until grep -q '^start ' $T/rec 2>/dev/null; do sleep 0.01; done; exit 0"
	wait_file '^start ' "$T/rec"
	wait_log 'exit: app pid 2 \(bash\) exited with status 0'
	assert_eq "$(rec_field "$T/rec" pgid)" 2 "the member's process group"
	kill -s USR1 "$DPID"
	wait_log "signal: SIGUSR1 from [^:]*: forwarded to process group 2\$"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	kill -s WINCH "$DPID"
	wait_file '^sig SIGWINCH from=1 ' "$T/rec"
}

test_signals_single_child_forwards_to_app_alone() {
	start_ns --single-child --drain-timeout 3s -- bash -c "$H/sigrec $T/rec --no-exit; true"
	wait_file '^start ' "$T/rec"
	local app; app=$(logged_app_pid)
	assert_eq "$(rec_field "$T/rec" pgid)" "$app" "the grandchild's process group"
	kill -s WINCH "$DPID"
	wait_log "signal: SIGWINCH from [^:]*: forwarded to pid $app\$"
	# drainit's kill() has returned: had it reached the group, SIGWINCH would
	# be pending in the grandchild or recorded already. A marker sent to it
	# directly, numbered above SIGWINCH, is recorded after any such SIGWINCH.
	local rec; rec=$(sg_descendant_named "$DPID" sigrec) || fail "grandchild not found"
	kill -s RTMIN+3 "$rec"
	wait_file '^sig SIGRTMIN\+3 ' "$T/rec"
	! grep -q '^sig SIGWINCH' "$T/rec" || fail "--single-child: the grandchild got SIGWINCH"
}

test_signals_sender_pid_from_inside_namespace_logged() {
	start_ns -- "$H/sigrec" "$T/rec" --no-exit
	wait_file '^start ' "$T/rec"
	# The sender as the brief puts it: kill(1) run inside the namespace.
	ns_exec kill -USR1 1 || fail "kill inside the namespace failed"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	wait_log 'signal: SIGUSR1 from pid [0-9]+ \(uid 0\): forwarded'
	local n; n=$(grep -m1 -o 'SIGUSR1 from pid [0-9]*' "$T/log" | grep -o '[0-9]*$')
	[ "$n" != 0 ] || fail "sender pid logged as 0"
	# And exactly: a shell inside the namespace that knows its own pid.
	ns_exec bash -c "echo \$\$ >$T/sender; kill -USR2 1" || fail "bash inside the namespace failed"
	local sender; sender=$(cat "$T/sender")
	wait_log "signal: SIGUSR2 from pid $sender \(uid 0\): forwarded to process group"
}

test_signals_sender_pid_logged_when_not_pid1() {
	start_plain -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	local app; app=$(rec_field "$T/rec" pid)
	kill -s HUP "$DPID"
	wait_log "signal: SIGHUP from pid $BASHPID \(uid 0\): forwarded to process group $app\$"
	# from= is drainit: the app got it through drainit, not from us.
	wait_file "^sig SIGHUP from=$DPID " "$T/rec"
	kill -TERM "$DPID"
	wait_log "signal: SIGTERM from pid $BASHPID \(uid 0\): withdrawing readiness"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
}

test_signals_failed_forward_esrch_is_warning_and_drainit_keeps_running() {
	# The app (bash) starts a process in a session of its own, waits until it
	# runs and exits 4: its process group is gone, while drainit drains the
	# other process (which takes 3 s to finish after its SIGTERM).
	start_ns --drain-timeout 20s -- bash -c \
		"setsid $H/sigrec $T/rec2 --drain 3000 & until grep -q '^start ' $T/rec2 2>/dev/null; do sleep 0.02; done; exit 4"
	wait_log 'stop: SIGTERM to pid [0-9]+ \(sigrec\)'
	wait_file '^sig SIGTERM ' "$T/rec2"
	kill -s USR1 "$DPID"
	wait_log 'warning: signal: SIGUSR1 from [^:]*: forward to process group [0-9]+ failed: No such process'
	kill -0 "$DPID" 2>/dev/null || fail "drainit ended after a failed forward"
	! grep -q '^exit ' "$T/rec2" || fail "test too slow: the drain was over before the forward"
	wait_exit 20
	assert_eq "$RC" 4 "exit status (the app's)"
	grep -q '^exit code=0' "$T/rec2" || fail "the draining process did not finish"
	assert_no_log 'error'
}

test_signals_failed_forward_eperm_is_warning_and_drainit_keeps_running() {
	# drainit as root without CAP_KILL cannot signal an app that switched to
	# another user: every forward fails with EPERM. The app (user 65534)
	# writes its record in a folder of its own.
	chmod 711 "$T" && mkdir -m 777 "$T/pub" || fail "cannot make a public folder"
	setsid setpriv --bounding-set -kill --inh-caps -kill "$DRAINIT" --drain-timeout 2s -- \
		setpriv --reuid 65534 --regid 65534 --clear-groups "$H/sigrec" "$T/pub/rec" --no-exit \
		>"$T/out" 2>"$T/log" </dev/null &
	JOB=$! DPID=$!
	wait_file '^start ' "$T/pub/rec"
	kill -s USR1 "$DPID"
	wait_log 'warning: signal: SIGUSR1 from [^:]*: forward to process group [0-9]+ failed: Operation not permitted'
	kill -s USR2 "$DPID"
	wait_log 'warning: signal: SIGUSR2 from [^:]*: forward to process group [0-9]+ failed: Operation not permitted'
	kill -0 "$DPID" 2>/dev/null || fail "drainit ended after a failed forward"
	! grep -q '^sig ' "$T/pub/rec" || fail "the app got a signal drainit could not send"
	# We (root) end the app; drainit reports it.
	kill -KILL "$(rec_field "$T/pub/rec" pid)"
	wait_exit 15
	assert_eq "$RC" 137 "exit status (app killed by SIGKILL)"
}
