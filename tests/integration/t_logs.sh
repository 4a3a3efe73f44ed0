# The log: one timestamped line per event on stderr, text or JSON, -q and
# -v; an idle drainit does not wake up.

LG_TEXT_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z drainit: (error|warning|info|debug): [a-z]+: .+$'

# lg_all_text: every line of $T/log is "TIMESTAMP drainit: LEVEL: EVENT: msg".
lg_all_text() {
	[ -s "$T/log" ] || fail "empty log"
	! grep -vqE -- "$LG_TEXT_RE" "$T/log" || fail "not a log line: $(grep -vE -- "$LG_TEXT_RE" "$T/log" | head -n 3)"
}

# lg_in_order PATTERN...: each PATTERN matches a line of the log after the
# line the previous one matched first.
lg_in_order() {
	local p n last=0
	for p; do
		n=$(awk -v from="$last" -v re="$p" 'NR > from && $0 ~ re { print NR; exit }' "$T/log")
		[ -n "$n" ] || fail "log lacks, after line $last: $p"
		last=$n
	done
}

# lg_ms LINE: the realtime ms of a log line's timestamp.
lg_ms() { date -d "${1%% *}" +%s%3N; }

test_logs_text_lifecycle_in_order() {
	# TZ must not matter: timestamps are UTC.
	TZ=Asia/Kolkata start_ns --ready-file "$T/ready" --pre-stop-delay 300ms --drain-timeout 10s \
		-- "$H/sigrec" "$T/rec" --drain 200
	wait_file '^start ' "$T/rec"
	wait_log ': ready: '
	# SIGTERM from a process inside the namespace, so its pid shows.
	nsenter -t "$DPID" -p -m -- sh -c 'echo $$ >"$1"; kill -TERM 1' sh "$T/sender" ||
		fail "cannot send SIGTERM from inside"
	wait_exit
	assert_eq "$RC" 0 "exit status"
	local sender
	sender=$(cat "$T/sender")
	lg_all_text
	lg_in_order \
		" info: start: drainit pid 1 \\(init of its namespace\\); app pid 2: $H/sigrec $T/rec --drain 200\$" \
		" info: ready: app pid 2 started: wrote $T/ready\$" \
		" info: signal: SIGTERM from pid $sender \\(uid 0\\): withdrawing readiness" \
		" info: unready: readiness withdrawn \\($T/ready removed\\)" \
		" info: stop: sent SIGTERM to process group 2" \
		" info: exit: app pid 2 \\(sigrec\\) exited with status 0\$" \
		" info: summary: SIGTERM to exit took [0-9.]+m?s of a 10.3s budget \\(pre-stop delay [0-9.]+m?s, drain [0-9.]+m?s\\); no SIGKILL needed" \
		" info: summary: exit status 0: app exited with status 0\$"
	assert_no_log ' (warning|error): '
	assert_no_log ': kill: '
	# The timestamps are now, in UTC.
	local first
	first=$(lg_ms "$(head -n 1 "$T/log")")
	assert_between "$first" $(( $(now_ms) - 60000 )) $(( $(now_ms) + 1000 )) "first log timestamp (UTC)"
	# And the delay shows between the SIGTERM and the stop lines.
	local term stop
	term=$(lg_ms "$(grep -m1 ': signal: SIGTERM' "$T/log")")
	stop=$(lg_ms "$(grep -m1 ': stop: ' "$T/log")")
	assert_ms_between $(( stop - term )) 250 5000 "ms between the SIGTERM and stop lines"
}

