#!/usr/bin/env bash
# tests/bench/peers.sh [-n N] [--seed S] [--idle SECONDS] [--orphans M]
#                      [--inits LIST] [--no-cgroup]
#
# drainit side by side with tini, tini-static, dumb-init and catatonit (the
# Debian packages), all in one run, as absolute values and as drainit's
# ratios to each peer and to the best peer. Every init runs as PID 1 of a new
# PID namespace, in its default mode, as its users start it:
#     unshare --pid --fork --kill-child --mount-proc INIT -- CHILD
# drainit and drainit-static with no option (no readiness file, pre-stop
# delay 0, drain timeout 25 s); tini and tini-static as `tini --` (their
# default: signals to the child alone, not its group; tini -g would match
# drainit's and dumb-init's default group forwarding); dumb-init as
# `dumb-init --`; catatonit as `catatonit --`. The inits' stderr (drainit logs
# at info by default) goes to /dev/null, as does everyone's stdin.
#
# Each init runs in a cpu cgroup of its own (one per init, made here under
# the cpu controller and removed after), as a container engine runs every
# container. This matters: with kernel.sched_autogroup_enabled=1, processes
# in the root cgroup are grouped by session for the scheduler, so an init
# whose child calls setsid() (dumb-init) gets its child woken about twice as
# fast as the others'; in any cgroup but the root the kernel groups by
# cgroup, and that lead is gone (docs/benchmarks.md). --no-cgroup runs the
# inits in the caller's cgroup instead.
#
# Measures (build/bench/peerbench drives, build/bench/peerchild is the app;
# both compiled here from tests/bench/*.c with $CC):
#   size        the binary's bytes on disk: the static ones (drainit-static,
#               tini-static, catatonit) and, apart, the dynamic ones
#               (build/drainit stripped into a copy, tini, dumb-init), with
#               what `ldd` says they link
#   RSS         VmHWM (peak resident set) and RssAnon (anonymous) of the init
#               itself (the namespace's PID 1, read from the host's
#               /proc/PID/status), supervising a child asleep in
#               sigwaitinfo(), after the signal samples below
#   wake-ups    the init's voluntary + nonvoluntary context switches over
#               --idle seconds (default 5) while that child sleeps, all inits
#               at once; per second, target 0
#   signal      SIGUSR1 sent to the init from the host; latency = the child's
#               CLOCK_MONOTONIC on leaving sigwaitinfo() - the driver's just
#               before kill(); 50N samples per init, the inits in a shuffled
#               order in each round, 1 ms apart; median and p99
#   start       wall time of `unshare ... INIT -- /bin/true` (fork to
#               waitpid), 10N rounds, each running every init and no init
#               (`unshare ... /bin/true`) once in a shuffled order; overhead =
#               the init's time - no init's time in the same round; median
#               and p90 of that difference
#   reaping     N runs per init of `peerchild orphans M handoff`: M
#               (--orphans, default 1000) zombies handed to the init at once
#               by their parent's exit; rate = M / time until the last is
#               reaped; median over runs. And ceil(N/4) runs of `burst`: M
#               live orphans of the init that all exit at once, so the kernel's
#               M exits count too
#   stop        3N runs per init: SIGTERM to the init 20 ms after the child
#               said ready (the child exits 0 at once on SIGTERM); time until
#               waitpid() of unshare; median and p90
#   stopsig     in the same runs, the time from just before that kill() to
#               the child's leaving sigwaitinfo() with the SIGTERM the init
#               passed on: how long the stop signal takes to reach the app
#               (drainit: pre-stop delay 0, its default); median and p90
# -n N (default 20, ready-latency's -n, so that BENCH_ARGS="-n 5" makes a
# quick `make bench`) sizes every measure as above; --seed S (default 1)
# seeds the shuffles; --idle SECONDS is shared with ready-latency too.
# --inits LIST runs a subset (comma-separated names, default all).
# ready-latency's other options (--interval, --conditions, --tmpdir,
# --keep) are accepted and ignored, and so is anything unknown (with a
# warning): BENCH_ARGS reaches both scripts. ready-latency refuses options
# it does not know, so options for this script alone go in PEERS_ARGS (read
# after the arguments): make bench PEERS_ARGS="--orphans 2000".
# DRAINIT=PATH and DRAINIT_STATIC=PATH measure other binaries. A peer not
# installed is left out (tests/deps.sh peers installs them).
#
# Targets (the issue, and issue 16): 0 idle wake-ups; drainit-static's
# static size at most 0.25 x tini-static's and its peak RSS (VmHWM) at most
# 0.40 x tini-static's; start overhead (median), signal latency (median and
# p99) and reap rate at least as good as the best peer; the stop signal
# reaching the app (stopsig, median and p90) in at most 2 x tini-static's
# time, drainit's pre-stop delay being 0. The verdicts are drainit-static's
# (the binary images ship). Against the best peer: met; even, when it is
# behind but the 95% confidence intervals of the two (from order statistics
# of the samples) overlap, so it is not shown to be behind, as four noisy
# peers make the best of them look better than it is; or MISSED. Against
# K x tini-static: met when drainit-static's value over tini-static's is at
# most K, else MISSED, with the ratio. This is a measurement: the exit
# status is 0 when the table could be made even if targets are missed, 1
# if some runs failed, 2 on a usage or setup error.
# Raw data: build/bench/peers.tsv, one line per sample ("stopsig NAME RUN
# NS" for the stop signal's arrival). Runs as root (unshare). About 1
# minute and a half with the defaults on 2 CPUs.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD

