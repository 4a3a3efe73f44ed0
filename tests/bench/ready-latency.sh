#!/usr/bin/env bash
# tests/bench/ready-latency.sh [-n N] [--interval DUR] [--seed S]
#                              [--conditions LIST] [--idle SECONDS]
#                              [--tmpdir DIR] [--keep]
#
# Readiness latency of drainit's --ready-when conditions: for each condition,
# N runs of drainit as PID 1 of a new PID namespace supervising
# build/helpers/readyapp, which becomes ready after a random (seeded) delay.
#
#   latency = (CLOCK_MONOTONIC when the readiness file is renamed into place,
#              seen by an inotify watcher, build/bench/readywatch)
#           - (CLOCK_MONOTONIC when the app became ready, from its record)
#
# The app's moment, per condition:
#   start   the app's "start" line (its main() began; drainit may be first:
#           then the latency is negative)
#   tcp     "ready": just before listen()
#   http    start + DELAY_MS: the app's timer for listen(). readyapp's own
#           "ready" is its first 2xx answer, which only happens when drainit
#           asks, so it cannot show the polling delay. The timer fires up to
#           ~1 ms before listen(), so http is overstated by that much at most.
#           The 2xx-answer-to-file time is printed as well.
#   exec    "ready" of readyapp file mode creating FLAG (rename), the check
#           being `exec:test -e FLAG`
#   file    the same "ready", the check being file:FLAG
#   notify  "ready": just before READY=1 is sent to $NOTIFY_SOCKET
#   floor   no drainit: the machine's floor for notify and file:, from
#           build/bench/readyfloor (a datagram sent, the receiver writing and
#           renaming the file as drainit does, the same watcher). Not a target:
#           what notify and file: take beyond it is drainit's.
# Delays are uniform in [200 ms, 200 ms + interval], so a polled condition's
# readiness falls anywhere within a check interval; run I of each condition
# gets the same delay.
#
# On the last run of each condition, drainit's context switches
# (voluntary + nonvoluntary, /proc/PID/status seen from the host) are counted
# over --idle seconds (default 5) once the file is there (after 100 ms to
# settle): wake-ups per second while ready, target 0.
#
# The readiness file, the app's FLAG and the records go in a new folder under
# --tmpdir (default /tmp): its filesystem's create and rename cost is part
# of every latency (/dev/shm for tmpfs). DRAINIT=PATH runs another binary.
#
# Targets (issue 3): tcp, http, exec: max <= interval + 5 ms; file, notify:
# max < 1 ms. start has none: its file is written at exec, before the app's
# main() stamps its start, so it reads about 0. PASS/FAIL is printed, but this is a measurement: the exit
# status is 0 unless a run produced no data (1), or on a usage or setup
# error (2). Raw data: build/bench/ready-latency.tsv. Runs as root (unshare).
set -u
cd "$(dirname "$0")/../.." || exit 2
# wait -n with pids: bash 5.1
(( BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1) )) ||
	{ echo "ready-latency: needs bash 5.1 or later" >&2; exit 2; }
ROOT=$PWD

N=20
INTERVAL=1s
SEED=1
CONDS="start tcp http exec file notify floor"
IDLE=5
KEEP=
TMPDIR_BASE=/tmp
SLACK_MS=5       # "a few ms" over the interval for polled conditions
EVENT_MS=1       # event-driven conditions
DELAY_MIN_MS=200

usage() {
	echo "usage: tests/bench/ready-latency.sh [-n N] [--interval DUR] [--seed S]" \
		"[--conditions LIST] [--idle SECONDS] [--tmpdir DIR] [--keep]; --help says more" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=${2:-}; shift ;;
	--interval) INTERVAL=${2:-}; shift ;;
	--seed) SEED=${2:-}; shift ;;
	--conditions) CONDS=${2:-}; CONDS=${CONDS//,/ }; shift ;;
	--idle) IDLE=${2:-}; shift ;;
	--tmpdir) TMPDIR_BASE=${2:-}; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage ;;
	esac
	shift
done
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] || { echo "ready-latency: -n wants a count >= 1" >&2; exit 2; }
[[ $SEED =~ ^[0-9]+$ ]] || { echo "ready-latency: --seed wants a number" >&2; exit 2; }
[[ $IDLE =~ ^[0-9]+$ ]] || { echo "ready-latency: --idle wants whole seconds" >&2; exit 2; }
for c in $CONDS; do
	case $c in start|tcp|http|exec|file|notify|floor) ;; *) echo "ready-latency: unknown condition '$c'" >&2; exit 2 ;; esac
done

