# Sourced (bash) by the scripts that print one PASS, FAIL or SKIP line per
# check and a summary: tests/container/run.sh, tests/release/check.sh,
# tests/release/reproducible.sh. Each prints its own summary from npass,
# nfail and nskip; T_START is when this file was sourced.
npass=0 nfail=0 nskip=0
pass() { echo "PASS: $*"; npass=$((npass + 1)); }
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
skip() { echo "SKIP: $*"; nskip=$((nskip + 1)); }
say() { echo; echo "== $*"; }
# indent: the lines of stdin, indented, for the detail under a FAIL.
indent() { sed 's/^/    /'; }
now_ms() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000 + 10#${t#*.} / 1000 )); }
secs() { printf '%d.%03ds' $(( $1 / 1000 )) $(( $1 % 1000 )); }
# in_order FILE ERE...: each pattern matches a line after the previous match;
# when one does not, says which and returns 1.
in_order() {
	local file=$1 n=0 l pat
	shift
	for pat; do
		l=$(P=$pat awk -v s="$n" 'NR > s && $0 ~ ENVIRON["P"] { print NR; exit }' "$file")
		if [ -z "$l" ]; then
			echo "no line matching /$pat/ after line $n"
			return 1
		fi
		n=$l
	done
}
T_START=$(now_ms)