N=20
SEED=1
IDLE=5
ORPHANS=1000
INITS=""
CGROUP=1
ALL_INITS="drainit-static drainit tini-static tini dumb-init catatonit"

usage() {
	echo "usage: tests/bench/peers.sh [-n N] [--seed S] [--idle SECONDS] [--orphans M]" \
		"[--inits LIST]; --help says more" >&2
	exit 2
}
# shellcheck disable=SC2086 # words, as on a command line
[ -n "${PEERS_ARGS:-}" ] && set -- "$@" $PEERS_ARGS
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=${2:-}; shift ;;
	--seed) SEED=${2:-}; shift ;;
	--idle) IDLE=${2:-}; shift ;;
	--orphans) ORPHANS=${2:-}; shift ;;
	--inits) INITS=${2:-}; INITS=${INITS//,/ }; shift ;;
	--no-cgroup) CGROUP=0 ;;
	--interval|--conditions|--tmpdir) shift ;;  # ready-latency's
	--keep) ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "peers: ignoring '$1' (not an option of peers.sh)" >&2 ;;
	esac
	shift
done
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] || { echo "peers: -n wants a count >= 1" >&2; usage; }
[[ $SEED =~ ^[0-9]+$ ]] || { echo "peers: --seed wants a number" >&2; usage; }
[[ $IDLE =~ ^[0-9]+$ ]] && [ "$IDLE" -ge 1 ] || { echo "peers: --idle wants whole seconds >= 1" >&2; usage; }
[[ $ORPHANS =~ ^[0-9]+$ ]] && [ "$ORPHANS" -ge 1 ] && [ "$ORPHANS" -le 10000 ] ||
	{ echo "peers: --orphans wants 1 to 10000" >&2; usage; }
INITS=${INITS:-$ALL_INITS}
for i in $INITS; do
	case " $ALL_INITS " in *" $i "*) ;; *) echo "peers: unknown init '$i'" >&2; usage ;; esac
done

START_ROUNDS=$(( 10 * N ))
SAMPLES=$(( 50 * N ))
STOP_ROUNDS=$(( 3 * N ))
HANDOFF_ROUNDS=$N
BURST_ROUNDS=$(( (N + 3) / 4 ))
GAP_US=1000
SETTLE_MS=20

[ "$(id -u)" = 0 ] || { echo "peers: needs root (unshare --pid)" >&2; exit 2; }
command -v unshare >/dev/null || { echo "peers: unshare (util-linux) missing" >&2; exit 2; }
DI_DYN=${DRAINIT:-$ROOT/build/drainit}
DI_STATIC=${DRAINIT_STATIC:-$ROOT/build/drainit-static}
# Only the options given here reach the inits.
for v in $(compgen -e | grep -E '^(DRAINIT|TINI)_'); do unset "$v"; done
unset NOTIFY_SOCKET

