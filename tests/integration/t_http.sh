# Readiness over HTTP (--ready-http): GET /ready says what `drainit probe`
# says, from the start to the drain; GET /status as JSON; other paths and
# methods; malformed, oversized, binary and half-closed requests; a
# thousand slow clients that do not slow down signals, readiness or the
# drain; the socket is opened before drainit drops its capabilities and is
# never inherited by the app. Each test has a network namespace of its own
# (its loopback only), so ports never collide with another test's.

HT_PORT=8081
HT_CLIENT=$TOP/tests/helpers/httpclient.py

# drainit as start_ns starts it, in a new network namespace with its
# loopback up.
ht_start() {
	NS_WRAP=(unshare --net sh -c 'ip link set lo up && exec "$@"' sh)
	start_ns "$@"
}
# ht_in CMD...: CMD in drainit's network namespace.
ht_in() { nsenter -t "$DPID" -n -- "$@"; }
# ht_get PATH [CURL-ARGS...]: GET http://127.0.0.1:HT_PORT/PATH; the body
# in $T/body, the status code in HTC.
ht_get() {
	local path=$1; shift
	HTC=$(ht_in curl -s -m 5 -o "$T/body" -w '%{http_code}' "$@" "http://127.0.0.1:$HT_PORT$path")
}
# ht_json EXPR: EXPR (Python, over the object j) of the last /status body.
ht_json() { python3 -c "import json,sys; j = json.load(open(sys.argv[1])); print($1)" "$T/body"; }
# ht_same_as_probe CODE WHAT: `drainit probe` in drainit's namespaces exits
# CODE and prints the body of the last GET.
ht_same_as_probe() {
	probe_ns --ready-file "$T/ready"
	[ "$PRC" = "$1" ] || fail "$2: probe exit $PRC"
	assert_eq "$(cat "$T/body")" "$(cat "$T/probe.out")" "$2: HTTP and the probe"
}
# ht_wait_code CODE PATH: until GET PATH answers CODE.
ht_wait_code() { wait_until 10 _ht_code_is "$1" "$2" || fail "GET $2 never answered $1 (last $HTC: $(cat "$T/body"))"; }
_ht_code_is() { ht_get "$2"; [ "$HTC" = "$1" ]; }

test_http_ready_follows_the_lifecycle_as_the_probe() {
	ht_start --ready-http "$HT_PORT" --ready-file "$T/ready" --ready-when "file:$T/go" \
		--ready-interval 100ms --pre-stop-delay 4s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_log 'ready: answering HTTP on every address, port 8081: GET /ready, GET /status'
	# starting: 503, and the body is the probe's line
	ht_wait_code 503 /ready
	grep -qE '^not ready: starting since .*, waiting for file:' "$T/body" ||
		fail "starting: $(cat "$T/body")"
	ht_same_as_probe 1 starting

	touch "$T/go"
	ht_wait_code 200 /ready
	grep -qE "^ready: app pid [0-9]+ since $RD_ISO \\(file:" "$T/body" || fail "ready: $(cat "$T/body")"
	ht_same_as_probe 0 ready

	ht_get /status
	assert_eq "$HTC" 200 "GET /status"
	assert_eq "$(ht_json 'j["ready"], j["state"], j["phase"]')" "True ready running" "status"
	assert_eq "$(ht_json 'j["app_pid"]')" "$(logged_app_pid)" "app_pid"
	assert_eq "$(ht_json 'j["condition"]["kind"], j["condition"]["target"]')" "file file:$T/go" \
		"condition"
	assert_eq "$(ht_json 'j["condition"]["last"]')" "ok" "last result"
	assert_eq "$(ht_json 'j["pre_stop_delay_left_ms"], j["drain_left_ms"]')" "None None" "no delay yet"

	# SIGTERM: 503 at once, through the pre-stop delay, the same as the probe
	kill -TERM "$DPID"
	wait_log 'withdrawing readiness; pre-stop delay starts'
	ht_get /ready
	assert_eq "$HTC" 503 "GET /ready in the pre-stop delay"
	grep -qE "^not ready: draining since $RD_ISO\$" "$T/body" || fail "draining: $(cat "$T/body")"
	ht_same_as_probe 1 draining
	ht_get /status
	assert_eq "$(ht_json 'j["ready"], j["state"], j["phase"]')" "False draining delay" "status, delay"
	local left
	left=$(ht_json 'j["pre_stop_delay_left_ms"]')
	assert_between "$left" 1 4000 "pre-stop delay left (ms)"
	# still answering while it drains, until drainit exits
	wait_log 'stop: sent SIGTERM' 10
	wait_exit 20
	assert_eq "$RC" 0 "exit status"
}

