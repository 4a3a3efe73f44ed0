# What each process does with the stop signal: drainit logs it for every
# process the stop signal goes to, before sending it (the bash wrapper
# without a handler beside its python3 that has one, a process that ignores
# it and waits for SIGKILL, one that blocks it), with --single-child and
# once the app has exited for what is left, for --stop-signal; and
# `drainit inspect` prints the same in the namespace and on the host, with
# its exit codes and usage errors.

IN_KILL_LATER='; SIGKILL at the drain deadline if it does not exit'
# Once drainit has dropped its capabilities it cannot read what a root app
# that kept its own waits for (that takes ptrace access): a sleeping process
# with no handler may yet wait for the signal in sigwait, and the report
# says so rather than claim it dies.
IN_MAYBE=', unless a thread waits for it in sigwait, which only ptrace access can tell'

# in_script: a bash script that starts its app without exec, as the story
# has it: python3 that catches SIGTERM, and beside it "ign" that ignores it
# and "blk" that blocks it; then waits.
in_script() {
	printf '%q -c %q %q &\n' "$CATCH_PY" "$CATCH_PY_CODE" "$T/py"
	printf '%q %q --name ign --ignore TERM &\n' "$H/sigdisp" "$T/ign"
	printf '%q %q --name blk --block TERM &\n' "$H/sigdisp" "$T/blk"
	printf 'wait\n'
}

# in_story DRAINIT-ARGS...: drainit as PID 1 over that script; once all
# three run, sets PY, IGN, BLK (pids in the namespace) and PYCOMM.
in_story() {
	[ -n "$CATCH_PY" ] || skip "python3 not found"
	start_ns "$@" -- bash -c "$(in_script)"
	wait_file '^start ' "$T/py"
	wait_file '^start ' "$T/ign"
	wait_file '^start ' "$T/blk"
	PY=$(rec_field "$T/py" pid)
	IGN=$(rec_field "$T/ign" pid)
	BLK=$(rec_field "$T/blk" pid)
	PYCOMM=$(ns_exec cat "/proc/$PY/comm") || fail "no python3 at pid $PY in the namespace"
	assert_eq "$(logged_app_pid)" 2 "the app's pid"
}

# in_re TEXT: TEXT as a grep -E pattern that matches it literally.
in_re() { printf '%s' "$1" | sed 's/[][\.*^$?+(){}|]/\\&/g'; }

# in_line PATTERN: the number of the first log line matching PATTERN.
in_line() {
	local n
	n=$(grep -n -m1 -E -- "$1" "$T/log" | cut -d: -f1)
	[ -n "$n" ] || fail "log lacks: $1"
	echo "$n"
}

# in_report_lines FROM TO: the stop-time report lines strictly between log
# lines FROM and TO, without their timestamps.
in_report_lines() {
	awk -v a="$1" -v b="$2" 'NR > a && NR < b && / stop: pid [0-9]+ \(/ { sub(/^[^ ]+ /, ""); print }' "$T/log"
}

# in_once PATTERN: exactly one log line matches.
in_once() { assert_eq "$(count_lines "$1")" 1 "log lines matching: $1"; }

# in_inspect ARGS...: drainit inspect from here; stdout in $T/iout, stderr
# in $T/ierr (drainit's own log may be in $T/log), exit status in RC.
# in_ns_inspect ARGS...: the same inside drainit's namespaces.
in_inspect() { _in_run "$DRAINIT" inspect "$@"; }
in_ns_inspect() { _in_run ns_exec "$DRAINIT" inspect "$@"; }
_in_run() { "$@" >"$T/iout" 2>"$T/ierr" </dev/null; RC=$?; }

# in_usage ARGS...: drainit inspect with stdout in $T/out, stderr in
# $T/log, for assert_one_line.
in_usage() {
	"$DRAINIT" inspect "$@" >"$T/out" 2>"$T/log" </dev/null
	RC=$?
}

# in_says CODE LINE...: the last inspect exited CODE, printed exactly these
# lines (in any order) and nothing on stderr.
in_says() {
	local code=$1; shift
	[ "$RC" = "$code" ] || fail "exit status: expected $code, got $RC: $(cat "$T/iout" "$T/ierr")"
	[ ! -s "$T/ierr" ] || fail "inspect wrote to stderr: $(cat "$T/ierr")"
	local want got
	want=$(printf '%s\n' "$@" | sort)
	got=$(sort "$T/iout")
	[ "$got" = "$want" ] || fail "inspect printed:
$(cat "$T/iout")
expected:
$want"
}

