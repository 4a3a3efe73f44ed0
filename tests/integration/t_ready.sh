# The readiness file (stale file removed at start, written atomically once
# the app was exec'd, removed on SIGTERM and when the app exits, bad folders
# refused before the app starts) and `drainit probe`, also run from outside
# drainit's PID namespace.

RD_ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
RD_READY_RE="^ready start pid=[0-9]+ since=$RD_ISO pidns=[0-9]+\$"
# What the probe adds to "ready: ..." when it cannot check the pid.
RD_NOT_CHECKED="; not checked: this probe runs outside drainit's PID namespace"

# rd_since LINE: the since= of a readiness line, in ms.
rd_since() { date -d "$(echo "$1" | grep -o 'since=[^ ]*' | cut -d= -f2)" +%s%3N; }
# rd_pidns PID: the PID namespace of PID (its inode), as drainit writes it.
rd_pidns() { stat -L -c %i "/proc/$1/ns/pid"; }
# rd_dead_pid: a pid that ran here a moment ago and is gone.
rd_dead_pid() { sh -c 'exit 0' & local p=$!; wait "$p"; echo "$p"; }

# rd_watch DIR: records DIR's inotify events in $T/events until the test ends.
rd_watch() {
	"$H/dirwatch" "$1" "$T/events" 60 &
	RD_WATCH=$!
	trap 'rd_unwatch; cleanup' EXIT
	wait_file '^watching$' "$T/events"
}
rd_unwatch() { kill "$RD_WATCH" 2>/dev/null; wait "$RD_WATCH" 2>/dev/null; return 0; }

test_ready_stale_file_removed_at_start() {
	mkdir "$T/rd"
	echo "ready pid=1 since=2001-02-03T04:05:06.000Z" >"$T/rd/ready"
	rd_watch "$T/rd"
	start_ns --ready-file "$T/rd/ready" -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_file '^MOVED_TO ready$' "$T/events"
	assert_log "start: removed stale readiness file $T/rd/ready\$"
	# The stale file went before the new one came, and before drainit
	# started the app (the start line is logged once the app is spawned).
	local del moved
	del=$(grep -n -m1 '^DELETE ready$' "$T/events" | cut -d: -f1)
	moved=$(grep -n -m1 '^MOVED_TO ready$' "$T/events" | cut -d: -f1)
	[ -n "$del" ] && (( del < moved )) || fail "stale file not removed before the new one: $(cat "$T/events")"
	local stale_at start_at
	stale_at=$(grep -n -m1 'removed stale readiness file' "$T/log" | cut -d: -f1)
	start_at=$(grep -n -m1 ': start: drainit pid' "$T/log" | cut -d: -f1)
	(( stale_at < start_at )) || fail "stale file removed after the app was started"
	# The content is the new app's.
	local line since_ms
	line=$(cat "$T/rd/ready")
	[[ $line =~ $RD_READY_RE ]] || fail "readiness line '$line'"
	assert_eq "$(echo "$line" | grep -o 'pid=[0-9]*')" "pid=$(rec_field "$T/rec" pid)" "pid in the file"
	since_ms=$(rd_since "$line")
	assert_between "$since_ms" $(( $(now_ms) - 60000 )) $(( $(now_ms) + 1000 )) "since= of the new file"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
	rd_unwatch
}

