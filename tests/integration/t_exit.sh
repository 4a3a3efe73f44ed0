# drainit's exit status is the app's; 128+N when the app died of signal N;
# 127 not found, 126 not executable; -e maps codes to 0; usage errors are
# 64.

test_exit_app_code_passes_through() {
	local c
	for c in 0 3 255; do
		run_ns -- sh -c "exit $c"
		assert_eq "$RC" "$c" "exit status of an app exiting with $c"
		assert_log "exit: app pid 2 \(sh\) exited with status $c\$"
		assert_log "summary: exit status $c: app exited with status $c\$"
	done
	# Not PID 1 either.
	run_plain -- sh -c "exit 3"
	assert_eq "$RC" 3 "exit status when not PID 1"
}

test_exit_app_killed_by_sigkill_from_outside_is_137() {
	start_ns -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	kill -KILL "$(app_host_pid)"
	wait_exit
	assert_eq "$RC" 137 "exit status of an app killed by SIGKILL"
	assert_log 'exit: app pid 2 \(sigrec\) killed by SIGKILL'
	assert_log 'summary: exit status 137: app killed by SIGKILL'
}

test_exit_app_killed_by_sigsegv_is_139() {
	ulimit -c 0
	cd "$T" || fail "cd"
	# sleep keeps SIGSEGV's default action (sigrec would catch it).
	start_ns -- sleep 60
	local app
	app=$(app_host_pid)
	wait_until 10 grep -q '^sleep$' "/proc/$app/comm" || fail "the app never became sleep"
	kill -SEGV "$app"
	wait_exit
	assert_eq "$RC" 139 "exit status of an app killed by SIGSEGV"
	assert_log 'exit: app pid 2 \(sleep\) killed by SIGSEGV'
	assert_log 'summary: exit status 139'
}

test_exit_command_not_found_is_127() {
	run_ns -- drainit-no-such-command-x7 arg
	assert_eq "$RC" 127 "exit status for a command not in PATH"
	assert_eq "$(count_lines ' error: ')" 1 "error lines"
	assert_log " error: .*'drainit-no-such-command-x7'"

	run_ns -- "$T/nowhere/app"
	assert_eq "$RC" 127 "exit status for a missing path"
	assert_eq "$(count_lines ' error: ')" 1 "error lines"
	assert_log " error: .*'$T/nowhere/app'"
}

# A file the kernel cannot execute (a script without a #! line, or not a
# program at all) is not run with /bin/sh, as glibc's execvp would and a
# container engine's exec does not: 126 in both builds. A path through a
# file that is not a folder (ENOTDIR) is 126 too, as a shell says.
test_exit_enoexec_and_enotdir_are_126() {
	printf 'touch "%s/started"\nexit 5\n' "$T" >"$T/noshebang"
	chmod 755 "$T/noshebang"
	run_ns -- "$T/noshebang"
	assert_one_line 126 "cannot run '$T/noshebang': Exec format error: not a program, nor a script with a #! line"
	printf '\001\002\003 not a program' >"$T/garbage"
	chmod 755 "$T/garbage"
	run_ns -- "$T/garbage"
	assert_one_line 126 "cannot run '$T/garbage': Exec format error"
	# the same through PATH
	PATH=$T:$PATH run_ns -- noshebang
	assert_one_line 126 "cannot run 'noshebang': Exec format error"
	run_ns -- "$T/noshebang/app"
	assert_one_line 126 "cannot run '$T/noshebang/app': Not a directory"
}

test_exit_not_executable_is_126() {
	printf '#!/bin/sh\ntouch "%s/started"\n' "$T" >"$T/script"
	chmod 644 "$T/script"
	run_ns -- "$T/script"
	assert_eq "$RC" 126 "exit status for a file without the x bit"
	assert_eq "$(count_lines ' error: ')" 1 "error lines"
	assert_log " error: .*'$T/script'"
	[ ! -e "$T/started" ] || fail "the script ran"

	mkdir "$T/folder"
	run_ns -- "$T/folder"
	assert_eq "$RC" 126 "exit status for a folder"
	assert_eq "$(count_lines ' error: ')" 1 "error lines"
	assert_log " error: .*'$T/folder'"
}

