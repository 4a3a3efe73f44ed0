# --ready-when: the readiness file waits for the app to be really ready
# (tcp, http, exec, file, notify), withdrawn after failed rechecks and
# restored, the state file and the probe saying why, checking stops on
# SIGTERM, an exec check is never taken for the app, bad conditions refused
# before the app starts, no wake-ups once ready.

WH_ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
# The state file may also name drainit's own pid (1 in its namespace).
WH_SELF='( drainit=1)?'
# Both files end with the PID namespace their pids live in.
WH_NS=' pidns=[0-9]+'

# wh_re TEXT: TEXT as a grep -E pattern that matches it literally.
wh_re() { printf '%s' "$1" | sed 's/[][\.*^$?+(){}|]/\\&/g'; }

# wh_port [4|6]: a free loopback port, in WH_PORT.
wh_port() { WH_PORT=$("$H/freeport" "${1:-4}") && [ -n "$WH_PORT" ] || fail "freeport ${1:-4} failed"; }

# wh_iso_ms ISO: the time as realtime milliseconds.
wh_iso_ms() { date -d "$1" +%s%3N; }

# wh_log_ms PATTERN: the time of the first log line matching PATTERN, in ms.
wh_log_ms() {
	local line
	line=$(grep -m1 -E -- "$1" "$T/log") || fail "log lacks: $1"
	wh_iso_ms "${line%% *}"
}

# wh_log_line PATTERN: the number of the first log line matching PATTERN.
wh_log_line() {
	local n
	n=$(grep -n -m1 -E -- "$1" "$T/log" | cut -d: -f1)
	[ -n "$n" ] || fail "log lacks: $1"
	echo "$n"
}

# wh_since FILE: the since= of FILE's line, in ms.
wh_since() { wh_iso_ms "$(grep -o 'since=[^ ]*' "$1" | cut -d= -f2)"; }

# wh_says FILE PATTERN: FILE holds exactly one line, matching PATTERN.
wh_says() {
	[ -f "$1" ] || fail "$1 missing"
	[ "$(wc -l <"$1")" = 1 ] || fail "$1 should hold one line: $(cat "$1")"
	grep -qE -- "$2" "$1" || fail "$1 says '$(cat "$1")', expected $2"
}

# wh_not_yet REC: the app has not recorded "ready" yet; otherwise what the
# test just saw proves nothing.
wh_not_yet() {
	! grep -q '^ready ' "$1" || fail "too slow to tell: the app was ready before we looked (machine overloaded?)"
}

# wh_watch DIR: records DIR's inotify events in $T/events until the test ends.
wh_watch() {
	"$H/dirwatch" "$1" "$T/events" 60 &
	WH_WATCH=$!
	trap 'wh_unwatch; cleanup' EXIT
	wait_file '^watching$' "$T/events"
}
wh_unwatch() { [ -n "${WH_WATCH:-}" ] && kill "$WH_WATCH" 2>/dev/null; wait "${WH_WATCH:-}" 2>/dev/null; return 0; }

# wh_ready_events: what happened to the readiness file "ready", in order,
# one word each (temp files and the state file left out).
wh_ready_events() { awk '$2 == "ready" { printf "%s ", $1 }' "$T/events"; }

# wh_other_children APP: drainit's children other than the app (host pids).
wh_other_children() { children "$DPID" | grep -vx "$1"; }

# wh_lines_after N PATTERN: how many log lines after line N match PATTERN.
wh_lines_after() { awk -v from="$1" -v re="$2" 'NR > from && $0 ~ re { n++ } END { print n + 0 }' "$T/log"; }

# wh_gone_in_ns PID: no process PID in drainit's namespace (which is there).
wh_gone_in_ns() { ns_exec test -e /proc/1/stat && ! ns_exec test -e "/proc/$1"; }

# wh_ctxt PID: voluntary + nonvoluntary context switches of PID so far.
wh_ctxt() { awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n }' "/proc/$1/status"; }

# wh_stop_ok [CODE]: SIGTERM to drainit; it exits with CODE (default 0)
# and leaves neither the readiness file nor its state file.
wh_stop_ok() {
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" "${1:-0}" "exit status"
	[ ! -e "$T/ready" ] || fail "readiness file left after exit"
	[ ! -e "$T/ready.state" ] || fail "state file left after exit"
}

test_when_tcp_ready_once_the_app_listens() {
	wh_port
	local port=$WH_PORT
	start_ns -v --ready-file "$T/ready" --ready-when "tcp:$port" --ready-interval 100ms \
		-- "$H/readyapp" "$T/rec" tcp "$port" 1000
	wait_file '^start ' "$T/rec"
	wait_log "info: ready: waiting for tcp:$port: checking every 100ms, 1s each\$"
	wait_log "check: tcp:$port: not yet: connect: Connection refused; checking every 100ms\$"
	# Running, refusing connections: not ready, and the probe says why.
	[ ! -e "$T/ready" ] || fail "readiness file before the app listens"
	wh_says "$T/ready.state" "^starting tcp:$port pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$T/ready"
	probe_says 1 "^not ready: starting since $WH_ISO, waiting for tcp:$port\$"
	[ ! -e "$T/ready" ] || fail "readiness file before the app listens"
	wh_not_yet "$T/rec"

	wait_until 10 test -f "$T/ready" || fail "no readiness file after the app listened"
	wait_file '^ready ' "$T/rec"
	local pid
	pid=$(rec_field "$T/rec" pid)
	assert_eq "$pid" 2 "the app's pid in its namespace"
	wh_says "$T/ready" "^ready tcp:$port pid=$pid since=$WH_ISO$WH_NS\$"
	wait_log "info: ready: app pid 2 ready \(tcp:$port, [0-9.]+m?s after start\): wrote $T/ready\$"
	# Ready only after the app listened (its clock was read before listen()).
	local listened logged since
	listened=$(rec_ms "$T/rec" '^ready ')
	logged=$(wh_log_ms ': ready: app pid 2 ready ')
	since=$(wh_since "$T/ready")
	(( logged >= listened )) || fail "ready logged at $logged, before the app listened at $listened"
	(( since >= listened )) || fail "since= $since is before the app listened at $listened"
	# The refusals: the first at info, the repeats only at debug.
	assert_eq "$(count_lines "info: check: tcp:$port: not yet: connect: Connection refused")" 1 \
		"refusals logged at info"
	(( $(count_lines "debug: check: tcp:$port: not yet: connect: Connection refused") >= 1 )) ||
		fail "repeated refusals not logged at debug"
	wh_says "$T/ready.state" "^ready tcp:$port pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$T/ready"
	probe_says 0 "^ready: app pid 2 since $WH_ISO \(tcp:$port\)\$"
	wh_stop_ok
}