test_inspect_stop_report_bash_wrapper() {
	in_story --drain-timeout 1s
	kill -TERM "$DPID"
	wait_log 'stop: sent SIGTERM to process group 2; draining for up to 1s$'
	local term sent
	term=$(in_line 'info: signal: SIGTERM ')
	sent=$(in_line 'stop: sent SIGTERM to process group 2')
	# One line for each process that gets it, between the two, in pid order;
	# none for drainit.
	assert_eq "$(in_report_lines "$term" "$sent")" \
"drainit: info: stop: pid 2 (bash) has no handler for SIGTERM: dies of it at once$IN_MAYBE
drainit: info: stop: pid $PY ($PYCOMM) catches SIGTERM
drainit: warning: stop: pid $IGN (ign) ignores SIGTERM: only SIGKILL stops it$IN_KILL_LATER
drainit: info: stop: pid $BLK (blk) blocks SIGTERM: pending until it unblocks it or reads it (signalfd, sigwait)" \
		"the stop-time report"
	assert_eq "$(count_lines ' stop: pid [0-9]+ \(')" 4 "report lines in the whole log"

	# What it said is what happened: bash died at once, python3 drained,
	# the other two waited for SIGKILL at the deadline.
	wait_exit 15
	assert_eq "$RC" 143 "exit status (bash killed by SIGTERM)"
	in_once "exit: app pid 2 \(bash\) killed by SIGTERM\$"
	wait_file '^sig 15$' "$T/py"
	# python3 drained and exited 0; bash may have reaped it before dying
	# (then drainit never sees it), so its exit line is there at most once
	(( $(count_lines "exit: pid $PY ") <= 1 )) || fail "python3's exit logged twice"
	! grep -qE "exit: pid $PY .*killed" "$T/log" || fail "python3 was killed, not drained"
	! grep -qE "kill: SIGKILL to pid $PY " "$T/log" || fail "python3 waited for SIGKILL"
	in_once "warning: kill: SIGKILL to pid $IGN \(ign\): still running\$"
	in_once "warning: kill: SIGKILL to pid $BLK \(blk\): still running\$"
	assert_eq "$(count_lines 'kill: SIGKILL to pid')" 2 "processes SIGKILLed"
	(( $(in_line "kill: SIGKILL to pid $IGN ") > sent )) || fail "SIGKILL before the stop signal"
}

test_inspect_stop_report_single_child() {
	in_story --single-child --drain-timeout 1s
	kill -TERM "$DPID"
	wait_log "stop: SIGTERM to pid $BLK \(blk\): the app has exited"
	local term sent gone left
	term=$(in_line 'info: signal: SIGTERM ')
	sent=$(in_line 'stop: sent SIGTERM to pid 2; draining for up to 1s$')
	# The app alone gets it first ...
	assert_eq "$(in_report_lines "$term" "$sent")" \
		"drainit: info: stop: pid 2 (bash) has no handler for SIGTERM: dies of it at once$IN_MAYBE" \
		"the report for the app"
	# ... and what it leaves behind when it has died of it.
	gone=$(in_line 'exit: app pid 2 \(bash\) killed by SIGTERM$')
	left=$(in_line "stop: SIGTERM to pid [0-9]+ \([^)]*\): the app has exited")
	(( sent < gone && gone < left )) || fail "out of order: lines $sent, $gone, $left"
	assert_eq "$(in_report_lines "$gone" "$left")" \
"drainit: info: stop: pid $PY ($PYCOMM) catches SIGTERM
drainit: warning: stop: pid $IGN (ign) ignores SIGTERM: only SIGKILL stops it$IN_KILL_LATER
drainit: info: stop: pid $BLK (blk) blocks SIGTERM: pending until it unblocks it or reads it (signalfd, sigwait)" \
		"the report for what the app left"
	assert_eq "$(count_lines ' stop: pid [0-9]+ \(')" 4 "report lines in the whole log"
	wait_exit 15
	assert_eq "$RC" 143 "exit status"
	wait_file '^sig 15$' "$T/py"
	in_once "warning: kill: SIGKILL to pid $IGN \(ign\): still running\$"
	in_once "warning: kill: SIGKILL to pid $BLK \(blk\): still running\$"
}

