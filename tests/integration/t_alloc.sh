# drainit allocates only at start-up. The preload shim alloc_log.so
# (tests/preload) logs every heap allocation with the caller's pid; once the
# app runs, no line may come from drainit, through forwarding, reaping 200
# orphans, the drain and the SIGKILL sweep.

al_count() { grep -c "^$1 " "$T/alloc"; }

al_orphans_reaped() { [ "$(grep -c 'orphan-gc) exited' "$T/log")" -ge 200 ]; }

# The app: waits for $T/go, then leaves 200 orphans to drainit and becomes a
# signal recorder that ignores TERM, so that the drain ends in SIGKILL.
al_script() {
	echo "while [ ! -e $T/go ]; do sleep 0.02; done; $H/orphans 200 $T/orphans --live 50 &
	      exec $H/sigrec $T/rec --ignore TERM --no-exit"
}

# ASan brings its own malloc and must come first: the shim cannot count
# under a sanitizer build (make check SANITIZE=...).
al_need_plain_malloc() {
	needs_dynamic "the allocation log is an LD_PRELOAD shim"
	! ldd "$DRAINIT" 2>/dev/null | grep -q libasan ||
		skip "drainit is built with AddressSanitizer, which replaces malloc"
}

# al_exercise PID: PID is drainit's pid as it logs allocations.
al_exercise() {
	local me=$1 before after
	# the last start-up line: at -v, the capabilities drainit kept, whose
	# names libcap allocates after the app has started and become ready
	wait_log 'caps: drainit keeps, once the app runs'
	before=$(al_count "$me")
	(( before > 0 )) || fail "the shim saw no start-up allocation by pid $me: it is not working"
	touch "$T/go"
	wait_file '^start ' "$T/rec"
	wait_file '^spawned' "$T/orphans"
	wait_until 30 al_orphans_reaped || fail "the 200 orphans were not all reaped"
	kill -WINCH "$DPID"
	kill -URG "$DPID"
	wait_file '^sig SIGURG' "$T/rec"
	kill -TERM "$DPID"
	wait_exit 30
	assert_log 'kill: SIGKILL to pid [0-9]+ \(sigrec\)'
	after=$(al_count "$me")
	assert_eq "$after" "$before" "allocations by drainit (pid $me) after start-up"
}

test_alloc_none_after_start_as_pid1() {
	al_need_plain_malloc
	ALLOC_LOG=$T/alloc LD_PRELOAD=$H/alloc_log.so \
		start_ns -v --drain-timeout 1s --ready-file "$T/ready" -- bash -c "$(al_script)"
	al_exercise 1
}

test_alloc_none_after_start_not_pid1() {
	al_need_plain_malloc
	ALLOC_LOG=$T/alloc LD_PRELOAD=$H/alloc_log.so \
		start_plain -v --drain-timeout 1s --ready-file "$T/ready" -- bash -c "$(al_script)"
	al_exercise "$DPID"
}