test_ready_file_written_atomically_once_exec_d() {
	umask 077 # drainit must not depend on the caller's umask
	mkdir "$T/rd"
	rd_watch "$T/rd"
	start_ns --ready-file "$T/rd/ready" -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/rd/ready" || fail "no readiness file"
	wait_log "ready: app pid 2 started: wrote $T/rd/ready\$"

	# One line: "ready start pid=<pid in the namespace> since=<ISO UTC>".
	assert_eq "$(wc -l <"$T/rd/ready")" 1 "lines in the readiness file"
	local line since_ms app_ms
	line=$(cat "$T/rd/ready")
	[[ $line =~ $RD_READY_RE ]] || fail "readiness line '$line'"
	assert_eq "$(echo "$line" | grep -o 'pid=[0-9]*')" "pid=$(rec_field "$T/rec" pid)" "pid in the file"
	since_ms=$(rd_since "$line")
	app_ms=$(rec_field "$T/rec" ms)
	assert_between "$since_ms" $(( app_ms - 5000 )) $(( app_ms + 5000 )) "since= against the app's start"
	assert_eq "$(stat -c %a "$T/rd/ready")" 644 "mode of the readiness file"

	# No temp file left (beside the file, its state file for the probe),
	# and the file only ever arrived by rename.
	assert_eq "$(ls -A "$T/rd" | tr '\n' ' ')" "ready ready.state " "files in the readiness folder"
	! grep -qE '^(CREATE|MODIFY|CLOSE_WRITE|ATTRIB) ready$' "$T/events" ||
		fail "readiness file written in place, not renamed: $(cat "$T/events")"
	grep -B1 '^MOVED_TO ready$' "$T/events" | grep -qE '^MOVED_FROM \.ready\..*\.tmp$' ||
		fail "readiness file not renamed from a temp file beside it: $(cat "$T/events")"
	grep -qE '^CLOSE_WRITE \.ready\..*\.tmp$' "$T/events" || fail "temp file never written: $(cat "$T/events")"

	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
	[ -z "$(ls -A "$T/rd")" ] || fail "left in the readiness folder: $(ls -A "$T/rd")"
	rd_unwatch
}

test_ready_file_never_written_when_exec_fails() {
	mkdir "$T/rd"
	rd_watch "$T/rd"
	run_ns --ready-file "$T/rd/ready" -- drainit-no-such-command-x7
	assert_eq "$RC" 127 "exit status"
	[ ! -e "$T/rd/ready" ] || fail "readiness file left for an app that never ran"
	! grep -q ' ready$' "$T/events" || fail "readiness file written for an app that never ran: $(cat "$T/events")"
	assert_no_log ': ready: '
	rd_unwatch
}

test_ready_removed_at_once_on_sigterm_during_delay() {
	start_ns --ready-file "$T/ready" --pre-stop-delay 5s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	local app t0 t1
	app=$(app_host_pid)
	probe_ns --ready-file "$T/ready"
	probe_says 0 '^ready: app pid 2 since [0-9-]+T'

	t0=$(now_ms)
	kill -TERM "$DPID"
	wait_until 5 test ! -e "$T/ready" || fail "readiness file still there after SIGTERM"
	t1=$(now_ms)
	assert_ms_between $(( t1 - t0 )) 0 1500 "ms from SIGTERM to the file's removal"
	# Still serving during the pre-stop delay: alive, not yet told to stop.
	kill -0 "$app" || fail "the app is gone during the pre-stop delay"
	! grep -q '^sig ' "$T/rec" || fail "the app got a signal during the pre-stop delay"
	wait_log 'unready: readiness withdrawn .*SIGTERM received'
	probe_ns --ready-file "$T/ready"
	probe_says 1 '^not ready'
	(( $(now_ms) - t0 < 4500 )) || fail "too slow to tell (machine overloaded?)"
	kill -0 "$app" || fail "the app is gone during the pre-stop delay"

	# A second SIGTERM cuts the delay short; the file stays gone.
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
	[ ! -e "$T/ready" ] || fail "readiness file back after exit"
	probe_here --ready-file "$T/ready"
	probe_says 1 '^not ready'
}

test_ready_removed_when_app_exits_on_its_own() {
	# The app exits when it gets SIGUSR1 (sent straight to it, not through
	# drainit); a helper beside it drains 2.5 s after drainit's stop signal,
	# so drainit is still running when the app is gone.
	start_ns --ready-file "$T/ready" -- sh -c \
		"\"$H/sigrec\" \"$T/helper\" --drain 2500 & exec \"$H/sigrec\" \"$T/rec\" --exit-on USR1"
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/helper"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	probe_ns --ready-file "$T/ready"
	probe_says 0 '^ready'
	kill -USR1 "$(app_host_pid)"
	wait_file '^exit ' "$T/rec"
	wait_until 2 test ! -e "$T/ready" || fail "readiness file still there after the app exited"
	kill -0 "$DPID" || fail "drainit exited before its helper"
	! grep -q '^exit ' "$T/helper" || fail "helper already gone: cannot tell the app's exit from drainit's"
	probe_ns --ready-file "$T/ready"
	probe_says 1 '^not ready'
	wait_log 'unready: readiness withdrawn .*the app exited'
	wait_exit
	assert_eq "$RC" 0 "exit status"
	[ ! -e "$T/ready" ] || fail "readiness file back after exit"
}