# DUR as drainit reads it (500ms, 1.5s, 2m, 1h, plain seconds) in ms.
INTERVAL_MS=$(awk -v d="$INTERVAL" 'BEGIN {
	if (match(d, /^[0-9]+(\.[0-9]+)?(ms|s|m|h)?$/) == 0) { print "bad"; exit }
	n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
	f = u == "ms" ? 1 : u == "m" ? 60000 : u == "h" ? 3600000 : 1000
	printf "%d\n", n * f + 0.5 }')
[[ $INTERVAL_MS =~ ^[0-9]+$ ]] && [ "$INTERVAL_MS" -gt 0 ] || {
	echo "ready-latency: --interval wants a duration such as 1s or 500ms" >&2; exit 2; }

[ "$(id -u)" = 0 ] || { echo "ready-latency: needs root (unshare --pid)" >&2; exit 2; }
DRAINIT=${DRAINIT:-$ROOT/build/drainit}
H=$ROOT/build/helpers
for b in "$DRAINIT" "$H/readyapp" "$H/freeport"; do
	[ -x "$b" ] || { echo "ready-latency: $b missing: make all build/helpers/readyapp build/helpers/freeport" >&2; exit 2; }
done
command -v unshare >/dev/null || { echo "ready-latency: unshare (util-linux) missing" >&2; exit 2; }

# Only the options given here reach drainit.
for v in $(compgen -e | grep -E '^(DRAINIT|TINI)_'); do unset "$v"; done
unset NOTIFY_SOCKET

