#!/usr/bin/env bash
# tests/e2e/run.sh [OPTIONS]: make e2e (E2E_ARGS="--seed 7 --only drainit").
#
# A rolling termination under constant load, for drainit, tini, dumb-init and
# no init, each with the app as entrypoint and behind a bash script that
# starts it without exec: 8 scenarios in one run, one table (docs/e2e.md).
# This script builds the app (tests/e2e/app.c) and runs the harness
# (tests/e2e/e2e.py, python3, standard library only). Every process of every
# pod carries a token in its environment; whatever still carries it when the
# harness is done, however it ended (Ctrl-C included), is killed here by pid
# and makes the run fail. Options: tests/e2e/run.sh --help. Root: unshare.
set -u
cd "$(dirname "$0")/../.." || exit 2
for a in "$@"; do
	case $a in -h | --help) exec python3 tests/e2e/e2e.py --help ;; esac
done
[ "$(id -u)" = 0 ] || { echo "e2e: needs root (a PID namespace per pod)" >&2; exit 2; }
# No __pycache__ in the source tree.
export PYTHONDONTWRITEBYTECODE=1
for t in python3 unshare nsenter setpriv; do
	command -v "$t" >/dev/null || { echo "e2e: $t not found (tests/deps.sh peers)" >&2; exit 2; }
done
[ -x build/drainit ] || { echo "e2e: build/drainit missing: make all" >&2; exit 2; }
mkdir -p build/e2e
${CC:-cc} -O2 -Wall -Wextra -Werror -o build/e2e/app tests/e2e/app.c || exit 2

token="e2e-$$-$(date +%s%N)"
py=""
# shellcheck disable=SC2317  # called by the EXIT trap
finish() {
	local rc=$?
	trap - EXIT INT TERM HUP
	# The harness cleans up after itself; if it is still running (this
	# script was interrupted), it is told to, and waited for.
	if [ -n "$py" ] && kill -0 "$py" 2>/dev/null; then
		kill -TERM "$py" 2>/dev/null
		wait "$py" 2>/dev/null
	fi
	python3 tests/e2e/e2e.py --sweep "$token" || rc=1
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# In the background so that a signal to this script is handled at once (the
# trap), not when the harness is done; the harness handles its own Ctrl-C.
python3 tests/e2e/e2e.py --token "$token" "$@" &
py=$!
wait "$py"
rc=$?
py=""
exit "$rc"