# in_visitor: a process entered from outside (as docker exec), in VISITOR;
# its nsenter in IN_NSENTER.
in_visitor() {
	ns_exec "$H/sigdisp" "$T/vis" --name visitor --catch TERM &
	IN_NSENTER=$!
	wait_file '^start ' "$T/vis"
	VISITOR=$(rec_field "$T/vis" pid)
}

test_inspect_stop_report_group_and_outside() {
	# A setsid daemon is outside the app's group and gets the stop signal
	# on its own: it is reported too. A process entered from outside does
	# not get it: not reported.
	start_ns --drain-timeout 1s -- bash -c \
		"$H/sigdisp $T/grp --name grp --catch TERM & setsid $H/sigdisp $T/dmn --name dmn --ignore TERM & wait"
	wait_file '^start ' "$T/grp"
	wait_file '^start ' "$T/dmn"
	in_visitor
	local grp dmn term sent out
	grp=$(rec_field "$T/grp" pid)
	dmn=$(rec_field "$T/dmn" pid)
	kill -TERM "$DPID"
	wait_log "stop: SIGTERM to pid $dmn \(dmn\): outside the app's process group\$"
	term=$(in_line 'info: signal: SIGTERM ')
	sent=$(in_line 'stop: sent SIGTERM to process group 2;')
	out=$(in_line "stop: SIGTERM to pid $dmn ")
	(( sent < out )) || fail "out of order"
	assert_eq "$(in_report_lines "$term" "$sent" | sort)" "$(sort <<EOF
drainit: info: stop: pid 2 (bash) has no handler for SIGTERM: dies of it at once$IN_MAYBE
drainit: info: stop: pid $grp (grp) catches SIGTERM
drainit: warning: stop: pid $dmn (dmn) ignores SIGTERM: only SIGKILL stops it$IN_KILL_LATER
EOF
)" "the stop-time report"
	assert_eq "$(count_lines ' stop: pid [0-9]+ \(')" 3 "report lines in the whole log"
	assert_no_log "stop: .*pid $VISITOR \(visitor\)"
	wait_file '^sig SIGTERM' "$T/grp"
	wait_exit 15
	wait "$IN_NSENTER" 2>/dev/null
	! grep -q '^sig ' "$T/vis" || fail "the entered process got a signal: $(cat "$T/vis")"
}

test_inspect_stop_report_after_the_app_exited() {
	# The app exits on its own: every process left is reported, also one
	# outside its group; not the entered one.
	start_ns --drain-timeout 1s -- bash -c \
		"$H/sigdisp $T/grp --name grp --catch TERM &
		 setsid $H/sigdisp $T/dmn --name dmn --block TERM &
		 $H/sigdisp $T/ign --name ign --ignore TERM &
		 while [ ! -e $T/go ]; do sleep 0.02; done; exit 3"
	wait_file '^start ' "$T/grp"
	wait_file '^start ' "$T/dmn"
	wait_file '^start ' "$T/ign"
	in_visitor
	local grp dmn ign gone first
	grp=$(rec_field "$T/grp" pid)
	dmn=$(rec_field "$T/dmn" pid)
	ign=$(rec_field "$T/ign" pid)
	touch "$T/go"
	wait_log "stop: SIGTERM to pid $ign \(ign\): the app has exited"
	gone=$(in_line 'exit: app pid 2 \(bash\) exited with status 3$')
	first=$(in_line 'stop: SIGTERM to pid [0-9]+ ')
	assert_eq "$(in_report_lines "$gone" "$first" | sort)" "$(sort <<EOF
drainit: info: stop: pid $grp (grp) catches SIGTERM
drainit: info: stop: pid $dmn (dmn) blocks SIGTERM: pending until it unblocks it or reads it (signalfd, sigwait)
drainit: warning: stop: pid $ign (ign) ignores SIGTERM: only SIGKILL stops it$IN_KILL_LATER
EOF
)" "the report for what the app left"
	assert_eq "$(count_lines ' stop: pid [0-9]+ \(')" 3 "report lines in the whole log"
	assert_no_log "stop: .*pid $VISITOR \(visitor\)"
	wait_exit 15
	assert_eq "$RC" 3 "exit status (the app's)"
	wait "$IN_NSENTER" 2>/dev/null
	return 0
}

