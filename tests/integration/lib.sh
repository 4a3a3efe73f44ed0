# Shared by the integration tests: start drainit (as PID 1 of a new PID
# namespace, or plainly as a subreaper), wait on events, assert.
# Each test runs in its own subshell with a fresh folder $T; `fail` ends it.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DRAINIT=$TOP/build/drainit
H=$TOP/build/helpers

fail() { echo "  FAIL: $*" >&2; exit 1; }

now_ms() { date +%s%3N; }

# wait_until SECONDS COMMAND...: polls COMMAND every 20 ms until it succeeds.
wait_until() {
	local limit=$1; shift
	local end=$(( $(now_ms) + limit * 1000 ))
	until "$@" 2>/dev/null; do
		(( $(now_ms) < end )) || return 1
		sleep 0.02
	done
}

# wait_log PATTERN [SECONDS]: until drainit's log ($T/log) matches (grep -E).
wait_log() { wait_until "${2:-10}" grep -qE -- "$1" "$T/log" || fail "log never matched: $1"; }

# wait_file PATTERN FILE [SECONDS]
wait_file() { wait_until "${3:-10}" grep -qE -- "$1" "$2" || fail "$2 never matched: $1"; }

# start_ns DRAINIT-ARGS...: drainit as PID 1 of a new PID namespace, in the
# background; stderr in $T/log, stdout in $T/out. Sets DPID (drainit's pid
# as seen from here) and JOB (unshare's pid).
start_ns() {
	unshare --pid --fork --mount-proc "$DRAINIT" "$@" >"$T/out" 2>"$T/log" </dev/null &
	JOB=$!
	wait_until 10 _forked || fail "drainit did not start"
	DPID=$(tr -d ' ' <"/proc/$JOB/task/$JOB/children")
}
_forked() { [ -n "$(cat "/proc/$JOB/task/$JOB/children" 2>/dev/null)" ]
}

# start_plain DRAINIT-ARGS...: drainit not as PID 1 (child subreaper), in a
# session of its own so that cleanup can kill everything. Sets DPID and JOB.
start_plain() {
	setsid "$DRAINIT" "$@" >"$T/out" 2>"$T/log" </dev/null &
	JOB=$!
	DPID=$JOB
}

# wait_exit [SECONDS]: waits for drainit to end; sets RC to its exit status.
wait_exit() {
	local limit=${1:-30}
	wait_until "$limit" eval '! kill -0 $JOB' || fail "drainit still running after ${limit}s"
	wait "$JOB"
	RC=$?
}

# ns_exec COMMAND...: runs COMMAND inside drainit's PID and mount namespace.
ns_exec() { nsenter -t "$DPID" -p -m -- "$@"; }

# Process ids of a helper's start line: field VALUE from "start ... pid=P".
rec_field() { grep -m1 '^start ' "$1" | grep -o "$2=[^ ]*" | cut -d= -f2; }

# The ms= time of the first line of FILE matching PATTERN.
rec_ms() { grep -m1 -E -- "$2" "$1" | grep -o 'ms=[0-9]*' | cut -d= -f2; }

assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$2', got '$1'"; }
assert_log() { grep -qE -- "$1" "$T/log" || fail "log lacks: $1"; }
assert_no_log() { ! grep -qE -- "$1" "$T/log" || fail "log has: $1"; }
# assert_between VALUE LOW HIGH WHAT
assert_between() {
	(( $1 >= $2 && $1 <= $3 )) || fail "$4: $1 not within [$2, $3]"
}

# Kills whatever a test left behind, also when drainit never got a pid.
cleanup() {
	if [ -z "${DPID:-}" ] && [ -n "${JOB:-}" ]; then
		DPID=$(tr -d ' ' <"/proc/$JOB/task/$JOB/children" 2>/dev/null)
	fi
	if [ -n "${DPID:-}" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL -- "-$DPID" 2>/dev/null
		kill -KILL "$DPID" 2>/dev/null
	fi
	[ -n "${JOB:-}" ] && kill -KILL "$JOB" 2>/dev/null
	[ -n "${JOB:-}" ] && wait "$JOB" 2>/dev/null
	return 0
}
