# Faults: drainit as PID 1 survives a storm of signals during a drain, a
# flood of orphans (100,000 of them, and an endless one during a drain),
# fork failing before the app starts, its readiness folder vanishing
# mid-run, a closed or broken stderr, signals inherited blocked or ignored,
# hundreds of processes dying at once in the SIGKILL sweep, running out of
# memory (tests/preload/enomem.c makes malloc and fork fail; RLIMIT_AS makes
# the kernel refuse), and odd file descriptors (inherited ones passed to the
# app and none of drainit's, the app closing 0-2, RLIMIT_NOFILE down to
# nothing). Each test checks that drainit lives on, keeps its deadlines
# (generous bounds) and loses nothing it owns (exit status, children); a
# limit drainit cannot work with is one line and a documented exit status
# before the app starts, never a failure after.

# fa_alive: drainit is still running (not even a zombie: unshare reaps it).
fa_alive() { [ -n "$(fa_state "$DPID")" ] && [ "$(fa_state "$DPID")" != Z ]; }
fa_state() { sed -E 's/^[0-9]+ \(.*\) (.) .*/\1/' "/proc/$1/stat" 2>/dev/null; }

# fa_only_app PID APP: APP is PID's one child left, and no zombie.
fa_only_app() {
	[ "$(children "$1")" = "$2" ] && [ "$(fa_state "$2")" != Z ]
}