test_logs_kill_lines_when_term_is_ignored() {
	start_ns --drain-timeout 1s -- sh -c \
		"\"$H/sigrec\" \"$T/helper\" --ignore TERM & exec \"$H/sigrec\" \"$T/rec\" --ignore TERM"
	wait_file '^start ' "$T/rec"
	wait_file '^start ' "$T/helper"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 137 "exit status of an app killed by SIGKILL"
	lg_all_text
	assert_log 'warning: kill: SIGKILL to pid 2 \(sigrec\): still running'
	assert_log 'warning: kill: SIGKILL to pid 3 \(sigrec\): still running'
	assert_eq "$(count_lines ': kill: SIGKILL to pid ')" 2 "kill lines"
	assert_log 'kill: SIGKILL sent to 2 processes'
	assert_log 'exit: app pid 2 \(sigrec\) killed by SIGKILL'
	assert_log 'exit: pid 3 \(sigrec\) killed by SIGKILL'
	assert_log 'summary: SIGTERM to exit took .*; SIGKILL was needed'
	assert_log 'summary: 2 processes were SIGKILLed: pid [23] \(sigrec\), pid [23] \(sigrec\)$'
	assert_log 'summary: exit status 137: app killed by SIGKILL'
	lg_in_order ': stop: sent SIGTERM' ': kill: SIGKILL to pid' ': exit: ' ': summary: '
	local stop kill
	stop=$(lg_ms "$(grep -m1 ': stop: ' "$T/log")")
	kill=$(lg_ms "$(grep -m1 ': kill: ' "$T/log")")
	assert_ms_between $(( kill - stop )) 950 6000 "ms between the stop and kill lines (drain timeout 1s)"
}

test_logs_json_lines() {
	start_ns --log-format json -v --ready-file "$T/ready" -- sh -c "exec \"$H/sigrec\" \"$T/rec\"" \
		'quo"te' 'back\slash' "$(printf 'tab\tand\nnewline')"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1' "$T/rec"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
	python3 - "$T/log" "$H/sigrec" "$T/rec" <<'EOF' || fail "JSON log check failed; log: $(cat "$T/log")"
import json, re, sys
path, sigrec, rec = sys.argv[1:]
lines = open(path, encoding="utf-8").read().split("\n")
assert lines[-1] == "", "log does not end with a newline"
events = []
for n, line in enumerate(lines[:-1], 1):
    try:
        obj = json.loads(line)
    except ValueError as e:
        sys.exit("line %d is not JSON (%s): %r" % (n, e, line))
    missing = {"time", "level", "event", "msg"} - set(obj)
    if missing:
        sys.exit("line %d lacks %s: %r" % (n, missing, line))
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", obj["time"]):
        sys.exit("line %d: time %r" % (n, obj["time"]))
    if obj["level"] not in ("error", "warning", "info", "debug"):
        sys.exit("line %d: level %r" % (n, obj["level"]))
    events.append(obj)
start = [e for e in events if e["event"] == "start"]
if not start:
    sys.exit("no start event")
argv = 'sh -c exec "%s" "%s" quo"te back\\slash tab\tand\nnewline' % (sigrec, rec)
if not start[0]["msg"].endswith(argv):
    sys.exit("start msg %r does not end with the argv %r" % (start[0]["msg"], argv))
got = [e["event"] for e in events]
for want in ("caps", "start", "ready", "signal", "unready", "stop", "exit", "summary"):
    if want not in got:
        sys.exit("no %s event in %s" % (want, got))
if not any(e["event"] == "signal" and e["msg"].startswith("SIGUSR1 ") for e in events):
    sys.exit("SIGUSR1 not logged")
EOF
}

test_logs_text_newline_in_argv_stays_one_line() {
	# An argument with a newline must not split the start event over two
	# lines (the second one without a timestamp: a forged log line).
	run_ns -- sh -c 'exit 0' "$(printf 'two\nlines')"
	assert_eq "$RC" 0 "exit status"
	lg_all_text
	assert_eq "$(count_lines ': start: ')" 1 "start lines"
}

test_logs_json_valid_with_non_utf8_argv() {
	# JSON text is UTF-8 (RFC 8259): a Latin-1 byte in an argument must come
	# out escaped or replaced, not raw, or log shippers drop the line.
	run_ns --log-format json -- sh -c 'exit 0' "$(printf 'caf\xe9')"
	assert_eq "$RC" 0 "exit status"
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]' "$T/log" 2>/dev/null ||
		fail "not UTF-8 JSON lines: $(head -n 1 "$T/log" | od -c | head -n 12)"
}