test_inspect_stop_report_stop_signal_int() {
	# Background jobs of a non-interactive shell start with SIGINT
	# ignored: "plain" inherits that, "dflt" resets it, "catcher" has a
	# handler.
	start_ns --stop-signal INT --drain-timeout 1s -- bash -c \
		"$H/sigdisp $T/c --name catcher --catch INT &
		 $H/sigdisp $T/p --name plain &
		 $H/sigdisp $T/d --name dflt --default INT &
		 wait"
	wait_file '^start ' "$T/c"
	wait_file '^start ' "$T/p"
	wait_file '^start ' "$T/d"
	local c p d term sent
	c=$(rec_field "$T/c" pid)
	p=$(rec_field "$T/p" pid)
	d=$(rec_field "$T/d" pid)
	ns_exec grep -q '^SigIgn:.*[2367abef]$' "/proc/$p/status" ||
		fail "plain did not inherit SIGINT ignored: $(ns_exec grep SigIgn "/proc/$p/status")"
	kill -TERM "$DPID"
	wait_log 'stop: sent SIGINT to process group 2; draining for up to 1s$'
	term=$(in_line 'info: signal: SIGTERM ')
	sent=$(in_line 'stop: sent SIGINT to process group 2')
	in_report_lines "$term" "$sent" >"$T/report"
	assert_eq "$(grep -v '(bash)' "$T/report")" \
"drainit: info: stop: pid $c (catcher) catches SIGINT
drainit: warning: stop: pid $p (plain) ignores SIGINT: only SIGKILL stops it$IN_KILL_LATER
drainit: info: stop: pid $d (dflt) has no handler for SIGINT: dies of it at once$IN_MAYBE" "the report"
	grep -qE '^drainit: (info|warning): stop: pid 2 \(bash\) .*SIGINT' "$T/report" ||
		fail "bash's line does not name SIGINT: $(cat "$T/report")"
	assert_eq "$(wc -l <"$T/report")" 4 "report lines"
	assert_no_log 'stop: pid .*SIGTERM'
	wait_file '^sig SIGINT' "$T/c"
	wait_exit 15
	# dflt died of it (whoever reaped it: bash may still live), plain
	# waited for SIGKILL
	in_once "warning: kill: SIGKILL to pid $p \(plain\): still running\$"
	assert_eq "$(count_lines 'kill: SIGKILL to pid')" 1 "processes SIGKILLed"
	! grep -q '^sig ' "$T/d" || fail "dflt caught it: $(cat "$T/d")"
}

test_inspect_in_the_namespace() {
	in_story
	local blk="blocks SIGTERM: pending until it unblocks it or reads it (signalfd, sigwait)"
	# pid 1: every process of the namespace, drainit too, but not itself
	# (also a "drainit").
	in_ns_inspect 1
	in_says 0 "pid 1 ($DRAINIT_COMM): waits for SIGTERM in sigwait: takes it at once" \
		"pid 2 (bash): has no handler for SIGTERM: dies of it at once" \
		"pid $PY ($PYCOMM): catches SIGTERM" \
		"pid $IGN (ign): ignores SIGTERM: only SIGKILL stops it" \
		"pid $BLK (blk): $blk"
	# The given pid first, then what is under it.
	in_ns_inspect 2
	in_says 0 "pid 2 (bash): has no handler for SIGTERM: dies of it at once" \
		"pid $PY ($PYCOMM): catches SIGTERM" \
		"pid $IGN (ign): ignores SIGTERM: only SIGKILL stops it" \
		"pid $BLK (blk): $blk"
	assert_eq "$(head -n 1 "$T/iout")" "pid 2 (bash): has no handler for SIGTERM: dies of it at once" "first line"
	in_ns_inspect "$PY"
	in_says 0 "pid $PY ($PYCOMM): catches SIGTERM"
	# Another signal, by flag or variable (as the container's env gives it).
	in_ns_inspect --stop-signal USR1 "$IGN" "$BLK"
	in_says 0 "pid $IGN (ign): has no handler for SIGUSR1: dies of it at once" \
		"pid $BLK (blk): has no handler for SIGUSR1: dies of it at once"
	_in_run ns_exec env DRAINIT_STOP_SIGNAL=WINCH "$DRAINIT" inspect "$BLK"
	in_says 0 "pid $BLK (blk): has no handler for SIGWINCH: nothing happens"
	_in_run ns_exec env DRAINIT_STOP_SIGNAL=WINCH "$DRAINIT" inspect --stop-signal TSTP "$BLK"
	in_says 0 "pid $BLK (blk): has no handler for SIGTSTP: is stopped by it"
	# Nothing was signalled by looking.
	! grep -q '^sig ' "$T/py" || fail "python3 got a signal"
	assert_no_log 'signal:'
}