test_when_http_ready_after_the_first_2xx() {
	wh_port
	local port=$WH_PORT
	start_ns --ready-file "$T/ready" --ready-when "http:127.0.0.1:$port/healthz/ready" \
		--ready-interval 150ms -- "$H/readyapp" "$T/rec" http "$port" 0 --fail 2
	wait_file '^start ' "$T/rec"
	wait_file '^req n=1 ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	wait_file '^ready ' "$T/rec"
	# Two 503s, then the 200 that made it ready, each for the path given.
	assert_eq "$(grep '^req ' "$T/rec" | head -n 3 | cut -d' ' -f2-4 | tr '\n' ' ')" \
		"n=1 path=/healthz/ready status=503 n=2 path=/healthz/ready status=503 n=3 path=/healthz/ready status=200 " \
		"requests the app answered"
	local ok logged
	ok=$(rec_ms "$T/rec" '^req n=3 ')
	wait_log "ready: app pid 2 ready \(http:127.0.0.1:$port/healthz/ready, .* after start\): wrote $T/ready\$"
	logged=$(wh_log_ms ': ready: app pid 2 ready ')
	(( logged >= ok )) || fail "ready logged at $logged, before the 200 at $ok"
	wh_says "$T/ready" "^ready http:127.0.0.1:$port/healthz/ready pid=2 since=$WH_ISO$WH_NS\$"
	assert_eq "$(count_lines "info: check: http:127.0.0.1:$port/healthz/ready: not yet: answered 503; checking every 150ms\$")" \
		1 "503s logged at info"
	wh_stop_ok
	# No check after ready (no --ready-recheck).
	assert_eq "$(grep -c '^req ' "$T/rec")" 3 "requests in all"
}

test_when_http_check_that_hangs_times_out() {
	wh_port
	local port=$WH_PORT
	start_ns --ready-file "$T/ready" --ready-when "http:$port/" --ready-interval 100ms \
		--ready-timeout 300ms -- "$H/readyapp" "$T/rec" http "$port" 0 --hang-first 1
	wait_file '^req n=1 path=/ status=hang ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file after the hung request"
	wait_file '^req n=2 path=/ status=200 ' "$T/rec"
	wait_log "info: check: http:$port/: not yet: no answer within 300ms; checking every 100ms\$"
	wait_log "ready: app pid 2 ready \(http:$port/, .*\): wrote $T/ready\$"
	local hung gave_up logged ok
	hung=$(rec_ms "$T/rec" '^req n=1 ')
	ok=$(rec_ms "$T/rec" '^req n=2 ')
	gave_up=$(wh_log_ms 'not yet: no answer within 300ms')
	logged=$(wh_log_ms ': ready: app pid 2 ready ')
	# Gave up no earlier than the timeout allows, then asked again.
	assert_ms_between $(( gave_up - hung )) 200 10000 "ms from the hung request to giving up"
	(( logged >= ok )) || fail "ready logged at $logged, before the 200 at $ok"
	wh_says "$T/ready" "^ready http:$port/ pid=2 since=$WH_ISO$WH_NS\$"
	wh_stop_ok
}

test_when_http_404_never_ready() {
	mkdir "$T/rd"
	wh_watch "$T/rd"
	wh_port
	local port=$WH_PORT
	start_ns --ready-file "$T/rd/ready" --ready-when "http:$port/ready" --ready-interval 100ms \
		-- "$H/readyapp" "$T/rec" http "$port" 0 --status 404
	wait_until 15 eval '[ "$(grep -c "^req .*status=404" "$T/rec")" -ge 5 ]' ||
		fail "the app was not asked 5 times: $(cat "$T/rec")"
	[ ! -e "$T/rd/ready" ] || fail "ready on a 404"
	assert_eq "$(count_lines "info: check: http:$port/ready: not yet: answered 404; checking every 100ms\$")" 1 \
		"404s logged at info"
	wh_says "$T/rd/ready.state" "^starting http:$port/ready pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$T/rd/ready"
	probe_says 1 "^not ready: starting since $WH_ISO, waiting for http:$port/ready\$"
	kill -0 "$DPID" || fail "drainit gave up"
	kill -TERM "$DPID"
	wait_exit 10
	assert_eq "$RC" 0 "exit status"
	wait_file '^sig SIGTERM ' "$T/rec"
	assert_no_log ': ready: app pid'
	assert_eq "$(wh_ready_events)" "" "events of the readiness file"
	[ -z "$(ls -A "$T/rd")" ] || fail "left in the readiness folder: $(ls -A "$T/rd")"
	wh_unwatch
}