test_logs_quiet() {
	start_ns -q --ready-file "$T/ready" --pre-stop-delay 100ms -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	kill -HUP "$DPID"
	wait_file '^sig SIGHUP' "$T/rec"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
	[ ! -s "$T/log" ] || fail "-q logged on a clean run: $(cat "$T/log")"
	# Warnings are not errors.
	run_ns -q --grace-period 1s -- true
	assert_eq "$RC" 0 "exit status"
	[ ! -s "$T/log" ] || fail "-q showed a warning: $(cat "$T/log")"

	# Errors still show, one line.
	run_ns -q -- drainit-no-such-command-x7
	assert_eq "$RC" 127 "exit status"
	assert_eq "$(wc -l <"$T/log")" 1 "lines with -q for a missing command"
	assert_log ' error: start: .*drainit-no-such-command-x7'
	run_ns -q --ready-file "$T/none/ready" -- true
	assert_eq "$RC" 73 "exit status"
	assert_eq "$(wc -l <"$T/log")" 1 "lines with -q for a missing folder"
}

test_logs_verbose_and_default() {
	run_ns -- sh -c '(sleep 0.1 &); sleep 0.5'
	assert_eq "$RC" 0 "exit status"
	lg_all_text
	assert_no_log ' debug: '
	assert_log ' info: start: '

	run_ns -v -- sh -c '(sleep 0.1 &); sleep 0.5'
	assert_eq "$RC" 0 "exit status"
	lg_all_text
	assert_log ' debug: caps: '
	assert_log ' debug: state: started -> running$'
	assert_log ' debug: state: all-exited -> done$'
	assert_log ' debug: exit: pid [0-9]+ \(sleep\) exited with status 0$'
}

# lg_ctxt PID: voluntary + nonvoluntary context switches of PID so far.
lg_ctxt() { awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n }' "/proc/$1/status"; }

test_logs_idle_drainit_does_not_wake_up() {
	start_ns --ready-file "$T/ready" -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file"
	wait_log ': ready: '
	sleep 0.3 # let start-up settle
	local before after
	before=$(lg_ctxt "$DPID")
	sleep 2
	after=$(lg_ctxt "$DPID")
	assert_between $(( after - before )) 0 1 "drainit's context switches in 2 s idle"
	grep -q '^State:.*S (sleeping)' "/proc/$DPID/status" || fail "drainit not asleep: $(grep State "/proc/$DPID/status")"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 0 "exit status"
}

test_logs_start_warnings_for_typos_and_half_configurations() {
	# Never an error: the app still starts; one warning each.
	DRAINIT_PRESTOP_DELAY=10s TINI_VERBOSE=1 DRAINIT_FROBNICATE=1 TINI_SUBREAPER=1 \
		DRAINIT_READY_WHEN=tcp:1 run_ns --drain-timeout 1s -- sh -c "touch $T/started"
	assert_eq "$RC" 0 "exit status"
	[ -e "$T/started" ] || fail "the app did not start"
	assert_log 'warning: start: unknown variable DRAINIT_PRESTOP_DELAY, ignored; did you mean DRAINIT_PRE_STOP_DELAY\?$'
	assert_log 'warning: start: unknown variable TINI_VERBOSE, ignored; did you mean TINI_VERBOSITY\?$'
	assert_log 'warning: start: unknown variable DRAINIT_FROBNICATE, ignored$'
	assert_log 'warning: start: --ready-when tcp:1 without a readiness file: what it finds changes nothing a probe can see; give --ready-file PATH \(DRAINIT_READY_FILE\) or --ready-http PORT$'
	assert_eq "$(count_lines 'unknown variable')" 3 "unknown-variable warnings"
	assert_eq "$(count_lines 'warning: start:')" 4 "start warnings"
	# a variable tini has, and drainit's own, are known
	assert_no_log 'TINI_SUBREAPER|READY_WHEN,'

	TINI_BOGUS=1 run_ns -- true
	assert_log 'warning: start: unknown variable TINI_BOGUS, ignored \(tini has no such variable\)$'
	# nothing to say about a plain start
	run_ns --ready-file "$T/ready" --ready-when tcp:1 --ready-timeout 100ms -- true
	assert_no_log warning
}