test_ready_bad_readiness_paths_exit_73_before_the_app() {
	local app=(sh -c "touch $T/started")

	run_ns --ready-file "$T/missing/ready" -- "${app[@]}"
	assert_one_line 73 "$T/missing" "No such file or directory"

	touch "$T/plainfile"
	run_ns --ready-file "$T/plainfile/ready" -- "${app[@]}"
	assert_one_line 73 "$T/plainfile" "not a folder"

	mkdir "$T/isdir"
	run_ns --ready-file "$T/isdir" -- "${app[@]}"
	assert_one_line 73 "$T/isdir" "folder"
	[ -d "$T/isdir" ] || fail "the folder was removed"

	# A read-only folder (a read-only tmpfs in a mount namespace of its own).
	mkdir "$T/ro"
	timeout -s KILL 60 unshare --mount --propagation private sh -c '
		mount -t tmpfs -o ro tmpfs "$1" || exit 99
		exec unshare --pid --fork --mount-proc "$2" --ready-file "$1/ready" -- sh -c "touch $3/started"
	' sh "$T/ro" "$DRAINIT" "$T" >"$T/out" 2>"$T/log" </dev/null
	RC=$?
	[ "$RC" != 99 ] || fail "cannot mount a read-only tmpfs"
	assert_one_line 73 "$T/ro" "Read-only file system"
}

test_ready_env_variable_and_flag_beats_it() {
	DRAINIT_READY_FILE=$T/from-env start_ns -- "$H/sigrec" "$T/rec"
	wait_until 10 test -f "$T/from-env" || fail "DRAINIT_READY_FILE not written"
	[[ $(cat "$T/from-env") =~ $RD_READY_RE ]] || fail "content: $(cat "$T/from-env")"
	kill -TERM "$DPID"
	wait_exit
	[ ! -e "$T/from-env" ] || fail "DRAINIT_READY_FILE not removed"

	DRAINIT_READY_FILE=$T/from-env start_ns --ready-file "$T/from-flag" -- "$H/sigrec" "$T/rec2"
	wait_until 10 test -f "$T/from-flag" || fail "--ready-file not written"
	wait_file '^start ' "$T/rec2"
	[ ! -e "$T/from-env" ] || fail "DRAINIT_READY_FILE written although --ready-file was given"
	assert_no_log "$T/from-env"
	kill -TERM "$DPID"
	wait_exit
	[ ! -e "$T/from-flag" ] || fail "--ready-file not removed"
}

test_ready_probe_reads_env_needs_no_shell() {
	start_ns --ready-file "$T/ready" -- "$H/sigrec" "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	# No shell, no PATH, nothing in the environment but the variable.
	nsenter -t "$DPID" -p -m -- env -i DRAINIT_READY_FILE="$T/ready" "$DRAINIT" probe \
		>"$T/probe.out" 2>"$T/probe.err"
	PRC=$?
	probe_says 0 '^ready: app pid 2 since '
	# The flag beats the variable.
	nsenter -t "$DPID" -p -m -- env -i DRAINIT_READY_FILE="$T/ready" "$DRAINIT" probe \
		--ready-file "$T/elsewhere" >"$T/probe.out" 2>"$T/probe.err"
	PRC=$?
	probe_says 1 "^not ready.*$T/elsewhere"
	nsenter -t "$DPID" -p -m -- env -i DRAINIT_READY_FILE="$T/elsewhere" "$DRAINIT" probe \
		--ready-file="$T/ready" >"$T/probe.out" 2>"$T/probe.err"
	PRC=$?
	probe_says 0 '^ready'
	kill -TERM "$DPID"
	wait_exit
}

test_ready_probe_not_ready_cases() {
	# Run where no pid but the probe's own exists: a new PID namespace.
	rd_probe_fresh() { unshare --pid --fork --mount-proc env -i "$DRAINIT" probe --ready-file "$1" \
		>"$T/probe.out" 2>"$T/probe.err"; PRC=$?; }

	rd_probe_fresh "$T/none"
	probe_says 1 "^not ready.*$T/none"

	echo "garbage!" >"$T/garbage"
	rd_probe_fresh "$T/garbage"
	probe_says 1 '^not ready'

	: >"$T/empty"
	rd_probe_fresh "$T/empty"
	probe_says 1 '^not ready'

	echo "ready since=2026-01-01T00:00:00.000Z" >"$T/nopid"
	rd_probe_fresh "$T/nopid"
	probe_says 1 '^not ready'

	echo "draining pid=1 since=2026-01-01T00:00:00.000Z" >"$T/draining"
	rd_probe_fresh "$T/draining"
	probe_says 1 '^not ready'

	echo "ready pid=999999 since=2026-01-01T00:00:00.000Z" >"$T/stale"
	rd_probe_fresh "$T/stale"
	probe_says 1 '^not ready.*stale'

	mkdir "$T/folder"
	rd_probe_fresh "$T/folder"
	probe_says 1 '^not ready'

	# Control: a pid that lives in that namespace (the probe itself, pid 1).
	echo "ready pid=1 since=2026-01-01T00:00:00.000Z" >"$T/alive"
	rd_probe_fresh "$T/alive"
	probe_says 0 '^ready'
}

