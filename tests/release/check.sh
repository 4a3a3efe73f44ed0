#!/usr/bin/env bash
# Checks a release made by `make release` (tests/release/release.sh): the
# files in DIST (default dist), without building or changing anything in the
# repository. Debian 12, as root (unshare, dpkg --root); tests/deps.sh
# release installs what it needs. One PASS, FAIL or SKIP line per check and a
# summary line; exit status 1 on any FAIL. About 10 s. Each run of a binary
# is cut off after 30 s; not as root, the smoke and install checks SKIP.
#
# What it checks (VERSION is read from the Makefile's `VERSION = ` line):
#   sums     SHA256SUMS names every other file in DIST, and no more, and
#            `sha256sum -c` passes.
#   elf      Each binary (drainit-VERSION-linux-{amd64,arm64}): the right
#            machine (readelf -h: X86-64, AArch64), static (no PT_INTERP, no
#            dynamic section), stripped (no .symtab, no .debug_*), full RELRO
#            (a GNU_RELRO segment, and BIND_NOW where there is a dynamic
#            section; a static binary has none, so every .got/.got.plt
#            section must lie inside GNU_RELRO, as -z now makes it),
#            no executable stack (GNU_STACK without E); its size.
#   cli      amd64 natively, arm64 under qemu-user (qemu-aarch64 BINARY):
#            --version prints "drainit VERSION"; --help exits 0 and names
#            --ready-file; `plan --longest-request 30s --lb-lag 5s` exits 0
#            and prints terminationGracePeriodSeconds; an unknown option is
#            one line on stderr, nothing on stdout, exit 64.
#   smoke    Each binary as PID 1 of a new PID namespace (arm64: qemu-aarch64
#            is PID 1, and the program it runs sees getpid() == 1):
#              unshare --pid --fork --mount-proc [qemu-aarch64] BINARY
#                --ready-file T/ready --pre-stop-delay 1s -- sh -c APP
#            where APP traps TERM, notes the time and exits 7. The readiness
#            file says "ready start pid=APP ..."; `drainit probe` says ready
#            inside the namespace (through nsenter) and from outside;
#            `drainit inspect 1` inside names the app (sh: catches SIGTERM)
#            and says what PID 1 does with SIGTERM. Then SIGTERM to the
#            namespace's PID 1 (the child of unshare): the readiness file
#            goes at once, before the app is signalled, path.state says
#            draining and the probe "not ready: draining"; the app gets
#            SIGTERM after the pre-stop delay (>= 0.9 s, <= 10 s after ours);
#            exit status 7; both files gone afterwards; the log has start,
#            timeline, ready, SIGTERM, unready, the stop report, the stop
#            signal, the app's exit and the summary, in that order, and no
#            warning or error.
#            Under qemu-user, /proc shows qemu's dispositions rather than the
#            program's (qemu installs a handler for every signal and keeps
#            the program's mask to itself), so inspect's verdict on PID 1 is
#            a SKIP there when /proc/PID/status shows that handler; the
#            native amd64 run checks that verdict for real. And qemu as PID 1
#            cannot die of a signal its program dies of (it re-raises it
#            with kill(), which the kernel ignores for a namespace's init,
#            and waits): its "qemu: uncaught target signal" line ends the
#            wait for readiness, and the check SIGKILLs it.
#   lintian  Each .deb: no error or warning tag (info and pedantic tags are
#            printed; lintian's "running with root privileges" line is
#            ignored).
#   deb      dpkg-deb --info/--contents of each: Package drainit, Version
#            VERSION, Architecture amd64/arm64, Built-Using libcap2 (= V), no
#            Depends; every entry root/root; /usr/bin/drainit mode 0755 and
#            identical to the release binary; the man page, copyright and
#            changelog.gz there.
#   install  Each .deb into a scratch root with a dpkg database of its own
#            (dpkg --root; arm64 added with --add-architecture): the
#            installed drainit --version works (arm64 under qemu), man shows
#            its NAME section, dpkg -s says installed; dpkg -r and -P leave
#            nothing of the package and its status not-installed.
#   image    drainit-VERSION-image.tar (SKIP when absent; podman is never
#            started): a docker-archive (manifest.json) of one image tagged
#            docker.io/library/drainit:VERSION with one layer whose sha256 is
#            the config's diff_id; config amd64/linux, Entrypoint
#            /usr/local/bin/drainit, version label VERSION; the layer holds
#            only usr/local/bin/drainit (mode 0755, byte for byte the amd64
#            binary) and usr/local/share/man/man8/drainit.8.gz (the .deb's).
#
# Usage: tests/release/check.sh [DIST]
set -euo pipefail
export LC_ALL=C TZ=UTC
umask 022
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DIST=${1:-$REPO/dist}
case $DIST in /*) ;; *) DIST=$PWD/$DIST ;; esac
VERSION=$(sed -n 's/^VERSION = //p' "$REPO/Makefile")

. "$REPO/tests/checks.sh"
finish() {
	finished=1
	echo
	echo "release-check: $npass passed, $nfail failed, $nskip skipped ($(secs $(( $(now_ms) - T_START ))))"
	[ "$nfail" = 0 ]
}
# wait_until SECONDS CMD...: polls CMD every 20 ms until it succeeds; 1
# when SECONDS pass first. What it waits for is an event (a file appears,
# goes, a process exits), never a time.
wait_until() {
	local end=$(( $(now_ms) + $1 * 1000 ))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.02
	done
}
# bounded CMD...: CMD, killed if it takes more than 30 s (a binary that
# hangs is a FAIL with exit status 124, not a check that never ends).
bounded() { timeout -k 5 30 "$@"; }
# children_of PID: the pids whose parent is PID (from /proc/*/stat; the
# kernel here has no /proc/PID/task/TID/children).
children_of() {
	local f line a
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		read -r -a a <<<"${line##*) }"
		if [ "${a[1]}" = "$1" ]; then f=${f#/proc/}; echo "${f%/stat}"; fi
	done
	return 0
}

if [ -z "$VERSION" ]; then
	fail "no 'VERSION = ' line in $REPO/Makefile"
	finish || exit 1
fi
if [ ! -d "$DIST" ]; then
	fail "no folder $DIST (make release first)"
	finish || exit 1
fi
missing=
HOST_ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
declare -A QEMU=([amd64]=qemu-x86_64 [arm64]=qemu-aarch64)
need=(readelf sha256sum dpkg-deb dpkg-query lintian unshare nsenter timeout man tar gzip cmp)
for arch in amd64 arm64; do [ "$arch" = "$HOST_ARCH" ] || need+=("${QEMU[$arch]}"); done
for t in "${need[@]}"; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
	fail "missing tools:$missing (tests/deps.sh release installs them)"
	finish || exit 1
fi
ROOT=
[ "$(id -u)" = 0 ] && ROOT=1

tmp=
smoke_pid= # the namespace's PID 1 while a smoke test runs, for cleanup
finished='' err_line=''
set -E
trap 'err_line=$LINENO' ERR
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM ERR
	if [ -z "$finished" ] && [ "$rc" != 0 ] && [ "$rc" -lt 128 ]; then
		# set -e stopped the script: a command nothing expected to fail.
		fail "check.sh stopped early: a command failed at line ${err_line:-?} (exit $rc)"
		finish
		rc=1
	fi
	[ -z "$smoke_pid" ] || kill -KILL "$smoke_pid" 2>/dev/null
	[ -n "$tmp" ] && rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d /tmp/drainit-check.XXXXXX)

