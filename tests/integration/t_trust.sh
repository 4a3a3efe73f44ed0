# Issue "trust nothing it cannot verify": a /proc that is not drainit's
# own, a stopped app, an app that leaves its process group, a SIGTERM right
# at start. (Notify messages and the readiness files have their own files.)

test_trust_a_proc_of_another_namespace_is_refused() {
	# unshare --pid without --mount-proc: /proc is the host's, its pids name
	# host processes. One line, 71, nothing started, nothing signalled.
	timeout -s KILL 30 unshare --pid --fork "$DRAINIT" -- sh -c "touch $T/started" \
		>"$T/out" 2>"$T/log" </dev/null
	RC=$?
	assert_one_line 71 "/proc shows another PID namespace than drainit's" "unshare --mount-proc"
	# not PID 1 either: a subreaper in that namespace sees the same /proc
	timeout -s KILL 30 unshare --pid --fork sh -c "\"$DRAINIT\" -- sh -c 'touch $T/started'; echo \$? >$T/rc" \
		>"$T/out" 2>"$T/log" </dev/null
	RC=$(cat "$T/rc")
	assert_one_line 71 "/proc shows another PID namespace"
}

test_trust_a_stopped_app_is_woken_to_drain() {
	# An app stopped when the stop signal comes (SIGSTOP, Ctrl-Z, a
	# debugger) would sit stopped until the deadline: SIGCONT follows the
	# stop signal, so it drains and exits of its own.
	start_ns --drain-timeout 20s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	local app; app=$(app_host_pid)
	kill -STOP "$app"
	wait_until 5 eval '[ "$(awk "{print \$3}" /proc/$app/stat)" = T ]' || fail "the app did not stop"
	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_exit 30
	assert_ms_between $(( $(now_ms) - t0 )) 0 10000 "ms from SIGTERM to exit"
	assert_eq "$RC" 0 "exit status (the app's own, not SIGKILL)"
	wait_file '^sig SIGTERM from=1 ' "$T/rec"
	assert_log 'stop: pid [0-9]+ \(sigrec\) catches SIGTERM; it is stopped \(T\): SIGCONT follows the stop signal$'
	assert_log 'summary: .*no SIGKILL needed'
}

test_trust_an_app_that_leaves_its_process_group_still_gets_signals() {
	# The app moves into its child's process group: its own group is empty,
	# so a signal for the group reaches nobody. The app alone gets it
	# instead (said once), and at the stop the rest gets the stop signal
	# one by one.
	start_ns --drain-timeout 10s -- python3 -c '
import os, signal, sys, time
rec = open(sys.argv[1], "a", buffering=1)
signal.signal(signal.SIGUSR1, lambda s, f: rec.write("usr1\n"))
signal.signal(signal.SIGTERM, lambda s, f: (rec.write("term\n"), sys.exit(0)))
r, w = os.pipe()
child = os.fork()
if child == 0:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setpgid(0, 0)
    os.write(w, b"x")
    time.sleep(600)
    os._exit(0)
os.read(r, 1)
os.setpgid(0, child)
rec.write("moved pgid=%d\n" % os.getpgid(0))
while True:
    signal.pause()
' "$T/rec"
	wait_file '^moved ' "$T/rec"
	kill -USR1 "$DPID"
	wait_file '^usr1$' "$T/rec"
	kill -USR1 "$DPID"
	wait_until 10 eval '[ "$(grep -c "^usr1" "$T/rec")" = 2 ]' || fail "the second SIGUSR1 did not come"
	assert_eq "$(count_lines 'has left its process group')" 1 "lines saying so"
	assert_log 'warning: signal: the app, pid 2, has left its process group 2: signals go to the app alone from now on$'
	assert_log 'signal: SIGUSR1 from [^:]*: forwarded to pid 2$'
	assert_no_log 'failed'
	kill -TERM "$DPID"
	wait_exit 20
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(grep -c '^term' "$T/rec")" 1 "SIGTERMs the app got"
	assert_log 'stop: sent SIGTERM to pid 2; draining'
	assert_log 'stop: SIGTERM to pid [0-9]+ \(python3\): outside the app.s process group'
	assert_log 'exit: pid [0-9]+ \(python3\) killed by SIGTERM'
	assert_log 'summary: .*no SIGKILL needed'
}

test_trust_a_sigterm_while_drainit_reads_its_options_is_kept() {
	# As PID 1, a signal that comes before drainit has blocked it finds no
	# handler and the kernel drops it: the pod would run on until SIGKILL.
	# earlyterm.so sends the SIGTERM from another process at drainit's
	# first fcntl(), the first thing main() does after blocking.
	needs_native "the shim would load into valgrind"
	! ldd "$DRAINIT" 2>/dev/null | grep -q libasan ||
		skip "drainit is built with AddressSanitizer, which must be the first library loaded"
	[ -e "$H/earlyterm.so" ] || skip "build/helpers/earlyterm.so not built"
	needs_dynamic "earlyterm.so is an LD_PRELOAD shim"
	LD_PRELOAD=$H/earlyterm.so start_ns -- sleep 60
	wait_log 'signal: SIGTERM from pid [0-9]+ \(uid 0\): withdrawing readiness; stopping the app$'
	wait_exit 10
	assert_eq "$RC" 143 "exit status (sleep's, killed by the stop signal)"
	assert_log 'exit: app pid [0-9]+ \(sleep\) killed by SIGTERM'
}

test_trust_the_stop_report_never_claims_what_it_cannot_read() {
	# An app that blocks every signal and waits for SIGTERM in sigwait.
	# What it waits for is read from /proc/PID/syscall, which takes ptrace
	# access: once drainit has dropped its capabilities, a root app that
	# kept its own is out of its reach. The report says it cannot tell;
	# it used to say the app dies of SIGTERM at once.
	local app='import signal
signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})
open(__import__("sys").argv[1], "w").write("start\n")
signal.sigwait({signal.SIGTERM})'
	start_ns --drain-timeout 10s -- python3 -c "$app" "$T/rec"
	wait_file '^start' "$T/rec"
	kill -TERM "$DPID"
	wait_exit 20
	assert_eq "$RC" 0 "exit status (the app took SIGTERM and returned)"
	assert_log 'stop: pid 2 \(python3\) has no handler for SIGTERM: dies of it at once, unless a thread waits for it in sigwait, which only ptrace access can tell$'
	assert_no_log 'dies of it at once$'

	# An app with no capabilities of its own is within reach: certain.
	start_ns --caps none --drain-timeout 10s -- python3 -c "$app" "$T/rec2"
	wait_file '^start' "$T/rec2"
	kill -TERM "$DPID"
	wait_exit 20
	assert_eq "$RC" 0 "exit status"
	assert_log 'stop: pid 2 \(python3\) waits for SIGTERM in sigwait: takes it at once$'
}