test_inspect_host_process_tree() {
	# A tree on the host, under a bash of our own: its pids are host pids.
	setsid bash -c "$H/sigdisp $T/c --name catcher --catch TERM --default USR1 &
		$H/sigdisp $T/u --name usr1 --catch USR1 &
		$H/sigdisp $T/t --name threads --block TERM --threads 2 --one-unblocks &
		$H/sigdisp $T/a --name allblock --block TERM --threads 2 &
		wait" </dev/null >/dev/null 2>&1 &
	local b=$!
	JOB=$b DPID=$b   # for cleanup, which kills the tree
	wait_until 10 eval '[ "$(cat /proc/$b/comm)" = bash ]' || fail "no bash at pid $b"
	local f c u t a
	for f in c u t a; do wait_file '^start ' "$T/$f"; done
	c=$(rec_field "$T/c" pid)
	u=$(rec_field "$T/u" pid)
	t=$(rec_field "$T/t" pid)
	a=$(rec_field "$T/a" pid)
	grep -q 'threads=4 ' "$T/t" || fail "threads: $(cat "$T/t")"
	local bash_line
	bash_line="pid $b (bash): has no handler for SIGTERM: dies of it at once"
	in_inspect "$b"
	in_says 0 "$bash_line" \
		"pid $c (catcher): catches SIGTERM" \
		"pid $u (usr1): has no handler for SIGTERM: dies of it at once" \
		"pid $t (threads): has no handler for SIGTERM: dies of it at once" \
		"pid $a (allblock): blocks SIGTERM: pending until it unblocks it or reads it (signalfd, sigwait)"
	assert_eq "$(head -n 1 "$T/iout")" "$bash_line" "first line"
	# Several pids, each with what is under it; SIGUSR1 by variable.
	DRAINIT_STOP_SIGNAL=USR1 in_inspect "$c" "$u"
	in_says 0 "pid $c (catcher): has no handler for SIGUSR1: dies of it at once" \
		"pid $u (usr1): catches SIGUSR1"
	assert_eq "$(head -n 1 "$T/iout")" "pid $c (catcher): has no handler for SIGUSR1: dies of it at once" "order"
	# One pid that does not exist: said in its place, exit 1, the rest shown.
	in_inspect "$c" 4194304 "$u"
	[ "$RC" = 1 ] || fail "exit status: expected 1, got $RC"
	assert_eq "$(cat "$T/iout")" "pid $c (catcher): catches SIGTERM
pid 4194304: no such process
pid $u (usr1): has no handler for SIGTERM: dies of it at once" "output"
	[ ! -s "$T/ierr" ] || fail "stderr: $(cat "$T/ierr")"
	# What it said is what happens: the thread that does not block takes
	# SIGTERM and the process dies; the one where all block lives on.
	kill -TERM "$t" "$a"
	wait_until 10 eval '! kill -0 "$t" 2>/dev/null' || fail "threads did not die of SIGTERM"
	grep -qE '^ShdPnd:\s+0*4000$' "/proc/$a/status" || fail "SIGTERM not pending for allblock: $(grep Pnd "/proc/$a/status")"
	kill -0 "$a" || fail "allblock died"
}

