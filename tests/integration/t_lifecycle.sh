# How the app is started (own process group, the terminal's foreground,
# clean signal state, argv as given, PATH lookup), the SIGTERM lifecycle
# (pre-stop delay, stop signal, drain, SIGKILL only at the deadline), the app
# exiting on its own, and reaping (orphans, subreaper).

# lc_log_line VAR PATTERN: sets VAR to the line number of the first log line
# matching PATTERN; fails the test when there is none.
lc_log_line() {
	local n
	n=$(grep -n -m1 -E -- "$2" "$T/log" | cut -d: -f1)
	[ -n "$n" ] || fail "log lacks: $2"
	printf -v "$1" '%s' "$n"
}

# lc_procs: "pid ppid state comm" for every process, read from /proc.
lc_procs() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk '{
		line = $0
		comm = line; sub(/^[0-9]+ \(/, "", comm); sub(/\) [A-Za-z] .*$/, "", comm)
		sub(/^.*\) /, "", line); split(line, f, " ")
		print $1, f[2], f[1], comm
	}'
}

# lc_count_children PPID COMM STATE: children of PPID with that comm (or any,
# for "") and that state (or any, for "").
lc_count_children() {
	lc_procs | awk -v pp="$1" -v c="$2" -v s="$3" \
		'$2 == pp && (c == "" || $4 == c) && (s == "" || $3 == s) { n++ } END { print n + 0 }'
}

lc_no_orphans_left() {
	[ "$(lc_count_children "$DPID" orphan-gc '')" = 0 ] && [ "$(lc_count_children "$DPID" '' Z)" = 0 ]
}

# --- how the app is started -----------------------------------------------

test_lifecycle_app_runs_in_its_own_process_group() {
	start_ns -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	local pid pgid; pid=$(rec_field "$T/rec" pid) pgid=$(rec_field "$T/rec" pgid)
	assert_eq "$pgid" "$pid" "the app's process group"
	[ "$pgid" != 1 ] || fail "the app is in drainit's process group"
	# Seen from outside too: the app's group is not drainit's.
	local app; app=$(children "$DPID")
	[ -n "$app" ] || fail "drainit has no child"
	local dgrp agrp
	dgrp=$(awk '{ sub(/^.*\) /, ""); print $3 }' /proc/"$DPID"/stat)
	agrp=$(awk '{ sub(/^.*\) /, ""); print $3 }' /proc/"$app"/stat)
	assert_eq "$agrp" "$app" "the app's process group, from outside"
	[ "$agrp" != "$dgrp" ] || fail "the app shares drainit's process group $dgrp"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
}

test_lifecycle_app_gets_empty_mask_and_default_dispositions() {
	local wrap="trap '' HUP INT; exec \"\$@\""
	# The wrapper works: without drainit, the app inherits what it set.
	bash -c "$wrap" bash "$H/sigwrap" -b USR1 -b QUIT -i PIPE -- \
		"$H/sigrec" "$T/ctl" --exit-after 0 || fail "control run failed"
	[ "$(rec_field "$T/ctl" sigblk)" != 0000000000000000 ] || fail "control: nothing blocked"
	[ "$(rec_field "$T/ctl" sigign)" != 0000000000000000 ] || fail "control: nothing ignored"
	# Through drainit (as PID 1 and plainly), the app starts clean.
	NS_WRAP=(bash -c "$wrap" bash "$H/sigwrap" -b USR1 -b QUIT -i PIPE --)
	start_ns -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	assert_eq "$(rec_field "$T/rec" sigblk)" 0000000000000000 "the app's blocked signals (PID 1)"
	assert_eq "$(rec_field "$T/rec" sigign)" 0000000000000000 "the app's ignored signals (PID 1)"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status (PID 1)"

	bash -c "$wrap" bash "$H/sigwrap" -b USR1 -b QUIT -i PIPE -- \
		setsid "$DRAINIT" -- "$H/sigrec" "$T/rec2" >"$T/out" 2>"$T/log" </dev/null &
	JOB=$! DPID=$!
	wait_file '^start ' "$T/rec2"
	assert_eq "$(rec_field "$T/rec2" sigblk)" 0000000000000000 "the app's blocked signals (plain)"
	assert_eq "$(rec_field "$T/rec2" sigign)" 0000000000000000 "the app's ignored signals (plain)"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status (plain)"
}