test_logs_json_lines_carry_the_facts_as_fields() {
	start_ns --log-format json --pre-stop-delay 200ms -- sh -c "(sleep 0.1 &); exec \"$H/sigrec\" \"$T/rec\" --code 3"
	wait_file '^start ' "$T/rec"
	local app; app=$(rec_field "$T/rec" pid)
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1' "$T/rec"
	kill -TERM "$DPID"
	wait_exit
	assert_eq "$RC" 3 "exit status"
	python3 - "$T/log" "$app" <<'PY' || fail "JSON facts: $(cat "$T/log")"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
app = int(sys.argv[2])
def one(event, prefix):
    found = [e for e in events if e["event"] == event and e["msg"].startswith(prefix)]
    if len(found) != 1:
        sys.exit("%d %s lines start with %r" % (len(found), event, prefix))
    return found[0]
def has(e, **want):
    for k, v in want.items():
        if e.get(k) != v:
            sys.exit("%s: %s is %r, not %r" % (e["msg"], k, e.get(k), v))
has(one("start", "drainit pid 1"), pid=app, phase="starting")
has(one("signal", "SIGUSR1 "), signal="SIGUSR1", from_pid=0, from_uid=0, pid=app, phase="running")
has(one("signal", "SIGTERM "), signal="SIGTERM", from_pid=0, from_uid=0, phase="running")
has(one("stop", "sent SIGTERM"), signal="SIGTERM", pid=app, phase="draining")
has(one("exit", "app pid"), pid=app, comm="sigrec", exit_code=3, phase="draining")
s = one("summary", "SIGTERM to exit took")
has(s, phase="done")
for k in ("delay_ms", "drain_ms", "total_ms", "budget_ms"):
    if not isinstance(s.get(k), int):
        sys.exit("summary lacks %s: %r" % (k, s))
if s["budget_ms"] != 25200 or s["delay_ms"] < 200 or s["total_ms"] < s["delay_ms"]:
    sys.exit("summary durations: %r" % s)
has(one("summary", "exit status 3"), exit_code=3)
# every line has its phase; a key only where it applies
for e in events:
    if "phase" not in e:
        sys.exit("no phase: %r" % e)
if "signal" in one("start", "drainit pid 1"):
    sys.exit("a signal on the start line")
PY
}

test_logs_stop_report_groups_alike_processes() {
	# 40 workers that die of SIGTERM: one line with the count and the first
	# pids; a few alike are each on a line of their own; -v names every one.
	local cmd="for i in \$(seq 40); do sleep 60 & done; exec \"$H/sigrec\" \"$T/rec\" --drain 300"
	start_ns --drain-timeout 10s -- sh -c "$cmd"
	wait_file '^start ' "$T/rec"
	wait_until 10 eval '[ "$(ns_exec pgrep -c -x sleep)" = 40 ]' || fail "the workers did not start"
	kill -TERM "$DPID"
	wait_exit 20
	assert_log 'stop: 40 processes \(sleep\), pids [0-9]+, [0-9]+, [0-9]+, [0-9]+, [0-9]+ and 35 more: each has no handler for SIGTERM: dies of it at once, unless a thread waits for it in sigwait, which only ptrace access can tell$'
	assert_log 'stop: pid [0-9]+ \(sigrec\) catches SIGTERM$'
	assert_eq "$(count_lines 'stop: .*sleep')" 1 "stop lines about the workers"

	start_ns -v --drain-timeout 10s -- sh -c "$cmd"
	wait_file '^start ' "$T/rec"
	wait_until 10 eval '[ "$(ns_exec pgrep -c -x sleep)" = 40 ]' || fail "the workers did not start"
	kill -TERM "$DPID"
	wait_exit 20
	assert_eq "$(count_lines 'stop: pid [0-9]+ \(sleep\) has no handler for SIGTERM: dies of it at once, unless ')" 40 "stop lines at -v"
	assert_no_log 'processes \(sleep\)'
}
