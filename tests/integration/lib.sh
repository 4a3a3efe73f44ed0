# Shared by the integration tests: start or run drainit (as PID 1 of a new
# PID namespace, or plainly as a subreaper), look at its processes, wait on
# events, assert, and clean up after a test.
# Each test runs in its own subshell with a fresh folder $T; `fail` ends it.
# Helpers that only one test file needs live in that file, prefixed with its
# own letters (sg_, lc_, rd_, op_, lg_, wh_).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DRAINIT=${DRAINIT:-$TOP/build/drainit}  # e.g. a wrapper that runs it under valgrind
H=$TOP/build/helpers

fail() { echo "  FAIL: $*" >&2; exit 1; }
skip() { echo "skipped: $*" >&2; exit 77; }

# make check-valgrind (tests/valgrind/run.sh) sets DRAINIT to the wrapper
# tests/valgrind/drainit: drainit runs under memcheck, each start of it
# takes about half a second, and its process is named after valgrind's tool.
UNDER_VALGRIND=
[ "$DRAINIT" -ef "$TOP/tests/valgrind/drainit" ] && UNDER_VALGRIND=1
# TIME_SCALE multiplies how long the tests wait for something before they
# fail, the upper bounds of times they assert (assert_ms_between), and the
# few delays an app takes on purpose so that a check can look first: 1
# natively, 3 under valgrind (tests/valgrind/run.sh). Lower bounds, which say
# drainit did not act too early, are never scaled.
TIME_SCALE=${TIME_SCALE:-1}
# drainit's process name, as /proc and `drainit inspect` show it: its file's
# name, cut to 15 bytes (dist/drainit-0.1.0-linux-amd64: "drainit-0.1.0-l").
DRAINIT_COMM=$(basename "$DRAINIT")
DRAINIT_COMM=${DRAINIT_COMM:0:15}
# Under valgrind, the descriptor of memcheck's log (63, tests/valgrind/
# drainit), which valgrind 3.19 leaves open for the app: a test that lists
# the app's descriptors leaves it out. Empty natively.
VALGRIND_LOG_FD=
if [ -n "$UNDER_VALGRIND" ]; then
	case $(uname -m) in x86_64) DRAINIT_COMM=memcheck-amd64- ;; aarch64) DRAINIT_COMM=memcheck-arm64- ;; esac
	VALGRIND_LOG_FD=63
fi

# needs_native REASON: the test cannot run with drainit under valgrind; it
# is shown and counted as skipped there. Say why in REASON.
needs_native() { [ -z "$UNDER_VALGRIND" ] || skip "under valgrind: $*"; }

# The C library's words for the errors the tests read where glibc's and
# musl's differ (the static build is musl; its strerror table is inside the
# binary): ENOMEM, EMFILE, EADDRINUSE.
if grep -qa 'No file descriptors available' "$DRAINIT" 2>/dev/null; then
	TEXT_ENOMEM='Out of memory' TEXT_EMFILE='No file descriptors available'
	TEXT_EADDRINUSE='Address in use'
else
	TEXT_ENOMEM='Cannot allocate memory' TEXT_EMFILE='Too many open files'
	TEXT_EADDRINUSE='Address already in use'
fi

# needs_alloc_shim: the test counts drainit's heap allocations with the
# LD_PRELOAD shim build/helpers/alloc_log.so (ALLOC_LOG=FILE: a line "PID
# ..." per allocation); allocs_of PID: how many it saw from PID so far.
needs_alloc_shim() {
	[ -e "$H/alloc_log.so" ] || skip "build/helpers/alloc_log.so not built (make build/helpers/alloc_log.so)"
	needs_dynamic "the allocation log is an LD_PRELOAD shim"
	! ldd "$DRAINIT" 2>/dev/null | grep -q libasan ||
		skip "drainit is built with AddressSanitizer, which replaces malloc"
}
allocs_of() { grep -c "^$1 " "$T/alloc"; }

