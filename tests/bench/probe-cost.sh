#!/usr/bin/env bash
# tests/bench/probe-cost.sh [-n N]: what one readiness probe costs, an exec
# probe as a container engine runs it against an HTTP probe of drainit's
# --ready-http port, side by side on one container (docs/benchmarks.md).
#
# The container: rootful podman (tests/container/podman.sh: everything
# private to a temporary folder, removed at the end), --network none, a root
# file system of two static files: build/drainit-static as /drainit and a
# program that sleeps (musl-gcc), run as
#   /drainit --ready-file /run/ready --ready-http 8081 -- /pause
# Then, in turn, 10N times each (default N = 5):
#   exec   `podman exec C /drainit probe --ready-file /run/ready`, one after
#          the other, as the kubelet's exec probe goes through the runtime
#          (the kubelet uses CRI; podman exec is the same conmon + runc exec
#          path): the wall time of each, and the host's CPU time over the
#          loop (/proc/stat: user, nice, system, irq, softirq) less an idle
#          stretch of the same length measured right before, per probe;
#   http   GET /ready on drainit's port from one client process in the
#          container's network namespace (200N of them: the kubelet's
#          httpGet probe is a request from its own process): wall time each,
#          host CPU per probe the same way (the client's own included, its
#          start too, which weighs less as N grows), and
#          drainit's own CPU per probe (/proc/PID/schedstat, nanoseconds).
# Writes build/bench/probe-cost.tsv (one line per sample) and prints a
# table. Needs root, podman, runc and musl-gcc (tests/deps.sh container
# static).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
N=5
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) shift ;; # make bench's BENCH_ARGS are for every script: others are not ours
	esac
done
[ "$(id -u)" = 0 ] || { echo "probe-cost: needs root (rootful podman)" >&2; exit 2; }
for c in podman runc musl-gcc python3; do
	command -v "$c" >/dev/null || { echo "probe-cost: $c missing: tests/deps.sh container static" >&2; exit 2; }
done
[ -x build/drainit-static ] || { echo "probe-cost: build/drainit-static missing: make static" >&2; exit 2; }

. tests/container/podman.sh
podman_host_state
tmp=$(mktemp -d /tmp/drainit-probecost.XXXXXX)
trap 'podman_cleanup "$tmp/podman"; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
podman_private "$tmp/podman"

rootfs=$tmp/rootfs
mkdir -p "$rootfs/run" "$rootfs/proc" "$rootfs/dev" "$rootfs/sys" "$rootfs/etc"
cp build/drainit-static "$rootfs/drainit"
printf '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n' >"$tmp/pause.c"
musl-gcc -static -Os -o "$rootfs/pause" "$tmp/pause.c"
: >"$rootfs/etc/hosts"
: >"$rootfs/etc/resolv.conf"

pm run -d --name probecost --systemd=false --network none --cgroup-parent "$CGROUP_PARENT" \
	--rootfs "$rootfs" /drainit --ready-file /run/ready --ready-http 8081 -- /pause >/dev/null
dpid=$(pm inspect -f '{{.State.Pid}}' probecost)
for _ in $(seq 100); do
	pm exec probecost /drainit probe --ready-file /run/ready >/dev/null 2>&1 && break
	sleep 0.1
done

busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
hz=$(getconf CLK_TCK)
ms_now() { date +%s%N; }
out=build/bench/probe-cost.tsv
mkdir -p build/bench
: >"$out"

# exec probes: an idle stretch first, as long as the loop will take
n_exec=$(( 10 * N ))
t0=$(ms_now); pm exec probecost /drainit probe --ready-file /run/ready >/dev/null; one=$(( ($(ms_now) - t0) / 1000000 ))
idle_s=$(awk -v n="$n_exec" -v ms="$one" 'BEGIN { printf "%.2f", n * ms / 1000 }')
b0=$(busy); sleep "$idle_s"; b1=$(busy)
idle_ticks=$(( b1 - b0 ))
b0=$(busy); t_all=$(ms_now)
for i in $(seq "$n_exec"); do
	t0=$(ms_now)
	pm exec probecost /drainit probe --ready-file /run/ready >/dev/null ||
		{ echo "probe-cost: exec probe $i failed" >&2; exit 1; }
	printf 'exec\t%d\t%d\n' "$i" $(( $(ms_now) - t0 )) >>"$out"
done
b1=$(busy); t_exec=$(( ($(ms_now) - t_all) / 1000000 ))
exec_ticks=$(( b1 - b0 ))

# http probes, drainit's own CPU from schedstat
n_http=$(( 200 * N ))
s0=$(cut -d' ' -f1 "/proc/$dpid/schedstat")
b0=$(busy); t_all=$(ms_now)
nsenter -t "$dpid" -n -- python3 tests/helpers/httpclient.py gets 8081 /ready "$n_http" >>"$out"
b1=$(busy); t_http=$(( ($(ms_now) - t_all) / 1000000 ))
s1=$(cut -d' ' -f1 "/proc/$dpid/schedstat")
http_ticks=$(( b1 - b0 ))

pm rm --force --time 0 probecost >/dev/null

awk -F'\t' -v hz="$hz" -v idle="$idle_ticks" -v idle_s="$idle_s" -v et="$exec_ticks" -v te="$t_exec" \
	-v ht="$http_ticks" -v th="$t_http" -v ds=$(( s1 - s0 )) -v ne="$n_exec" -v nh="$n_http" '
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function p90(a, n) { return a[int(0.9 * n + 0.999)] }
$1 == "exec" { e[++ne2] = $3 / 1e6 }
$1 == "http" { h[++nh2] = $3 / 1e6 }
END {
	em = med(e, ne2); ep = p90(e, ne2); hm = med(h, nh2); hp = p90(h, nh2)
	# idle ticks scaled to the length of the loop, then per probe, in ms
	idle_rate = idle / idle_s
	ec = ((et - idle_rate * te / 1000) * 1000 / hz) / ne
	hc = ((ht - idle_rate * th / 1000) * 1000 / hz) / nh
	printf "| probe | runs | wall time, median | wall time, p90 | host CPU per probe | drainit CPU per probe |\n"
	printf "|---|---:|---:|---:|---:|---:|\n"
	printf "| exec: podman exec C drainit probe | %d | %.1f ms | %.1f ms | %.1f ms | - |\n", ne2, em, ep, ec
	printf "| http: GET /ready on --ready-http | %d | %.3f ms | %.3f ms | %.3f ms | %.1f us |\n", nh2, hm, hp, hc, ds / nh / 1000
	ratio = 0
	if (hc > 0)
		ratio = ec / hc
	printf "\nexec / http: wall time %.0f x, host CPU %.0f x\n", em / hm, ratio
	printf "idle: %d ticks in %s s before the exec loop (subtracted, scaled); exec loop %d ms, http loop %d ms\n", idle, idle_s, te, th
}' "$out"
echo "raw data: $out; drainit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), nproc $(nproc), $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