test_lifecycle_option_parsing_stops_at_first_non_option() {
	# -l is tini's --license for drainit, but here it belongs to ls.
	start_ns ls -l /
	wait_exit 15
	assert_eq "$RC" 0 "exit status of ls -l /"
	grep -qE '^total [0-9]+' "$T/out" || fail "ls did not list in long format: $(head -3 "$T/out")"
	grep -qE '^d[-rwxst]{9}.* etc$' "$T/out" || fail "no long line for /etc: $(head -3 "$T/out")"
	assert_no_log 'license|error'

	start_ns sh -c 'echo $0 $1' a b
	wait_exit 15
	assert_eq "$RC" 0 "exit status of sh -c"
	assert_eq "$(cat "$T/out")" "a b" "sh -c 'echo \$0 \$1' a b"

	# After "--" and after the command, drainit's own flags are the app's.
	start_ns -v -- sh -c 'echo "$@"' sh --help -q --version
	wait_exit 15
	assert_eq "$RC" 0 "exit status of sh -c with flags"
	assert_eq "$(cat "$T/out")" "--help -q --version" "the app's arguments"
}

test_lifecycle_command_found_on_path() {
	mkdir "$T/bin"
	printf '#!/bin/sh\necho "lc-app ran: $*"\nexit 7\n' >"$T/bin/lc-app"
	chmod +x "$T/bin/lc-app"
	NS_WRAP=(env "PATH=$T/bin:$PATH")
	start_ns lc-app one two
	wait_exit 15
	assert_eq "$RC" 7 "exit status of lc-app"
	assert_eq "$(cat "$T/out")" "lc-app ran: one two" "lc-app's output"
}

test_lifecycle_pty_ctrl_c_reaches_app_in_foreground() {
	# drainit on a fresh pseudo-terminal (its session leader, stdin a tty);
	# ptyrun types Ctrl-C once the app has recorded its start.
	"$H/ptyrun" -e "$T/log" -t 30 "$T/rec" 'start ' 3 -- \
		"$DRAINIT" --drain-timeout 5s -- "$H/sigrec" "$T/rec" --exit-on INT \
		>"$T/ptyout" 2>"$T/ptyerr" </dev/null &
	JOB=$!
	# the whole run may take a few ms: over before a first look finds drainit
	wait_file '^start ' "$T/rec" 15
	wait_exit 30
	assert_eq "$RC" 0 "ptyrun's status (drainit's, the app's)"
	grep -q 'wrote byte 0x03' "$T/ptyerr" || fail "ptyrun did not type Ctrl-C: $(cat "$T/ptyerr")"
	local pid pgid fg
	pid=$(rec_field "$T/rec" pid) pgid=$(rec_field "$T/rec" pgid) fg=$(rec_field "$T/rec" fg)
	assert_eq "$pgid" "$pid" "the app's process group"
	assert_eq "$fg" "$pgid" "the terminal's foreground group"
	# From the terminal (the kernel, from=0), not forwarded by drainit.
	grep -q '^sig SIGINT from=0 ' "$T/rec" || fail "the app did not get SIGINT from the terminal: $(cat "$T/rec")"
	assert_eq "$(grep -c '^sig SIGINT' "$T/rec")" 1 "SIGINTs the app got"
	grep -q '^exit code=0' "$T/rec" || fail "the app did not exit on SIGINT"
	assert_no_log 'signal: SIGINT'
}

# A shell with job control starts drainit in the background (`cmd &`): the
# terminal stays the shell's, the app must not take it (drainit's own rule:
# "a drainit started in the background must not steal it from the shell").
lc_background_on_pty() {
	"$H/ptyrun" -t 30 "$T/rec" 'start ' 0x0a -- bash -c "set -m; $* 2>$T/log & wait" \
		>"$T/ptyout" 2>"$T/ptyerr" </dev/null &
	JOB=$!
	wait_file '^start ' "$T/rec" 15
	wait_exit 30
	assert_eq "$RC" 0 "ptyrun's status (the shell's)"
	local pgid fg; pgid=$(rec_field "$T/rec" pgid) fg=$(rec_field "$T/rec" fg)
	[ -n "$fg" ] && [ "$fg" != -1 ] || fail "the app has no terminal: $(cat "$T/rec")"
	[ "$fg" != "$pgid" ] ||
		fail "drainit, started in the background, took the terminal from the shell: the app's group $pgid is its foreground group"
}