test_when_notify_ready_stopping_ready_again() {
	mkdir "$T/rd"
	wh_watch "$T/rd"
	local R=$T/rd/ready
	# Each step leaves time for a probe to look first (TIME_SCALE: a probe
	# under valgrind takes most of a second to start).
	local ms=$(( 800 * TIME_SCALE )) gap=$(( 2000 * TIME_SCALE ))
	start_ns -v --ready-file "$R" --ready-when notify -- "$H/readyapp" "$T/rec" notify "$ms" \
		--status "warm: 3 caches" --extra "X_CUSTOM=1" --stop-after "$gap" --ready-again-after "$gap"
	wait_file '^start ' "$T/rec"
	wait_file '^notify_socket=' "$T/rec"
	local sock
	sock=$(grep -m1 '^notify_socket=' "$T/rec" | cut -d= -f2-)
	[[ $sock =~ ^/(run|tmp|dev/shm)/drainit\.[^/]+/notify$ ]] ||
		fail "NOTIFY_SOCKET for the app: '$sock', expected a socket in a private folder"
	[ -S "$sock" ] || fail "$sock is not a socket"
	assert_eq "$(stat -c %a "${sock%/notify}")" 700 "mode of the notify socket's folder"
	wait_log "debug: check: notify socket NOTIFY_SOCKET=$(wh_re "$sock")\$"
	wait_log "info: ready: waiting for READY=1 from the app on NOTIFY_SOCKET\$"
	[ ! -e "$R" ] || fail "readiness file before READY=1"
	wh_says "$R.state" "^starting notify pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$R"
	probe_says 1 "^not ready: starting since $WH_ISO, waiting for notify\$"
	! grep -q '^sent ' "$T/rec" || fail "too slow to tell: READY=1 sent before we looked (machine overloaded?)"

	# READY=1 (with STATUS= and an unknown key in the same datagram)
	wait_until 10 test -f "$R" || fail "no readiness file after READY=1"
	wait_file '^ready ' "$T/rec"
	wh_says "$R" "^ready notify pid=2 since=$WH_ISO$WH_NS\$"
	wait_log "info: ready: app pid 2 ready \(READY=1, .* after start\): wrote $R\$"
	(( $(wh_log_ms ': ready: app pid 2 ready ') >= $(rec_ms "$T/rec" '^ready ') )) ||
		fail "ready logged before the app sent READY=1"
	assert_log "info: notify: pid 2: STATUS=warm: 3 caches\$"
	assert_log "debug: notify: pid 2: 1 key ignored, 0 lines not KEY=VALUE\$"
	probe_ns --ready-file "$R"
	probe_says 0 "^ready: app pid 2 since $WH_ISO \(notify\)\$"

	# STOPPING=1 withdraws it
	wait_file '^sent STOPPING=1 ' "$T/rec"
	wait_until 5 test ! -e "$R" || fail "readiness file still there after STOPPING=1"
	wh_says "$R.state" "^unready notify pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$R"
	probe_says 1 "^not ready: unready since $WH_ISO: (notify failing|the app sent STOPPING=1)\$"
	[ "$(grep -c '^sent READY=1' "$T/rec")" = 1 ] ||
		fail "too slow to tell: READY=1 again before we looked (machine overloaded?)"
	wait_log "warning: unready: readiness withdrawn \($R removed\): the app sent STOPPING=1\$"

	# READY=1 again restores it
	wait_until 10 test -f "$R" || fail "no readiness file after READY=1 again"
	wh_says "$R" "^ready notify pid=2 since=$WH_ISO$WH_NS\$"
	wait_log "info: ready: app pid 2 ready again \(READY=1, .* after start\): wrote $R\$"
	wh_says "$R.state" "^ready notify pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$R"
	probe_says 0 "^ready: app pid 2 since $WH_ISO \(notify\)\$"
	assert_eq "$(count_lines 'info: notify: pid 2: STATUS=warm: 3 caches$')" 2 "STATUS= lines (one per READY=1)"

	kill -TERM "$DPID"
	wait_exit 10
	assert_eq "$RC" 0 "exit status"
	[ -z "$(ls -A "$T/rd")" ] || fail "left in the readiness folder: $(ls -A "$T/rd")"
	[ ! -e "${sock%/notify}" ] || fail "the notify socket's folder was left: ${sock%/notify}"
	# What the readiness file went through, in order.
	assert_eq "$(wh_ready_events)" "MOVED_TO DELETE MOVED_TO DELETE " "events of the readiness file"
	wh_unwatch
}

test_when_notify_from_outside_the_namespace_ignored() {
	start_ns -v --ready-file "$T/ready" --ready-when notify -- "$H/readyapp" "$T/rec" notify 2500
	wait_file '^start ' "$T/rec"
	wait_log 'debug: check: notify socket NOTIFY_SOCKET='
	local sock pid
	sock=$(grep -m1 -o 'NOTIFY_SOCKET=.*' "$T/log" | cut -d= -f2-)
	# A process of another PID namespace (this one) sends READY=1 to it.
	NOTIFY_SOCKET=$sock "$H/readyapp" "$T/spoof" notify 0 --exit-after 0
	grep -q '^sent READY=1' "$T/spoof" || fail "could not send to $sock: $(cat "$T/spoof")"
	wait_log 'warning: notify: message from pid 0 uid 0 ignored: sent from another PID namespace$'
	# A process entered from outside (docker exec), alive while it is checked.
	ns_exec env NOTIFY_SOCKET="$sock" "$H/readyapp" "$T/entered" notify 0 --exit-after 5000 &
	local entered=$!
	wait_file '^sent READY=1' "$T/entered"
	pid=$(rec_field "$T/entered" pid)
	# Refusals logged once a second at most: the second line may wait for
	# the next message after that second.
	sleep 1.1
	NOTIFY_SOCKET=$sock "$H/readyapp" "$T/spoof2" notify 0 --exit-after 0
	wait_log "warning: notify: (message from pid $pid uid 0 ignored: not a process started under drainit|1 more message ignored \(the last from pid $pid uid 0: not a process started under drainit\))"
	kill $(children "$entered") 2>/dev/null # the sender, under nsenter
	wait "$entered" 2>/dev/null
	[ ! -e "$T/ready" ] || fail "READY=1 from outside made the app ready"
	assert_no_log ': ready: app pid'
	wh_says "$T/ready.state" "^starting notify pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	! grep -q '^sent ' "$T/rec" || fail "too slow to tell: the app sent READY=1 before we looked (machine overloaded?)"
	# The app's own READY=1 counts.
	wait_until 10 test -f "$T/ready" || fail "no readiness file after the app's READY=1"
	wait_log ': ready: app pid 2 ready \(READY=1, '
	wh_stop_ok
}

