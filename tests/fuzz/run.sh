#!/usr/bin/env bash
# make fuzz: builds every libFuzzer target (tests/fuzz/fuzz_*.c, with the
# init/*.c they call, main.c left out) into build/fuzz with clang, ASan and
# UBSan; replays each target's regression inputs (tests/fuzz/regressions/
# TARGET/*); then fuzzes each target for SECONDS from a temporary copy of
# its seed corpus (tests/fuzz/corpus/TARGET), with its dictionary when
# there is one. Crashes land in build/fuzz/artifacts/TARGET/, full output
# in build/fuzz/logs/TARGET.log. One summary line per target; exits 1 when
# a target crashed or a regression input failed, 2 when the build failed.
#
# Usage: tests/fuzz/run.sh SECONDS [TARGET...]   (TARGET: fuzz_opt, or opt)
# Environment: FUZZ_CC (clang), FUZZ_JOBS (parallel compiles: nproc),
# FUZZ_ARGS (more libFuzzer flags for every target).
set -u
cd "$(dirname "$0")/../.."

usage() {
	echo "usage: tests/fuzz/run.sh SECONDS [TARGET...]" >&2
	exit 64
}
[ $# -ge 1 ] || usage
secs=$1
shift
case "$secs" in '' | *[!0-9]*) usage ;; esac
[ "$secs" -ge 1 ] || usage

cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: $cc not found: run tests/deps.sh fuzz (as root) or make fuzz" >&2
	exit 2
fi

B=build/fuzz
SRC=tests/fuzz
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE -Iinit"
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

targets=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=fuzz_${t#fuzz_}
		[ -f "$SRC/$t.c" ] || { echo "fuzz: no target $t ($SRC/$t.c)" >&2; exit 64; }
		targets+=("$t")
	done
else
	for f in "$SRC"/fuzz_*.c; do
		t=$(basename "$f" .c)
		targets+=("$t")
	done
fi

start=$(date +%s)
mkdir -p "$B/obj" "$B/logs" "$B/artifacts"

# -- build: init objects in parallel, then one binary per target -----------
echo "== fuzz: building ${#targets[@]} target(s) with $($cc --version | head -n 1)"
build_log=$B/logs/build.log
: >"$build_log"
objs=()
for f in init/*.c; do
	b=$(basename "$f" .c)
	[ "$b" = main ] && continue
	objs+=("$B/obj/$b.o")
done
# shellcheck disable=SC2086
printf '%s\n' "${objs[@]}" | sed 's|.*/\(.*\)\.o$|\1|' |
	xargs -P "$jobs" -I{} sh -c "$cc $CFLAGS -Wall -Wextra -c -o $B/obj/{}.o init/{}.c || echo FAILED {}" \
	>>"$build_log" 2>&1
printf '%s\n' "${targets[@]}" |
	xargs -P "$jobs" -I{} sh -c "$cc $CFLAGS -Wall -Wextra -Werror -o $B/{} $SRC/{}.c ${objs[*]} -lcap || echo FAILED {}" \
	>>"$build_log" 2>&1
if grep -q '^FAILED' "$build_log"; then
	cat "$build_log" >&2
	echo "fuzz: build failed" >&2
	exit 2
fi
build_end=$(date +%s)
echo "   built in $((build_end - start)) s"

# -- run ---------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/drainit-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
summary=()
for t in "${targets[@]}"; do
	bin=$B/$t
	log=$B/logs/$t.log
	: >"$log"
	status=ok
	regress=""

	# Regression inputs: each file executed once; any crash fails.
	rdir=$SRC/regressions/$t
	if [ -d "$rdir" ] && [ -n "$(ls -A "$rdir" 2>/dev/null)" ]; then
		files=("$rdir"/*)
		echo "== $t: replaying ${#files[@]} regression input(s)" | tee -a "$log"
		if timeout -k 5 $((60 + ${#files[@]} * 10)) "$bin" -timeout=10 -rss_limit_mb=2048 "${files[@]}" >>"$log" 2>&1; then
			regress=", ${#files[@]} regression(s) ok"
		else
			regress=", REGRESSION FAILED"
			status=FAILED
			echo "   a regression input of $t fails again (see $log):" >&2
			grep -E '^(Running:|==[0-9]+==ERROR|==fuzz==|SUMMARY|.*runtime error)' "$log" | tail -n 8 >&2
		fi
	fi

	# Fuzzing from a temporary copy of the seed corpus.
	corpus=$work/$t
	mkdir -p "$corpus" "$B/artifacts/$t"
	[ -d "$SRC/corpus/$t" ] && cp -R "$SRC/corpus/$t/." "$corpus/"
	seeds=$(find "$corpus" -type f | wc -l)
	extra=()
	[ -f "$SRC/$t.dict" ] && extra+=("-dict=$SRC/$t.dict")
	case "$t" in
	fuzz_script) extra+=(-max_len=20000) ;; # room for lines past script.c's 16 KiB carry
	fuzz_opt | fuzz_plan | fuzz_user) extra+=(-max_len=8192) ;;
	esac
	echo "== $t: fuzzing for $secs s from $seeds seed(s)" >>"$log"
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout -k 10 $((secs + 120)) "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$B/artifacts/$t/" "${extra[@]}" ${FUZZ_ARGS:-} \
		"$corpus" >>"$log" 2>&1
	rc=$?
	t1=$(date +%s)

	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	covline=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$covline")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$covline")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$covline")
	if [ $rc -ne 0 ]; then
		status=FAILED
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "   $t: libFuzzer exited $rc (see $log)" >&2
		grep -E '^(==[0-9]+==ERROR|==fuzz==|SUMMARY|.*runtime error)' "$log" | head -n 6 >&2
		if [ -n "$art" ]; then
			echo "   input: $art; replay: $bin $art" >&2
			echo "   keep it: cp $art $SRC/regressions/$t/WHAT-IT-WAS" >&2
		fi
	fi
	[ "$status" = ok ] || failed=1
	line=$(printf '%-13s %-6s %10s execs  cov %5s  ft %6s  corpus %5s  %4d s%s' "$t" "$status" \
		"${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" $((t1 - t0)) "$regress")
	echo "$line"
	summary+=("$line")
done

end=$(date +%s)
echo "== fuzz summary ($secs s per target; build $((build_end - start)) s, total $((end - start)) s)"
printf '%s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
	echo "fuzz: FAILED (artifacts in $B/artifacts, logs in $B/logs)"
	exit 1
fi
echo "fuzz: all ${#targets[@]} target(s) ok"