B=$ROOT/build/bench
WATCH=$B/readywatch
FLOOR=$B/readyfloor
mkdir -p "$B" || exit 2
for prog in readywatch readyfloor; do
	if [ ! -x "$B/$prog" ] || [ "$ROOT/tests/bench/$prog.c" -nt "$B/$prog" ]; then
		${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$B/$prog" \
			"$ROOT/tests/bench/$prog.c" || exit 2
	fi
done

W=$(mktemp -d "$TMPDIR_BASE/ready-latency.XXXXXX") || exit 2
RAW=$B/ready-latency.tsv
JOB="" WPID=""
# Copies: a rebuild during the runs must not change what is measured.
mkdir -p "$W/bin" && cp "$DRAINIT" "$W/bin/drainit" && cp "$H/readyapp" "$H/freeport" "$W/bin/" || exit 2
VERSION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
[ -n "$(git -C "$ROOT" status --porcelain -- init 2>/dev/null)" ] && VERSION="$VERSION+uncommitted init/"
[ "$DRAINIT" = "$ROOT/build/drainit" ] || VERSION="$DRAINIT"
DRAINIT=$W/bin/drainit H=$W/bin
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
cleanup() {
	[ -n "$WPID" ] && kill -KILL "$WPID" 2>/dev/null
	if [ -n "$JOB" ] && kill -0 "$JOB" 2>/dev/null; then
		# --kill-child: drainit, and with it the whole namespace, goes too.
		kill -KILL "$JOB" 2>/dev/null
		wait "$JOB" 2>/dev/null
	fi
	[ -n "$KEEP" ] && echo "ready-latency: runs kept in $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_s() { date +%s.%N; }
# wait_for SECONDS COMMAND...: polls every 10 ms.
wait_for() {
	local end=$(( $(date +%s%N) + $1 * 1000000000 )); shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.01
	done
}
field() { grep -m1 "^$2 " "$1" 2>/dev/null | grep -o "$3=[0-9]*" | cut -d= -f2; }
ctxt() { awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n + 0 }' "/proc/$1/status" 2>/dev/null; }
children_of() { cat "/proc/$1/task/$1/children" 2>/dev/null; }
# Processes still running from run folder D: the watcher, unshare, drainit
# and the app name D/rd or D/rec. A pattern that its own text cannot match.
leftovers() { grep -l -s -E "$1/(rd|rec)" /proc/[0-9]*/cmdline | cut -d/ -f3; }

# Reseeded for each condition: run I of every condition has the same delay.
# Not in $(...): a subshell's RANDOM is reseeded, so the sequence would not
# follow --seed.
rand_delay() { DELAY=$(( DELAY_MIN_MS + (RANDOM * 32768 + RANDOM) % (INTERVAL_MS + 1) )); }

FAILED=0
printf 'condition\trun\tdelay_ms\tlatency_us\tanswer_to_file_us\n' >"$RAW"
declare -A IDLE_RATE

# run COND I: one run; appends a line to $RAW, or says why it could not.
run() {
	local cond=$1 i=$2 d=$W/$1-$2 delay port when app=() ref mark extra=
	mkdir -p "$d/rd" "$d/app"
	rand_delay
	delay=$DELAY
	case $cond in
	start)  when=start; app=(sleep); delay=0 ;;
	tcp)    port=$("$H/freeport"); when=tcp:127.0.0.1:$port; app=(tcp "$port" "$delay") ;;
	http)   port=$("$H/freeport"); when=http:127.0.0.1:$port/healthz; app=(http "$port" "$delay") ;;
	exec)   when="exec:test -e $d/app/flag"; app=(file "$d/app/flag" "$delay") ;;
	file)   when=file:$d/app/flag; app=(file "$d/app/flag" "$delay") ;;
	notify) when=notify; app=(notify "$delay") ;;
	esac

	"$WATCH" "$d/rd" ready $(( (delay + 2 * INTERVAL_MS) / 1000 + 10 )) >"$d/watch" 2>>"$d/log.watch" &
	WPID=$!
	if ! wait_for 5 grep -q '^watching$' "$d/watch"; then
		echo "  $cond #$i: the watcher did not start" >&2
		kill -KILL "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null; WPID=
		return 1
	fi
	unshare --pid --fork --kill-child --mount-proc \
		"$DRAINIT" --ready-file "$d/rd/ready" --ready-when "$when" --ready-interval "$INTERVAL" \
		-- "$H/readyapp" "$d/rec" "${app[@]}" >"$d/out" 2>"$d/log" </dev/null &
	JOB=$!
	# Blocked until the watcher has seen the file or drainit has ended (no
	# polling from here while a latency is being measured).
	wait -n "$WPID" "$JOB" 2>/dev/null
	if kill -0 "$WPID" 2>/dev/null; then
		sleep 0.2 # drainit ended first: the file may still have come just before
		kill -KILL "$WPID" 2>/dev/null
	fi
	wait "$WPID" 2>/dev/null
	WPID=
	local dpid
	wait_for 5 eval '[ -n "$(children_of $JOB)" ] || ! kill -0 $JOB 2>/dev/null'
	dpid=$(children_of "$JOB" | awk '{ print $1 }')

	local ok=1 seen
	seen=$(field "$d/watch" moved_to mono_us)
	[ -n "$seen" ] || { echo "  $cond #$i: no readiness file; drainit said: $(tail -n 2 "$d/log" | tr '\n' ' ')" >&2; ok=; }
	if [ -n "$ok" ]; then
		# The app writes its line just after the act: drainit may be quicker.
		case $cond in start|http) mark=start ;; *) mark=ready ;; esac
		[ "$cond" = http ] && wait_for 5 grep -q '^ready ' "$d/rec"
		wait_for 5 grep -q "^$mark " "$d/rec"
		ref=$(field "$d/rec" "$mark" mono_us)
		if [ -z "$ref" ]; then
			echo "  $cond #$i: no '$mark' line from the app" >&2; ok=
		else
			if [ "$cond" = http ]; then
				ref=$(( ref + delay * 1000 ))
				local ans; ans=$(field "$d/rec" ready mono_us)
				[ -n "$ans" ] && extra=$(( seen - ans ))
			fi
			printf '%s\t%d\t%d\t%d\t%s\n' "$cond" "$i" "$delay" $(( seen - ref )) "$extra" >>"$RAW"
		fi
	fi

	if [ -n "$ok" ] && [ "$i" = "$N" ] && [ "$IDLE" -gt 0 ] && [ -n "$dpid" ]; then
		sleep 0.1
		local c0 c1 t0 t1
		t0=$(now_s); c0=$(ctxt "$dpid")
		sleep "$IDLE"
		t1=$(now_s); c1=$(ctxt "$dpid")
		if [ -n "$c0" ] && [ -n "$c1" ] && kill -0 "$dpid" 2>/dev/null; then
			IDLE_RATE[$cond]=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" \
				'BEGIN { printf "%.2f %d", (b - a) / (t1 - t0), b - a }')
		fi
	fi

	# Stop: SIGTERM to drainit (PID 1 inside); the namespace dies with it.
	[ -n "$dpid" ] && kill -TERM "$dpid" 2>/dev/null
	if ! wait_for 10 eval '! kill -0 $JOB 2>/dev/null'; then
		echo "  $cond #$i: drainit still running 10 s after SIGTERM; killed" >&2
		kill -KILL "$JOB" 2>/dev/null
	fi
	wait "$JOB" 2>/dev/null
	JOB=
	local left
	left=$(leftovers "$d")
	if [ -n "$left" ]; then
		echo "  $cond #$i: processes left running: $left; killed" >&2
		kill -KILL $left 2>/dev/null
		ok=
	fi
	[ -n "$ok" ] && [ -z "$KEEP" ] && rm -rf "$d"
	[ -n "$ok" ]
}

