#!/usr/bin/env bash
# Runs every test_* function in tests/integration/t_*.sh, each in a subshell
# with its own temp folder; prints "N passed, N failed, N skipped" last.
# A test that cannot run in this build calls `skip REASON` (exit 77): it is
# counted and shown as skipped, never as passed.
# Usage: tests/integration/run.sh [NAME-PATTERN]
# SHARD=K/N runs only every Nth test from the Kth, for runs side by side;
# EXCLUDE=PATTERN leaves out the tests whose names hold PATTERN
# (tests/valgrind/run.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
for f in "$here"/t_*.sh; do . "$f"; done

[ "$(id -u)" = 0 ] || { echo "integration tests need root (PID namespaces)"; exit 1; }
pattern=${1:-}
shard=${SHARD:-1/1} shard_i=0
passed=0 failed=0 skipped=0 failures=()
for t in $(declare -F | awk '{print $3}' | grep '^test_' | sort); do
	[ -n "$pattern" ] && [[ $t != *$pattern* ]] && continue
	[ -n "${EXCLUDE:-}" ] && [[ $t == *$EXCLUDE* ]] && continue
	(( shard_i++ % ${shard#*/} == ${shard%/*} - 1 )) || continue
	T=$(mktemp -d /tmp/drainit-test.XXXXXX)
	start=$(now_ms)
	( T=$T; trap cleanup EXIT; set +e; "$t" ) >"$T/test.out" 2>&1
	rc=$?
	took=$(( $(now_ms) - start ))
	valgrind_logs_of "$t"
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		printf 'ok   %-50s %5d ms\n' "$t" "$took"
		rm -rf "$T"
	elif [ $rc = 77 ]; then
		skipped=$((skipped + 1))
		printf 'skip %-50s %s\n' "$t" "$(tail -n 1 "$T/test.out")"
		rm -rf "$T"
	else
		failed=$((failed + 1))
		failures+=("$t")
		printf 'FAIL %-50s %5d ms\n' "$t" "$took"
		sed 's/^/     | /' "$T/test.out"
		[ -f "$T/log" ] && { echo "     drainit log:"; tail -n 30 "$T/log" | sed 's/^/     | /'; }
		rm -rf "$T"
	fi
done
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