test_when_notify_as_subreaper() {
	start_plain --ready-file "$T/ready" --ready-when notify -- "$H/readyapp" "$T/rec" notify 200 --status up
	wait_file '^start ' "$T/rec"
	local pid
	pid=$(rec_field "$T/rec" pid)
	wait_until 10 test -f "$T/ready" || fail "no readiness file after READY=1"
	wh_says "$T/ready" "^ready notify pid=$pid since=$WH_ISO$WH_NS\$"
	wait_log "info: notify: pid $pid: STATUS=up\$"
	wait_log "ready: app pid $pid ready \(READY=1, "
	probe_here --ready-file "$T/ready"
	probe_says 0 "^ready: app pid $pid since $WH_ISO \(notify\)\$"
	wh_stop_ok
}

test_when_exec_ready_when_the_command_succeeds() {
	# A quoted argument with a blank in it stays one argument.
	start_ns --ready-file "$T/ready" --ready-when "exec:test -e '$T/the flag'" --ready-interval 100ms \
		-- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_log "info: ready: waiting for exec:test: checking every 100ms, 1s each\$"
	wait_log "info: check: exec:test: not yet: exited with status 1; checking every 100ms\$"
	[ ! -e "$T/ready" ] || fail "readiness file while the command fails"
	probe_ns --ready-file "$T/ready"
	probe_says 1 "^not ready: starting since $WH_ISO, waiting for exec:test\$"
	local t0
	t0=$(now_ms)
	touch "$T/the flag"
	wait_until 10 test -f "$T/ready" || fail "no readiness file once the command succeeds"
	wh_says "$T/ready" "^ready exec:test pid=2 since=$WH_ISO$WH_NS\$"
	wait_log "info: ready: app pid 2 ready \(exec:test, .* after start\): wrote $T/ready\$"
	(( $(wh_log_ms ': ready: app pid 2 ready ') >= t0 )) || fail "ready before the flag existed"
	assert_eq "$(count_lines 'check: exec:test: not yet')" 1 "failures logged at info"
	wh_stop_ok
}

test_when_first_check_runs_at_once() {
	# With 30 s between checks, only a check at exec can make it ready in time.
	start_ns --ready-file "$T/ready" --ready-when "exec:true" --ready-interval 30s -- "$H/sigrec" "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "the first check did not run at once"
	wh_says "$T/ready" "^ready exec:true pid=2 since=$WH_ISO$WH_NS\$"
	assert_log 'ready: waiting for exec:true: checking every 30s, 1s each$'
	wh_stop_ok
}

test_when_exec_check_that_hangs_is_killed_each_time() {
	start_ns -v --ready-file "$T/ready" --ready-when "exec:$H/sigrec $T/chk" --ready-interval 100ms \
		--ready-timeout 300ms -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 15 eval '[ "$(grep -c "^start " "$T/chk")" -ge 3 ]' ||
		fail "fewer than 3 checks ran: $(cat "$T/chk")"
	wait_log "info: check: exec:sigrec: not yet: no answer within 300ms \(killed\); checking every 100ms\$"
	wait_until 10 eval '[ "$(count_lines "debug: check: exec:sigrec: not yet: no answer within 300ms")" -ge 1 ]' ||
		fail "the repeated timeouts not logged at debug"
	# The first two checks: each in a process group of its own, killed and
	# reaped by drainit as a check, never signalled otherwise.
	local p
	for p in $(grep '^start ' "$T/chk" | head -n 2 | grep -o ' pid=[0-9]*' | cut -d= -f2); do
		grep -q "^start pid=$p pgid=$p " "$T/chk" || fail "check pid $p not its own process group: $(cat "$T/chk")"
		wait_log "debug: check: pid $p \(sigrec\) killed by SIGKILL\$"
		wh_gone_in_ns "$p" || fail "check pid $p still there after it was reaped"
	done
	! grep -qE '^(sig|exit) ' "$T/chk" || fail "a check got a signal or exited: $(cat "$T/chk")"
	assert_no_log 'info: exit: pid'
	[ ! -e "$T/ready" ] || fail "ready although every check timed out"
	! grep -q '^sig ' "$T/rec" || fail "the app got a signal: $(cat "$T/rec")"
	wh_stop_ok
}

test_when_sigterm_while_exec_check_hangs() {
	start_ns --ready-file "$T/ready" --ready-when "exec:$H/readyapp $T/chk sleep" --ready-interval 100ms \
		--ready-timeout 30s -- "$H/sigrec" "$T/rec" --code 3 --drain 1000
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/chk"
	local app chk
	app=$(app_host_pid)
	wait_until 10 wh_other_children "$app" || fail "the check is not drainit's child"
	chk=$(wh_other_children "$app")
	assert_eq "$(wc -w <<<"$chk")" 1 "checks running"
	# Its own process group; nothing in, nothing out.
	assert_eq "$(cut -d' ' -f5 "/proc/$chk/stat")" "$chk" "the check's process group"
	local fd
	for fd in 0 1 2; do
		assert_eq "$(readlink "/proc/$chk/fd/$fd")" /dev/null "the check's fd $fd"
	done

	kill -TERM "$DPID"
	wait_file '^sig SIGTERM ' "$T/rec"
	wait_until 5 eval '! kill -0 '"$chk" || fail "the check still runs after SIGTERM"
	kill -0 "$DPID" || fail "too slow to tell: drainit gone before the check was seen gone"
	wait_exit 10
	assert_eq "$RC" 3 "exit status (the app's)"
	assert_log 'summary: exit status 3: app exited with status 3$'
	assert_no_log 'stop: .* to pid [0-9]+ \(readyapp\)'
	assert_no_log 'info: exit: pid [0-9]+ \(readyapp\)'
	assert_no_log 'SIGKILL sent to'
	! grep -qE '^(sig|exit) ' "$T/chk" || fail "the check got a signal or exited: $(cat "$T/chk")"
	[ ! -e "$T/ready" ] && [ ! -e "$T/ready.state" ] || fail "readiness files left"
}