echo "release-check: $DIST, version $VERSION"
declare -A BIN DEB MACHINE
for arch in amd64 arm64; do
	BIN[$arch]=$DIST/drainit-$VERSION-linux-$arch
	DEB[$arch]=$DIST/drainit_${VERSION}_$arch.deb
done
IMAGE=$DIST/drainit-$VERSION-image.tar
MACHINE=([amd64]='Advanced Micro Devices X86-64' [arm64]=AArch64)
# The command that runs a binary of that architecture here.
# runner ARCH: sets run, the words that run a binary of ARCH here (none
# natively, qemu-user otherwise), and how, to say so.
runner() {
	run=()
	how=natively
	if [ "$1" != "$HOST_ARCH" ]; then
		run=("${QEMU[$1]}")
		how="under ${QEMU[$1]}"
	fi
}

# ---------------------------------------------------------------- SHA256SUMS
say "SHA256SUMS"
for f in "${BIN[amd64]}" "${BIN[arm64]}" "${DEB[amd64]}" "${DEB[arm64]}"; do
	[ -f "$f" ] || fail "${f##*/} is missing"
done
if [ -f "$DIST/SHA256SUMS" ]; then
	listed=$(sed -E 's/^[0-9a-f]{64}  \*?//' "$DIST/SHA256SUMS" | sort)
	present=$(cd "$DIST" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | sort)
	if [ "$listed" = "$present" ] && [ -n "$present" ]; then
		pass "SHA256SUMS lists every other file in DIST, and only those ($(wc -l <<<"$present") files)"
	else
		fail "SHA256SUMS and the files in DIST differ (< listed, > present):"
		diff <(echo "$listed") <(echo "$present") | grep '^[<>]' | indent || true
	fi
	if out=$(cd "$DIST" && sha256sum --strict -c SHA256SUMS 2>&1); then
		pass "sha256sum -c SHA256SUMS: every sum matches"
	else
		fail "sha256sum -c SHA256SUMS:"
		grep -v ': OK$' <<<"$out" | indent
	fi