B=$ROOT/build/bench
mkdir -p "$B" || exit 2
for prog in peerbench peerchild; do
	if [ ! -x "$B/$prog" ] || [ "$ROOT/tests/bench/$prog.c" -nt "$B/$prog" ]; then
		${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$B/$prog" \
			"$ROOT/tests/bench/$prog.c" || exit 2
	fi
done

W=$(mktemp -d /tmp/peers.XXXXXX) || exit 2
RAW=$B/peers.tsv
JOB=""
CG=""
cleanup() {
	# peerbench kills what it started (the namespaces go with unshare).
	[ -n "$JOB" ] && kill -TERM "$JOB" 2>/dev/null && wait "$JOB" 2>/dev/null
	rm -rf "$W"
	# A cgroup goes once its last process has; an exiting one may linger.
	if [ -n "$CG" ]; then
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$CG"/*/ "$CG" 2>/dev/null
			[ -d "$CG" ] || break
			sleep 0.2
		done
		[ -d "$CG" ] && echo "peers: could not remove the cgroup $CG" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Copies: a rebuild during the runs must not change what is measured.
mkdir -p "$W/bin"
declare -A BIN PKG
BIN[drainit-static]=$DI_STATIC BIN[drainit]=$DI_DYN
BIN[tini-static]=/usr/bin/tini-static BIN[tini]=/usr/bin/tini
BIN[dumb-init]=/usr/bin/dumb-init BIN[catatonit]=/usr/bin/catatonit
PKG[tini-static]=tini PKG[tini]=tini PKG[dumb-init]=dumb-init PKG[catatonit]=catatonit
USE=""
for i in $INITS; do
	if [ ! -x "${BIN[$i]}" ]; then
		case $i in
		drainit*) echo "peers: ${BIN[$i]} missing: make all static" >&2; exit 2 ;;
		*) echo "peers: ${BIN[$i]} missing, $i left out (tests/deps.sh peers installs it)" >&2; continue ;;
		esac
	fi
	case $i in drainit*) cp "${BIN[$i]}" "$W/bin/$i" || exit 2; BIN[$i]=$W/bin/$i ;; esac
	USE="$USE $i"
done
USE=${USE# }
case " $USE " in *" drainit"*) ;; *) echo "peers: no drainit to measure" >&2; exit 2 ;; esac

spec() {
	case $1 in
	drainit*|tini*|catatonit|dumb-init) printf '%s=%s --' "$1" "${BIN[$1]}" ;;
	esac
}
SPECS=()
for i in $USE; do SPECS+=("$(spec "$i")"); done

# A cpu cgroup per init (and one for no init), under the cpu controller:
# cgroup v1's own hierarchy, or v2's with cpu enabled for the children of
# the root.
CGNOTE="each init in the caller's cgroup (--no-cgroup)"
if [ "$CGROUP" = 1 ]; then
	if [ -f /sys/fs/cgroup/cpu/cgroup.procs ]; then
		CGROOT=/sys/fs/cgroup/cpu
	elif [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
		CGROOT=/sys/fs/cgroup
		grep -qw cpu $CGROOT/cgroup.subtree_control ||
			echo +cpu >$CGROOT/cgroup.subtree_control ||
			{ echo "peers: cannot enable the cpu controller; use --no-cgroup" >&2; exit 2; }
	else
		echo "peers: no cpu cgroup controller found; use --no-cgroup" >&2
		exit 2
	fi
	CG=$CGROOT/drainit-peers.$$
	mkdir "$CG" || { echo "peers: cannot make $CG; use --no-cgroup" >&2; CG=""; exit 2; }
	for i in $USE none; do
		mkdir "$CG/$i" || exit 2
	done
	CGNOTE="each init in a cpu cgroup of its own (${CGROOT#/sys/fs/cgroup}/drainit-peers.PID/NAME)"
fi
AUTOGROUP=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo '?')