test_when_app_exits_while_exec_check_hangs() {
	start_ns --ready-file "$T/ready" --ready-when "exec:$H/readyapp $T/chk sleep" --ready-interval 100ms \
		--ready-timeout 30s -- "$H/sigrec" "$T/rec" --exit-on USR1 --code 5
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/chk"
	local t0
	t0=$(now_ms)
	kill -USR1 "$(app_host_pid)"
	wait_exit 20
	# Nothing but the check was left: drainit did not wait on it.
	assert_ms_between $(( $(now_ms) - t0 )) 0 5000 "ms from the app's exit to drainit's"
	assert_eq "$RC" 5 "exit status (the app's)"
	assert_no_log 'stop: .*\(readyapp\)'
	assert_no_log 'SIGKILL sent to'
	! grep -qE '^(sig|exit) ' "$T/chk" || fail "the check got a signal or exited: $(cat "$T/chk")"
}

test_when_forwarded_signal_skips_the_exec_check() {
	start_ns --ready-file "$T/ready" --ready-when "exec:$H/readyapp $T/chk sleep" --ready-interval 100ms \
		--ready-timeout 30s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/chk"
	local app chk
	app=$(app_host_pid)
	wait_until 10 wh_other_children "$app" || fail "the check is not drainit's child"
	chk=$(wh_other_children "$app")
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 from=1 ' "$T/rec"
	wait_log 'signal: SIGUSR1 .*: forwarded to process group 2$'
	# A SIGUSR1 sent to the check would be delivered before this SIGUSR2.
	kill -USR2 "$chk"
	wait_file '^sig SIGUSR2 ' "$T/chk"
	! grep -q '^sig SIGUSR1' "$T/chk" || fail "the forwarded signal reached the check: $(cat "$T/chk")"
	wh_stop_ok
	! grep -q '^sig SIGTERM' "$T/chk" || fail "the check got the stop signal: $(cat "$T/chk")"
}

test_when_file_created_by_the_app() {
	# 30 s between checks: only the inotify watch can see the file in time.
	start_ns --ready-file "$T/ready" --ready-when "file:$T/app-ready" --ready-interval 30s \
		-- "$H/readyapp" "$T/rec" file "$T/app-ready" 700
	wait_file '^start ' "$T/rec"
	wait_log "check: file:$T/app-ready: not yet: No such file or directory; checking every 30s\$"
	[ ! -e "$T/ready" ] || fail "readiness file before the app's file"
	wh_says "$T/ready.state" "^starting file:$T/app-ready pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	wh_not_yet "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file after the app created its file"
	wait_file '^ready ' "$T/rec"
	wh_says "$T/ready" "^ready file:$T/app-ready pid=2 since=$WH_ISO$WH_NS\$"
	wait_log "ready: app pid 2 ready \(file:$T/app-ready, .* after start\): wrote $T/ready\$"
	(( $(wh_log_ms ': ready: app pid 2 ready ') >= $(rec_ms "$T/rec" '^ready ') )) ||
		fail "ready logged before the app created its file"
	wh_stop_ok
}

test_when_file_in_a_folder_created_later() {
	DRAINIT_READY_WHEN=file:$T/later/up DRAINIT_READY_INTERVAL=150ms \
		start_ns --ready-file "$T/ready" -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_log "info: check: file:$T/later/up: not yet: No such file or directory; checking every 150ms\$"
	[ ! -e "$T/ready" ] || fail "readiness file before the folder exists"
	mkdir "$T/later"
	touch "$T/later/up"
	wait_until 10 test -f "$T/ready" || fail "no readiness file once the folder and file exist"
	wh_says "$T/ready" "^ready file:$T/later/up pid=2 since=$WH_ISO$WH_NS\$"
	wait_log "ready: app pid 2 ready \(file:$T/later/up, "
	wh_stop_ok
}

test_when_tcp_ipv6_loopback() {
	"$H/freeport" 6 >/dev/null 2>&1 || skip "no IPv6 loopback"
	wh_port 6
	local port=$WH_PORT
	start_ns --ready-file "$T/ready" --ready-when "tcp:[::1]:$port" --ready-interval 100ms \
		-- "$H/readyapp" "$T/rec" tcp "$port" 500 --host ::1
	wait_file '^start ' "$T/rec"
	wait_log "check: tcp:\[::1\]:$port: not yet: connect: Connection refused"
	[ ! -e "$T/ready" ] || fail "readiness file before the app listens"
	wait_until 10 test -f "$T/ready" || fail "no readiness file after the app listened on ::1"
	wait_file '^ready ' "$T/rec"
	wait_file '^conn ' "$T/rec"
	wh_says "$T/ready" "^ready tcp:\[::1\]:$port pid=2 since=$WH_ISO$WH_NS\$"
	wait_log "ready: app pid 2 ready \(tcp:\[::1\]:$port, "
	wh_stop_ok
}