# fa_zombies PID: how many of PID's children are zombies.
fa_zombies() {
	local p f=()
	for p in $(children "$1"); do f+=("/proc/$p/stat"); done
	[ ${#f[@]} -gt 0 ] || { echo 0; return 0; }
	cat "${f[@]}" 2>/dev/null | grep -c ') Z '
}


# fa_status_field PID FIELD: e.g. SigBlk from /proc/PID/status.
# fa_term CODE [WHAT]: SIGTERM to drainit, which forwards it to the app
# (sigrec, recording to $T/rec) and exits within 10 s with CODE, the app's
# status.
fa_term() {
	local t0 what=${2:-"the app's"}
	t0=$(now_ms)
	kill -TERM "$DPID"
	wait_file '^sig SIGTERM from=1 ' "$T/rec"
	wait_exit 15
	assert_eq "$RC" "$1" "exit status ($what)"
	assert_between $(( $(now_ms) - t0 )) 0 10000 "ms from SIGTERM to exit"
}

# fa_term_exits CODE: the same, and the app got one SIGTERM.
fa_term_exits() {
	fa_term "$1"
	assert_eq "$(grep -c '^sig SIGTERM from=1 ' "$T/rec")" 1 "SIGTERMs the app got"
}

# fa_stop_sigrec_5: SIGTERM to drainit in front of `sigrec ... --code 5`
# (catches SIGTERM, exits 5): the app's status, and nothing went wrong.
fa_stop_sigrec_5() {
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 5 "exit status (the app's)"
	assert_log 'info: stop: pid 2 \(sigrec\) catches SIGTERM'
	assert_log 'summary: exit status 5: app exited with status 5'
	assert_no_log 'error:|warning:'
}

fa_status_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# --- 1: a storm of signals during the drain --------------------------------

# FA_STORM_PY PID N: sends N signals to PID, round-robin over USR1, USR2,
# HUP, WINCH and CONT, as fast as os.kill goes; prints how many it sent
# (fewer when PID died).
FA_STORM_PY='import os, signal, sys
pid, n = int(sys.argv[1]), int(sys.argv[2])
sigs = [signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP, signal.SIGWINCH, signal.SIGCONT]
sent = 0
try:
    for i in range(n):
        os.kill(pid, sigs[i % 5])
        sent += 1
except ProcessLookupError:
    pass
print(sent)'

test_faults_signal_storm_during_drain_as_pid1() {
	[ -n "$CATCH_PY" ] || skip "no python3"
	# The app records the forwarded signals and exits 0 only on SIGTERM,
	# 2 s after it (its drain).
	start_ns --drain-timeout 20s -- "$H/sigrec" "$T/rec" --drain 2000
	wait_file '^start ' "$T/rec"
	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_file '^sig SIGTERM from=1 ' "$T/rec"
	local sent
	sent=$("$CATCH_PY" -c "$FA_STORM_PY" "$DPID" 100000) || fail "the storm failed: $sent"
	# Had drainit died mid-storm, the kill would have failed with ESRCH
	# (unshare reaps it at once).
	assert_eq "$sent" 100000 "signals sent before drainit vanished"
	wait_exit 20
	local took=$(( $(now_ms) - t0 ))
	assert_eq "$RC" 0 "exit status (the app's)"
	assert_between "$took" 1900 20000 "ms from SIGTERM to exit (drain timeout 20s)"
	grep -q '^exit code=0 ' "$T/rec" || fail "the app did not finish its drain: $(tail -n 2 "$T/rec")"
	# drainit forwarded the storm (standard signals coalesce: not all 100000).
	grep -qE '^sig SIG(USR1|USR2|HUP|WINCH|CONT) from=1 ' "$T/rec" ||
		fail "the app got none of the storm"
	assert_log 'summary: SIGTERM to exit took .*; no SIGKILL needed'
	assert_log 'summary: exit status 0: app exited with status 0'
	assert_no_log 'kill: SIGKILL|error:'
	# The log is bounded: at most a line per signal, plus a few.
	local lines; lines=$(wc -l <"$T/log")
	(( lines <= 100000 + 100 )) || fail "the log has $lines lines for 100000 signals"
	local bytes; bytes=$(wc -c <"$T/log")
	(( bytes <= 100100 * 300 )) || fail "the log has $bytes bytes for 100000 signals"
}

# --- 2: a flood of orphans ---------------------------------------------------

# Orphans still alive when they are handed over, each living 1 ms: orphans
# forks each through a child it waits for, one after the other, about 2,000
# a second here (2 cores) idle and 550 with two busy loops beside it, so
# 10,000 (under ~20 s loaded). The 100,000 of the issue come below, handed
# over dead by zombies, ten times as fast.
FA_ORPHANS=10000

test_faults_orphan_flood_all_reaped_as_pid1() {
	# -q: no line per reaped orphan, so the flood measures the reaping.
	start_ns -q --drain-timeout 10s -- "$H/orphans" "$FA_ORPHANS" "$T/spawned" --live 1
	[ -n "$DPID" ] || fail "drainit ended at once: $(cat "$T/log")"
	local app; app=$(app_host_pid)
	wait_file "^spawned $FA_ORPHANS " "$T/spawned" 90
	wait_until 30 fa_only_app "$DPID" "$app" ||
		fail "not all reaped: $(fa_zombies "$DPID") zombies, $(children "$DPID" | wc -l) children of drainit"
	assert_eq "$(fa_zombies "$DPID")" 0 "zombies under drainit"
	fa_alive || fail "drainit died"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status (the app's)"
	assert_no_log 'error:|kill: |SIGKILLed'
}

# --- 3: fork fails before the app starts -------------------------------------

test_faults_fork_fails_exit_71_one_line() {
	needs_native "valgrind dies of SIGSEGV when a fork of the program it runs fails with EAGAIN"
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	command -v prlimit >/dev/null || skip "no prlimit (util-linux)"
	# RLIMIT_NPROC does not hold root back: drainit runs as a uid of its
	# own, which no other process uses, so with --nproc=1 drainit itself is
	# that uid's one process and its fork fails (EAGAIN).
	local uid=64999
	[ -z "$(ps -o pid= -u "$uid" 2>/dev/null)" ] || skip "uid $uid has processes here"
	# Control: the same without the limit starts the app.
	timeout -s KILL 60 unshare --pid --fork --mount-proc \
		setpriv --reuid="$uid" --regid="$uid" --clear-groups -- \
		"$DRAINIT" -- sh -c 'exit 5' >"$T/out" 2>"$T/log" </dev/null
	RC=$?
	assert_eq "$RC" 5 "control run's exit status (the app's); log: $(cat "$T/log")"

	: >"$T/log"
	# Under ASan, LeakSanitizer's exit-time scan needs a thread of its own,
	# which the same limit refuses (it would exit 1): no leak scan here.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	timeout -s KILL 60 unshare --pid --fork --mount-proc prlimit --nproc=1 \
		setpriv --reuid="$uid" --regid="$uid" --clear-groups -- \
		"$DRAINIT" -- sh -c 'exit 5' >"$T/out" 2>"$T/log" </dev/null
	RC=$?
	[ "$RC" = 5 ] && skip "RLIMIT_NPROC did not make fork fail here"
	assert_one_line 71 'error' 'cannot start the command' 'Resource temporarily unavailable'
}

# --- 4: the readiness folder vanishes ----------------------------------------

# fa_start_rechecking: drainit with its readiness file in $T/rdir (mode
# 755) and the app (sigrec, exits 4) ready while $T/up exists, rechecked
# every 100 ms, one failure withdrawing readiness, the next success marking
# it again: both write in the folder. Returns once the file is written.
fa_start_rechecking() {
	mkdir -m 755 "$T/rdir"
	touch "$T/up"
	start_ns --ready-file "$T/rdir/ready" --ready-when "file:$T/up" \
		--ready-interval 100ms --ready-recheck 100ms --ready-failures 1 \
		--drain-timeout 10s -- "$H/sigrec" "$T/rec" --code 4
	wait_file '^start ' "$T/rec"
	wait_until 10 test -s "$T/rdir/ready" || fail "readiness file never written"
}

test_faults_readiness_folder_removed_mid_run_as_pid1() {
	fa_start_rechecking
	local app; app=$(rec_field "$T/rec" pid)
	rm -rf "$T/rdir"
	rm -f "$T/up"
	wait_log 'warning: .*cannot write the state file beside .*/rdir/ready' 15
	touch "$T/up"
	wait_log 'warning: ready: cannot write .*/rdir/ready' 15
	fa_alive || fail "drainit died"
	kill -0 "$app" 2>/dev/null || fail "the app died"
	! grep -q '^sig ' "$T/rec" || fail "the app got a signal: $(grep '^sig ' "$T/rec")"
	[ ! -e "$T/rdir" ] || fail "drainit made the folder again"

	fa_term_exits 4
	assert_no_log 'error:'
}

# A readiness write that failed is tried again every second while the app
# stays ready (found by this test: it used to wait for a recheck to fail and
# a later one to pass). Once the folder is back the file is there again.
# design.md: "The readiness file exists if and only if the app is ready."
test_faults_readiness_file_rewritten_when_folder_returns() {
	mkdir "$T/rdir"
	touch "$T/up"
	start_ns --ready-file "$T/rdir/ready" --ready-when "file:$T/up" \
		--ready-interval 100ms --ready-recheck 100ms --ready-failures 1 \
		--drain-timeout 10s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -e "$T/rdir/ready" || fail "readiness file never written"
	rm -rf "$T/rdir"
	rm -f "$T/up"
	wait_log 'warning: unready: ' 15
	touch "$T/up"
	wait_log 'warning: ready: cannot write .*/rdir/ready' 15
	mkdir "$T/rdir"
	# 50 rechecks pass meanwhile; the app is ready and its file should be.
	wait_until 10 test -e "$T/rdir/ready" ||
		fail "the folder is back and the rechecks pass, but drainit never rewrote the readiness file" \
			"(state file: $(cat "$T/rdir/ready.state" 2>/dev/null || echo absent))"
	wait_log 'info: ready: .*wrote .*/rdir/ready \(it could not be written before\)' 10
	grep -q '^ready ' "$T/rdir/ready.state" || fail "the state file does not say ready: $(cat "$T/rdir/ready.state")"
	assert_eq "$(count_lines 'warning: ready: cannot write /')" 1 "warnings for the failed write (once)"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
}

# The folder made unwritable while the app is ready: drainit (which kept no
# CAP_DAC_OVERRIDE, the folder being writable at start) cannot remove the
# file when readiness is withdrawn, so it empties it in place, which no probe
# takes for ready; once the folder is writable again, readiness comes back.
test_faults_readiness_folder_unwritable_mid_run_as_pid1() {
	fa_start_rechecking
	probe_here --ready-file "$T/rdir/ready"
	probe_says 0 '^ready: '
	local app; app=$(rec_field "$T/rec" pid)
	chmod 555 "$T/rdir"
	rm -f "$T/up"
	wait_log 'warning: unready: cannot remove .*/rdir/ready: Permission denied; emptied it instead, readiness withdrawn'
	[ -e "$T/rdir/ready" ] && [ ! -s "$T/rdir/ready" ] || fail "the readiness file is not there and empty"
	probe_here --ready-file "$T/rdir/ready"
	[ "$PRC" != 0 ] || fail "the probe still says ready: $(cat "$T/probe.out")"
	fa_alive || fail "drainit died"
	kill -0 "$app" 2>/dev/null || fail "the app died"
	chmod 755 "$T/rdir"
	touch "$T/up"
	wait_log 'info: ready: app pid 2 ready again'
	probe_here --ready-file "$T/rdir/ready"
	probe_says 0 '^ready: '
	fa_term_exits 4
	[ -z "$(ls -A "$T/rdir")" ] || fail "left in the readiness folder: $(ls -A "$T/rdir")"
}

# --- 5: stderr closed or broken ----------------------------------------------

# fa_stderr_fault: drainit (started through NS_WRAP, which breaks its
# stderr) runs the app, forwards a USR1 (a log line), and on SIGTERM stops
# it; drainit exits with the app's status 6. $1: a command run once the app
# has started (breaks the pipe), or "".
fa_stderr_fault() {
	start_ns --ready-file "$T/ready" --drain-timeout 10s -- \
		"$H/sigrec" "$T/rec" --code 6 --drain 200
	wait_file '^start ' "$T/rec"
	wait_until 10 test -e "$T/ready" || fail "readiness file never written"
	[ -n "$1" ] && eval "$1"
	# What drainit wrote to the readiness file is its line, not a log line
	# sent to a reused descriptor 2.
	probe_here --ready-file "$T/ready"
	probe_says 0 '^ready'
	kill -s USR1 "$DPID"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	kill -s HUP "$DPID"
	wait_file '^sig SIGHUP from=1 ' "$T/rec"
	fa_alive || fail "drainit died"
	fa_term 6 "the app's; 141 would be SIGPIPE"
	grep -q '^exit code=6 ' "$T/rec" || fail "the app did not finish its drain"
	[ ! -e "$T/ready" ] || fail "the readiness file is left"
}

test_faults_stderr_closed_as_pid1() {
	# With descriptor 2 closed, drainit fills it with /dev/null before it
	# opens anything (else its signalfd would take it): the log is lost,
	# harmlessly, and nothing reaches the old file.
	local NS_WRAP=(bash -c 'exec 2>&-; exec "$@"' bash)
	fa_stderr_fault ""
	[ ! -s "$T/log" ] || fail "something reached the closed stderr's old file: $(head -n 3 "$T/log")"
}

test_faults_closed_std_fds_become_dev_null_for_the_app() {
	# 0, 1 and 2 closed: the app gets /dev/null for each, not one of
	# drainit's own descriptors.
	local NS_WRAP=(bash -c 'exec 0<&- 1>&- 2>&-; exec "$@"' bash)
	# the shell's own descriptors ($$), read before any redirection (dash
	# redirects in the shell itself, around the command)
	start_ns -- sh -c "a=\$(readlink /proc/\$\$/fd/0 /proc/\$\$/fd/1 /proc/\$\$/fd/2); echo \"\$a\" >$T/fds; exec sleep 60"
	wait_until 10 test -s "$T/fds" || fail "the app did not run"
	assert_eq "$(sort -u "$T/fds")" /dev/null "the app's descriptors 0, 1 and 2"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 143 "exit status (sleep killed by SIGTERM)"
}

test_faults_stderr_broken_pipe_as_pid1() {
	# drainit's stderr is a FIFO; fd 9 here is its one reader (and a
	# writer, so that opening does not block). Closing it once the app runs
	# leaves drainit writing to a pipe without readers: EPIPE and SIGPIPE.
	mkfifo "$T/fifo" || fail "mkfifo failed"
	exec 9<>"$T/fifo"
	local NS_WRAP=(bash -c 'exec 2>"$0" 9<&-; exec "$@"' "$T/fifo")
	fa_stderr_fault 'exec 9<&-'
}

# --- 6: signals inherited blocked and ignored ---------------------------------

test_faults_inherited_blocked_ignored_signals_as_pid1() {
	local wrap=("$H/sigwrap" -b TERM -b USR1 -b CHLD -i TERM -i USR1 -i CHLD -i HUP --)
	# Control: the wrapper does block and ignore them.
	"${wrap[@]}" grep -E '^Sig(Blk|Ign):' /proc/self/status >"$T/ctl" || fail "control run failed"
	grep -q '^SigBlk:[[:space:]]*0*$' "$T/ctl" && fail "control: nothing blocked: $(cat "$T/ctl")"
	grep -q '^SigIgn:[[:space:]]*0*$' "$T/ctl" && fail "control: nothing ignored: $(cat "$T/ctl")"

	# The app leaves orphans behind (reaped by drainit only if its SIGCHLD
	# works) and exits 3 on SIGTERM.
	local NS_WRAP=("${wrap[@]}")
	start_ns -v --drain-timeout 10s -- bash -c \
		"$H/orphans 3 $T/spawned --live 100 & exec $H/sigrec $T/rec --code 3"
	wait_file '^start ' "$T/rec"
	wait_file '^spawned 3 ' "$T/spawned"
	local app; app=$(rec_field "$T/rec" pid)
	local happ; happ=$(app_host_pid)
	assert_eq "$(fa_status_field "$happ" SigBlk)" 0000000000000000 "the app's SigBlk"
	assert_eq "$(fa_status_field "$happ" SigIgn)" 0000000000000000 "the app's SigIgn"
	assert_eq "$(rec_field "$T/rec" sigblk)" 0000000000000000 "the app's blocked signals at start"
	assert_eq "$(rec_field "$T/rec" sigign)" 0000000000000000 "the app's ignored signals at start"
	# The orphans (100 ms each) came back to drainit and were reaped by it.
	wait_until 10 eval '[ "$(grep -cE "exit: pid [0-9]+ \(orphan-gc\)" "$T/log")" = 3 ]' ||
		fail "orphans reaped by drainit: $(grep -cE 'exit: pid [0-9]+ \(orphan-gc\)' "$T/log") of 3"
	assert_eq "$(fa_zombies "$DPID")" 0 "zombies under drainit"

	fa_term 3 "the app's, seen through SIGCHLD"
	assert_log "signal: SIGTERM from"
	assert_no_log 'kill: |SIGKILLed'
}

# --- 7: hundreds die at once in the SIGKILL sweep ------------------------------

test_faults_500_killed_at_deadline_all_reaped_as_pid1() {
	# bash and its 500 sleeps ignore SIGTERM (SIG_IGN survives exec): all
	# 501 are still there at the drain deadline and die in one sweep.
	start_ns --drain-timeout 2s -- bash -c \
		"trap '' TERM; for i in \$(seq 500); do sleep 1000 & done; echo up >$T/up; wait"
	wait_file '^up' "$T/up" 30
	local app; app=$(app_host_pid)
	wait_until 10 eval '[ "$(children "$app" | wc -l)" = 500 ]' ||
		fail "the app has $(children "$app" | wc -l) children, not 500"
	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_log 'kill: ' 15
	wait_exit 20
	local took=$(( $(now_ms) - t0 ))
	assert_eq "$RC" 137 "exit status (the app, SIGKILLed)"
	# The deadline is 2 s after SIGTERM; one sweep and the reaping should
	# take well under a second, 8 s allowed on a loaded machine.
	assert_between "$took" 1900 10000 "ms from SIGTERM to exit (drain 2s)"
	assert_log 'summary: 501 processes were SIGKILLed'
	assert_log 'summary: SIGTERM to exit took .*; SIGKILL was needed'
	assert_log 'summary: exit status 137'
	assert_no_log 'error:'
}

# --- 8: 100,000 orphans --------------------------------------------------------

# fa_ns_zombies: how many processes of drainit's namespace are zombies.
fa_ns_zombies() {
	ns_exec sh -c 'cat /proc/[0-9]*/stat 2>/dev/null' | grep -c ') Z '
}

test_faults_100000_orphans_all_reaped_as_pid1() {
	# zombies hands its orphans over already dead, a batch of 1000 each
	# time one of its 2 workers exits (about 20,000 a second here idle).
	start_ns -q --drain-timeout 10s -- bash -c \
		"$H/zombies 100000 $T/spawned && exec $H/sigrec $T/rec --code 7"
	[ -n "$DPID" ] || fail "drainit ended at once: $(cat "$T/log")"
	local app; app=$(app_host_pid)
	wait_file '^spawned 100000 ' "$T/spawned" 90
	wait_file '^start ' "$T/rec"
	wait_until 30 fa_only_app "$DPID" "$app" ||
		fail "not all reaped: $(fa_zombies "$DPID") zombies, $(children "$DPID" | wc -l) children of drainit"
	assert_eq "$(fa_ns_zombies)" 0 "zombies in the namespace"
	fa_alive || fail "drainit died"
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 7 "exit status (the app's)"
	assert_eq "$(grep -c '^sig ' "$T/rec")" 2 "signals the app got (USR1, TERM)"
	[ ! -s "$T/log" ] || fail "drainit -q logged: $(head -n 5 "$T/log")"
}

# Found by this test: drainit reaped every child that had exited before it
# looked at its deadlines again, so orphans that kept coming faster than it
# reaped them held the SIGKILL off: 2 s drains ended after 5 to 57 s. 16
# workers of 250 keep the zombies coming faster than drainit logs and reaps
# them here, idle or loaded; at most 6000 at a time (pid_max is shared).
# Bound: the drain (2 s) + 6 s, for the /proc scans of the stop and the
# sweep (each reads every zombie's stat) and reaping the last few thousand
# after the SIGKILL on a loaded machine: about 3.5 s idle, 5.5 s loaded.
test_faults_orphan_flood_during_drain_deadline_kept_as_pid1() {
	# The app ignores SIGTERM and hands over orphans without end: the
	# drain deadline (2 s) must come all the same, each orphan logged.
	start_ns --drain-timeout 2s -- bash -c \
		"trap '' TERM; exec $H/zombies -1 $T/spawned --workers 16 --batch 250 --max-alive 6000"
	wait_file '^handed ' "$T/spawned" 30
	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	if ! wait_until 8 eval '! kill -0 $JOB'; then
		# SIGKILL to PID 1 takes the namespace, flood and all, at once
		# (cleanup would walk the flood process by process)
		kill -KILL "$DPID"
		wait_until 10 eval '! kill -0 $JOB'
		fail "drainit still running $(( 8 * TIME_SCALE )) s after SIGTERM (drain 2s): the flood held the SIGKILL off"
	fi
	wait_exit 5
	local took=$(( $(now_ms) - t0 ))
	assert_eq "$RC" 137 "exit status (the app, SIGKILLed)"
	assert_between "$took" 1900 $(( 8000 * TIME_SCALE )) "ms from SIGTERM to exit (drain 2s)"
	# the deadline itself, from drainit's own lines: below twice the drain
	# timeout, so that a doubled one fails
	local term kill
	log_ms term ': signal: SIGTERM '
	log_ms kill ': kill: ' 
	assert_ms_between $(( kill - term )) 1900 3900 "ms from SIGTERM to the SIGKILL sweep (drain 2s)"
	local reaped; reaped=$(count_lines 'info: exit: pid [0-9]+ \(orphan-z\) exited with status 0')
	(( reaped >= 1000 )) || fail "only $reaped orphans reaped (and logged) during the drain"
	assert_log 'summary: SIGTERM to exit took .*; SIGKILL was needed'
	assert_log 'summary: [0-9]+ process(es were| was) SIGKILLed: pid 2 \(zombies\)'
	assert_log 'summary: exit status 137'
	assert_no_log 'error:'
}

# Until the stop begins, the default level logs no orphan, so drainit reaps
# them one waitpid each and looks at the app alone first, once a turn, to
# read its name while it can. An app that exits in the middle of a flood is
# still named and its status kept, whichever way it was reaped.
test_faults_app_exits_amid_orphan_flood_named_as_pid1() {
	start_ns --drain-timeout 5s -- bash -c \
		"$H/zombies -1 $T/spawned --workers 4 --batch 250 --max-alive 6000 &
		 until grep -q '^handed ' $T/spawned 2>/dev/null; do sleep 0.01; done; exit 5"
	[ -n "$DPID" ] || fail "drainit ended at once: $(cat "$T/log")"
	wait_exit 30
	assert_eq "$RC" 5 "exit status (the app's)"
	assert_log 'info: exit: app pid 2 \(bash\) exited with status 5$'
	assert_log 'summary: exit status 5: app exited with status 5'
	assert_eq "$(count_lines 'exit: app pid')" 1 "lines on the app's exit"
	assert_no_log 'error:|warning: reap'
}

# --- 9: out of memory ----------------------------------------------------------

# fa_need_elf: the shims and limits below act on drainit itself, not on a
# wrapper script (valgrind) in front of it.
fa_need_elf() {
	needs_native "the shim or limit would act on valgrind, not on drainit"
	[ "$(head -c 4 "$DRAINIT" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] ||
		skip "$DRAINIT is not an ELF binary"
}

# fa_need_plain_memory: RLIMIT_AS means nothing to AddressSanitizer, which
# reserves terabytes of shadow memory.
fa_need_plain_memory() {
	fa_need_elf
	! ldd "$DRAINIT" 2>/dev/null | grep -q libasan ||
		skip "drainit is built with AddressSanitizer: RLIMIT_AS does not apply"
}

fa_need_enomem() {
	[ -e "$H/enomem.so" ] || skip "build/helpers/enomem.so not built"
	needs_dynamic "enomem.so is an LD_PRELOAD shim"
	fa_need_elf
}

# fa_enomem VAR=VALUE... -- COMMAND...: COMMAND (a function too, such as
# start_ns) with enomem.so preloaded, acting in drainit alone
# (tests/preload/enomem.c); the failures it made are listed in $T/enomem.
# AddressSanitizer wants to come first: it is told not to mind.
fa_enomem() {
	fa_need_enomem
	local -x ENOMEM_TARGET ENOMEM_LOG=$T/enomem LD_PRELOAD=$H/enomem.so \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	ENOMEM_TARGET=$(basename "$DRAINIT")
	while [ "$1" != -- ]; do local -x "$1"; shift; done
	shift
	"$@"
}

# fa_enomem_run_ns VAR=VALUE... -- DRAINIT-ARGS...: run_ns under fa_enomem.
fa_enomem_run_ns() {
	fa_need_enomem
	fa_enomem "$@" >"$T/out" 2>"$T/log" </dev/null
	RC=$?
}
# (what fa_enomem runs: the words after its --)
fa_enomem_ns() { timeout -s KILL 60 unshare --pid --fork --mount-proc "$DRAINIT" "$@"; }

# The app of the start-up tests: marks that it ran, exits 3.
FA_APP=(sh -c ': >"$0"; exit 3')

test_faults_enomem_before_start_exit_71_one_line() {
	# Control: the shim alone changes nothing, and stays out of the app.
	fa_enomem_run_ns -- fa_enomem_ns -- sh -c 'env >"$0"; cat /proc/$$/maps >>"$0"; exit 3' "$T/appenv"
	assert_eq "$RC" 3 "exit status with the shim idle; log: $(cat "$T/log")"
	grep -q '^PATH=' "$T/appenv" || fail "the app did not list its environment"
	! grep -qE 'ENOMEM_|LD_PRELOAD|enomem' "$T/appenv" ||
		fail "the shim reached the app: $(grep -E 'ENOMEM_|LD_PRELOAD|enomem' "$T/appenv")"

	# Every allocation fails: the first is the process table.
	fa_enomem_run_ns ENOMEM_MALLOC=1 -- fa_enomem_ns -- "${FA_APP[@]}" "$T/started"
	assert_one_line 71 'error: start: cannot allocate the process table' 'Cannot allocate memory'
	grep -qE '^1 calloc ' "$T/enomem" || fail "no allocation failed: $(cat "$T/enomem" 2>&1)"

	# fork fails with ENOMEM (as the kernel's does when it cannot copy).
	rm -f "$T/enomem"
	fa_enomem_run_ns ENOMEM_FORK=1 -- fa_enomem_ns -- "${FA_APP[@]}" "$T/started"
	assert_one_line 71 'error: start: cannot start the command' 'Cannot allocate memory'
	grep -q '^1 fork' "$T/enomem" || fail "no fork failed: $(cat "$T/enomem" 2>&1)"
}

# drainit.8: 64 is a usage error (an unknown user among them), 71 "could not
# set itself up". Out of memory while reading /etc/passwd is the second.
test_faults_enomem_reading_users_exit_71_one_line() {
	fa_enomem_run_ns ENOMEM_MALLOC=1 -- fa_enomem_ns --user nobody -- "${FA_APP[@]}" "$T/started"
	grep -q '^1 malloc ' "$T/enomem" || fail "no allocation failed: $(cat "$T/enomem" 2>&1)"
	assert_one_line 71 'error: start: --user: cannot read /etc/passwd: out of memory'
}

# Once the app runs drainit allocates nothing in its loop; only libcap does,
# for the capability names of the -v line that says what drainit keeps.
# Every allocation after the app's start fails here: that line is written
# all the same, and the rest goes on.
test_faults_enomem_allocations_after_start_as_pid1() {
	fa_enomem ENOMEM_MALLOC=1 ENOMEM_AFTER_FORK=1 -- \
		start_ns -v --ready-file "$T/ready" --drain-timeout 10s \
		-- bash -c "$H/zombies 2000 $T/z --batch 500 && exec $H/sigrec $T/rec --code 5"
	wait_file '^spawned 2000 ' "$T/z" 30
	wait_file '^start ' "$T/rec"
	local app; app=$(app_host_pid)
	wait_log 'debug: caps: drainit keeps, once the app runs: '
	grep -qE '^1 (malloc|calloc) ' "$T/enomem" || fail "no allocation after start failed: $(cat "$T/enomem" 2>&1)"
	wait_until 30 fa_only_app "$DPID" "$app" ||
		fail "not all reaped: $(fa_zombies "$DPID") zombies under drainit"
	assert_eq "$(count_lines 'debug: exit: pid [0-9]+ \(orphan-z\) exited with status 0')" 2000 "orphans reaped and logged"
	test -e "$T/ready" || fail "no readiness file"
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	fa_stop_sigrec_5
	[ ! -e "$T/ready" ] || fail "the readiness file is left"
}

# A fork for an exec: check can fail once the app runs. While $T/oom exists
# every fork after the app's fails: the check fails (logged), everything
# else goes on; without it the app becomes ready.
test_faults_enomem_fork_for_checks_after_start_as_pid1() {
	touch "$T/oom"
	fa_enomem ENOMEM_FORK=2 ENOMEM_WHILE="$T/oom" -- \
		start_ns -v --ready-file "$T/ready" --ready-when exec:true \
		--ready-interval 100ms --ready-recheck 100ms --ready-failures 2 --drain-timeout 10s \
		-- bash -c "$H/zombies 2000 $T/z --batch 500 && exec $H/sigrec $T/rec --code 5"
	wait_file '^spawned 2000 ' "$T/z" 30
	wait_file '^start ' "$T/rec"
	local app; app=$(app_host_pid)
	wait_log 'info: check: exec:true: not yet: cannot fork: Cannot allocate memory'
	wait_until 30 fa_only_app "$DPID" "$app" ||
		fail "not all reaped: $(fa_zombies "$DPID") zombies under drainit"
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	[ ! -e "$T/ready" ] || fail "ready although no check could run"
	grep -q '^1 fork' "$T/enomem" || fail "no fork failed: $(cat "$T/enomem")"

	# Memory back: the next check runs and passes.
	rm "$T/oom"
	wait_until 10 test -e "$T/ready" || fail "not ready once fork works again"
	wait_log 'info: ready: app pid 2 ready \(exec:true, '
	# Gone again: two failed rechecks withdraw readiness, with a warning.
	touch "$T/oom"
	wait_until 10 test ! -e "$T/ready" || fail "readiness not withdrawn"
	wait_log 'warning: check: exec:true: cannot fork: Cannot allocate memory \(2 of 2'
	wait_log 'warning: unready: readiness withdrawn'
	fa_alive || fail "drainit died"

	fa_term_exits 5
	assert_log 'summary: exit status 5: app exited with status 5'
	assert_no_log 'error:|kill: '
}

# Real ENOMEM from the kernel: RLIMIT_AS from 4.5 MiB down in 256 KiB steps,
# until the dynamic loader itself cannot map libc (drainit's main never
# runs). Every run in between either runs the app, or ends with one line and
# 71 before the app starts (the 1 MiB process table does not fit), or (the
# static build, which needs less) starts the app, which then fails under the
# limit: its status comes out, and drainit's summary says so.
test_faults_rlimit_as_one_line_or_runs() {
	fa_need_plain_memory
	command -v prlimit >/dev/null || skip "no prlimit (util-linux)"
	local kb ran=0 refused=0 loader=0 app_failed=0
	for (( kb = 4608; kb >= 1024; kb -= 256 )); do
		rm -f "$T/started"
		timeout -s KILL 60 unshare --pid --fork --mount-proc prlimit --as=$(( kb * 1024 )) -- \
			"$DRAINIT" -q -- "${FA_APP[@]}" "$T/started" >"$T/out" 2>"$T/log" </dev/null
		RC=$?
		if [ "$RC" = 3 ] && [ -e "$T/started" ]; then
			ran=$((ran + 1))
			[ ! -s "$T/log" ] || fail "at $kb KiB the app ran, and drainit -q said: $(cat "$T/log")"
		elif [ "$RC" = 127 ] && ! grep -qE '^(sh: |[0-9TZ:.-]+ drainit: )' "$T/log"; then
			# the dynamic loader's words ("DRAINIT: error while loading
			# shared libraries", "cannot allocate TLS data structures for
			# initial thread"), neither the app's nor drainit's
			loader=$((loader + 1))
			break
		elif [ "$RC" != 71 ] && [ "$RC" != 0 ]; then
			# drainit (the static build, smaller) fits where the app does
			# not: the app failed under the limit, which is its own status.
			app_failed=$((app_failed + 1))
			[ ! -e "$T/started" ] || fail "at $kb KiB the app ran, yet exit status $RC"
			# -q: the app's end is not logged; run it again at -v to see that
			# drainit saw it and said so.
			timeout -s KILL 60 unshare --pid --fork --mount-proc prlimit --as=$(( kb * 1024 )) -- \
				"$DRAINIT" -- "${FA_APP[@]}" "$T/started" >"$T/out" 2>"$T/log" </dev/null
			local again=$?
			grep -q "summary: exit status $again: app " "$T/log" ||
				fail "at $kb KiB: exit status $RC without drainit's summary: $(cat "$T/log")"
		else
			( assert_one_line 71 'error: start: ' "$TEXT_ENOMEM" ) ||
				fail "at RLIMIT_AS $kb KiB"
			refused=$((refused + 1))
		fi
	done
	(( ran > 0 )) || fail "the app never ran, even with 4.5 MiB"
	(( refused > 0 )) || fail "no limit made drainit refuse with 71 (ran $ran, app failed $app_failed, loader $loader)"
}

# A running drainit given no room at all (RLIMIT_AS and RLIMIT_DATA at what
# it has): forwarding, reaping, logging, the readiness file, the stop report
# and the drain need none.
test_faults_rlimit_as_no_headroom_while_running_as_pid1() {
	fa_need_plain_memory
	command -v prlimit >/dev/null || skip "no prlimit (util-linux)"
	start_ns -v --ready-file "$T/ready" --ready-when "file:$T/up" --drain-timeout 10s -- \
		bash -c "until [ -e $T/go ]; do sleep 0.02; done; $H/zombies 2000 $T/z --batch 500 && exec $H/sigrec $T/rec --code 5"
	wait_log 'info: ready: waiting for file:'
	local vm; vm=$(fa_status_field "$DPID" VmSize)
	[ -n "$vm" ] || fail "no VmSize for drainit"
	prlimit --pid "$DPID" --as=$(( vm * 1024 )) --data=$(( vm * 1024 )) ||
		fail "prlimit --pid failed"
	assert_eq "$(prlimit --pid "$DPID" --as -o SOFT --noheadings | tr -d ' ')" $(( vm * 1024 )) "drainit's RLIMIT_AS"
	touch "$T/go" "$T/up"
	wait_until 10 test -e "$T/ready" || fail "readiness file not written"
	wait_file '^spawned 2000 ' "$T/z" 30
	wait_file '^start ' "$T/rec"
	local app; app=$(app_host_pid)
	wait_until 30 fa_only_app "$DPID" "$app" ||
		fail "not all reaped: $(fa_zombies "$DPID") zombies under drainit"
	assert_eq "$(count_lines 'debug: exit: pid [0-9]+ \(orphan-z\) exited with status 0')" 2000 "orphans reaped and logged"
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	fa_alive || fail "drainit died"
	assert_eq "$(fa_status_field "$DPID" VmSize)" "$vm" "drainit's VmSize (kB)"
	fa_stop_sigrec_5
}

# --- 10: odd file descriptors ------------------------------------------------------

# fa_fds PID: PID's descriptors, "N TARGET" a line, sorted by number.
fa_fds() {
	local f
	for f in /proc/"$1"/fd/*; do
		echo "${f##*/} $(readlink "$f")"
	done | sort -n
}

test_faults_inherited_fds_pass_through_none_of_drainits_as_pid1() {
	mkfifo "$T/fifo" || fail "mkfifo failed"
	: >"$T/three"
	# drainit starts with exactly 0-2, 3 (a file), 7 (appended to), 200
	# (a pipe: the FIFO opened both ways) and 1000, with RLIMIT_NOFILE 1024.
	local NS_WRAP=(bash -c '
		for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done
		ulimit -n 1024 || exit 99
		exec 3<"$0" 7>>"$0.7" 200<>"$1" 1000<"$0"
		exec "${@:2}"' "$T/three" "$T/fifo")
	# file: keeps an inotify descriptor open; ready-file, signalfd.
	start_ns --ready-file "$T/ready" --ready-when "file:$T/up" -- sleep 1000
	[ -n "$DPID" ] || fail "drainit ended at once: $(cat "$T/log")"
	local app; app=$(app_host_pid)
	# the exec has happened once sleep is sleep; the check's first look
	# opens the inotify descriptor
	wait_until 10 eval '[ "$(cat /proc/$app/comm)" = sleep ]' || fail "the app did not start"
	wait_log "info: check: file:$T/up: not yet"
	fa_fds "$DPID" >"$T/dfds"
	fa_fds "$app" >"$T/afds"
	grep -q 'anon_inode:\[signalfd\]' "$T/dfds" || fail "drainit has no signalfd: $(cat "$T/dfds")"
	grep -q 'anon_inode:inotify' "$T/dfds" || fail "drainit has no inotify descriptor: $(cat "$T/dfds")"
	# (valgrind leaves its log, 63, open for the app: tests/valgrind/drainit)
	local vg=; [ -n "$VALGRIND_LOG_FD" ] && vg="$VALGRIND_LOG_FD "
	assert_eq "$(cut -d' ' -f1 "$T/afds" | tr '\n' ' ')" "0 1 2 3 7 ${vg}200 1000 " "the app's descriptors"
	assert_eq "$(grep -E '^(3|7|200|1000) ' "$T/afds")" \
		"$(printf '3 %s\n7 %s\n200 %s\n1000 %s' "$T/three" "$T/three.7" "$T/fifo" "$T/three")" \
		"what the app's 3, 7, 200 and 1000 are"
	# The app's 200 is the same pipe as the one given to drainit.
	assert_eq "$(stat -L -c %i "/proc/$app/fd/200")" "$(stat -c %i "$T/fifo")" "the pipe's inode"
	# Nothing else drainit has open reached the app, under any number.
	local n what
	while read -r n what; do
		[[ " 0 1 2 3 7 ${vg}200 1000 " == *" $n "* ]] && continue
		# valgrind keeps its own at the top of the table (1012 and up)
		[ -n "$vg" ] && (( n > 1000 )) && continue
		! cut -d' ' -f2- "$T/afds" | grep -qxF -- "$what" ||
			fail "drainit's $n ($what) leaked into the app: $(cat "$T/afds")"
	done <"$T/dfds"
	touch "$T/up"
	wait_until 10 test -e "$T/ready" || fail "never ready"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 143 "exit status (sleep killed by SIGTERM)"
	assert_no_log 'error:|warning:'
}

test_faults_app_closes_std_fds_drainit_unaffected_as_pid1() {
	# drainit's stderr is a pipe (its log is reopened from it, non-blocking)
	# to a cat writing $T/log; the app shares that pipe and closes its 0-2.
	mkfifo "$T/logfifo" || fail "mkfifo failed"
	cat "$T/logfifo" >"$T/logfifo.out" &
	local NS_WRAP=(bash -c 'exec 2>"$0"; exec "$@"' "$T/logfifo")
	start_ns --ready-file "$T/ready" --drain-timeout 10s -- bash -c \
		"exec 0<&- 1>&- 2>&-; $H/zombies 200 $T/z && exec $H/sigrec $T/rec --code 4"
	wait_file '^start ' "$T/rec"
	local app; app=$(app_host_pid)
	assert_eq "$(ls "/proc/$app/fd" | sort -n | head -n 3 | tr '\n' ' ')" "0 1 2 " \
		"the app's lowest descriptors (sigrec's own files took 0-2)"
	! readlink "/proc/$app/fd/2" | grep -q logfifo || fail "the app still has the log pipe on 2"
	wait_until 30 fa_only_app "$DPID" "$app" || fail "orphans not reaped"
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	wait_file 'signal: SIGUSR1 .*forwarded' "$T/logfifo.out"
	probe_here --ready-file "$T/ready"
	probe_says 0 '^ready'
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 4 "exit status (the app's)"
	wait_file 'summary: exit status 4' "$T/logfifo.out"
	! grep -qE 'error:|warning:' "$T/logfifo.out" || fail "drainit warned: $(grep -E 'error:|warning:' "$T/logfifo.out")"
}

# RLIMIT_NOFILE from 4 up: drainit needs 0-2, its log (reopened when stderr
# is a pipe), the signalfd and the exec-error pipe (2) before the app runs,
# and one or two more at a time after. Below what it needs, one line and 71
# (73 when the readiness folder check is what could not open a file) before
# the app starts; from there on it runs, and stays quiet, through start,
# readiness, forwarding, the stop report and the drain. (Below 4 the dynamic
# loader cannot open libcap: drainit's main never runs.)
test_faults_low_nofile_one_line_or_runs_as_pid1() {
	command -v prlimit >/dev/null || skip "no prlimit (util-linux)"
	fa_need_elf
	local n least=
	for n in 4 5 6 7 8 9 10; do
		rm -f "$T/started"
		# (dash's redirections need descriptor 10: touch instead)
		timeout -s KILL 60 unshare --pid --fork --mount-proc prlimit --nofile=$n -- "$DRAINIT" \
			--ready-file "$T/ready" --ready-when "file:$T/started" -- \
			sh -c 'touch "$0"; exit 3' "$T/started" >"$T/out" 2>"$T/log" </dev/null
		RC=$?
		if [ "$RC" = 3 ]; then
			least=$n
			break
		fi
		[ "$RC" = 73 ] && grep -q 'readiness folder' "$T/log" || [ "$RC" = 71 ] ||
			fail "with RLIMIT_NOFILE $n: exit status $RC: $(cat "$T/log")"
		( assert_one_line "$RC" 'error: start: ' "$TEXT_EMFILE" ) ||
			fail "with RLIMIT_NOFILE $n"
	done
	[ -n "$least" ] || fail "drainit never ran the app with up to 10 descriptors"

	# A whole run at that limit. The app (sigrec: 3 descriptors of its own
	# on top of 0-2) must fit too; so must its child in a session of its
	# own, which only a listing of /proc finds for the stop signal.
	(( least < 6 )) && least=6
	local real=$DRAINIT DRAINIT
	DRAINIT=$(command -v prlimit)
	start_ns --nofile="$least" -- "$real" -v --ready-file "$T/ready" --ready-when "file:$T/up" \
		--drain-timeout 5s -- bash -c "setsid $H/sigrec $T/rec2 & exec $H/sigrec $T/rec --code 6"
	DRAINIT=$real
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/rec2"
	assert_eq "$(prlimit --pid "$DPID" --nofile -o SOFT --noheadings | tr -d ' ')" "$least" "drainit's RLIMIT_NOFILE"
	touch "$T/up"
	wait_until 10 test -e "$T/ready" || fail "never ready: $(tail -n 3 "$T/log")"
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	local t0; t0=$(now_ms)
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 6 "exit status (the app's)"
	grep -q '^sig SIGTERM from=1 ' "$T/rec2" ||
		fail "the app's child in its own session never got the stop signal (RLIMIT_NOFILE $least)"
	assert_between $(( $(now_ms) - t0 )) 0 4000 "ms from SIGTERM to exit (no SIGKILL)"
	assert_log 'info: stop: pid 2 \(sigrec\) catches SIGTERM'
	assert_log 'summary: .*no SIGKILL needed'
	assert_no_log "error:|warning:|$TEXT_EMFILE"
}
