#!/usr/bin/env bash
# make demo: drainit as PID 1 (in its own PID namespace) in front of a small
# HTTP server that warms up for 1.5 s before it listens and whose requests
# take 2.5 s. drainit writes the readiness file only once the server answers
# HTTP (--ready-when). A "kubelet" sends SIGTERM while a
# request is in flight, a "load balancer" still sends one more request during
# the pre-stop delay, and nothing is lost. drainit's log and the demo's own
# lines share one clock, so together they read as the timeline.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
drainit=$top/build/drainit
server=$top/build/helpers/demoserver
freeport=$top/build/helpers/freeport
d=$(mktemp -d /tmp/drainit-demo.XXXXXX)
trap 'kill -KILL $dpid 2>/dev/null || true; rm -rf "$d"' EXIT

ts() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
say() { echo "$(ts) demo: $*"; }
probe() { say "probe: $(nsenter -t "$dpid" -p -m "$drainit" probe --ready-file "$d/ready"; true)"; }
# One HTTP request over bash's /dev/tcp; prints the status line and the time it took.
request() {
	local name=$1 start end status
	start=$(date +%s%3N)
	exec 3<>"/dev/tcp/127.0.0.1/$(cat "$d/port")" || { say "request $name: connection refused (LOST)"; return; }
	printf 'GET / HTTP/1.0\r\n\r\n' >&3
	status=$(head -n 1 <&3 | tr -d '\r')
	exec 3<&-
	end=$(date +%s%3N)
	say "request $name: ${status:-no answer (LOST)} after $((end - start)) ms"
}

[ "$(id -u)" = 0 ] || { echo "make demo needs root (it makes a PID namespace)"; exit 1; }
port=$("$freeport")
echo "drainit demo: ready when GET /healthz answers, pre-stop delay 3s, drain timeout 10s, grace period 15s;"
echo "the server warms up 1.5s before it listens; requests take 2.5s"
echo
unshare --pid --fork --mount-proc "$drainit" --ready-file "$d/ready" \
	--ready-when "http:$port/healthz" --ready-interval 500ms \
	--pre-stop-delay 3s --drain-timeout 10s --grace-period 15s \
	-- "$server" "$d/port" 2500 "$port" 1500 &
job=$!
until [ -n "$(cat /proc/$job/task/$job/children 2>/dev/null)" ]; do sleep 0.05; done
dpid=$(tr -d ' ' </proc/$job/task/$job/children)
until [ -e "$d/ready.state" ]; do sleep 0.05; done
say "readiness file: $( [ -e "$d/ready" ] && cat "$d/ready" || echo absent)"
probe
until [ -s "$d/ready" ] && [ -s "$d/port" ]; do sleep 0.05; done

say "readiness file: $(cat "$d/ready")"
probe
say "client: request A starts"
request A &
sleep 0.5
say "kubelet: SIGTERM to drainit (pid $dpid here, PID 1 in the container)"
kill -TERM "$dpid"
sleep 0.3
say "readiness file: $( [ -e "$d/ready" ] && cat "$d/ready" || echo absent)"
probe
sleep 0.7
say "load balancer has not caught up yet: request B starts during the pre-stop delay"
request B &
wait "$job" && rc=0 || rc=$?
wait
echo
say "drainit exited with status $rc; both requests were answered, none lost"