test_lifecycle_pty_background_drainit_leaves_terminal_to_shell() {
	lc_background_on_pty "$DRAINIT" -- "$H/sigrec" "$T/rec" --exit-after 300
}

test_lifecycle_pty_background_drainit_as_pid1_leaves_terminal_to_shell() {
	# In a PID namespace both the terminal's foreground group and drainit's
	# own group lie outside: tcgetpgrp() and getpgrp() both return 0 there.
	lc_background_on_pty unshare --pid --fork --kill-child --mount-proc \
		"$DRAINIT" -- "$H/sigrec" "$T/rec" --exit-after 300
}

# --- the SIGTERM lifecycle: delay, stop signal, drain, SIGKILL ------------

test_lifecycle_pre_stop_delay_honoured() {
	start_ns --ready-file "$T/ready" --pre-stop-delay 1s --drain-timeout 10s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_until 5 test ! -e "$T/ready" || fail "readiness file still there"
	local gone; gone=$(now_ms)
	assert_ms_between $((gone - t0)) 0 1000 "ms from SIGTERM to the readiness file gone"
	wait_file '^sig SIGTERM from=1 ' "$T/rec" 10
	local at; at=$(rec_ms "$T/rec" '^sig SIGTERM ')
	assert_ms_between $((at - t0)) 900 6000 "ms from SIGTERM to the app's stop signal (delay 1s)"
	# Withdrawn at once: logged before the stop signal, not at it.
	local unready stop
	log_ms unready 'unready: readiness withdrawn'
	log_ms stop 'stop: sent SIGTERM'
	assert_ms_between $((stop - unready)) 900 6000 "ms from unready to stop in the log"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	assert_log 'summary: SIGTERM to exit took .* \(pre-stop delay 1(\.[0-9]+)?s'
}

test_lifecycle_second_term_cuts_pre_stop_delay_short() {
	start_ns --ready-file "$T/ready" --pre-stop-delay 30s --drain-timeout 10s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	kill -TERM "$DPID"
	wait_log 'signal: SIGTERM from [^:]*: withdrawing readiness; pre-stop delay starts$'
	local t1; t1=$(now_ms)
	kill -TERM "$DPID"
	wait_log 'signal: SIGTERM from [^:]*: second SIGTERM: cutting the pre-stop delay short$'
	wait_file '^sig SIGTERM from=1 ' "$T/rec" 10
	local at; at=$(rec_ms "$T/rec" '^sig SIGTERM ')
	assert_ms_between $((at - t1)) 0 5000 "ms from the second SIGTERM to the app's"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
}

test_lifecycle_third_term_kills_at_once() {
	start_ns --drain-timeout 60s -- "$H/sigrec" "$T/rec" --ignore TERM
	wait_file '^start ' "$T/rec"
	local app; app=$(rec_field "$T/rec" pid)
	kill -TERM "$DPID"
	wait_log 'stop: sent SIGTERM to process group'
	kill -TERM "$DPID"
	wait_log 'signal: SIGTERM from [^:]*: already draining'
	local t2; t2=$(now_ms)
	kill -TERM "$DPID"
	wait_log 'signal: SIGTERM from [^:]*: third SIGTERM: killing every process now'
	wait_exit 10
	local took=$(( $(now_ms) - t2 ))
	assert_ms_between "$took" 0 5000 "ms from the third SIGTERM to drainit's exit"
	assert_eq "$RC" 137 "exit status (app killed by SIGKILL)"
	assert_log "kill: SIGKILL to pid $app \(sigrec\)"
}

test_lifecycle_stop_signal_is_what_the_app_gets() {
	local sig
	for sig in USR1 QUIT; do
		start_ns --stop-signal "$sig" --drain-timeout 10s -- "$H/sigrec" "$T/rec.$sig" --exit-on "$sig"
		wait_file '^start ' "$T/rec.$sig"
		kill -TERM "$DPID"
		wait_exit 15
		assert_eq "$RC" 0 "exit status (--stop-signal $sig)"
		grep -q "^sig SIG$sig from=1 " "$T/rec.$sig" || fail "the app did not get SIG$sig: $(cat "$T/rec.$sig")"
		! grep -q '^sig SIGTERM' "$T/rec.$sig" || fail "the app got SIGTERM with --stop-signal $sig"
		assert_log "stop: sent SIG$sig to process group"
	done
}

