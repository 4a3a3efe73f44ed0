#!/usr/bin/env bash
# make check: the Check unit suites, then the integration tests; the last
# line sums both as "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
unit_out=$(mktemp)
build/unit-tests | tee "$unit_out"
unit_rc=${PIPESTATUS[0]}
# Check's summary: "100%: Checks: 42, Failures: 0, Errors: 0"
read -r checks fails errs < <(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$unit_out" | tail -n 1)
rm -f "$unit_out"
checks=${checks:-0} fails=${fails:-0} errs=${errs:-0}
[ "$checks" -gt 0 ] || { echo "unit tests did not run"; unit_rc=1; fails=1; }

int_out=$(mktemp)
tests/integration/run.sh | tee "$int_out"
int_rc=${PIPESTATUS[0]}
read -r ip if_ is < <(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$int_out")
rm -f "$int_out"
ip=${ip:-0} if_=${if_:-1} is=${is:-0}

passed=$(( checks - fails - errs + ip ))
failed=$(( fails + errs + if_ ))
if [ "$is" -gt 0 ]; then
	echo "$passed passed, $failed failed, $is skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$unit_rc" = 0 ] && [ "$int_rc" = 0 ] && [ "$failed" = 0 ]