# floor: all runs at once, by readyfloor.
floor() {
	local d=$W/floor lat i=0 rc left
	mkdir -p "$d/rd"
	while read -r lat; do
		i=$(( i + 1 ))
		printf 'floor\t%d\t\t%d\t\n' "$i" "$lat" >>"$RAW"
		printf '.' >&2
	done < <("$FLOOR" "$d/rd" "$N" "$SEED" "$WATCH")
	wait $! 2>/dev/null; rc=$?
	left=$(leftovers "$d")
	[ -n "$left" ] && { echo "  floor: processes left running: $left; killed" >&2; kill -KILL $left 2>/dev/null; }
	[ "$i" = "$N" ] || { printf 'x%.0s' $(seq $(( N - i ))) >&2; FAILED=$(( FAILED + N - i )); }
	[ "$rc" = 0 ] || echo "  floor: readyfloor exited with $rc" >&2
	echo >&2
}

T0=$(date +%s)
echo "ready-latency: $N runs per condition, --ready-interval $INTERVAL, delays ${DELAY_MIN_MS}-$(( DELAY_MIN_MS + INTERVAL_MS )) ms, seed $SEED, in $W ($(stat -f -c %T "$W"))" >&2
for cond in $CONDS; do
	printf '  %-7s' "$cond" >&2
	[ "$cond" = floor ] && { floor; continue; }
	RANDOM=$SEED
	for i in $(seq 1 "$N"); do
		if run "$cond" "$i"; then printf '.' >&2; else printf 'x' >&2; FAILED=$(( FAILED + 1 )); fi
	done
	echo >&2
done

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
# The table, as Markdown. Median: the middle value (mean of the two middle
# ones for even N); p90: nearest rank, the ceil(0.9 N)-th smallest.
echo
echo "| condition | runs | min ms | median ms | p90 ms | max ms | target | latency | wake-ups/s while ready | idle |"
echo "|---|---:|---:|---:|---:|---:|---|---|---:|---|"
for cond in $CONDS; do
	vals=$(awk -F'\t' -v c="$cond" '$1 == c { print $4 }' "$RAW" | sort -n)
	n=$(printf '%s\n' "$vals" | grep -c .)
	case $cond in
	tcp|http|exec) limit_us=$(( (INTERVAL_MS + SLACK_MS) * 1000 )); target="max <= $(( INTERVAL_MS + SLACK_MS )) ms" ;;
	floor) limit_us=; target="(no drainit)" ;;
	start) limit_us=; target="(none: written at exec)" ;;
	*) limit_us=$(( EVENT_MS * 1000 )); target="max < $EVENT_MS ms" ;;
	esac
	if [ "$n" = 0 ]; then
		echo "| $cond | 0 | - | - | - | - | $target | NO DATA | - | - |"
		continue
	fi
	read -r min med p90 max < <(printf '%s\n' "$vals" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		r = int(0.9 * NR); if (r < 0.9 * NR) r++
		print v[1], m, v[r], v[NR] }')
	verdict=PASS
	case $cond in
	tcp|http|exec) [ "$max" -le "$limit_us" ] || verdict=FAIL ;;
	floor|start) verdict=reference ;;
	*) [ "$max" -lt "$limit_us" ] || verdict=FAIL ;;
	esac
	idle=${IDLE_RATE[$cond]:-}
	if [ -n "$idle" ]; then
		read -r rate count <<<"$idle"
		iv=PASS; [ "$count" = 0 ] || iv=FAIL
		idle_cell="$rate ($count in ${IDLE}s)"
	else
		idle_cell=-; iv=-
	fi
	echo "| $cond | $n | $(ms "$min") | $(ms "$med") | $(ms "$p90") | $(ms "$max") | $target | $verdict | $idle_cell | $iv |"
done
if grep -q $'^http\t' "$RAW"; then
	awk -F'\t' '$1 == "http" && $5 != "" { print $5 }' "$RAW" | sort -n | awk '{ v[NR] = $1 } END {
		if (NR) printf "\nhttp, from the app'"'"'s first 2xx answer to the file: median %.2f ms, max %.2f ms (%d runs)\n",
			(NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000, v[NR] / 1000, NR }'
fi
echo
echo "drainit $VERSION; nproc $(nproc), kernel $(uname -r), files on $(stat -f -c %T "$W");" \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ), $(( $(date +%s) - T0 )) s;" \
	"load average $LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after; raw data: ${RAW#"$ROOT"/}"
if [ "$FAILED" -gt 0 ]; then
	echo "ready-latency: $FAILED run(s) produced no data" >&2
	exit 1
fi
exit 0