test_ready_probe_usage() {
	env -i "$DRAINIT" probe >"$T/out" 2>"$T/log"
	RC=$?
	assert_one_line 64 "probe" "DRAINIT_READY_FILE"
	env -i "$DRAINIT" probe --ready-file "$T/r" extra >"$T/out" 2>"$T/log"
	RC=$?
	assert_one_line 64 "extra"
	env -i "$DRAINIT" probe --drain-timeout 5s --ready-file "$T/r" >"$T/out" 2>"$T/log"
	RC=$?
	assert_one_line 64 "--drain-timeout"
	env -i "$DRAINIT" probe --help >"$T/out" 2>"$T/log"
	RC=$?
	assert_eq "$RC" 0 "probe --help"
	grep -q '^usage: drainit probe' "$T/out" || fail "probe --help: $(cat "$T/out")"
	[ ! -s "$T/log" ] || fail "probe --help wrote to stderr"
}

test_ready_probe_outside_drainit_pid_namespace_checks_no_pid() {
	# The app is pid 2 in drainit's namespace; from here pid 2 is some
	# other process (kthreadd on a host), or none. The probe must not take
	# it for the app, nor call the file stale.
	start_ns --ready-file "$T/ready" --pre-stop-delay 5s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	local ns; ns=$(rd_pidns "$DPID")
	[ "$ns" != "$(rd_pidns self)" ] || fail "drainit runs in the test's PID namespace"

	# Both files name drainit's namespace, last.
	wait_file "^ready start pid=2 since=$RD_ISO drainit=1 pidns=$ns\$" "$T/ready.state"
	grep -qE "^ready start pid=2 since=$RD_ISO pidns=$ns\$" "$T/ready" ||
		fail "readiness line: $(cat "$T/ready")"

	# Inside, as an exec probe runs: checked, the line as before.
	probe_ns --ready-file "$T/ready"
	probe_says 0 "^ready: app pid 2 since $RD_ISO \(start\)\$"
	# From here: ready, as the file says, and says the pid was not checked.
	probe_here --ready-file "$T/ready"
	probe_says 0 "^ready: app pid 2 since $RD_ISO \(start\)$RD_NOT_CHECKED\$"

	# Not ready: the state file's reason, the same from both sides.
	kill -TERM "$DPID"
	wait_until 5 test ! -e "$T/ready" || fail "readiness file still there after SIGTERM"
	wait_file "^draining start pid=2 since=$RD_ISO drainit=1 pidns=$ns\$" "$T/ready.state"
	probe_ns --ready-file "$T/ready"
	probe_says 1 "^not ready: draining since $RD_ISO\$"
	probe_here --ready-file "$T/ready"
	probe_says 1 "^not ready: draining since $RD_ISO\$"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
}