test_lifecycle_drain_timeout_sigkill_only_at_deadline() {
	# Two TERM-ignorers in the app's group: the app and a child of it.
	start_ns --drain-timeout 2s -- bash -c \
		"$H/sigrec $T/rec2 --ignore TERM & exec $H/sigrec $T/rec --ignore TERM"
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/rec2"
	local app child; app=$(rec_field "$T/rec" pid) child=$(rec_field "$T/rec2" pid)
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 137 "exit status (app killed by SIGKILL)"
	local stop kill
	log_ms stop 'stop: sent SIGTERM'
	log_ms kill 'kill: SIGKILL to pid'
	# below twice the deadline, so that a doubled drain timeout fails
	assert_ms_between $((kill - stop)) 1900 3900 "ms from the stop signal to SIGKILL (drain timeout 2s)"
	assert_log "kill: SIGKILL to pid $app \(sigrec\)"
	assert_log "kill: SIGKILL to pid $child \(sigrec\)"
	assert_log 'SIGKILL was needed'
	! grep -q '^exit ' "$T/rec" "$T/rec2" || fail "a TERM-ignorer exited by itself"
}

test_lifecycle_slow_drainer_finishing_in_time_is_not_killed() {
	start_ns --drain-timeout 10s -- "$H/sigrec" "$T/rec" --drain 1500
	wait_file '^start ' "$T/rec"
	kill -TERM "$DPID"
	wait_exit 20
	assert_eq "$RC" 0 "exit status"
	grep -q '^exit code=0' "$T/rec" || fail "the app did not finish"
	local term done_
	term=$(rec_ms "$T/rec" '^sig SIGTERM ') done_=$(rec_ms "$T/rec" '^exit ')
	assert_ms_between $((done_ - term)) 1400 8000 "ms the app drained"
	assert_log 'summary: SIGTERM to exit took .*; no SIGKILL needed'
	assert_no_log 'kill: |SIGKILL to pid|SIGKILLed'
}

test_lifecycle_bash_wrapper_app_still_gets_stop_and_is_waited_for() {
	# bash does not exec the app and dies at SIGTERM at once.
	start_ns --drain-timeout 20s -- bash -c "$H/sigrec $T/rec --drain 2000; echo after"
	wait_file '^start ' "$T/rec"
	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_log 'exit: app pid [0-9]+ \(bash\) killed by SIGTERM' 10
	wait_exit 20
	local end; end=$(now_ms)
	assert_eq "$RC" 143 "exit status (bash's: 128+15)"
	grep -q '^sig SIGTERM from=1 ' "$T/rec" || fail "the app under bash did not get the stop signal"
	grep -q '^exit code=0' "$T/rec" || fail "the app was not allowed to finish: $(cat "$T/rec")"
	local done_; done_=$(rec_ms "$T/rec" '^exit ')
	assert_ms_between $((done_ - t0)) 1900 10000 "ms from SIGTERM to the app's exit"
	(( end >= done_ )) || fail "drainit exited before the app did"
	local bash_line app_line
	lc_log_line bash_line 'exit: app pid [0-9]+ \(bash\) killed by SIGTERM'
	lc_log_line app_line 'exit: pid [0-9]+ \(sigrec\) exited with status 0'
	(( app_line > bash_line )) || fail "the app's exit is not logged after bash's"
	! grep -q after "$T/out" || fail "bash went on after SIGTERM"
	assert_log 'no SIGKILL needed'
}

# --- the app exits on its own ---------------------------------------------

test_lifecycle_app_exits_on_its_own_rest_drained() {
	start_ns --ready-file "$T/ready" --drain-timeout 10s -- bash -c \
		"$H/sigrec $T/rec2 --drain 500 & until grep -q '^start ' $T/rec2 2>/dev/null; do sleep 0.02; done; exec $H/sigrec $T/rec --exit-after 300 --code 5"
	wait_exit 20
	assert_eq "$RC" 5 "exit status (the app's)"
	local app; app=$(rec_field "$T/rec" pid)
	assert_log "ready: app pid $app started: wrote"
	assert_log 'exit: app pid [0-9]+ \(sigrec\) exited with status 5'
	assert_log 'unready: readiness withdrawn .*: the app exited'
	[ ! -e "$T/ready" ] || fail "readiness file left behind"
	grep -q '^sig SIGTERM from=1 ' "$T/rec2" || fail "what was left did not get the stop signal"
	# Once: a second SIGTERM means "hurry up" to some apps.
	assert_eq "$(grep -c '^sig SIGTERM' "$T/rec2")" 1 "SIGTERMs the leftover got"
	grep -q '^exit code=0' "$T/rec2" || fail "what was left was not allowed to finish"
	local term done_
	term=$(rec_ms "$T/rec2" '^sig SIGTERM ') done_=$(rec_ms "$T/rec2" '^exit ')
	assert_ms_between $((done_ - term)) 400 8000 "ms the leftover drained"
	local a b
	lc_log_line a 'exit: app pid'
	lc_log_line b 'exit: pid [0-9]+ \(sigrec\) exited with status 0'
	(( b > a )) || fail "the leftover's exit is not logged after the app's"
	assert_log 'summary: the app exited on its own; .*no SIGKILL needed'
	assert_no_log 'SIGKILL to pid'
}

