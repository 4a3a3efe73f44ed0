# Item 8: drainit's exit status is the app's; 128+N when the app died of
# signal N; 127 not found, 126 not executable; -e maps codes to 0; usage
# errors are 64.
#
# The rx_* helpers below are shared with t_ready.sh, t_options.sh and
# t_logs.sh (run.sh sources every t_*.sh before running any test).

# rx_has_child PID: PID has a child process.
rx_has_child() { [ -n "$(tr -d ' \n' <"/proc/$1/task/$1/children")" ]; }

# rx_children PID: PID's children (host pids), one a line.
rx_children() { tr ' ' '\n' <"/proc/$1/task/$1/children" | grep .; }

# rx_start_ns DRAINIT-ARGS...: start_ns, but waits until unshare has forked
# (start_ns reads the children file once, before the fork, and so fails).
# Environment assignments before the call reach drainit.
rx_start_ns() {
	unshare --pid --fork --mount-proc "$DRAINIT" "$@" >"$T/out" 2>"$T/log" </dev/null &
	JOB=$!
	if ! wait_until 10 rx_has_child "$JOB"; then
		kill -KILL "$JOB" 2>/dev/null # or cleanup would wait for it
		fail "drainit did not start"
	fi
	DPID=$(rx_children "$JOB" | head -n 1)
}

# rx_app: the host pid of drainit's first child (the app); waits for it.
rx_app() {
	wait_until 10 rx_has_child "$DPID" || fail "drainit has no child"
	rx_children "$DPID" | head -n 1
}

# rx_run DRAINIT-ARGS...: drainit as PID 1 of a new PID namespace, in the
# foreground; stdout in $T/out, stderr in $T/log, exit status in RC.
rx_run() {
	timeout -s KILL 60 unshare --pid --fork --mount-proc "$DRAINIT" "$@" \
		>"$T/out" 2>"$T/log" </dev/null
	RC=$?
}

# rx_run_plain DRAINIT-ARGS...: the same, drainit not PID 1 (subreaper).
rx_run_plain() {
	timeout -s KILL 60 "$DRAINIT" "$@" >"$T/out" 2>"$T/log" </dev/null
	RC=$?
}

# rx_one_line CODE WORD...: drainit ended with CODE and wrote exactly one
# line on stderr, which holds every WORD (fixed strings), and nothing on
# stdout; the app (which would touch $T/started) never ran.
rx_one_line() {
	local code=$1 w; shift
	[ "$RC" = "$code" ] || fail "exit status: expected $code, got $RC; stderr: $(cat "$T/log")"
	[ "$(wc -l <"$T/log")" = 1 ] || fail "expected one line on stderr, got: $(cat "$T/log")"
	for w; do
		grep -qF -- "$w" "$T/log" || fail "stderr does not name '$w': $(cat "$T/log")"
	done
	[ ! -s "$T/out" ] || fail "unexpected stdout: $(cat "$T/out")"
	[ ! -e "$T/started" ] || fail "the app was started"
}

# rx_lines PATTERN [FILE]: how many lines match (grep -E).
rx_lines() { grep -cE -- "$1" "${2:-$T/log}"; }

test_exit_app_code_passes_through() {
	local c
	for c in 0 3 255; do
		rx_run -- sh -c "exit $c"
		assert_eq "$RC" "$c" "exit status of an app exiting with $c"
		assert_log "exit: app pid 2 \(sh\) exited with status $c\$"
		assert_log "summary: exit status $c: app exited with status $c\$"
	done
	# Not PID 1 either.
	rx_run_plain -- sh -c "exit 3"
	assert_eq "$RC" 3 "exit status when not PID 1"
}

test_exit_app_killed_by_sigkill_from_outside_is_137() {
	rx_start_ns -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	kill -KILL "$(rx_app)"
	wait_exit
	assert_eq "$RC" 137 "exit status of an app killed by SIGKILL"
	assert_log 'exit: app pid 2 \(sigrec\) killed by SIGKILL'
	assert_log 'summary: exit status 137: app killed by SIGKILL'
}