test_inspect_exit_codes_and_usage() {
	in_usage
	assert_one_line 64 "drainit: error: inspect: no pid given: usage: drainit inspect [--stop-signal SIG] PID..."
	in_usage x
	assert_one_line 64 "inspect: bad pid 'x'"
	in_usage 0
	assert_one_line 64 "inspect: bad pid '0'"
	in_usage -3
	assert_one_line 64 "'-3'"
	in_usage -- -3
	assert_one_line 64 "inspect: bad pid '-3'"
	in_usage 1 x
	assert_one_line 64 "inspect: bad pid 'x'"
	in_usage --ready-file "$T/ready" 1
	assert_one_line 64 "unknown option '--ready-file'"
	in_usage -v 1
	assert_one_line 64 "unknown option '-v'"
	in_usage --stop-signal BOGUS 1
	assert_one_line 64 "--stop-signal: bad signal 'BOGUS'"
	in_usage --stop-signal
	assert_one_line 64 "option '--stop-signal' needs a value"
	DRAINIT_STOP_SIGNAL=BOGUS in_usage 1
	assert_one_line 64 "DRAINIT_STOP_SIGNAL: bad signal 'BOGUS'"

	in_usage --help
	[ "$RC" = 0 ] || fail "--help: exit status $RC"
	[ "$(head -n 1 "$T/out")" = "usage: drainit inspect [--stop-signal SIG] PID..." ] ||
		fail "--help printed: $(cat "$T/out")"
	[ ! -s "$T/log" ] || fail "--help wrote to stderr: $(cat "$T/log")"
	in_usage -h
	[ "$RC" = 0 ] && [ "$(head -n 1 "$T/out")" = "usage: drainit inspect [--stop-signal SIG] PID..." ] ||
		fail "-h: $RC: $(cat "$T/out" "$T/log")"

	in_inspect 4194304
	in_says 1 "pid 4194304: no such process"
	# A pid that was: gone.
	true & local gone=$!
	wait "$gone"
	in_inspect "$gone"
	in_says 1 "pid $gone: no such process"
	# And one that is: exit 0.
	in_inspect $$
	[ "$RC" = 0 ] || fail "exit status for pid $$: $RC: $(cat "$T/iout" "$T/ierr")"
	grep -q "^pid $$ (" "$T/iout" || fail "no line for pid $$: $(cat "$T/iout")"
	! grep -qF "($DRAINIT_COMM)" "$T/iout" || fail "inspect listed itself: $(cat "$T/iout")"
}

# in_groups: 700 supplementary gids of 7 digits, for setpriv: the Groups
# line, before the signal masks in /proc/PID/status, is then ~5600 bytes.
in_groups() {
	command -v setpriv >/dev/null || skip "setpriv not found"
	seq -s, 1000000 1000699
}

