# The lifecycle end to end, the way a user first tries it.

test_smoke_term_drains_and_exits_with_app_status() {
	start_ns --ready-file "$T/ready" --drain-timeout 20s -- "$H/sigrec" "$T/rec" --drain 300 --code 3
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 3 "exit status"
	grep -q '^sig SIGTERM' "$T/rec" || fail "app did not get SIGTERM"
	[ ! -e "$T/ready" ] || fail "readiness file left behind"
	assert_log 'summary: exit status 3'
}