test_lifecycle_app_exits_on_its_own_leftover_ignoring_term_killed_at_deadline() {
	start_ns --drain-timeout 2s -- bash -c \
		"$H/sigrec $T/rec2 --ignore TERM --no-exit & until grep -q '^start ' $T/rec2 2>/dev/null; do sleep 0.02; done; exec $H/sigrec $T/rec --exit-after 300 --code 5"
	wait_exit 20
	assert_eq "$RC" 5 "exit status (the app's)"
	local left; left=$(rec_field "$T/rec2" pid)
	local stop kill
	log_ms stop "stop: SIGTERM to pid $left \(sigrec\)"
	log_ms kill "kill: SIGKILL to pid $left \(sigrec\)"
	# below twice the deadline, so that a doubled drain timeout fails
	assert_ms_between $((kill - stop)) 1900 3900 "ms from the stop signal to SIGKILL (drain timeout 2s)"
	assert_log 'SIGKILL was needed'
	! grep -q '^exit ' "$T/rec2" || fail "the TERM-ignorer exited by itself"
}

# --- reaping: orphans, subreaper ------------------------------------------

test_lifecycle_no_zombies_after_1000_orphans_as_pid1() {
	start_ns -v -- "$H/orphans" 1000 "$T/spawned"
	wait_file '^spawned 1000 ' "$T/spawned" 60
	wait_until 30 lc_no_orphans_left ||
		fail "left under drainit: $(lc_count_children "$DPID" orphan-gc '') orphans, $(lc_count_children "$DPID" '' Z) zombies"
	# Inside the namespace, no zombie at all.
	local z; z=$(ns_exec sh -c 'cat /proc/[0-9]*/stat 2>/dev/null' | awk '{ sub(/^.*\) /, ""); if ($1 == "Z") n++ } END { print n + 0 }')
	assert_eq "$z" 0 "zombies in the namespace"
	# drainit reaped every one of them itself.
	wait_until 10 test "$(grep -cE 'exit: pid [0-9]+ \(orphan-gc\) exited with status 0' "$T/log")" = 1000 ||
		fail "orphans reaped by drainit: $(grep -cE 'exit: pid [0-9]+ \(orphan-gc\)' "$T/log") of 1000"
	kill -0 "$DPID" 2>/dev/null || fail "drainit died"
	kill -TERM "$DPID"
	wait_exit 20
	assert_eq "$RC" 0 "exit status"
}

test_lifecycle_subreaper_orphans_come_back_when_not_pid1() {
	start_plain -v -- "$H/orphans" 20 "$T/spawned" --live 2000
	wait_log '\(child subreaper\)'
	wait_file '^spawned 20 ' "$T/spawned" 20
	# Their parents exited at once; they were reparented to drainit.
	local n; n=$(lc_count_children "$DPID" orphan-gc '')
	assert_eq "$n" 20 "orphans whose parent is drainit"
	wait_until 30 lc_no_orphans_left ||
		fail "left under drainit: $(lc_count_children "$DPID" orphan-gc '') orphans, $(lc_count_children "$DPID" '' Z) zombies"
	wait_until 10 test "$(grep -cE 'exit: pid [0-9]+ \(orphan-gc\) exited with status 0' "$T/log")" = 20 ||
		fail "orphans reaped by drainit: $(grep -cE 'exit: pid [0-9]+ \(orphan-gc\)' "$T/log") of 20"
	kill -TERM "$DPID"
	wait_exit 20
	assert_eq "$RC" 0 "exit status"
}