test_when_recheck_withdraws_and_restores() {
	local F=$T/app-ready
	start_ns --ready-file "$T/ready" --ready-when "file:$F" --ready-interval 100ms \
		--ready-recheck 200ms --ready-failures 2 \
		-- "$H/readyapp" "$T/rec" file "$F" 500 --remove-after 1000
	wait_file '^start ' "$T/rec"
	wait_log "info: ready: waiting for file:$F: checking every 100ms, 1s each; once ready every 200ms, 2 failures in a row withdraw it\$"
	[ ! -e "$T/ready" ] || fail "readiness file before the app's file"
	wh_not_yet "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	wait_log "info: ready: app pid 2 ready \(file:$F, .*\): wrote $T/ready\$"

	# The app removes its file: two failed rechecks withdraw readiness.
	wait_file '^removed ' "$T/rec"
	wait_until 10 test ! -e "$T/ready" || fail "readiness file still there after failed rechecks"
	wait_log "warning: unready: readiness withdrawn \($T/ready removed\): the readiness check keeps failing\$"
	local one two off
	one=$(wh_log_line "warning: check: file:$F: No such file or directory \(1 of 2 failures in a row\)\$")
	two=$(wh_log_line "warning: check: file:$F: No such file or directory \(2 of 2 failures in a row: not ready\)\$")
	off=$(wh_log_line 'unready: readiness withdrawn')
	(( one < two && two < off )) || fail "withdrawn out of order: lines $one, $two, $off"
	(( $(wh_log_ms 'unready: readiness withdrawn') >= $(rec_ms "$T/rec" '^removed ') )) ||
		fail "withdrawn before the app removed its file"
	wh_says "$T/ready.state" "^unready file:$F pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$T/ready"
	probe_says 1 "^not ready: unready since $WH_ISO: file:$F failing\$"

	# The condition holds again: written again.
	touch "$F"
	wait_until 10 test -f "$T/ready" || fail "readiness file not written again"
	wh_says "$T/ready" "^ready file:$F pid=2 since=$WH_ISO$WH_NS\$"
	wait_log "info: ready: app pid 2 ready again \(file:$F, .* after start\): wrote $T/ready\$"
	wh_says "$T/ready.state" "^ready file:$F pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$T/ready"
	probe_says 0 "^ready: app pid 2 since $WH_ISO \(file:$F\)\$"
	wh_stop_ok
}

# wh_idle DRAINIT-ARGS...: once the readiness file is there, drainit does
# not wake up for 2 s.
wh_idle() {
	start_ns --ready-file "$T/ready" "$@"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	wait_log ': ready: app pid 2 ready '
	sleep 0.3 # let the app's side settle; the count below decides
	local before after
	before=$(wh_ctxt "$DPID")
	sleep 2
	after=$(wh_ctxt "$DPID")
	assert_eq "$(( after - before ))" 0 "drainit's context switches in 2 s once ready"
	grep -q '^State:.*S (sleeping)' "/proc/$DPID/status" || fail "drainit not asleep: $(grep State "/proc/$DPID/status")"
	wh_stop_ok
}

test_when_no_wakeups_once_ready_tcp() {
	wh_port
	wh_idle --ready-when "tcp:$WH_PORT" --ready-interval 100ms -- "$H/readyapp" "$T/rec" tcp "$WH_PORT" 300
}

test_when_no_wakeups_once_ready_notify() {
	wh_idle --ready-when notify -- "$H/readyapp" "$T/rec" notify 300
}

test_when_no_wakeups_once_ready_file() {
	wh_idle --ready-when "file:$T/app-ready" --ready-interval 100ms -- "$H/readyapp" "$T/rec" file "$T/app-ready" 300
}

test_when_sigterm_before_ready_stops_tcp_checks() {
	mkdir "$T/rd"
	wh_watch "$T/rd"
	wh_port
	local port=$WH_PORT R=$T/rd/ready
	start_ns -v --ready-file "$R" --ready-when "tcp:$port" --ready-interval 100ms \
		-- "$H/sigrec" "$T/rec" --drain 1500 --code 3
	wait_file '^start ' "$T/rec"
	wait_until 10 eval '[ "$(count_lines "check: tcp:$port: not yet")" -ge 3 ]' || fail "fewer than 3 checks"
	kill -TERM "$DPID"
	wait_file '^sig SIGTERM ' "$T/rec"
	# Draining: the state file and the probe say so.
	wh_says "$R.state" "^draining tcp:$port pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$R"
	probe_says 1 "^not ready: draining since $WH_ISO\$"
	! grep -q '^exit ' "$T/rec" || fail "too slow to tell: the app stopped draining before we looked"
	wait_exit 15
	assert_eq "$RC" 3 "exit status (the app's)"
	local term
	term=$(wh_log_line 'signal: SIGTERM ')
	assert_eq "$(wh_lines_after "$term" "check: tcp:")" 0 "check lines after SIGTERM"
	assert_no_log ': ready: app pid'
	assert_eq "$(wh_ready_events)" "" "events of the readiness file"
	[ -z "$(ls -A "$T/rd")" ] || fail "left in the readiness folder: $(ls -A "$T/rd")"
	wh_unwatch
}

test_when_sigterm_before_ready_stops_exec_checks() {
	# Each check appends a line to $T/chk and fails.
	start_ns --ready-file "$T/ready" --ready-when "exec:sh -c 'echo run >>$T/chk; exit 1'" \
		--ready-interval 100ms -- "$H/sigrec" "$T/rec" --drain 1500
	wait_file '^start ' "$T/rec"
	wait_log "info: check: exec:sh: not yet: exited with status 1; checking every 100ms\$"
	wait_until 10 eval '[ "$(grep -c "^run$" "$T/chk")" -ge 3 ]' || fail "fewer than 3 checks ran"
	kill -TERM "$DPID"
	wait_file '^sig SIGTERM ' "$T/rec"
	local runs
	runs=$(grep -c '^run$' "$T/chk")
	wh_says "$T/ready.state" "^draining exec:sh pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	wait_file '^exit ' "$T/rec"
	assert_eq "$(grep -c '^run$' "$T/chk")" "$runs" "checks run (those after SIGTERM)"
	# The drain lasted 1.5 s, time for about 15 checks had they gone on.
	(( $(rec_ms "$T/rec" '^exit ') - $(rec_ms "$T/rec" '^sig SIGTERM') >= 1000 )) || fail "the app drained too briefly to tell"
	local term
	term=$(wh_log_line 'signal: SIGTERM ')
	assert_eq "$(wh_lines_after "$term" "check: exec:")" 0 "check lines after SIGTERM"
	assert_no_log ': ready: app pid'
}