test_ready_probe_pidns_stale_here_not_checked_elsewhere() {
	# Files written by hand: with this namespace's pidns= a dead pid is
	# stale as before; with another's (a drainit's, PID 1 of its own) the
	# probe cannot see that pid and says neither stale nor alive.
	local here other dead iso=2026-01-01T00:00:00.000Z
	start_ns -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	here=$(rd_pidns self)
	other=$(rd_pidns "$DPID")
	[ "$here" != "$other" ] || fail "drainit runs in the test's PID namespace"
	dead=$(rd_dead_pid)

	echo "ready start pid=$dead since=$iso pidns=$here" >"$T/here"
	probe_here --ready-file "$T/here"
	probe_says 1 "^not ready: $T/here is stale: app pid $dead is not running\$"
	echo "ready start pid=$dead since=$iso" >"$T/older" # an older drainit's
	probe_here --ready-file "$T/older"
	probe_says 1 "^not ready: $T/older is stale: app pid $dead is not running\$"
	echo "ready start pid=$dead since=$iso pidns=$other" >"$T/other"
	probe_here --ready-file "$T/other"
	probe_says 0 "^ready: app pid $dead since $iso \(start\)$RD_NOT_CHECKED\$"

	# No readiness file: the state file, with drainit= gone.
	echo "starting tcp:8080 pid=$dead since=$iso drainit=$dead pidns=$here" >"$T/none.state"
	probe_here --ready-file "$T/none"
	probe_says 1 "^not ready: $T/none.state is stale: drainit pid $dead is not running\$"
	echo "starting tcp:8080 pid=$dead since=$iso drainit=$dead pidns=$other" >"$T/none.state"
	probe_here --ready-file "$T/none"
	probe_says 1 "^not ready: starting since $iso, waiting for tcp:8080\$"
	kill -TERM "$DPID"
	wait_exit
}

test_ready_probe_without_proc_no_pidns_checked_as_before() {
	# No /proc to tell the namespace by (an empty tmpfs in its place):
	# drainit writes no pidns=, and a probe that cannot tell its own checks
	# the pid as before. Passes with a drainit older than pidns= too: it
	# pins the fallback.
	needs_native "valgrind cannot run without /proc"
	! ldd "$DRAINIT" 2>/dev/null | grep -q libasan ||
		skip "drainit is built with AddressSanitizer, whose leak check cannot run without /proc"
	mkdir "$T/rd"
	timeout -s KILL 60 unshare --mount --propagation private --pid --fork sh -c '
		mount -t tmpfs tmpfs /proc || exit 99
		exec "$1" --ready-file "$2/ready" -- sleep 1
	' sh "$DRAINIT" "$T/rd" >"$T/out" 2>"$T/log" </dev/null &
	JOB=$!
	wait_until 10 test -f "$T/rd/ready" || fail "no readiness file: $(cat "$T/log")"
	grep -qE "^ready start pid=[0-9]+ since=$RD_ISO\$" "$T/rd/ready" ||
		fail "readiness line: $(cat "$T/rd/ready")"
	grep -qE "^ready start pid=[0-9]+ since=$RD_ISO drainit=1\$" "$T/rd/ready.state" ||
		fail "state line: $(cat "$T/rd/ready.state")"
	wait "$JOB"
	RC=$?
	JOB=
	[ "$RC" != 99 ] || fail "cannot mount a tmpfs on /proc"
	assert_eq "$RC" 0 "exit status"

	# A probe without /proc reads another namespace's file as before.
	local dead; dead=$(rd_dead_pid)
	echo "ready start pid=$dead since=2026-01-01T00:00:00.000Z pidns=1" >"$T/other"
	timeout -s KILL 60 unshare --mount --propagation private sh -c '
		mount -t tmpfs tmpfs /proc || exit 99
		exec env -i "$1" probe --ready-file "$2"
	' sh "$DRAINIT" "$T/other" >"$T/probe.out" 2>"$T/probe.err"
	PRC=$?
	probe_says 1 "^not ready: $T/other is stale: app pid $dead is not running\$"
}

test_ready_probe_only_drainit_states_make_a_readiness_line() {
	# A first word drainit never writes (starting, ready, unready,
	# draining) makes no readiness line, however the rest reads.
	local c
	for c in garbage 'garbage!' '' OK 'readyish pid=1' 'stopping pid=1 since=2026-01-01T00:00:00.000Z' \
		'Ready pid=1' 'ready pid=1x' 'ready pid=1 pidns=pid:[4026531836]'; do
		printf '%s\n' "$c" >"$T/file"
		probe_here --ready-file "$T/file"
		probe_says 1 "^not ready: $T/file does not hold a readiness line\$"
	done
	# Those it writes are quoted, except ready with a pid.
	for c in starting ready unready draining; do
		echo "$c" >"$T/file"
		probe_here --ready-file "$T/file"
		probe_says 1 "^not ready: $T/file says '$c'\$"
	done
	# In the state file too.
	echo "pausing tcp:8080 pid=1 since=2026-01-01T00:00:00.000Z" >"$T/none.state"
	probe_here --ready-file "$T/none"
	probe_says 1 "^not ready: $T/none.state does not hold a readiness line\$"
}
