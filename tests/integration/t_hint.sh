# The start-up hint: a shell script that starts its app without exec is
# said once, at start (a warning, event "hint", naming the script); and it
# is what happens: after SIGTERM the shell, which has no handler, dies of it
# at once, and its 143 becomes drainit's exit status while the app drains
# and exits 0. No hint when the script execs its app, traps TERM, or when
# the command is no script; `sh -c` strings only when they start something
# in the background; --single-child adds that the shell alone gets the
# stop signal.

# What every hint says after what it names.
HN_TAIL="the shell stays drainit's child and its exit status, not the app's, becomes drainit's"
HN_EXEC="; start the app with 'exec APP'"
HN_SINGLE="; with --single-child the stop signal reaches the shell alone"

# hn_script NAME [BODY...]: writes $T/NAME, an executable bash script
# (#!/usr/bin/env bash) of the lines BODY; prints its path.
hn_script() {
	local f=$T/$1; shift
	{ echo '#!/usr/bin/env bash'; printf '%s\n' "$@"; } >"$f"
	chmod 755 "$f"
	echo "$f"
}

# hn_py: the command line that runs the catching app, recording in $T/py.
hn_py() { printf '%q -c %q %q' "$CATCH_PY" "$CATCH_PY_CODE" "$T/py"; }

hn_need_py() { [ -n "$CATCH_PY" ] || skip "python3 not found"; }

# hn_hints: drainit's hint lines, without their timestamps.
hn_hints() { grep -E '^[^ ]+ drainit: [a-z]+: hint: ' "$T/log" | sed 's/^[^ ]* //'; }

# hn_line PATTERN: the number of the first log line matching PATTERN.
hn_line() {
	local n
	n=$(grep -n -m1 -E -- "$1" "$T/log" | cut -d: -f1)
	[ -n "$n" ] || fail "log lacks: $1"
	echo "$n"
}

# hn_once PATTERN: exactly one log line matches.
hn_once() { assert_eq "$(count_lines "$1")" 1 "log lines matching: $1"; }

# hn_comm PID: the command name of PID in drainit's namespace.
hn_comm() { ns_exec cat "/proc/$1/comm" || fail "no pid $1 in the namespace"; }

# hn_stop: SIGTERM to drainit, then its exit (RC); the whole log is there.
hn_stop() {
	kill -TERM "$DPID"
	wait_exit 30
}

test_hint_script_without_exec() {
	hn_need_py
	local s py pycomm sh start hint sig
	s=$(hn_script app.sh 'cd /' "$(hn_py) &" 'wait')
	start_ns --drain-timeout 20s -- "$s"
	wait_file '^start ' "$T/py" 20
	wait_log ' hint: ' 20
	# Once, as a warning, naming the script, with the advice.
	assert_eq "$(hn_hints)" \
		"drainit: warning: hint: $s, a bash script, starts its app without exec: $HN_TAIL$HN_EXEC" \
		"the hint"
	# At start: after the start line, before any signal.
	start=$(hn_line ' info: start: drainit pid 1 ')
	hint=$(hn_line ' hint: ')
	(( start < hint )) || fail "hint (line $hint) before the start line ($start)"
	assert_no_log ' signal: '
	py=$(rec_field "$T/py" pid)
	pycomm=$(hn_comm "$py")
	sh=$(hn_comm 2)   # bash: env exec'd it

	hn_stop
	# What the hint said is what happened: the stop-time report shows the
	# shell without a handler beside python3 that has one ...
	sig=$(hn_line 'info: signal: SIGTERM ')
	(( hint < sig )) || fail "hint after the SIGTERM"
	hn_once "info: stop: pid 2 \($sh\) has no handler for SIGTERM: dies of it at once(, unless a thread waits for it in sigwait, which only ptrace access can tell)?\$"
	hn_once "info: stop: pid $py \($pycomm\) catches SIGTERM\$"
	# ... the shell died of SIGTERM and its 143 is drainit's exit status,
	assert_eq "$RC" 143 "exit status (the shell's, killed by SIGTERM)"
	hn_once "exit: app pid 2 \($sh\) killed by SIGTERM\$"
	hn_once 'summary: exit status 143: app killed by SIGTERM$'
	# ... while python3 caught it and exited 0 (bash may have reaped it
	# before dying: then drainit never saw it, and its line is not there).
	wait_file '^sig 15$' "$T/py"
	(( $(count_lines "exit: pid $py ") <= 1 )) || fail "python3's exit logged twice"
	if grep -qE "exit: pid $py " "$T/log"; then
		hn_once "exit: pid $py \($pycomm\) exited with status 0\$"
	fi
	assert_no_log "kill: SIGKILL"
	# Said once only, for the whole run.
	hn_once ' hint: '
}

