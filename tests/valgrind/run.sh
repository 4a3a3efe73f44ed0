#!/usr/bin/env bash
# make check-valgrind: the integration tests with drainit under valgrind's
# memcheck (tests/valgrind/drainit: drainit, drainit probe, plan and inspect,
# each run of them), then every memcheck log read. Fails when a test fails,
# or when a log shows a memory error (invalid read or write, a jump or a
# syscall on uninitialised memory, a bad free, overlapping copies), a leak
# (memory definitely or indirectly lost at exit), drainit dying of a signal,
# or valgrind itself giving up.
#
# A start of drainit under valgrind costs about 0.4 s of CPU, some 500 of
# them in all: the tests run in VALGRIND_JOBS runners side by side (one per
# CPU, at most 2), each every Nth test (SHARD=K/N); the first one's lines
# show as they come, the others' after it. The fault tests (test_faults_*)
# come last, alone: their floods of zombies, reaped slowly under valgrind,
# can use up the machine's pids (pid_max: 32768 by default), and a fork in
# a test beside them would fail.
#
# The logs stay in build/valgrind/logs/TEST/, one file per run of drainit,
# with what its forks did before their exec; runs with an empty environment
# (`env -i drainit probe`) log to build/valgrind/logs itself. A run that was
# SIGKILLed (the tests' cleanup, a test that kills drainit) has no leak
# check, but its errors until then are in its log all the same; such runs
# are counted.
#
# Usage: tests/valgrind/run.sh [NAME-PATTERN]   (as tests/integration/run.sh)
# Environment: VALGRIND_JOBS, TIME_SCALE (3; see tests/integration/lib.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed: run tests/deps.sh valgrind (as root) or make check-valgrind" >&2
	exit 2
fi
logs=build/valgrind/logs
rm -rf "$logs"
mkdir -p "$logs"
chmod 1777 "$logs" # some tests run drainit as another user
jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 1)}
(( jobs > 2 )) && jobs=2
(( jobs < 1 )) && jobs=1

start=$(date +%s)
export DRAINIT=$PWD/tests/valgrind/drainit TIME_SCALE=${TIME_SCALE:-3}
rm -f build/valgrind/*.out
# runner NAME SHARD [PATTERN]: its logs come to build/valgrind/.NAME (then
# to logs/TEST), its lines to build/valgrind/NAME.out.
runner() {
	local in=build/valgrind/.$1
	rm -rf "$in"
	mkdir -p "$in"
	chmod 1777 "$in"
	SHARD=$2 VALGRIND_LOGS=$PWD/$in tests/integration/run.sh "${@:3}" 2>&1 | tee "build/valgrind/$1.out"
	local rc=${PIPESTATUS[0]}
	# what came after its last test, if anything: unattributed
	find "$in" -name '*.log' -exec mv -t "$logs" {} +
	rm -rf "$in"
	return "$rc"
}
tests_rc=0
# Without a pattern, the fault tests later, alone.
[ $# = 0 ] && export EXCLUDE=test_faults_
pids=()
for (( k = 2; k <= jobs; k++ )); do
	runner "$k" "$k/$jobs" "$@" >/dev/null &
	pids+=($!)
done
runner 1 "1/$jobs" "$@" || tests_rc=1
for p in ${pids[@]+"${pids[@]}"}; do
	wait "$p" || tests_rc=1
done
for (( k = 2; k <= jobs; k++ )); do
	cat "build/valgrind/$k.out"
done
if [ $# = 0 ]; then
	unset EXCLUDE
	runner faults 1/1 test_faults_ || tests_rc=1
fi
# "integration: N passed, N failed, N skipped" of each runner, summed
cat build/valgrind/*.out |
	sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' |
	awk 'NR > 1 { multi = 1 } { p += $1; f += $2; s += $3 }
	     END { if (multi) printf "integration, all runners: %d passed, %d failed, %d skipped\n", p, f, s }'

# Runs that went wrong, as "LOG: WHY".
runs=0 killed=0 bad=()
for f in "$logs"/*.log "$logs"/*/*.log; do
	[ -e "$f" ] || continue
	n=$(grep -c '^==[0-9]*== Command: ' "$f")
	runs=$(( runs + n ))
	# Every process that exits under memcheck (drainit, or a fork of it
	# whose exec failed) ends with an ERROR SUMMARY; one per run at least.
	summaries=$(grep -c '^==[0-9]*== ERROR SUMMARY: ' "$f")
	(( summaries >= n )) || killed=$(( killed + n - summaries ))
	why=()
	grep -q '^==[0-9]*== ERROR SUMMARY: [1-9]' "$f" && why+=("memory errors")
	grep -qE '^==[0-9]*== +(definitely|indirectly) lost: [1-9]' "$f" && why+=("leaks")
	# An error in a run that was killed before its summary.
	(( summaries < n )) && grep -qE '^==[0-9]*== (Invalid |Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap)' "$f" &&
		why+=("memory errors before it was killed")
	# drainit itself, not a fork of it that a signal caught before its exec
	main=$(sed -n 's/^==\([0-9]*\)== Command: .*/\1/p' "$f" | head -n 1)
	grep -q "^==$main== Process terminating with default action of signal" "$f" && why+=("died of a signal")
	grep -qE "^valgrind: |the 'impossible' happened" "$f" && why+=("valgrind failed")
	if [ ${#why[@]} -gt 0 ]; then
		w=$(printf '%s, ' "${why[@]}")
		bad+=("$f: ${w%, }")
	fi
done

took=$(( $(date +%s) - start ))
# Each bad log named; the first three shown (80 lines each): the others are
# alike more often than not.
shown=0
for b in ${bad[@]+"${bad[@]}"}; do
	f=${b%%: *}
	echo "memcheck: ${f#"$logs"/}: ${b#*: }"
	(( shown++ < 3 )) && grep -v '^==[0-9]*== *$' "$f" | sed -n '1,80p' | sed 's/^/     | /'
done
tests=$(find "$logs" -mindepth 1 -maxdepth 1 -type d | wc -l)
echo "memcheck: $tests tests, $runs runs of drainit: ${#bad[@]} with errors, $killed killed before their leak check; ${took}s"
[ "$tests_rc" = 0 ] && [ ${#bad[@]} = 0 ]