# The last commit that changed init/, which is what the binaries are built from.
VERSION="$(git -C "$ROOT" log -1 --format=%h -- init 2>/dev/null)"
VERSION=${VERSION:-?}
[ -n "$(git -C "$ROOT" status --porcelain -- init 2>/dev/null)" ] && VERSION="$VERSION+uncommitted init/"
[ "$DI_DYN" = "$ROOT/build/drainit" ] && [ "$DI_STATIC" = "$ROOT/build/drainit-static" ] ||
	VERSION="$VERSION (measured: $DI_STATIC, $DI_DYN)"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date +%s)

# Sizes, and what each binary links.
links() {
	if ldd "$1" 2>&1 | grep -q 'not a dynamic executable'; then
		if grep -qa 'GNU C Library\|glibc' "$1"; then echo static-glibc; else echo static; fi
	else
		ldd "$1" | awk '/=>/ { printf "%s%s", n++ ? "," : "", $1 }'
	fi
}
BINS=()
{
	printf 'measure\tname\tindex\tvalue\textra\n'
	for i in $USE; do
		f=${BIN[$i]}
		kind=$(links "$f")
		bytes=$(stat -c %s "$f")
		case $kind in
		static*)
			printf 'size\t%s\t0\t%d\t%s\n' "$i" "$bytes" "$kind"
			BINS+=("$i $bytes B, ${kind/static-glibc/static (glibc)}")
			;;
		*)
			# build/drainit keeps its debug info (-g); the peers ship stripped
			strip -o "$W/stripped" "$f" 2>/dev/null || cp "$f" "$W/stripped"
			s=$(stat -c %s "$W/stripped")
			printf 'dynsize\t%s\t0\t%d\t%s\n' "$i" "$s" "$kind"
			if [ "$s" = "$bytes" ]; then BINS+=("$i $bytes B, needs ${kind//,/ + }")
			else BINS+=("$i $bytes B ($s stripped), needs ${kind//,/ + }"); fi
			;;
		esac
	done
} >"$RAW"