# Without a readiness file the check's verdict reaches HTTP alone: no
# warning that it changes nothing, and the timeline says unready at once.
test_http_without_a_readiness_file() {
	ht_start --ready-http "127.0.0.1:$HT_PORT" --ready-when "file:$T/go" --ready-interval 100ms \
		-- sleep 60
	wait_log 'answering HTTP on 127.0.0.1:8081: GET /ready'
	ht_wait_code 503 /ready
	touch "$T/go"
	wait_log "ready: app pid [0-9]+ ready \\(file:$T/go, .* after start\\) \\(no readiness file\\)"
	ht_get /ready
	assert_eq "$HTC" 200 "GET /ready"
	grep -qE "^ready: app pid [0-9]+ since $RD_ISO \\(file:" "$T/body" || fail "$(cat "$T/body")"
	assert_log 'timeline: on SIGTERM: unready at once, SIGTERM after 0s'
	assert_no_log 'warning'
}

test_http_start_condition() {
	ht_start --ready-http "$HT_PORT" -- sleep 60
	wait_log 'ready: app pid [0-9]+ started \(no readiness file\)'
	ht_get /ready
	assert_eq "$HTC" 200 "GET /ready"
	grep -qE "^ready: app pid [0-9]+ since $RD_ISO \\(start\\)\$" "$T/body" || fail "$(cat "$T/body")"
	ht_get /status
	assert_eq "$(ht_json 'j["condition"]["kind"], j["condition"]["target"], j["condition"]["last"]')" \
		"start None ok" "condition"
}

test_http_paths_methods_and_head() {
	ht_start --ready-http "$HT_PORT" -- sleep 60
	ht_wait_code 200 /ready
	ht_get /ready?verbose=1
	assert_eq "$HTC" 200 "a query is not acted on"
	ht_get /readyz
	assert_eq "$HTC" 404 "GET /readyz"
	ht_get /
	assert_eq "$HTC" 404 "GET /"
	ht_get /ready -X POST
	assert_eq "$HTC" 405 "POST /ready"
	ht_in curl -s -m 5 -D "$T/head" -o /dev/null -X DELETE "http://127.0.0.1:$HT_PORT/ready"
	grep -q '^Allow: GET, HEAD' "$T/head" || fail "405 without Allow: $(cat "$T/head")"
	# HEAD: the headers of GET, no body
	ht_in curl -s -m 5 -I "http://127.0.0.1:$HT_PORT/ready" >"$T/head"
	grep -q '^HTTP/1.1 200 OK' "$T/head" || fail "HEAD: $(cat "$T/head")"
	local len
	len=$(grep -i '^Content-Length:' "$T/head" | tr -dc 0-9)
	ht_get /ready
	assert_eq "$len" "$(wc -c <"$T/body")" "HEAD's Content-Length is GET's body"
	# HTTP/1.0 is answered too
	ht_get /ready --http1.0
	assert_eq "$HTC" 200 "HTTP/1.0"
}

