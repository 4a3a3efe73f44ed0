#!/bin/bash
# The "bash script" entrypoint of make e2e: it starts the app WITHOUT exec,
# as many images' entrypoint scripts do, so bash stays the app's parent (and
# is PID 1 of the pod when there is no init). Nothing here handles a signal.
echo "wrapper.sh (pid $$): starting $*" >&2
"$@"
status=$?
echo "wrapper.sh (pid $$): the app exited with status $status" >&2
exit "$status"