# needs_dynamic REASON: the test preloads a shim into drainit (LD_PRELOAD),
# which a static binary (make static, the release's musl build) has no
# dynamic loader to load: skipped there, run against the dynamic build.
needs_dynamic() {
	if [ -z "$UNDER_VALGRIND" ] && [ "$(head -c 4 "$DRAINIT" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] &&
		! readelf -lW "$DRAINIT" 2>/dev/null | grep -q INTERP; then
		skip "static build (no dynamic loader): $*"
	fi
	return 0
}

# valgrind_logs_of TEST: files the memcheck logs written since the last call
# (in $VALGRIND_LOGS, one folder for each runner side by side) under
# build/valgrind/logs/TEST; run.sh calls it after each test.
valgrind_logs_of() {
	[ -n "$UNDER_VALGRIND" ] && [ -n "${VALGRIND_LOGS:-}" ] || return 0
	local to=$TOP/build/valgrind/logs/$1 f
	mkdir -p "$to"
	for f in "$VALGRIND_LOGS"/*.log; do
		[ -e "$f" ] && mv "$f" "$to/"
	done
	return 0
}

now_ms() { date +%s%3N; }

# helpers_for_others HELPER...: H becomes $T/helpers (0755), holding copies
# of these helpers, for a test whose app or sender runs as another user: the
# repository, and build/helpers with it, may sit in a folder only root may
# enter (/root, a mktemp -d folder). $T is opened for others to pass
# through; run.sh removes it, and the copies with it.
helpers_for_others() {
	local h
	chmod o+x "$T" || fail "cannot open $T to other users"
	install -d -m 755 "$T/helpers" || fail "cannot make $T/helpers"
	for h; do
		install -m 755 "$H/$h" "$T/helpers/$h" || fail "cannot copy the helper $h"
	done
	H=$T/helpers
}

# wait_until SECONDS COMMAND...: polls COMMAND every 20 ms until it
# succeeds, for at most SECONDS x TIME_SCALE.
wait_until() {
	local limit=$1; shift
	local end=$(( $(now_ms) + limit * 1000 * TIME_SCALE ))
	until "$@" 2>/dev/null; do
		(( $(now_ms) < end )) || return 1
		sleep 0.02
	done
}

# wait_log PATTERN [SECONDS]: until drainit's log ($T/log) matches (grep -E).
wait_log() { wait_until "${2:-10}" grep -qE -- "$1" "$T/log" || fail "log never matched: $1"; }

# wait_file PATTERN FILE [SECONDS]
wait_file() { wait_until "${3:-10}" grep -qE -- "$1" "$2" || fail "$2 never matched: $1"; }

# children PID: PID's children (host pids), one a line; fails when none.
children() { tr -s ' ' '\n' 2>/dev/null <"/proc/$1/task/$1/children" | grep .; }
has_child() { [ -n "$(children "$1")" ]; }

# tree PID: every descendant of PID, one pid a line.
tree() {
	local p
	for p in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$p"
		tree "$p"
	done
}
no_descendants() { [ -z "$(tree "$1")" ]; }

# start_ns DRAINIT-ARGS...: drainit as PID 1 of a new PID namespace, in the
# background; stderr in $T/log, stdout in $T/out. Sets DPID (drainit's pid
# as seen from here) and JOB (unshare's pid). Environment assignments before
# the call reach drainit.
# It polls until unshare has forked; --kill-child takes drainit (and with it
# the namespace) down if unshare is killed. NS_KILL_CHILD= (empty) leaves
# that out, for a test of drainit's own parent-death signal. An app that
# ends at once may take drainit along before we look: then DPID is empty.
# The command in the array NS_WRAP, if set, runs unshare (it must exec it).
# When drainit does not start within 10 s, kills the job and fails.
start_ns() {
	${NS_WRAP[@]+"${NS_WRAP[@]}"} unshare --pid --fork ${NS_KILL_CHILD-"--kill-child"} --mount-proc \
		"$DRAINIT" "$@" >"$T/out" 2>"$T/log" </dev/null &
	JOB=$!
	if ! wait_until 10 _ns_started "$JOB"; then
		local p
		for p in $(tree "$JOB") "$JOB"; do kill -KILL "$p" 2>/dev/null; done
		wait "$JOB" 2>/dev/null
		JOB=
		fail "drainit did not start"
	fi
	DPID=$(children "$JOB" | head -n 1)
	DPID_AT=$(_start_tick "$DPID")
}
# JOB has become unshare (no longer a wrapper before it) and unshare has
# forked drainit; or JOB has ended already.
_ns_started() {
	{ has_child "$1" && [ "$(cat /proc/"$1"/comm 2>/dev/null)" = unshare ]; } || ! kill -0 "$1" 2>/dev/null
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
	wait_until "$limit" eval '! kill -0 $JOB' || fail "drainit still running after $(( limit * TIME_SCALE ))s"
	wait "$JOB"
	RC=$?
}

# app_host_pid: the host pid of drainit's first child (the app); waits for it.
app_host_pid() {
	wait_until 10 has_child "$DPID" || fail "drainit has no child"
	children "$DPID" | head -n 1
}

# The app's pid as drainit logged it ("app pid N").
# drainit logs its start line just after the fork, so the app may be running
# (and have said so) before the line is there: wait for it.
logged_app_pid() {
	wait_until 10 grep -q ' start: drainit pid ' "$T/log" || return 1
	grep -m1 -o 'app pid [0-9]*' "$T/log" | grep -o '[0-9]*$'
}

# run_ns DRAINIT-ARGS...: drainit as PID 1 of a new PID namespace, in the
# foreground; stdout in $T/out, stderr in $T/log, exit status in RC.
run_ns() {
	timeout -s KILL 60 unshare --pid --fork --mount-proc "$DRAINIT" "$@" \
		>"$T/out" 2>"$T/log" </dev/null
	RC=$?
}

# run_plain DRAINIT-ARGS...: the same, drainit not PID 1 (subreaper).
run_plain() {
	timeout -s KILL 60 "$DRAINIT" "$@" >"$T/out" 2>"$T/log" </dev/null
	RC=$?
}

# ns_exec COMMAND...: runs COMMAND inside drainit's PID and mount namespace.
ns_exec() { nsenter -t "$DPID" -p -m -- "$@"; }

# Process ids of a helper's start line: field VALUE from "start ... pid=P".
rec_field() { grep -m1 '^start ' "$1" | grep -o "$2=[^ ]*" | cut -d= -f2; }

# The ms= time of the first line of FILE matching PATTERN.
# log_ms VAR PATTERN: sets VAR to the time (realtime ms) of the first log
# line matching PATTERN; fails the test when there is none.
log_ms() {
	local ts
	ts=$(grep -m1 -E -- "$2" "$T/log" | cut -d' ' -f1)
	[ -n "$ts" ] || fail "log lacks: $2"
	printf -v "$1" '%s' "$(date -d "$ts" +%s%3N)"
}

rec_ms() { grep -m1 -E -- "$2" "$1" | grep -o 'ms=[0-9]*' | cut -d= -f2; }

assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$2', got '$1'"; }
assert_log() { grep -qE -- "$1" "$T/log" || fail "log lacks: $1"; }
assert_no_log() { ! grep -qE -- "$1" "$T/log" || fail "log has: $1"; }
# assert_between VALUE LOW HIGH WHAT
assert_between() {
	(( $1 >= $2 && $1 <= $3 )) || fail "$4: $1 not within [$2, $3]"
}
# assert_ms_between MS LOW HIGH WHAT: a time; HIGH is scaled by TIME_SCALE.
assert_ms_between() { assert_between "$1" "$2" $(( $3 * TIME_SCALE )) "$4"; }

# assert_one_line CODE WORD...: drainit ended with CODE (in RC) and wrote
# exactly one line on stderr, which holds every WORD (fixed strings), and
# nothing on stdout; the app (which would touch $T/started) never ran.
assert_one_line() {
	local code=$1 w; shift
	[ "$RC" = "$code" ] || fail "exit status: expected $code, got $RC; stderr: $(cat "$T/log")"
	[ "$(wc -l <"$T/log")" = 1 ] || fail "expected one line on stderr, got: $(cat "$T/log")"
	for w; do
		grep -qF -- "$w" "$T/log" || fail "stderr does not name '$w': $(cat "$T/log")"
	done
	[ ! -s "$T/out" ] || fail "unexpected stdout: $(cat "$T/out")"
	[ ! -e "$T/started" ] || fail "the app was started"
}

# probe_ns ARGS...: `drainit probe ARGS` inside drainit's PID and mount
# namespaces, as an exec probe runs; probe_here ARGS...: from here. Both with
# an empty environment; they set PRC, stdout in $T/probe.out, stderr in
# $T/probe.err.
probe_ns() { _probe nsenter -t "$DPID" -p -m -- env -i "$DRAINIT" probe "$@"; }
probe_here() { _probe env -i "$DRAINIT" probe "$@"; }
_probe() { "$@" >"$T/probe.out" 2>"$T/probe.err"; PRC=$?; }

# probe_says CODE PATTERN: the last probe exited CODE and printed exactly one
# line on stdout, matching PATTERN (grep -E), and nothing on stderr.
probe_says() {
	[ "$PRC" = "$1" ] || fail "probe exit status: expected $1, got $PRC: $(cat "$T/probe.out" "$T/probe.err")"
	[ "$(wc -l <"$T/probe.out")" = 1 ] || fail "probe should print one line, got: $(cat "$T/probe.out")"
	grep -qE -- "$2" "$T/probe.out" || fail "probe said '$(cat "$T/probe.out")', expected $2"
	[ ! -s "$T/probe.err" ] || fail "probe wrote to stderr: $(cat "$T/probe.err")"
}

# count_lines PATTERN [FILE]: how many lines match (grep -E); FILE: $T/log.
count_lines() { grep -cE -- "$1" "${2:-$T/log}"; }

# cleanup (run.sh's EXIT trap for every test): kills whatever a test left
# behind, also when drainit never got a pid. First every descendant of
# drainit, also those outside its process group (plain mode, daemons,
# orphans it adopted), letting drainit reap them (a zombie left when drainit
# dies would go to the machine's init); then every descendant of JOB (a
# wrapper such as ptyrun, or unshare); then drainit's group, drainit and JOB.
# Only pids still this test's count: one that was reaped (JOB by wait_exit,
# drainit by unshare) may be another process's by now, since pids wrap in
# seconds while orphans flood, as in a test running beside this one.
cleanup() {
	local root p
	# JOB is this shell's child until reaped; drainit is JOB's child, or the
	# very process start_ns found (its parent may have been killed).
	[ -n "${JOB:-}" ] && ! _parent_is "$JOB" "$BASHPID" && JOB=
	if [ -n "${DPID:-}" ] && [ "$DPID" != "${JOB:-}" ] && ! _parent_is "$DPID" "${JOB:-none}" &&
		[ "$(_start_tick "$DPID")" != "${DPID_AT:-none}" ]; then
		DPID=
	fi
	for root in ${DPID:-} ${JOB:-}; do
		kill -0 "$root" 2>/dev/null || continue
		for p in $(tree "$root"); do
			[ "$p" = "${DPID:-}" ] || kill -KILL "$p" 2>/dev/null
		done
		[ "$root" = "${DPID:-}" ] && wait_until 5 no_descendants "$root"
	done
	if [ -z "${DPID:-}" ] && [ -n "${JOB:-}" ]; then
		DPID=$(children "$JOB" | head -n 1)
	fi
	if [ -n "${DPID:-}" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL -- "-$DPID" 2>/dev/null
		kill -KILL "$DPID" 2>/dev/null
	fi
	[ -n "${JOB:-}" ] && kill -KILL "$JOB" 2>/dev/null
	[ -n "${JOB:-}" ] && wait "$JOB" 2>/dev/null
	return 0
}

# _parent_is PID PPID: PID exists (a zombie too) and is PPID's child.
_parent_is() { [ "$(sed -E 's/^.*\) . ([0-9]+) .*$/\1/' "/proc/$1/stat" 2>/dev/null)" = "$2" ]; }
# _start_tick PID: when PID started (clock ticks since boot): with the pid, who
# it is.
_start_tick() { sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# python3 itself, not a wrapper script (pyenv shims are bash).
CATCH_PY=$(command -v /usr/bin/python3 || command -v python3)

# The catching app: records "start pid=P" once its handler is in place,
# "sig N" when it gets SIGTERM, and exits 0 then.
CATCH_PY_CODE='import os, signal, sys
def bye(sig, frame):
    open(sys.argv[1], "a").write("sig %d\n" % sig)
    sys.exit(0)
signal.signal(signal.SIGTERM, bye)
open(sys.argv[1], "a").write("start pid=%d\n" % os.getpid())
while True:
    signal.pause()'