test_when_bad_conditions_refused_before_the_app() {
	local app=(sh -c "touch $T/started")

	run_ns --ready-file "$T/ready" --ready-when tcp:99999 -- "${app[@]}"
	assert_one_line 64 "--ready-when" "99999"
	run_ns --ready-when tcp:0 -- "${app[@]}"
	assert_one_line 64 "--ready-when" "bad port"
	run_ns --ready-when bogus -- "${app[@]}"
	assert_one_line 64 "--ready-when" "bogus"
	DRAINIT_READY_WHEN=http:host.example:80/ run_ns -- "${app[@]}"
	assert_one_line 64 "DRAINIT_READY_WHEN" "host.example"
	run_ns --ready-when 'exec:' -- "${app[@]}"
	assert_one_line 64 "--ready-when" "exec"
	run_ns --ready-when 'exec:  ' -- "${app[@]}"
	assert_one_line 64 "--ready-when" "exec"
	run_ns --ready-file "$T/ready" --ready-when 'exec:nosuchcmd --now' -- "${app[@]}"
	assert_one_line 64 "--ready-when exec: 'nosuchcmd': not found in PATH"
	run_ns --ready-when "exec:$T/nonexistent" -- "${app[@]}"
	assert_one_line 64 "--ready-when exec: '$T/nonexistent'" "No such file or directory"
	run_ns --ready-when 'exec:sh -c "unterminated' -- "${app[@]}"
	assert_one_line 64 "--ready-when" "unterminated"
	run_ns --ready-when "exec:true$(printf " ''%.0s" {1..70})" -- "${app[@]}"
	assert_one_line 64 "--ready-when" "more than 64 words"
	run_ns --ready-when 'tcp:::1:80' -- "${app[@]}"
	assert_one_line 64 "--ready-when" "[ADDR]:PORT"
	run_ns --ready-when 'file:' -- "${app[@]}"
	assert_one_line 64 "--ready-when" "file"
	run_ns --ready-when 'http:8080/a b' -- "${app[@]}"
	assert_one_line 64 "--ready-when" "blanks"
	run_ns --ready-when tcp:8080 --ready-interval 0 -- "${app[@]}"
	assert_one_line 64 "--ready-interval" "0"
	run_ns --ready-when tcp:8080 --ready-timeout 0s -- "${app[@]}"
	assert_one_line 64 "--ready-timeout" "0s"
	run_ns --ready-when tcp:8080 --ready-failures 0 -- "${app[@]}"
	assert_one_line 64 "--ready-failures" "0"
	DRAINIT_READY_RECHECK=often run_ns --ready-when tcp:8080 -- "${app[@]}"
	assert_one_line 64 "DRAINIT_READY_RECHECK" "often"
	# No readiness file or state file was left by any of them.
	[ -z "$(ls "$T" | grep -E '^ready')" ] || fail "readiness files left: $(ls "$T")"
}

test_when_probe_through_the_lifecycle() {
	# Defaults: a check every second, 1 s each, 3 failed rechecks withdraw.
	start_ns --ready-file "$T/ready" --ready-when "file:$T/up" --ready-recheck 5s -- "$H/sigrec" "$T/rec" --drain 1500
	wait_file '^start ' "$T/rec"
	wait_log "info: ready: waiting for file:$T/up: checking every 1s, 1s each; once ready every 5s, 3 failures in a row withdraw it\$"
	probe_ns --ready-file "$T/ready"
	probe_says 1 "^not ready: starting since $WH_ISO, waiting for file:$T/up\$"
	local starting ready draining
	starting=$(wh_iso_ms "$(grep -oE "$WH_ISO" "$T/probe.out")")
	assert_between "$starting" $(( $(rec_ms "$T/rec" '^start ') - 5000 )) $(( $(now_ms) + 1000 )) "starting since"

	touch "$T/up"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	probe_ns --ready-file "$T/ready"
	probe_says 0 "^ready: app pid 2 since $WH_ISO \(file:$T/up\)\$"
	ready=$(wh_iso_ms "$(grep -oE "$WH_ISO" "$T/probe.out")")
	(( ready >= starting )) || fail "ready since $ready before starting since $starting"

	kill -TERM "$DPID"
	wait_file '^sig SIGTERM ' "$T/rec"
	probe_ns --ready-file "$T/ready"
	probe_says 1 "^not ready: draining since $WH_ISO\$"
	! grep -q '^exit ' "$T/rec" || fail "too slow to tell: the app stopped draining before we looked"
	draining=$(wh_iso_ms "$(grep -oE "$WH_ISO" "$T/probe.out")")
	(( draining >= ready )) || fail "draining since $draining before ready since $ready"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	probe_here --ready-file "$T/ready"
	probe_says 1 "^not ready: no readiness file at $T/ready \(drainit not running, or stopped\)\$"
}

test_when_condition_with_blanks_stays_one_word() {
	# The readiness line is space-separated words: the condition's name in
	# it has its blank replaced, the check itself uses the real path.
	mkdir "$T/my dir"
	start_ns --ready-file "$T/ready" --ready-when "file:$T/my dir/up" --ready-interval 100ms -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_log "check: file:$T/my_dir/up: not yet: No such file or directory"
	touch "$T/my dir/up"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	wh_says "$T/ready" "^ready file:$T/my_dir/up pid=2 since=$WH_ISO$WH_NS\$"
	probe_ns --ready-file "$T/ready"
	probe_says 0 "^ready: app pid 2 since $WH_ISO \(file:$T/my_dir/up\)\$"
	wh_stop_ok
}