test_inspect_process_with_many_groups() {
	local g
	g=$(in_groups)
	setpriv --groups "$g" "$H/sigdisp" "$T/g" --name grouped --catch TERM </dev/null >/dev/null 2>&1 &
	JOB=$! DPID=$!
	wait_file '^start ' "$T/g"
	local p; p=$(rec_field "$T/g" pid)
	(( $(wc -c <"/proc/$p/status") > 4096 )) || fail "status too short to tell: $(wc -c <"/proc/$p/status")"
	# the TERM bit (under ASan the helper has the sanitizer's handlers too)
	local cgt; cgt=$(awk '/^SigCgt:/ { print $2 }' "/proc/$p/status")
	(( 16#$cgt & 0x4000 )) || fail "no handler: SigCgt $cgt"
	in_inspect "$p"
	in_says 0 "pid $p (grouped): catches SIGTERM"
}

test_inspect_stop_report_process_with_many_groups() {
	local g
	g=$(in_groups)
	start_ns --drain-timeout 1s -- bash -c \
		"setpriv --groups $g $H/sigdisp $T/g --name grouped --catch TERM & wait"
	wait_file '^start ' "$T/g"
	local p; p=$(rec_field "$T/g" pid)
	kill -TERM "$DPID"
	wait_log 'stop: sent SIGTERM to process group 2'
	wait_file '^sig SIGTERM' "$T/g"
	in_once "info: stop: pid $p \(grouped\) catches SIGTERM\$"
}

test_inspect_proc_of_another_namespace() {
	# Entered into the PID namespace but not the mount namespace, /proc is
	# the host's: its pid 1 is not the namespace's pid 1 (drainit), and
	# inspect must not report that process as pid 1.
	start_ns -- "$H/sigdisp" "$T/a" --name app --catch TERM
	wait_file '^start ' "$T/a"
	local host1
	host1=$(cat /proc/1/comm)
	[ "$host1" != drainit ] || skip "the host's pid 1 is a drainit too"
	_in_run nsenter -t "$DPID" -p -- "$DRAINIT" inspect 1
	! grep -qF "pid 1 ($host1)" "$T/iout" ||
		fail "reported the host's pid 1 ($host1) as pid 1 of the namespace (exit $RC): $(cat "$T/iout")"
	[ "$RC" != 0 ] || fail "exit status 0 with /proc of another namespace: $(cat "$T/iout")"
	[ -s "$T/ierr" ] || fail "nothing said on stderr"
}

test_inspect_stop_report_not_pid1() {
	# drainit as a subreaper, not PID 1: host pids, the same report.
	[ -n "$CATCH_PY" ] || skip "python3 not found"
	start_plain --drain-timeout 1s -- bash -c "$(in_script)"
	wait_file '^start ' "$T/py"
	wait_file '^start ' "$T/ign"
	wait_file '^start ' "$T/blk"
	local app py ign blk pycomm term sent
	app=$(logged_app_pid) || fail "no app pid in the log"
	py=$(rec_field "$T/py" pid)
	ign=$(rec_field "$T/ign" pid)
	blk=$(rec_field "$T/blk" pid)
	pycomm=$(cat "/proc/$py/comm")
	kill -TERM "$DPID"
	wait_log "stop: sent SIGTERM to process group $app; draining for up to 1s\$"
	term=$(in_line 'info: signal: SIGTERM ')
	sent=$(in_line "stop: sent SIGTERM to process group $app")
	assert_eq "$(in_report_lines "$term" "$sent" | sort)" "$(sort <<EOF2
drainit: info: stop: pid $app (bash) has no handler for SIGTERM: dies of it at once$IN_MAYBE
drainit: info: stop: pid $py ($pycomm) catches SIGTERM
drainit: warning: stop: pid $ign (ign) ignores SIGTERM: only SIGKILL stops it$IN_KILL_LATER
drainit: info: stop: pid $blk (blk) blocks SIGTERM: pending until it unblocks it or reads it (signalfd, sigwait)
EOF2
)" "the stop-time report"
	wait_exit 15
	assert_eq "$RC" 143 "exit status"
	in_once "warning: kill: SIGKILL to pid $ign \(ign\): still running\$"
	in_once "warning: kill: SIGKILL to pid $blk \(blk\): still running\$"
}

test_inspect_stop_report_at_the_end_of_the_delay() {
	# The report is made when the stop signal goes out, after the pre-stop
	# delay: a process started during the delay is in it. (A second
	# SIGTERM cuts the delay short.)
	start_ns --pre-stop-delay 20s --drain-timeout 1s -- bash -c \
		"$H/sigdisp $T/early --name early --catch TERM &
		 while [ ! -e $T/go ]; do sleep 0.02; done
		 $H/sigdisp $T/late --name late --ignore TERM &
		 wait"
	wait_file '^start ' "$T/early"
	kill -TERM "$DPID"
	wait_log 'info: signal: SIGTERM .*pre-stop delay'
	assert_no_log ' stop: pid '
	touch "$T/go"
	wait_file '^start ' "$T/late"
	local early late second sent
	early=$(rec_field "$T/early" pid)
	late=$(rec_field "$T/late" pid)
	kill -TERM "$DPID"
	wait_log 'stop: sent SIGTERM to process group 2'
	second=$(grep -n 'info: signal: SIGTERM ' "$T/log" | sed -n 2p | cut -d: -f1)
	[ -n "$second" ] || fail "no second SIGTERM in the log"
	sent=$(in_line 'stop: sent SIGTERM to process group 2')
	assert_eq "$(in_report_lines "$second" "$sent")" \
"drainit: info: stop: pid 2 (bash) has no handler for SIGTERM: dies of it at once$IN_MAYBE
drainit: info: stop: pid $early (early) catches SIGTERM
drainit: warning: stop: pid $late (late) ignores SIGTERM: only SIGKILL stops it$IN_KILL_LATER" \
		"the report at the end of the delay"
	assert_eq "$(count_lines ' stop: pid [0-9]+ \(')" 3 "report lines in the whole log"
	wait_exit 15
	in_once "warning: kill: SIGKILL to pid $late \(late\): still running\$"
}