test_exit_expect_exit_maps_term_death_to_0() {
	# Without -e: an app that dies of the stop signal reports 143.
	start_ns -- sleep 60
	wait_until 10 grep -q '^sleep$' "/proc/$(app_host_pid)/comm" || fail "no sleep"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 143 "exit status of an app killed by SIGTERM"

	start_ns -e 143 -- sleep 60
	wait_until 10 grep -q '^sleep$' "/proc/$(app_host_pid)/comm" || fail "no sleep"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status with -e 143"
	assert_log 'summary: exit status 0: app killed by SIGTERM \(expected, reported as 0\)'
}

test_exit_expect_exit_several_codes() {
	run_ns -e 3 -e 5 -- sh -c 'exit 5'
	assert_eq "$RC" 0 "-e 3 -e 5, app exits 5"
	run_ns -e 3 -e 5 -- sh -c 'exit 3'
	assert_eq "$RC" 0 "-e 3 -e 5, app exits 3"
	run_ns -e 3 -e 5 -- sh -c 'exit 4'
	assert_eq "$RC" 4 "-e 3 -e 5, app exits 4"
	run_ns -e 3,5 -- sh -c 'exit 5'
	assert_eq "$RC" 0 "-e 3,5, app exits 5"
	run_ns --expect-exit=7 -- sh -c 'exit 7'
	assert_eq "$RC" 0 "--expect-exit=7, app exits 7"
	run_ns -e 3,5 -- sh -c 'exit 0'
	assert_eq "$RC" 0 "-e 3,5, app exits 0"
}

test_exit_usage_errors_are_64() {
	run_ns --no-such-option -- sh -c "touch $T/started"
	assert_one_line 64 "--no-such-option"
	run_ns -e 300 -- sh -c "touch $T/started"
	assert_one_line 64 "300"
	run_ns
	assert_one_line 64 "no command"
	# The codes are documented where a user looks first.
	"$DRAINIT" --help >"$T/help" || fail "--help failed"
	grep -q '64 usage error' "$T/help" || fail "--help does not document exit status 64"
	grep -q '126 not executable' "$T/help" || fail "--help does not document 126"
	grep -q '127 not found' "$T/help" || fail "--help does not document 127"
}

test_exit_command_that_cannot_start_is_one_line() {
	# Nothing but the reason: no start, timeline or summary lines for an
	# app that never ran, and no line naming drainit as the app.
	run_ns --ready-file "$T/ready" -- drainit-no-such-command-x7
	assert_one_line 127 "error: start: cannot run 'drainit-no-such-command-x7': No such file or directory"
	[ ! -e "$T/ready" ] && [ ! -e "$T/ready.state" ] || fail "readiness files left"

	# 126: the line is the reason, too.
	printf '#!/bin/sh\ntouch "%s/started"\n' "$T" >"$T/noexec"
	chmod 644 "$T/noexec"
	run_ns -- "$T/noexec"
	assert_one_line 126 "cannot run '$T/noexec': Permission denied"
}