# Each bad request gets a 400 or a closed connection, and drainit goes on.
test_http_bad_requests_get_400_or_closed() {
	ht_start --ready-http "$HT_PORT" -- sleep 60
	ht_wait_code 200 /ready
	local big
	big="GET /ready HTTP/1.1\\r\\nX: $(head -c 5000 /dev/zero | tr '\0' a)\\r\\n\\r\\n"
	while IFS='|' read -r name bytes want; do
		ht_in python3 "$HT_CLIENT" raw "$HT_PORT" "$bytes" ${want#*,} >"$T/raw"
		want=${want%%,*}
		grep -qE "^($want)" "$T/raw" || fail "$name: got '$(cat "$T/raw")', want $want"
	done <<EOF
binary|\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03|HTTP/1.1 400 ,
nul|GET /ready HTTP/1.1\\r\\nX: a\\x00b\\r\\n\\r\\n|HTTP/1.1 400 ,
http2|PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n|HTTP/1.1 400 ,
version|GET /ready HTTP/1.2\\r\\n\\r\\n|HTTP/1.1 400 ,
no version|GET /ready\\r\\n\\r\\n|HTTP/1.1 400 ,
bad header|GET /ready HTTP/1.1\\r\\nno colon here\\r\\n\\r\\n|HTTP/1.1 400 ,
folded header|GET /ready HTTP/1.1\\r\\nX: a\\r\\n b\\r\\n\\r\\n|HTTP/1.1 400 ,
oversized|$big|HTTP/1.1 400 |closed,
half-closed|GET /ready HTTP/1.1\\r\\nHost: x\\r\\n|closed,--half-close
empty half-closed||closed,--half-close
body after the head|POST /ready HTTP/1.1\\r\\nContent-Length: 5\\r\\n\\r\\nhello|HTTP/1.1 405 ,
EOF
	# still serving, still supervising
	ht_get /ready
	assert_eq "$HTC" 200 "GET /ready after the bad ones"
	kill -0 "$DPID" || fail "drainit is gone"
	assert_no_log 'error|warning'
}

# A thousand clients that hold connections open and trickle a request that
# never ends: a real probe is still answered within a second, a signal is
# still forwarded at once, and the drain's SIGKILL comes on time.
test_http_slow_clients_do_not_slow_drainit() {
	needs_native "1,000 connections to a drainit under memcheck measure valgrind"
	ht_start --ready-http "$HT_PORT" --drain-timeout 2s -- "$H/sigrec" "$T/rec" --ignore TERM --no-exit
	wait_file '^start ' "$T/rec"
	ht_wait_code 200 /ready
	# nsenter, not ht_in: $! is then the client itself (nsenter execs it)
	nsenter -t "$DPID" -n -- python3 "$HT_CLIENT" flood "$HT_PORT" 1000 30 "$T/flood" &
	local flood=$! i line code ms
	wait_file '^holding 1000$' "$T/flood" 20
	for i in 1 2 3 4 5; do
		line=$(ht_in python3 "$HT_CLIENT" get "$HT_PORT" /ready)
		read -r code ms _ <<<"$line"
		echo "probe $i under the flood: $line"
		assert_eq "$code" 200 "probe $i under the flood ($line)"
		assert_between "$ms" 0 $((1000 * TIME_SCALE)) "probe $i under the flood, ms"
	done
	# forwarding: SIGUSR1 reaches the app within a second
	local t0
	t0=$(now_ms)
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 ' "$T/rec" 5
	assert_between $(( $(rec_ms "$T/rec" '^sig SIGUSR1 ') - t0 )) 0 $((1000 * TIME_SCALE)) \
		"SIGUSR1 to the app under the flood, ms"
	# reaping: an orphan that exits under the flood is reaped at once
	ns_exec sh -c 'sleep 0.3 & echo $! >"$1"' sh "$T/orphan"
	local orphan
	orphan=$(cat "$T/orphan")
	wait_until 5 eval '! ns_exec test -e /proc/$orphan' ||
		fail "the orphan (pid $orphan in the namespace) was not reaped under the flood"
	# the drain deadline: SIGKILL 2 s after SIGTERM, not later
	t0=$(now_ms)
	kill -TERM "$DPID"
	wait_exit 20
	assert_ms_between $(( $(now_ms) - t0 )) 1900 3900 "SIGTERM to exit under the flood"
	assert_log 'kill: SIGKILL to pid [0-9]+ \(sigrec\): still running'
	assert_eq "$RC" 137 "exit status"
	kill "$flood" 2>/dev/null
	wait "$flood" 2>/dev/null
	tail -n 1 "$T/flood" # how many the clients opened, and drainit dropped
	return 0
}

# The app inherits no socket of drainit's, listening or connected.
test_http_sockets_not_inherited() {
	ht_start --ready-http "$HT_PORT" -- sh -c 'sleep 0.5; ls -l /proc/$$/fd > "$1"; touch "$1.done"; exec sleep 60' sh "$T/fds"
	ht_get /ready # a connection open meanwhile, too
	wait_until 10 test -f "$T/fds.done" || fail "the app did not list its descriptors"
	! grep -q 'socket:' "$T/fds" || fail "the app inherited a socket: $(cat "$T/fds")"
	ht_get /ready
	assert_eq "$HTC" 200 "still answering"
}

# Serving allocates nothing: the connections' room is taken at start.
test_http_no_allocation_while_serving() {
	needs_alloc_shim
	NS_WRAP=(unshare --net sh -c 'ip link set lo up && exec "$@"' sh)
	ALLOC_LOG=$T/alloc LD_PRELOAD=$H/alloc_log.so start_ns --ready-http "$HT_PORT" -- sleep 60
	ht_wait_code 200 /ready
	local before i
	before=$(allocs_of 1)
	(( before > 0 )) || fail "the shim saw no start-up allocation by drainit: it is not working"
	for i in $(seq 20); do
		ht_get /ready
		ht_get /status
		ht_get /nope
	done
	ht_in python3 "$HT_CLIENT" raw "$HT_PORT" '\x16\x03\x01' >/dev/null
	ht_in python3 "$HT_CLIENT" raw "$HT_PORT" 'GET /ready HTTP/1.1\r\n' --half-close >/dev/null
	ht_in python3 "$HT_CLIENT" flood "$HT_PORT" 100 2 "$T/flood"
	ht_get /status
	assert_eq "$HTC" 200 "GET /status after it all"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$(allocs_of 1)" "$before" "allocations by drainit after start-up"
}

# A port below 1024 keeps working after drainit drops its capabilities:
# the socket was bound before.
test_http_low_port_after_the_capability_drop() {
	HT_PORT=80
	ht_start --ready-http "$HT_PORT" -- sleep 60
	ht_wait_code 200 /ready
	local eff
	eff=$(awk '/^CapEff:/ { print $2 }' "/proc/$DPID/status")
	(( (0x$eff >> 10) & 1 )) && fail "drainit kept CAP_NET_BIND_SERVICE (CapEff $eff)"
	ht_get /status
	assert_eq "$HTC" 200 "GET /status on port 80"
}

test_http_bad_address_is_a_usage_error() {
	while read -r value words; do
		run_ns --ready-http "$value" -- touch "$T/started"
		assert_one_line 64 "--ready-http: " $words
	done <<EOF
0 bad port '0'
65536 bad port '65536'
example.com:80 host names are not looked up
::1:80 write an IPv6 address as [ADDR]:PORT
EOF
	DRAINIT_READY_HTTP=x run_ns -- touch "$T/started"
	assert_one_line 64 "DRAINIT_READY_HTTP: bad port 'x'"
}

# A port in use: one line and exit 71 before the app starts.
test_http_port_in_use() {
	unshare --net sh -c '
		ip link set lo up
		python3 -c "import socket,sys,time; s=socket.socket(); s.bind((\"127.0.0.1\", 8081)); s.listen(); open(sys.argv[1], \"w\").close(); time.sleep(30)" "$1/held" &
		while [ ! -e "$1/held" ]; do sleep 0.05; done
		unshare --pid --fork --mount-proc "$2" --ready-http 127.0.0.1:8081 -- touch "$1/started" >"$1/out" 2>"$1/log" </dev/null
		echo $? >"$1/rc"
		kill $!' sh "$T" "$DRAINIT"
	RC=$(cat "$T/rc")
	assert_one_line 71 "--ready-http 127.0.0.1:8081: cannot listen: $TEXT_EADDRINUSE"
}

# Without ADDR, IPv4 and IPv6 both; with one, that one alone.
test_http_every_address_or_one() {
	ht_start --ready-http "$HT_PORT" -- sleep 60
	ht_wait_code 200 /ready
	HTC=$(ht_in curl -s -m 5 -o /dev/null -w '%{http_code}' "http://[::1]:$HT_PORT/ready")
	assert_eq "$HTC" 200 "GET over IPv6"
	cleanup
	ht_start --ready-http "[::1]:$HT_PORT" -- sleep 60
	wait_until 10 eval 'HTC=$(ht_in curl -s -m 5 -o /dev/null -w "%{http_code}" "http://[::1]:$HT_PORT/ready"); [ "$HTC" = 200 ]' ||
		fail "no answer on [::1]"
	ht_get /ready
	assert_eq "$HTC" 000 "127.0.0.1 with --ready-http [::1]:PORT"
}

# Idle, the listening socket wakes drainit for nothing.
test_http_idle_no_wakeups() {
	ht_start --ready-http "$HT_PORT" -- sleep 60
	ht_wait_code 200 /ready
	sleep 0.3 # the last connection's close settles
	local before after
	before=$(lg_ctxt "$DPID")
	sleep 2
	after=$(lg_ctxt "$DPID")
	assert_eq "$((after - before))" 0 "context switches of an idle drainit over 2 s"
}

# ht_haproxy_status: the status of server app/pod in HAProxy's stats (UP,
# DOWN, ...), through its admin socket.
ht_haproxy_status() { python3 "$HT_CLIENT" haproxy-stat "$T/haproxy.sock" app pod; }

# HAProxy's own active health check, aimed at drainit's port: the server
# goes DOWN within one check of SIGTERM, while the app, in its pre-stop
# delay, still answers; traffic through HAProxy works before.
test_http_haproxy_health_check_sees_the_withdrawal() {
	command -v haproxy >/dev/null || fail "haproxy missing: tests/deps.sh check installs it"
	ht_start --ready-http "$HT_PORT" --ready-when http:8080/ --ready-interval 100ms \
		--pre-stop-delay 5s -- python3 -m http.server 8080 --bind 127.0.0.1 --directory "$T"
	ht_wait_code 200 /ready
	cat >"$T/haproxy.cfg" <<CFG
global
    stats socket $T/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend app
    option httpchk GET /ready
    http-check expect status 200
    server pod 127.0.0.1:8080 check port $HT_PORT inter 200ms fall 1 rise 1
frontend fe
    bind 127.0.0.1:9000
    default_backend app
CFG
	# nsenter itself, not ht_in: it execs HAProxy (a network namespace needs
	# no fork), so that $! is HAProxy's pid and killing it leaves nothing
	nsenter -t "$DPID" -n -- haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
	local hap=$! t0 ms
	trap 'kill $hap 2>/dev/null; cleanup' EXIT
	wait_until 10 eval '[ "$(ht_haproxy_status 2>/dev/null)" = UP ]' ||
		fail "HAProxy never saw the pod UP: $(cat "$T/haproxy.log")"
	HTC=$(ht_in curl -s -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:9000/)
	assert_eq "$HTC" 200 "a request through HAProxy"

	t0=$(now_ms)
	kill -TERM "$DPID"
	wait_until 5 eval '[ "$(ht_haproxy_status)" = DOWN ]' ||
		fail "HAProxy still routes to the pod 5 s after SIGTERM: $(ht_haproxy_status)"
	ms=$(( $(now_ms) - t0 ))
	assert_ms_between "$ms" 0 1500 "SIGTERM to HAProxy's server DOWN"
	# the withdrawal, not the app going away: it still serves, unsignalled
	HTC=$(ht_in curl -s -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/)
	assert_eq "$HTC" 200 "the app itself in the pre-stop delay"
	assert_no_log 'stop: sent SIGTERM'
	grep -q 'Server app/pod is DOWN.*Layer7 wrong status, code: 503' "$T/haproxy.log" ||
		fail "HAProxy's log does not say why: $(cat "$T/haproxy.log")"
	kill "$hap" 2>/dev/null
	wait "$hap" 2>/dev/null
	return 0
}