else
	fail "no SHA256SUMS in $DIST"
fi

# ---------------------------------------------------------------- binaries
# elf_checks ARCH: the binary's ELF headers.
elf_checks() {
	local arch=$1 bin name h l s d machine want flags relro va msz sec bad=
	bin=${BIN[$arch]} want=${MACHINE[$arch]}
	name=${bin##*/}
	h=$(readelf -hW "$bin" 2>&1) || { fail "$name: readelf cannot read it: $h"; return; }
	l=$(readelf -lW "$bin")
	s=$(readelf -SW "$bin")
	d=$(readelf -dW "$bin")
	machine=$(sed -n 's/^ *Machine: *//p' <<<"$h")
	if [ "$machine" = "$want" ] && grep -q 'Class: *ELF64' <<<"$h"; then
		pass "$name: ELF64 for $machine, $(stat -c %s "$bin") bytes"
	else
		fail "$name: machine '$machine' (expected '$want', ELF64)"
	fi
	if ! grep -qw INTERP <<<"$l" && grep -q 'There is no dynamic section' <<<"$d"; then
		pass "$name: static (no PT_INTERP, no dynamic section)${FILE_SAYS:+; file: $(file -b "$bin" | cut -d, -f1,5-)}"
	else
		fail "$name: not static: $(grep -w INTERP <<<"$l" | head -1)$(grep -m1 NEEDED <<<"$d" || true)"
	fi
	sec=$(sed -n 's/^ *\[ *[0-9]*\] //p' <<<"$s" | awk '{ print $1 }')
	if ! grep -qxE '\.symtab|\.debug_.*' <<<"$sec"; then
		pass "$name: stripped (no .symtab, no .debug_* section)"
	else
		fail "$name: not stripped: $(grep -xE '\.symtab|\.debug_.*' <<<"$sec" | tr '\n' ' ')"
	fi
	relro=$(awk '$1 == "GNU_RELRO" { print $3, $6 }' <<<"$l")
	if [ -z "$relro" ]; then
		fail "$name: no GNU_RELRO segment (no RELRO at all)"
	elif ! grep -q 'There is no dynamic section' <<<"$d"; then
		if grep -qE '\(BIND_NOW\)|\(FLAGS(_1)?\).*\bNOW\b' <<<"$d"; then
			pass "$name: full RELRO (GNU_RELRO and BIND_NOW)"
		else
			fail "$name: partial RELRO: GNU_RELRO without BIND_NOW"
		fi
	else
		read -r va msz <<<"$relro"
		while read -r n _ a _ z _; do
			[ -n "$n" ] || continue
			if (( 0x$a < va || 0x$a + 0x$z > va + msz )); then bad="$bad $n"; fi
		done < <(sed -n 's/^ *\[ *[0-9]*\] //p' <<<"$s" | awk '$1 == ".got" || $1 == ".got.plt"')
		if [ -z "$bad" ]; then
			pass "$name: full RELRO (GNU_RELRO $(printf '%#x+%#x' "$va" "$msz") covers the GOT; static, so no lazy binding to turn off)"
		else
			fail "$name: partial RELRO:$bad outside GNU_RELRO (not linked with -z now)"
		fi
	fi
	flags=$(awk '$1 == "GNU_STACK" { f = ""; for (i = 7; i < NF; i++) f = f $i; print f }' <<<"$l")
	if [ -z "$flags" ]; then
		fail "$name: no GNU_STACK header (the kernel would make the stack executable)"
	elif [[ $flags == *E* ]]; then
		fail "$name: executable stack (GNU_STACK $flags)"
	else
		pass "$name: no executable stack (GNU_STACK $flags)"
	fi
}

# cli_checks ARCH: the options that print and exit.
cli_checks() {
	local arch=$1 bin name run how out err rc
	bin=${BIN[$arch]}
	runner "$arch"
	name=${bin##*/}
	rc=0; out=$(bounded "${run[@]}" "$bin" --version 2>&1) || rc=$?
	if [ "$rc" = 0 ] && [ "$out" = "drainit $VERSION" ]; then
		pass "$name --version ($how): '$out'"
	else
		fail "$name --version ($how): exit $rc, '$out' (expected 'drainit $VERSION')"
	fi
	rc=0; out=$(bounded "${run[@]}" "$bin" --help 2>&1) || rc=$?
	if [ "$rc" = 0 ] && grep -q -- '--ready-file' <<<"$out"; then
		pass "$name --help ($how): exit 0, $(wc -l <<<"$out") lines, names --ready-file"
	else
		fail "$name --help ($how): exit $rc; --ready-file named: $(grep -c -- '--ready-file' <<<"$out" || true)"
	fi
	rc=0; out=$(bounded "${run[@]}" "$bin" plan --longest-request 30s --lb-lag 5s 2>&1) || rc=$?
	if [ "$rc" = 0 ] && grep -q 'terminationGracePeriodSeconds' <<<"$out"; then
		pass "$name plan --longest-request 30s --lb-lag 5s ($how): $(grep -m1 terminationGracePeriodSeconds <<<"$out" | tr -s ' ')"
	else
		fail "$name plan ($how): exit $rc:"
		head -5 <<<"$out" | indent
	fi
	rc=0; bounded "${run[@]}" "$bin" --no-such-option >"$tmp/out" 2>"$tmp/err" || rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" = 64 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		grep -q "^drainit: error: .*--no-such-option" "$tmp/err"; then
		pass "$name --no-such-option ($how): exit 64, one line: $err"
	else
		fail "$name --no-such-option ($how): exit $rc (expected 64), stdout $(wc -c <"$tmp/out") bytes, stderr:"
		indent <"$tmp/err"
	fi
}

# smoke ARCH: the lifecycle, the binary as PID 1 of a new PID namespace.
smoke() {
	local arch=$1 bin name run how T u sh q app rc t0 dt verdict line cgt
	bin=${BIN[$arch]}
	runner "$arch"
	name=${bin##*/}
	if [ -z "$ROOT" ]; then
		skip "$name: lifecycle as PID 1: needs root (unshare --pid)"
		return
	fi
	T=$tmp/smoke-$arch
	mkdir -p "$T"
	# The app notes when SIGTERM reached it; the subshell, when and how
	# drainit exited (rc appears once unshare has exited).
	(
		rc=0
		unshare --pid --fork --mount-proc "${run[@]}" "$bin" --ready-file "$T/ready" --pre-stop-delay 1s -- \
			sh -c "trap 'date +%s%N >$T/term.tmp; mv $T/term.tmp $T/term; exit 7' TERM; while :; do sleep 0.1; done" \
			</dev/null >"$T/out" 2>"$T/log" || rc=$?
		echo "$rc" >"$T/rc.tmp" && mv "$T/rc.tmp" "$T/rc"
	) &
	u=$!
	is_ready() { local w; [ -s "$T/ready" ] && read -r w _ <"$T/ready" && [ "$w" = ready ]; }
	# qemu-user as PID 1 cannot die of a signal the program dies of: it
	# re-raises it with kill(), which the kernel ignores for a namespace's
	# init, and waits for ever. Its message is the event to wait for then.
	crashed() { [ ${#run[@]} != 0 ] && grep -q '^qemu: uncaught target signal' "$T/log"; }
	ready_or_done() { is_ready || [ -e "$T/rc" ] || crashed; }
	wait_until 30 ready_or_done || true
	if ! is_ready; then
		if [ -e "$T/rc" ]; then
			fail "$name ($how): exited with status $(cat "$T/rc") before writing a readiness file; its log:"
		elif crashed; then
			fail "$name ($how): died of a signal before writing a readiness file (qemu, as PID 1, hangs then: killed); its log:"
		else
			fail "$name ($how): no readiness file within 30 s; its log:"
		fi
		indent <"$T/log"
		[ -e "$T/rc" ] || kill -KILL "$(children_of "$(children_of "$u")")" 2>/dev/null || true
		wait "$u" || true
		return
	fi
	sh=$(children_of "$u")
	q=$(children_of "$sh")
	smoke_pid=$q
	app=$(sed -n 's/^ready start pid=\([0-9]*\) .*/\1/p' "$T/ready")
	if [ -n "$q" ] && [ "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$q/status")" = 1 ] && [ -n "$app" ]; then
		pass "$name ($how): PID 1 of a new PID namespace (host pid $q, $(cat "/proc/$q/comm")); ready file: $(cat "$T/ready")"
	else
		fail "$name ($how): unshare's child '$q' is not PID 1 of its namespace, or the ready file is odd: $(cat "$T/ready")"
	fi
	rc=0; line=$(bounded nsenter -t "$q" -p -m "${run[@]}" "$bin" probe --ready-file "$T/ready" 2>&1) || rc=$?
	if [ "$rc" = 0 ] && [[ $line == "ready: app pid $app since "*" (start)" ]]; then
		pass "$name probe inside the namespace: exit 0, '$line'"
	else
		fail "$name probe inside the namespace: exit $rc, '$line'"
	fi
	rc=0; line=$(bounded "${run[@]}" "$bin" probe --ready-file "$T/ready" 2>&1) || rc=$?
	if [ "$rc" = 0 ] && [[ $line == "ready: app pid $app since "*"not checked: this probe runs outside drainit's PID namespace" ]]; then
		pass "$name probe from outside: exit 0, pid not checked, as documented"
	else
		fail "$name probe from outside: exit $rc, '$line'"
	fi
	rc=0; bounded nsenter -t "$q" -p -m "${run[@]}" "$bin" inspect 1 >"$T/inspect" 2>&1 || rc=$?
	if [ "$rc" = 0 ] && grep -qx "pid $app (sh): catches SIGTERM" "$T/inspect"; then
		pass "$name inspect 1 inside the namespace: exit 0, 'pid $app (sh): catches SIGTERM'"
	else
		fail "$name inspect 1 inside the namespace: exit $rc:"
		indent <"$T/inspect"
	fi
	line=$(grep -m1 '^pid 1 (' "$T/inspect" || true)
	verdict=${line#*: }
	cgt=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$q/status")
	if [[ $verdict == "waits for SIGTERM in sigwait"* || $verdict == "blocks SIGTERM"* ]]; then
		pass "$name inspect 1, PID 1: '$line'"
	elif [ ${#run[@]} != 0 ] && [[ $verdict == "catches SIGTERM" ]] && (( 0x$cgt & (1 << 14) )); then
		skip "$name inspect 1, PID 1 says '$verdict': qemu-user's own host handler (SigCgt $cgt has SIGTERM); qemu keeps the program's blocked mask to itself, so /proc cannot show it (the amd64 run checks this natively)"
	else
		fail "$name inspect 1, PID 1: '$line' (expected: waits for SIGTERM in sigwait, or blocks SIGTERM)"
	fi

	t0=$(date +%s%N)
	kill -TERM "$q"
	gone() { [ ! -e "$T/ready" ]; }
	if wait_until 5 gone; then
		if [ ! -e "$T/term" ]; then
			pass "$name: the readiness file went at once on SIGTERM, before the app was signalled ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
		else
			fail "$name: the app had SIGTERM before the readiness file was seen gone"
		fi
	else
		fail "$name: the readiness file is still there 5 s after SIGTERM"
	fi
	line=$(cat "$T/ready.state" 2>/dev/null || true)
	rc=0; out=$(bounded "${run[@]}" "$bin" probe --ready-file "$T/ready" 2>&1) || rc=$?
	if [[ $line == "draining start pid=$app "* ]] && [ "$rc" = 1 ] && [[ $out == "not ready: draining since "* ]]; then
		pass "$name: during the delay, ready.state '${line%% drainit=*} ...', probe exit 1 '$out'"
	else
		fail "$name: during the delay, ready.state '$line', probe exit $rc '$out'"
	fi
	if wait_until 30 test -e "$T/rc"; then
		smoke_pid=
	else
		fail "$name: drainit still running 30 s after SIGTERM; killed"
		kill -KILL "$q" 2>/dev/null || true
		wait_until 10 test -e "$T/rc" || true
		smoke_pid=
	fi
	wait "$u" || true
	rc=$(cat "$T/rc" 2>/dev/null || echo none)
	if [ "$rc" = 7 ]; then
		pass "$name: exit status 7, the app's"
	else
		fail "$name: exit status $rc (expected 7, the app's)"
	fi
	if [ -e "$T/term" ]; then
		dt=$(( ($(cat "$T/term") - t0) / 1000000 ))
		if [ "$dt" -ge 900 ] && [ "$dt" -le 10000 ]; then
			pass "$name: the app got SIGTERM $dt ms after ours (pre-stop delay 1s)"
		else
			fail "$name: the app got SIGTERM $dt ms after ours (expected 900 to 10000: the pre-stop delay is 1s)"
		fi
	else
		fail "$name: the app never got SIGTERM"
	fi
	if [ ! -e "$T/ready" ] && [ ! -e "$T/ready.state" ]; then
		pass "$name: ready and ready.state gone after exit"
	else
		fail "$name: left behind:$(for f in ready ready.state; do [ ! -e "$T/$f" ] || printf ' %s' "$f"; done)"
	fi
	if why=$(in_order "$T/log" \
		"drainit: info: start: drainit pid 1 \(init of its namespace\); app pid $app: sh -c trap" \
		'drainit: info: timeline: on SIGTERM: unready at once, SIGTERM after 1s' \
		"drainit: info: ready: app pid $app started: wrote $T/ready" \
		'drainit: info: signal: SIGTERM from outside the namespace or the kernel \(pid 0, uid 0\)' \
		'drainit: info: unready: readiness withdrawn' \
		"drainit: info: stop: pid $app \(sh\) catches SIGTERM" \
		"drainit: info: stop: sent SIGTERM to process group $app" \
		"drainit: info: exit: app pid $app \(sh\) exited with status 7" \
		'drainit: info: summary: SIGTERM to exit took .* \(pre-stop delay 1(\.[0-9]+)?s, drain [0-9.]+m?s\); no SIGKILL needed' \
		'drainit: info: summary: exit status 7: app exited with status 7'); then
		pass "$name: log in order: start, timeline, ready, SIGTERM, unready, stop report, stop signal, exit 7, summary"
	else
		fail "$name: log: $why; the log:"
		indent <"$T/log"
	fi
	if grep -qE '^[0-9TZ:.-]+ drainit: (warning|error):' "$T/log"; then
		fail "$name: warnings or errors in the log:"
		grep -E '^[0-9TZ:.-]+ drainit: (warning|error):' "$T/log" | indent
	else
		pass "$name: no warning or error in the log ($(wc -l <"$T/log") lines)"
	fi
}

FILE_SAYS=
command -v file >/dev/null && FILE_SAYS=1
for arch in amd64 arm64; do
	bin=${BIN[$arch]}
	[ -f "$bin" ] || continue
	say "drainit-$VERSION-linux-$arch"
	elf_checks "$arch"
	cli_checks "$arch"
	smoke "$arch"
done

# ---------------------------------------------------------------- .debs
# lintian_checks ARCH
lintian_checks() {
	local deb=$1 name=${1##*/} out rc=0 bad
	out=$(lintian -I --pedantic --tag-display-limit 0 "$deb" 2>&1) || rc=$?
	out=$(grep -v 'running with root privileges is not recommended' <<<"$out" || true)
	bad=$(grep -E '^[EW]: ' <<<"$out" || true)
	if [ -z "$bad" ] && { [ "$rc" = 0 ] || [ "$rc" = 2 ]; }; then
		pass "lintian $name: no error or warning tag"
		[ -z "$out" ] || indent <<<"$out"
	else
		fail "lintian $name (exit $rc):"
		indent <<<"$out"
	fi
}

# deb_checks ARCH: what dpkg-deb says of the package.
deb_checks() {
	local arch=$1 deb bin name f v bad c
	deb=${DEB[$arch]} bin=${BIN[$arch]}
	name=${deb##*/}
	bad=
	for f in Package:drainit Version:"$VERSION" Architecture:"$arch"; do
		v=$(dpkg-deb -f "$deb" "${f%%:*}")
		[ "$v" = "${f#*:}" ] || bad="$bad ${f%%:*}='$v' (expected '${f#*:}')"
	done
	v=$(dpkg-deb -f "$deb" Built-Using)
	[[ $v =~ ^libcap2\ \(=\ [0-9]+:[0-9][^\ \)]*\)$ ]] || bad="$bad Built-Using='$v' (expected 'libcap2 (= VERSION)')"
	[ -z "$(dpkg-deb -f "$deb" Depends Pre-Depends)" ] || bad="$bad Depends on '$(dpkg-deb -f "$deb" Depends Pre-Depends)' (a static binary needs nothing)"
	if [ -z "$bad" ]; then
		pass "$name control: Package drainit, Version $VERSION, Architecture $arch, Built-Using $(dpkg-deb -f "$deb" Built-Using), no Depends"
	else
		fail "$name control:$bad"
	fi
	if ! c=$(dpkg-deb -c "$deb" 2>&1); then
		fail "$name: dpkg-deb -c cannot list it: $(tail -1 <<<"$c")"
		return
	fi
	bad=$(awk '$2 != "root/root"' <<<"$c")
	if [ -z "$bad" ]; then
		pass "$name: all $(wc -l <<<"$c") entries owned by root/root"
	else
		fail "$name: entries not owned by root/root:"
		indent <<<"$bad"
	fi
	bad=
	grep -qE '^-rwxr-xr-x [^ ]+ +[0-9]+ .* \./usr/bin/drainit$' <<<"$c" || bad="$bad /usr/bin/drainit: missing or not 0755;"
	for f in ./usr/share/man/man8/drainit.8.gz ./usr/share/doc/drainit/copyright ./usr/share/doc/drainit/changelog.gz; do
		grep -qE "^-rw-r--r-- [^ ]+ +[0-9]+ .* ${f//./\\.}\$" <<<"$c" || bad="$bad ${f#.}: missing or not 0644;"
	done
	if [ -z "$bad" ]; then
		pass "$name: /usr/bin/drainit 0755, man page, copyright and changelog.gz 0644"
	else
		fail "$name:$bad"
	fi
	if dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -xO ./usr/bin/drainit 2>/dev/null | cmp -s - "$bin"; then
		pass "$name: /usr/bin/drainit is ${bin##*/} byte for byte"
	else
		fail "$name: /usr/bin/drainit differs from ${bin##*/}"
	fi
}

# install_checks ARCH: install and remove in a scratch root.
install_checks() {
	local arch=$1 deb name r run how out rc rc2 out2 left st
	deb=${DEB[$arch]}
	runner "$arch"
	name=${deb##*/}
	if [ -z "$ROOT" ]; then
		skip "$name: install into a scratch root: needs root"
		return
	fi
	r=$tmp/root-$arch
	mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/lib/dpkg/triggers"
	: >"$r/var/lib/dpkg/status"
	: >"$r/var/lib/dpkg/available"
	dp() { dpkg --root="$r" --log="$tmp/dpkg-$arch.log" "$@"; }
	if [ "$arch" != "$(dpkg --print-architecture)" ]; then
		dp --add-architecture "$arch"
	fi
	rc=0; out=$(dp -i "$deb" 2>&1) || rc=$?
	if [ "$rc" = 0 ]; then
		pass "$name: dpkg --root=SCRATCH -i"
	else
		fail "$name: dpkg --root=SCRATCH -i: exit $rc:"
		indent <<<"$out"
		return
	fi
	rc=0; out=$(bounded "${run[@]}" "$r/usr/bin/drainit" --version 2>&1) || rc=$?
	if [ "$rc" = 0 ] && [ "$out" = "drainit $VERSION" ]; then
		pass "$name: the installed /usr/bin/drainit --version: '$out'"
	else
		fail "$name: the installed /usr/bin/drainit --version: exit $rc, '$out'"
	fi
	out=$(MANPATH=$r/usr/share/man MANWIDTH=80 man -P cat 8 drainit 2>&1 || true)
	if grep -q '^NAME' <<<"$out" && grep -qE '^ +drainit .{1,3} container init' <<<"$out"; then
		pass "$name: man 8 drainit from the scratch root: $(grep -A1 '^NAME' <<<"$out" | tail -1 | sed 's/^ *//')"
	else
		fail "$name: man 8 drainit from the scratch root:"
		head -5 <<<"$out" | indent
	fi
	out=$(dpkg --root="$r" -s drainit 2>&1 || true)
	if grep -qx 'Status: install ok installed' <<<"$out" && grep -qx "Architecture: $arch" <<<"$out"; then
		pass "$name: dpkg -s drainit: install ok installed, $arch"
	else
		fail "$name: dpkg -s drainit:"
		head -5 <<<"$out" | indent
	fi
	rc=0; out=$(dp -r drainit 2>&1) || rc=$?
	rc2=0; out2=$(dp -P drainit 2>&1) || rc2=$?
	st=$(dpkg-query --root="$r" -W -f='${db:Status-Status}' drainit 2>/dev/null || echo not-installed)
	left=$(cd "$r" && find . -mindepth 1 \( -path ./var -prune \) -o -print)
	left="$left$(dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./||' | while read -r f; do
		if [ -n "$f" ] && [ -e "$r/$f" ] && [ ! -d "$r/$f" ]; then echo " $f"; fi; done)"
	if [ "$rc" = 0 ] && [ "$rc2" = 0 ] && [ "$st" = not-installed ] && [ -z "$left" ] &&
		[ ! -e "$r/var/lib/dpkg/info/drainit.list" ] && [ ! -e "$r/var/lib/dpkg/info/drainit:$arch.list" ]; then
		pass "$name: dpkg -r, then -P: status not-installed, no file of the package left"
	else
		fail "$name: dpkg -r (exit $rc), -P (exit $rc2): status '$st', left: ${left:-nothing}"
		indent <<<"$out$out2"
	fi
}

for arch in amd64 arm64; do
	deb=${DEB[$arch]}
	[ -f "$deb" ] || continue
	say "drainit_${VERSION}_$arch.deb"
	if ! out=$(dpkg-deb --info "$deb" 2>&1); then
		fail "${deb##*/}: dpkg-deb cannot read it: $(tail -1 <<<"$out")"
		continue
	fi
	lintian_checks "$deb"
	deb_checks "$arch"
	install_checks "$arch"
done

# ---------------------------------------------------------------- image
say "drainit-$VERSION-image.tar"
if [ ! -f "$IMAGE" ]; then
	skip "no $IMAGE (made with SKIP_IMAGE=1?)"
else
	img=$tmp/image
	mkdir -p "$img"
	if ! out=$(tar -tf "$IMAGE" 2>&1) || ! grep -qx manifest.json <<<"$out"; then
		fail "${IMAGE##*/}: not a docker-archive (no manifest.json):"
		head -5 <<<"$out" | indent
	else
		tar -xf "$IMAGE" -C "$img"
		manifest=$(cat "$img/manifest.json")
		# podman writes compact JSON: one image, flat lists of strings.
		list() { grep -o "\"$1\":\[[^]]*\]" <<<"$2" | sed 's/^[^[]*\[//; s/\]$//' | tr ',' '\n' | sed -n 's/^"\(.*\)"$/\1/p'; }
		field() { grep -o "\"$1\":\"[^\"]*\"" <<<"$2" | head -1 | sed 's/^"[^"]*":"//; s/"$//'; }
		images=$(grep -o '"Config":' <<<"$manifest" | wc -l)
		layers=$(list Layers "$manifest")
		tags=$(list RepoTags "$manifest")
		if [ "$images" = 1 ] && [ "$(wc -l <<<"$layers")" = 1 ] && [ -n "$layers" ] &&
			grep -qx "docker.io/library/drainit:$VERSION" <<<"$tags"; then
			pass "${IMAGE##*/}: docker-archive of one image, docker.io/library/drainit:$VERSION, one layer"
		else
			fail "${IMAGE##*/}: $images images, layers: $(tr '\n' ' ' <<<"$layers"), tags: $(tr '\n' ' ' <<<"$tags")"
		fi
		layer=$img/$(head -1 <<<"$layers")
		config=$(cat "$img/$(field Config "$manifest")" 2>/dev/null || true)
		diff_ids=$(list diff_ids "$config")
		sum=$(sha256sum <"$layer" | cut -d' ' -f1)
		if [ "$diff_ids" = "sha256:$sum" ]; then
			pass "${IMAGE##*/}: the layer's sha256 is the config's one diff_id"
		else
			fail "${IMAGE##*/}: layer sha256:$sum, config diff_ids: $(tr '\n' ' ' <<<"$diff_ids")"
		fi
		bad=
		[ "$(field architecture "$config")" = amd64 ] || bad="$bad architecture='$(field architecture "$config")'"
		[ "$(field os "$config")" = linux ] || bad="$bad os='$(field os "$config")'"
		[ "$(list Entrypoint "$config")" = /usr/local/bin/drainit ] || bad="$bad Entrypoint='$(list Entrypoint "$config")'"
		[ "$(field org.opencontainers.image.version "$config")" = "$VERSION" ] ||
			bad="$bad version label='$(field org.opencontainers.image.version "$config")'"
		if [ -z "$bad" ]; then
			pass "${IMAGE##*/}: config amd64/linux, Entrypoint [\"/usr/local/bin/drainit\"], version label $VERSION"
		else
			fail "${IMAGE##*/}: config:$bad"
		fi
		lv=$(tar -tvf "$layer")
		files=$(awk '$1 !~ /^d/ { print $NF }' <<<"$lv" | sed 's|^\./||; s|^/||' | sort)
		dirs=$(awk '$1 ~ /^d/ { print $NF }' <<<"$lv" | sed 's|^\./||; s|^/||; s|/$||')
		want=$(printf '%s\n' usr/local/bin/drainit usr/local/share/man/man8/drainit.8.gz)
		bad=
		while read -r dir; do
			[ -z "$dir" ] || grep -q "^$dir/" <<<"$want" || bad="$bad $dir/"
		done <<<"$dirs"
		if [ "$files" = "$want" ] && [ -z "$bad" ]; then
			pass "${IMAGE##*/}: the layer holds only usr/local/bin/drainit and usr/local/share/man/man8/drainit.8.gz"
		else
			fail "${IMAGE##*/}: the layer holds:$bad $(tr '\n' ' ' <<<"$files")"
		fi
		mkdir -p "$img/rootfs"
		tar -xf "$layer" -C "$img/rootfs"
		if cmp -s "$img/rootfs/usr/local/bin/drainit" "${BIN[amd64]}" &&
			[ "$(stat -c %a "$img/rootfs/usr/local/bin/drainit")" = 755 ]; then
			pass "${IMAGE##*/}: usr/local/bin/drainit (0755) is ${BIN[amd64]##*/} byte for byte"
		else
			fail "${IMAGE##*/}: usr/local/bin/drainit is not ${BIN[amd64]##*/} (or not 0755)"
		fi
		if dpkg-deb --fsys-tarfile "${DEB[amd64]}" 2>/dev/null | tar -xO ./usr/share/man/man8/drainit.8.gz 2>/dev/null |
			cmp -s - "$img/rootfs/usr/local/share/man/man8/drainit.8.gz"; then
			pass "${IMAGE##*/}: its man page is the .deb's byte for byte"
		else
			fail "${IMAGE##*/}: its man page differs from the .deb's"
		fi
	fi
fi

finish