# A daemon: double-forked (setsid -f), in a session of its own, so not in the
# app's process group; its parent exits at once.
lc_daemon_case() {
	local mode=$1; shift
	local app=(bash -c "setsid -f $H/sigrec $T/rec2 $*; exec $H/sigrec $T/rec")
	if [ "$mode" = ns ]; then
		start_ns --drain-timeout "$LC_DRAIN" -- "${app[@]}"
	else
		start_plain --drain-timeout "$LC_DRAIN" -- "${app[@]}"
	fi
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/rec2"
	[ "$(rec_field "$T/rec2" pgid)" != "$(rec_field "$T/rec" pgid)" ] || fail "the daemon is in the app's group"
}

test_lifecycle_waits_for_daemonised_grandchild_not_pid1() {
	LC_DRAIN=20s lc_daemon_case plain --no-exit --exit-after 4000
	local d; d=$(rec_field "$T/rec2" pid)
	wait_until 5 test "$(awk '{ sub(/^.*\) /, ""); print $2 }' /proc/"$d"/stat 2>/dev/null)" = "$DPID" ||
		fail "the daemon was not reparented to drainit"
	kill -TERM "$DPID"
	wait_log 'exit: app pid [0-9]+ \(sigrec\) exited with status 0' 10
	wait_exit 20
	local end; end=$(now_ms)
	assert_eq "$RC" 0 "exit status"
	grep -q '^exit code=0' "$T/rec2" || fail "the daemon did not finish: $(cat "$T/rec2")"
	(( end >= $(rec_ms "$T/rec2" '^exit ') )) || fail "drainit exited before the daemon"
	local a b
	lc_log_line a 'exit: app pid'
	lc_log_line b "exit: pid $d \(sigrec\) exited with status 0"
	(( b > a )) || fail "the daemon's exit is not logged after the app's"
	assert_log 'no SIGKILL needed'
}

# lc_daemon_killed_at_deadline ns|plain: a daemonised grandchild that ignores
# TERM gets SIGKILL at the drain deadline, not before.
lc_daemon_killed_at_deadline() {
	LC_DRAIN=2s lc_daemon_case "$1" --no-exit --ignore TERM
	local d; d=$(rec_field "$T/rec2" pid)
	kill -TERM "$DPID"
	wait_exit 20
	assert_eq "$RC" 0 "exit status (the app's)"
	local stop kill
	log_ms stop 'stop: sent SIGTERM'
	log_ms kill "kill: SIGKILL to pid $d \(sigrec\)"
	# below twice the deadline, so that a doubled drain timeout fails
	assert_ms_between $((kill - stop)) 1900 3900 "ms from the stop signal to SIGKILL (drain timeout 2s)"
	# a pid from inside the namespace means nothing out here
	[ "$1" = ns ] || ! kill -0 "$d" 2>/dev/null || fail "the daemon outlived drainit"
}

test_lifecycle_kills_daemonised_grandchild_at_deadline_not_pid1() { lc_daemon_killed_at_deadline plain; }
test_lifecycle_kills_daemonised_grandchild_at_deadline_as_pid1() { lc_daemon_killed_at_deadline ns; }

test_lifecycle_single_child_the_rest_gets_the_stop_signal_once_the_shell_is_gone() {
	# --single-child: the stop signal reaches the shell alone; the shell
	# (no exec, no trap) dies of it, and its app, left behind, gets the stop
	# signal then, within the same drain timeout.
	start_ns --single-child --drain-timeout 10s -- bash -c "\"$H/sigrec\" \"$T/rec\"; true"
	wait_file '^start ' "$T/rec"
	local shell; shell=$(logged_app_pid)
	kill -TERM "$DPID"
	wait_file '^sig SIGTERM from=1 ' "$T/rec" 10
	wait_exit 15
	assert_eq "$RC" 143 "exit status (bash's, killed by SIGTERM)"
	assert_log "stop: sent SIGTERM to pid $shell; draining for up to 10s"
	assert_log "exit: app pid $shell \(bash\) killed by SIGTERM"
	assert_log 'stop: SIGTERM to pid [0-9]+ \(sigrec\): the app has exited, stopping what is left \([0-9.]+m?s left of the drain timeout\)$'
	assert_eq "$(grep -c '^sig ' "$T/rec")" 1 "signals the app got"
	assert_log 'summary: SIGTERM to exit took .*; no SIGKILL needed'
}