test_exit_missing_interpreter_or_loader_is_named() {
	# valgrind runs what its child execs itself, and says in its own way
	# that an interpreter is missing
	needs_native "valgrind execs the app itself"
	# A script whose #! interpreter is missing: ENOENT names the interpreter.
	printf '#!/no/such/dir/bash -e\ntouch "%s/started"\n' "$T" >"$T/script"
	chmod 755 "$T/script"
	run_ns -- "$T/script" arg
	assert_one_line 127 "cannot run '$T/script': the interpreter /no/such/dir/bash named in its #! line does not exist"
	# and through env
	printf '#!/usr/bin/env -S no-such-interpreter-x7 -x\ntouch "%s/started"\n' "$T" >"$T/envscript"
	chmod 755 "$T/envscript"
	run_ns -- "$T/envscript"
	assert_eq "$RC" 127 "exit status (env's: not found)"

	# A binary whose dynamic loader is missing (built for another libc).
	python3 - "$(type -P true)" "$T/elf" <<'PY' || fail "cannot make the binary"
import re, sys
data = open(sys.argv[1], "rb").read()
m = re.search(rb"/lib[^\0]*/ld-[^\0]*", data)
if not m:
    sys.exit(1)
bad = b"/nonexistent/" + b"x" * (len(m.group()) - len(b"/nonexistent/"))
open(sys.argv[2], "wb").write(data[:m.start()] + bad + data[m.end():])
PY
	chmod 755 "$T/elf"
	run_ns -- "$T/elf"
	assert_one_line 127 "cannot run '$T/elf': it is there, but the dynamic loader it names is not"
}

test_exit_script_that_runs_drainit_from_its_shebang_is_refused() {
	# #!/path/to/drainit (or through env) runs the script under drainit,
	# which runs the script, whose #! line runs drainit... Refused at once.
	needs_native "drainit's own executable is valgrind's there"
	mkdir -p "$T/bin"
	cp "$DRAINIT" "$T/bin/drainit"
	local DRAINIT=$T/bin/drainit # the one the #! lines name
	printf '#!%s\ntouch "%s/started"\n' "$T/bin/drainit" "$T" >"$T/direct"
	printf '#!/usr/bin/env drainit\ntouch "%s/started"\n' "$T" >"$T/env"
	printf '#!/usr/bin/env -S drainit -v --pre-stop-delay 1s\ntouch "%s/started"\n' "$T" >"$T/envs"
	chmod 755 "$T/direct" "$T/env" "$T/envs"
	local s
	for s in direct env envs; do
		PATH=$T/bin:$PATH run_ns -- "$T/$s"
		assert_one_line 64 "drainit: error: $T/$s runs drainit from its #! line, which would run it again without end; write '#!/usr/bin/env -S drainit -- bash'"
		# the refusal comes before anything: no timestamp, as every usage error
		grep -q '^drainit: error: ' "$T/log" || fail "not a usage error line: $(cat "$T/log")"
	done
	# Run as the kernel runs it: the first drainit refuses, nothing loops.
	PATH=$T/bin:$PATH timeout -s KILL 20 unshare --pid --fork --mount-proc "$T/env" >"$T/out" 2>"$T/log"
	RC=$?
	assert_one_line 64 "runs drainit from its #! line"

	# The working form: env -S with a command of drainit's own.
	printf '#!/usr/bin/env -S drainit -- bash\ntouch "%s/started"\n' "$T" >"$T/good"
	chmod 755 "$T/good"
	PATH=$T/bin:$PATH timeout -s KILL 20 unshare --pid --fork --mount-proc "$T/good" >"$T/out" 2>"$T/log"
	RC=$?
	assert_eq "$RC" 0 "exit status of the working form"
	[ -e "$T/started" ] || fail "the working form did not run the script"
	assert_log "start: drainit pid 1 .*: bash $T/good\$"
}

test_exit_usage_errors_found_at_start_are_usage_errors() {
	# Known only once drainit looks (a name in /etc/passwd, a command in
	# PATH), still a usage error line: no timestamp, exit 64.
	run_ns --user drainit-no-such-user-x7 -- sh -c "touch $T/started"
	assert_one_line 64 "drainit: error: --user: unknown user 'drainit-no-such-user-x7'" "(see drainit --help)"
	grep -q '^drainit: error: ' "$T/log" || fail "timestamped: $(cat "$T/log")"
	run_ns --ready-file "$T/ready" --ready-when 'exec:drainit-no-such-check-x7' -- sh -c "touch $T/started"
	assert_one_line 64 "drainit: error: --ready-when exec: 'drainit-no-such-check-x7'"
	grep -q '^drainit: error: ' "$T/log" || fail "timestamped: $(cat "$T/log")"
}