test_exit_app_killed_by_sigsegv_is_139() {
	ulimit -c 0
	cd "$T" || fail "cd"
	# sleep keeps SIGSEGV's default action (sigrec would catch it).
	rx_start_ns -- sleep 60
	local app
	app=$(rx_app)
	wait_until 10 grep -q '^sleep$' "/proc/$app/comm" || fail "the app never became sleep"
	kill -SEGV "$app"
	wait_exit
	assert_eq "$RC" 139 "exit status of an app killed by SIGSEGV"
	assert_log 'exit: app pid 2 \(sleep\) killed by SIGSEGV'
	assert_log 'summary: exit status 139'
}

test_exit_command_not_found_is_127() {
	rx_run -- drainit-no-such-command-x7 arg
	assert_eq "$RC" 127 "exit status for a command not in PATH"
	assert_eq "$(rx_lines ' error: ')" 1 "error lines"
	assert_log " error: .*'drainit-no-such-command-x7'"

	rx_run -- "$T/nowhere/app"
	assert_eq "$RC" 127 "exit status for a missing path"
	assert_eq "$(rx_lines ' error: ')" 1 "error lines"
	assert_log " error: .*'$T/nowhere/app'"
}

test_exit_not_executable_is_126() {
	printf '#!/bin/sh\ntouch "%s/started"\n' "$T" >"$T/script"
	chmod 644 "$T/script"
	rx_run -- "$T/script"
	assert_eq "$RC" 126 "exit status for a file without the x bit"
	assert_eq "$(rx_lines ' error: ')" 1 "error lines"
	assert_log " error: .*'$T/script'"
	[ ! -e "$T/started" ] || fail "the script ran"

	mkdir "$T/folder"
	rx_run -- "$T/folder"
	assert_eq "$RC" 126 "exit status for a folder"
	assert_eq "$(rx_lines ' error: ')" 1 "error lines"
	assert_log " error: .*'$T/folder'"
}

test_exit_expect_exit_maps_term_death_to_0() {
	# Without -e: an app that dies of the stop signal reports 143.
	rx_start_ns -- sleep 60
	wait_until 10 grep -q '^sleep$' "/proc/$(rx_app)/comm" || fail "no sleep"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 143 "exit status of an app killed by SIGTERM"

	rx_start_ns -e 143 -- sleep 60
	wait_until 10 grep -q '^sleep$' "/proc/$(rx_app)/comm" || fail "no sleep"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status with -e 143"
	assert_log 'summary: exit status 0: app killed by SIGTERM \(expected, reported as 0\)'
}

test_exit_expect_exit_several_codes() {
	rx_run -e 3 -e 5 -- sh -c 'exit 5'
	assert_eq "$RC" 0 "-e 3 -e 5, app exits 5"
	rx_run -e 3 -e 5 -- sh -c 'exit 3'
	assert_eq "$RC" 0 "-e 3 -e 5, app exits 3"
	rx_run -e 3 -e 5 -- sh -c 'exit 4'
	assert_eq "$RC" 4 "-e 3 -e 5, app exits 4"
	rx_run -e 3,5 -- sh -c 'exit 5'
	assert_eq "$RC" 0 "-e 3,5, app exits 5"
	rx_run --expect-exit=7 -- sh -c 'exit 7'
	assert_eq "$RC" 0 "--expect-exit=7, app exits 7"
	rx_run -e 3,5 -- sh -c 'exit 0'
	assert_eq "$RC" 0 "-e 3,5, app exits 0"
}

test_exit_usage_errors_are_64() {
	rx_run --no-such-option -- sh -c "touch $T/started"
	rx_one_line 64 "--no-such-option"
	rx_run -e 300 -- sh -c "touch $T/started"
	rx_one_line 64 "300"
	rx_run
	rx_one_line 64 "no command"
	# The codes are documented where a user looks first.
	"$DRAINIT" --help >"$T/help" || fail "--help failed"
	grep -q '64 usage error' "$T/help" || fail "--help does not document exit status 64"
	grep -q '126 not executable' "$T/help" || fail "--help does not document 126"
	grep -q '127 not found' "$T/help" || fail "--help does not document 127"
}