FAILED=0
# run LABEL MODE ARGS...: one peerbench mode, its raw lines appended.
run() {
	local label=$1 rc; shift
	printf '  %-44s' "$label" >&2
	local t; t=$(date +%s)
	PEERBENCH_CGROUP=$CG "$B/peerbench" "$@" >>"$RAW" 2>"$W/err" &
	JOB=$!
	wait "$JOB"; rc=$?
	JOB=
	if [ "$rc" = 0 ]; then echo " $(( $(date +%s) - t )) s" >&2
	else
		echo " FAILED ($rc)" >&2; sed 's/^/    /' "$W/err" >&2; FAILED=$(( FAILED + 1 ))
	fi
}
echo "peers: $USE; -n $N, seed $SEED" >&2
run "idle ${IDLE}s, RSS, $SAMPLES signals each" steady "$IDLE" "$SAMPLES" "$GAP_US" "$SEED" "$B/peerchild" "${SPECS[@]}"
run "start+teardown, $START_ROUNDS rounds" start "$START_ROUNDS" "$SEED" "none=" "${SPECS[@]}"
run "reaping, $HANDOFF_ROUNDS x $ORPHANS zombies handed over" reap "$HANDOFF_ROUNDS" "$ORPHANS" handoff "$SEED" "$B/peerchild" "${SPECS[@]}"
run "reaping, $BURST_ROUNDS x $ORPHANS live orphans exiting" reap "$BURST_ROUNDS" "$ORPHANS" burst "$SEED" "$B/peerchild" "${SPECS[@]}"
run "SIGTERM to exit, $STOP_ROUNDS runs" stop "$STOP_ROUNDS" "$SETTLE_MS" "$SEED" "$B/peerchild" "${SPECS[@]}"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# The tables, as Markdown. Median: the middle value (mean of the two middle
# ones for an even count); pXX: nearest rank, the ceil(XX% n)-th smallest.
echo
awk -F'\t' -v inits="$USE" -v orphans="$ORPHANS" -v idle="$IDLE" '
function sortn(a, n,   i, j, t, gap) {	# Shell sort: mawk has no asort
	for (gap = int(n / 2); gap > 0; gap = int(gap / 2))
		for (i = gap + 1; i <= n; i++) {
			t = a[i]
			for (j = i; j > gap && a[j - gap] > t; j -= gap)
				a[j] = a[j - gap]
			a[j] = t
		}
}
function median(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function rank(a, n, p,   r) { r = int(p * n); if (r < p * n) r++; if (r < 1) r = 1; return a[r] }
# ci(a, n, p, key, name, scale): the 95% confidence interval of the p
# quantile of sorted a[1..n], from order statistics (ranks n p -/+ 1.96
# sqrt(n p (1 - p)), no assumption about the distribution), divided by
# scale, into lo[key, name] and hi[key, name]; for a rate, the bounds of
# the time swap (scale < 0: rate = -scale / time).
function ci(a, n, p, key, name, scale,   h, l, u) {
	h = 1.96 * sqrt(n * p * (1 - p))
	l = int(n * p - h); if (l < 1) l = 1
	u = int(n * p + h) + 1; if (u > n) u = n
	if (scale > 0) { lo[key, name] = a[l] / scale; hi[key, name] = a[u] / scale }
	else { lo[key, name] = -scale / a[u]; hi[key, name] = -scale / a[l] }
}
# collect MEASURE NAME into v[] and return the count, sorted
function values(m, name, col,   k, n) {
	n = 0
	for (k = 1; k <= nraw; k++)
		if (rm[k] == m && rn[k] == name) v[++n] = (col == 4 ? rv[k] : rx[k]) + 0
	sortn(v, n)
	return n
}
{ if (NR == 1) next
  nraw++; rm[nraw] = $1; rn[nraw] = $2; ri[nraw] = $3; rv[nraw] = $4; rx[nraw] = $5; r6[nraw] = $6
  if ($1 == "start") st[$2, $3] = $4
}
END {
	ni = split(inits, I, " ")
	np = 0
	for (i = 1; i <= ni; i++) if (I[i] !~ /^drainit/) P[++np] = I[i]
	nr = 0
	# rows: key, label, better (lo/hi), format, target
	row("size", "static binary size, KiB", "lo", "%.1f", "<= 0.25 x tini-static")
	row("dynsize", "dynamic binary size, KiB (stripped; + shared libs)", "lo", "%.1f", "")
	row("hwm", "peak RSS (VmHWM), KiB", "lo", "%d", "<= 0.40 x tini-static")
	row("anon", "anonymous RSS (RssAnon), KiB", "lo", "%d", "")
	row("ovmed", "start+teardown overhead, median, ms", "lo", "%.3f", "<= best peer")
	row("ovp90", "start+teardown overhead, p90, ms", "lo", "%.3f", "")
	row("sigmed", "signal forwarding latency, median, us", "lo", "%.1f", "<= best peer")
	row("sigp99", "signal forwarding latency, p99, us", "lo", "%.1f", "<= best peer")
	row("idle", "idle wake-ups per second", "lo", "%.2f", "= 0")
	row("handoff", "orphans reaped per second (" orphans " zombies handed over)", "hi", "%.0f", ">= best peer")
	row("burst", "orphans reaped per second (" orphans " live orphans exiting)", "hi", "%.0f", ">= best peer")
	row("stopmed", "SIGTERM to exit, median, ms", "lo", "%.3f", "")
	row("stopp90", "SIGTERM to exit, p90, ms", "lo", "%.3f", "")
	row("ssmed", "stop signal to the app, median, us", "lo", "%.1f", "<= 2 x tini-static")
	row("ssp90", "stop signal to the app, p90, us", "lo", "%.1f", "<= 2 x tini-static")

	for (i = 1; i <= ni; i++) {
		nm = I[i]
		for (k = 1; k <= nraw; k++) if (rn[k] == nm) {
			if (rm[k] == "size") val["size", nm] = rv[k] / 1024
			if (rm[k] == "dynsize") val["dynsize", nm] = rv[k] / 1024
			if (rm[k] == "mem") { val["hwm", nm] = rv[k]; val["anon", nm] = rx[k] }
			if (rm[k] == "idle") { val["idle", nm] = rv[k] / (rx[k] / 1e9); idlen[nm] = rv[k] }
		}
		# overhead: paired with no init in the same round
		n = 0
		for (k = 1; k <= nraw; k++)
			if (rm[k] == "start" && rn[k] == nm && (("none", ri[k]) in st))
				v[++n] = (rv[k] - st["none", ri[k]]) / 1e6
		sortn(v, n); cnt["ov", nm] = n
		if (n) { val["ovmed", nm] = median(v, n); val["ovp90", nm] = rank(v, n, 0.9); ci(v, n, 0.5, "ovmed", nm, 1) }
		n = values("sig", nm, 4); cnt["sig", nm] = n
		if (n) {
			val["sigmed", nm] = median(v, n) / 1e3; val["sigp99", nm] = rank(v, n, 0.99) / 1e3
			ci(v, n, 0.5, "sigmed", nm, 1e3); ci(v, n, 0.99, "sigp99", nm, 1e3)
		}
		n = values("handoff", nm, 4); cnt["handoff", nm] = n
		if (n) { val["handoff", nm] = orphans / (median(v, n) / 1e9); ci(v, n, 0.5, "handoff", nm, -orphans * 1e9) }
		n = values("burst", nm, 4); cnt["burst", nm] = n
		if (n) { val["burst", nm] = orphans / (median(v, n) / 1e9); ci(v, n, 0.5, "burst", nm, -orphans * 1e9) }
		n = values("stop", nm, 4); cnt["stop", nm] = n
		if (n) { val["stopmed", nm] = median(v, n) / 1e6; val["stopp90", nm] = rank(v, n, 0.9) / 1e6 }
		n = values("stopsig", nm, 4); cnt["stopsig", nm] = n
		if (n) {
			val["ssmed", nm] = median(v, n) / 1e3; val["ssp90", nm] = rank(v, n, 0.9) / 1e3
		}
	}
	n = 0; for (k = 1; k <= nraw; k++) if (rm[k] == "start" && rn[k] == "none") v[++n] = rv[k] / 1e6
	sortn(v, n); if (n) nonemed = median(v, n)

	# Table 1: absolute values
	printf "| measure |"; for (i = 1; i <= ni; i++) printf " %s |", I[i]; printf "\n"
	printf "|---|"; for (i = 1; i <= ni; i++) printf "---:|"; printf "\n"
	for (r = 1; r <= nr; r++) {
		printf "| %s |", RL[r]
		for (i = 1; i <= ni; i++) printf " %s |", cell(RK[r], I[i], RF[r])
		printf "\n"
	}
	# Table 2: drainit-static (and drainit) over each peer, best peer, target
	printf "\n| measure (lower is better unless marked) | "
	for (p = 1; p <= np; p++) printf "drainit-static / %s | ", P[p]
	printf "best peer | drainit-static / best | drainit / best | target | drainit-static |\n"
	printf "|---|"; for (p = 1; p <= np; p++) printf "---:|"; printf "---|---:|---:|---|---|\n"
	for (r = 1; r <= nr; r++) {
		key = RK[r]; subj = ((key, "drainit-static") in val) ? "drainit-static" : ""
		printf "| %s%s |", RL[r], RB[r] == "hi" ? " (higher is better)" : ""
		for (p = 1; p <= np; p++) printf " %s |", ratio(key, subj, P[p])
		best = ""
		for (p = 1; p <= np; p++) if ((key, P[p]) in val)
			if (best == "" || (RB[r] == "lo" ? val[key, P[p]] < val[key, best] : val[key, P[p]] > val[key, best]))
				best = P[p]
		printf " %s |", best == "" ? "-" : best " " sprintf(RF[r], val[key, best])
		printf " %s | %s |", ratio(key, subj, best), ratio(key, "drainit", best)
		printf " %s | %s |\n", RT[r] == "" ? "-" : RT[r], verdict(key, RT[r], best, RB[r], RF[r])
	}
	printf "\nCounts per init: %s signal samples, %s start rounds (no init: median %.3f ms),", cnt["sig", I[1]], cnt["ov", I[1]], nonemed
	printf " %s + %s reaping runs, %s SIGTERM runs (%s stop signals seen by the app); idle over %s s.\n", cnt["handoff", I[1]], cnt["burst", I[1]], cnt["stop", I[1]], cnt["stopsig", I[1]], idle

}
function row(k, l, b, f, t) { nr++; RK[nr] = k; RL[nr] = l; RB[nr] = b; RF[nr] = f; RT[nr] = t }
function cell(k, nm, f) {
	if (!((k, nm) in val)) return "-"
	if (k == "idle") return sprintf("%.2f (%d)", val[k, nm], idlen[nm])
	return sprintf(f, val[k, nm])
}
function ratio(k, a, b) {
	if (a == "" || b == "" || !((k, a) in val) || !((k, b) in val)) return "-"
	if (val[k, b] == 0) return val[k, a] == 0 ? "= (0)" : "inf"
	return sprintf("%.2f", val[k, a] / val[k, b])
}
# "<= K x tini-static": the ratio of drainit-static to tini-static against
# K, met or MISSED (one named peer: no best-of-four bias to allow for).
# "<= best peer", ">= best peer": met, even or MISSED.
function verdict(k, t, best, b, f,   d, x, pct, w, r) {
	if (t == "" || !((k, "drainit-static") in val)) return "-"
	d = val[k, "drainit-static"]
	if (t == "= 0") return d == 0 ? "met" : "MISSED (" sprintf(f, d) "/s)"
	if (split(t, w, " ") == 4 && w[3] == "x") {
		if (!((k, "tini-static") in val) || val[k, "tini-static"] == 0) return "no tini-static"
		r = d / val[k, "tini-static"]
		return sprintf(r <= w[2] + 0 ? "met (%.2f x)" : "MISSED (%.2f x; limit " f ")", r,
			       val[k, "tini-static"] * w[2])
	}
	ref = t ~ /tini-static/ ? "tini-static" : best
	if (ref == "" || !((k, ref) in val)) return "no peer"
	x = val[k, ref]
	if (b == "lo" ? d <= x : d >= x) return "met"
	pct = x ? (b == "lo" ? (d - x) / x : (x - d) / x) * 100 : 0
	# Behind the best of four noisy peers, but not shown to be: the 95%
	# confidence intervals overlap.
	if (((k, "drainit-static") in lo) && ((k, ref) in lo) &&
	    (b == "lo" ? lo[k, "drainit-static"] <= hi[k, ref] : hi[k, "drainit-static"] >= lo[k, ref]))
		return sprintf("even: 95%% CIs overlap (" f "-" f " vs " f "-" f ")",
			       lo[k, "drainit-static"], hi[k, "drainit-static"], lo[k, ref], hi[k, ref])
	return sprintf("MISSED by " f " (%.0f%%)", b == "lo" ? d - x : x - d, pct)
}
' "$RAW"

echo
printf '%s; ' "${BINS[@]}" | sed 's/; $/.\n/; s/^/binaries: /'
for i in $USE; do
	case $i in drainit*) continue ;; esac
	echo -n "${PKG[$i]} $(dpkg-query -W -f='${Version}' "${PKG[$i]}" 2>/dev/null || echo '?'), "
done | sed 's/, $//' | awk '{ print "peers: " $0 "." }' | sed 's/tini \([^,]*\), tini \1/tini \1 (tini, tini-static)/'
echo "drainit $VERSION; nproc $(nproc), kernel $(uname -r);" \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ), $(( $(date +%s) - T0 )) s;" \
	"load average $LOAD0 before, $LOAD1 after; raw data: ${RAW#"$ROOT"/}"
echo "$CGNOTE; kernel.sched_autogroup_enabled=$AUTOGROUP."
if [ "$FAILED" -gt 0 ]; then
	echo "peers: $FAILED measure(s) had failures (see above)" >&2
	exit 1
fi
exit 0
