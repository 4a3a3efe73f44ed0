# What readiness checks may cost PID 1 and the app: an HTTP answer is read
# to the end of its head (or a few KiB), one bounded read a wake-up, then
# closed; an exec check's command takes its whole process group with it
# when it exits, so nothing it started is drained as the app's.
# (wh_port and wh_stop_ok come from t_when.sh.)

test_checks_endless_http_answer_costs_little() {
	wh_port
	local port=$WH_PORT
	# The app answers 200 and then an endless body, to every request.
	start_ns --ready-file "$T/ready" --ready-when "http:$port/" --ready-interval 100ms --ready-recheck 100ms \
		-- "$CATCH_PY" -c 'import signal, socket, sys, threading, time
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
def usr1(*a):
    with open(sys.argv[3], "a") as f:
        f.write("usr1 ms=%d\n" % (time.time() * 1000))
signal.signal(signal.SIGUSR1, usr1)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(16)
def serve(c):
    t0 = time.time(); n = 0
    try:
        c.recv(4096)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        while time.time() - t0 < 30:
            n += c.send(b"x" * 65536)
    except OSError:
        pass
    with open(sys.argv[2], "a") as f:
        f.write("closed after_ms=%d bytes=%d\n" % ((time.time() - t0) * 1000, n))
while True:
    c, _ = l.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()' "$port" "$T/conns" "$T/usr1"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	local t0 t1 ticks
	t0=$(awk '{ print $14 + $15 }' "/proc/$DPID/stat")
	sleep 2
	t1=$(awk '{ print $14 + $15 }' "/proc/$DPID/stat")
	ticks=$(( t1 - t0 ))
	# Clock ticks are 1/100 s: 2 s of checks every 100 ms cost under 10% of a CPU.
	(( ticks <= 20 )) || fail "drainit used $ticks clock ticks of CPU in 2 s of checks"
	wait_until 5 grep -q '^closed ' "$T/conns" || fail "no check connection was closed"
	# Each check closed its connection soon, not at its 1 s timeout.
	local slow
	slow=$(awk -F'[= ]' '$3 > 500 { n++ } END { print n + 0 }' "$T/conns")
	assert_eq "$slow" 0 "connections kept open over 500 ms: $(head -5 "$T/conns")"
	assert_no_log 'unready: readiness withdrawn'
	# Signals are forwarded at once while the checks go on.
	local i sent worst=0 took
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sent=$(now_ms)
		kill -USR1 "$DPID"
		wait_until 5 eval '[ "$(grep -c "^usr1 " "$T/usr1")" -ge $i ]' || fail "SIGUSR1 $i not forwarded"
		took=$(( $(grep '^usr1 ' "$T/usr1" | sed -n "${i}p" | cut -d= -f2) - sent ))
		(( took > worst )) && worst=$took
		sleep 0.05
	done
	assert_ms_between "$worst" 0 100 "worst ms to forward SIGUSR1 during the checks"
	wh_stop_ok
}

test_checks_exec_check_leaves_nothing_behind() {
	start_ns --ready-file "$T/ready" --ready-when 'exec:sh -c "sleep 4 & exit 0"' --ready-recheck 50ms \
		-- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	sleep 2
	# drainit, the app, and at most a check running now with its sleep.
	local n
	n=$(ns_exec sh -c 'ls -d /proc/[0-9]* | wc -l')
	(( n <= 6 )) || fail "$n processes in the namespace after 2 s of checks: $(ns_exec ps -eo pid,pgid,comm)"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	# The stop signal went to the app only: no leftover was drained as if it were the app's.
	assert_no_log 'info: (stop|exit): .*sleep'
}