test_hint_script_with_exec() {
	hn_need_py
	local s
	s=$(hn_script app.sh 'cd /' "exec $(hn_py)")
	start_ns --drain-timeout 20s -- "$s"
	wait_file '^start ' "$T/py" 20
	hn_stop
	# The log is complete: no hint anywhere in it.
	assert_no_log 'hint'
	assert_no_log 'exec APP'
	# python3 was the app: it caught SIGTERM, its 0 is drainit's.
	hn_once 'info: stop: pid 2 \([^)]*\) catches SIGTERM$'
	assert_eq "$RC" 0 "exit status (python3's)"
	hn_once 'exit: app pid 2 \([^)]*\) exited with status 0$'
	wait_file '^sig 15$' "$T/py"
}

test_hint_script_with_term_trap() {
	hn_need_py
	local s sh
	# The process group gets SIGTERM: the shell's trap exits 0, and the
	# app exits 0 on its own; drainit waits for both. (A trap that waits
	# for the app and exits with its status depends on when bash reaps it:
	# seen exiting 255 on a loaded machine.)
	s=$(hn_script app.sh "trap 'exit 0' TERM" \
		"$(hn_py) &" 'wait')
	start_ns --drain-timeout 20s -- "$s"
	wait_file '^start ' "$T/py" 20
	sh=$(hn_comm 2)
	hn_stop
	assert_no_log 'hint'
	hn_once "info: stop: pid 2 \($sh\) catches SIGTERM\$"
	wait_file '^sig 15$' "$T/py"
	assert_eq "$RC" 0 "exit status (the trap's exit 0)"
}

test_hint_single_child() {
	hn_need_py
	local s py sh
	s=$(hn_script app.sh "$(hn_py) &" 'wait')
	start_ns --single-child --drain-timeout 20s -- "$s"
	wait_file '^start ' "$T/py" 20
	wait_log ' hint: ' 20
	assert_eq "$(hn_hints)" \
		"drainit: warning: hint: $s, a bash script, starts its app without exec: $HN_TAIL$HN_SINGLE$HN_EXEC" \
		"the hint with --single-child"
	py=$(rec_field "$T/py" pid)
	sh=$(hn_comm 2)
	hn_stop
	# The shell alone got it first; python3 only once the shell had died.
	hn_once 'stop: sent SIGTERM to pid 2; '
	hn_once "stop: SIGTERM to pid $py \([^)]*\): the app has exited"
	local gone left
	gone=$(hn_line "exit: app pid 2 \($sh\) killed by SIGTERM\$")
	left=$(hn_line "stop: SIGTERM to pid $py ")
	(( gone < left )) || fail "python3 got SIGTERM before the shell died"
	assert_eq "$RC" 143 "exit status (the shell's)"
	wait_file '^sig 15$' "$T/py"
	hn_once ' hint: '
}

test_hint_sh_c_background() {
	# `sh -c` with a job in the background; JSON lines: level and event.
	start_ns --log-format json --drain-timeout 20s -- \
		sh -c "$H/sigdisp $T/a --name app --catch TERM & wait"
	wait_file '^start ' "$T/a" 20
	wait_log '"event":"hint"' 20
	local want
	want="{\"level\":\"warning\",\"event\":\"hint\",\"msg\":\"'sh -c ...' starts its app in the background: $HN_TAIL$HN_EXEC\",\"phase\":\"running\"}"
	assert_eq "$(grep '"event":"hint"' "$T/log" | sed 's/^{"time":"[^"]*",/{/')" "$want" "the hint"
	hn_stop
	assert_eq "$(count_lines '"event":"hint"')" 1 "hint lines"
	assert_eq "$RC" 143 "exit status (sh's)"
	wait_file '^sig SIGTERM' "$T/a"
}

test_hint_sh_c_foreground() {
	# Without a job in the background: the shell runs (or execs) the last
	# command itself, no hint.
	start_ns --drain-timeout 20s -- \
		bash -c "cd /; $H/sigdisp $T/a --name app --catch TERM"
	wait_file '^start ' "$T/a" 20
	hn_stop
	assert_no_log 'hint'
	wait_file '^sig SIGTERM' "$T/a"
}

test_hint_sh_file() {
	# `sh FILE`: the file needs neither #! nor the x bit.
	printf 'cd /\n%s --name app --catch TERM &\nwait\n' "$H/sigdisp $T/a" >"$T/plain.sh"
	start_ns --drain-timeout 20s -- sh "$T/plain.sh"
	wait_file '^start ' "$T/a" 20
	wait_log ' hint: ' 20
	assert_eq "$(hn_hints)" \
		"drainit: warning: hint: $T/plain.sh, a sh script, starts its app without exec: $HN_TAIL$HN_EXEC" \
		"the hint"
	hn_stop
	hn_once ' hint: '
	assert_eq "$RC" 143 "exit status (sh's)"
}

test_hint_plain_binary() {
	start_ns --drain-timeout 20s -- "$H/sigdisp" "$T/a" --name app --catch TERM
	wait_file '^start ' "$T/a" 20
	hn_stop
	assert_no_log 'hint'
	assert_eq "$RC" 0 "exit status (the app caught SIGTERM)"
	hn_once 'exit: app pid 2 \(app\) exited with status 0$'
}