# needs_alloc_shim: the allocation log shim is built and can count.
test_when_no_allocation_while_checking_exec() {
	needs_alloc_shim
	# The check: ok if $T/ok exists, hangs if $T/hang does, else fails.
	ALLOC_LOG=$T/alloc LD_PRELOAD=$H/alloc_log.so start_ns --ready-file "$T/ready" \
		--ready-when "exec:sh -c '[ -e $T/ok ] && exit 0; [ -e $T/hang ] && exec sleep 30; exit 1'" \
		--ready-interval 100ms --ready-timeout 200ms --ready-recheck 100ms --ready-failures 2 \
		-- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_log 'info: check: exec:sh: not yet: exited with status 1'
	local before
	before=$(allocs_of 1)
	(( before > 0 )) || fail "the shim saw no start-up allocation by drainit: it is not working"
	touch "$T/hang"
	wait_log 'info: check: exec:sh: not yet: no answer within 200ms \(killed\)'
	touch "$T/ok"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	rm "$T/ok"
	wait_until 10 test ! -e "$T/ready" || fail "readiness not withdrawn"
	wait_log 'unready: readiness withdrawn'
	rm "$T/hang"
	touch "$T/ok"
	wait_log ': ready: app pid 2 ready again '
	rm "$T/ok"
	touch "$T/hang"
	wait_log 'warning: check: exec:sh: no answer within 200ms \(killed\) \(1 of 2'
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1' "$T/rec"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(allocs_of 1)" "$before" "allocations by drainit after start-up"
}

test_when_no_allocation_while_checking_http_and_notify() {
	needs_alloc_shim
	wh_port
	local port=$WH_PORT before
	ALLOC_LOG=$T/alloc LD_PRELOAD=$H/alloc_log.so start_ns --ready-file "$T/ready" \
		--ready-when "http:$port/up" --ready-interval 100ms --ready-timeout 200ms --ready-recheck 100ms \
		-- "$H/readyapp" "$T/rec" http "$port" 500 --hang-first 1 --fail 2
	wait_log "info: check: http:$port/up: not yet: connect: Connection refused"
	before=$(allocs_of 1)
	(( before > 0 )) || fail "the shim saw no start-up allocation by drainit: it is not working"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	wait_until 10 eval '[ "$(grep -c "^req .*status=200" "$T/rec")" -ge 4 ]' || fail "fewer than 3 rechecks"
	assert_log 'no answer within 200ms'
	assert_log 'answered 503'
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(allocs_of 1)" "$before" "allocations by drainit (http) after start-up"

	# notify, drainit not PID 1: it looks the sender up in /proc
	rm -f "$T/alloc" "$T/rec"
	ALLOC_LOG=$T/alloc LD_PRELOAD=$H/alloc_log.so start_plain --ready-file "$T/ready" --ready-when notify \
		-- "$H/readyapp" "$T/rec" notify 300 --status up --extra "X_OTHER=1" --stop-after 200 --ready-again-after 200
	wait_log 'ready: waiting for READY=1'
	before=$(allocs_of "$DPID")
	(( before > 0 )) || fail "the shim saw no start-up allocation by drainit: it is not working"
	wait_log ': ready: app pid [0-9]+ ready again '
	assert_log 'notify: pid [0-9]+: STATUS=up'
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(allocs_of "$DPID")" "$before" "allocations by drainit (notify) after start-up"
}

test_when_no_wakeups_once_ready_http() {
	wh_port
	wh_idle --ready-when "http:$WH_PORT/" --ready-interval 100ms -- "$H/readyapp" "$T/rec" http "$WH_PORT" 300 --fail 1
}

test_when_notify_from_a_sender_that_already_exited() {
	# The app's READY=1 comes from a short-lived helper (as with
	# `systemd-notify --ready` or a one-line sender in a script), which has
	# exited and been reaped by the app before drainit gets to read the
	# datagram: drainit is stopped meanwhile, as a busy machine may delay it.
	start_ns --ready-file "$T/ready" --ready-when notify -- sh -c \
		"while [ ! -e $T/go ]; do sleep 0.02; done
		 $H/readyapp $T/snd notify 0 --exit-after 0
		 exec $H/sigrec $T/rec"
	wait_log 'ready: waiting for READY=1 from the app on NOTIFY_SOCKET'
	kill -STOP "$DPID"
	touch "$T/go"
	wait_until 10 test -s "$T/rec" || { kill -CONT "$DPID"; fail "the app did not go on after its helper"; }
	grep -q '^sent READY=1' "$T/snd" || { kill -CONT "$DPID"; fail "the helper did not send: $(cat "$T/snd")"; }
	kill -CONT "$DPID"
	wait_log 'notify: '
	wait_until 5 test -f "$T/ready" ||
		fail "READY=1 from the app's helper, gone before drainit read it, was dropped: $(grep 'notify: ' "$T/log")"
	wh_says "$T/ready" "^ready notify pid=2 since=$WH_ISO$WH_NS\$"
	wh_stop_ok
}

test_when_probe_draining_after_the_app_exited() {
	# The app exits on SIGUSR1; a helper beside it drains 2 s after the
	# stop signal, so drainit is still at work when the app is gone.
	start_ns --ready-file "$T/ready" --ready-when "exec:true" --ready-interval 100ms -- sh -c \
		"\"$H/sigrec\" \"$T/helper\" --drain 2000 & exec \"$H/sigrec\" \"$T/rec\" --exit-on USR1"
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/helper"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	kill -USR1 "$(app_host_pid)"
	wait_file '^exit ' "$T/rec"
	wait_file '^sig SIGTERM ' "$T/helper"
	wait_until 5 test ! -e "$T/ready" || fail "readiness file still there after the app exited"
	wh_says "$T/ready.state" "^draining exec:true pid=2 since=$WH_ISO$WH_SELF$WH_NS\$"
	probe_ns --ready-file "$T/ready"
	probe_says 1 "^not ready: draining since $WH_ISO\$"
	! grep -q '^exit ' "$T/helper" || fail "too slow to tell: the helper was done before we looked"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	[ ! -e "$T/ready.state" ] || fail "state file left after exit"
}
