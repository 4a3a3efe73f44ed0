#!/bin/sh
# Checks the two builds after `make all static`: build/drainit-static (musl)
# is static and stripped, both are hardened (RELRO, no executable stack; the
# dynamic one a PIE with BIND_NOW, the stack protector and FORTIFY_SOURCE's
# checked functions, which a stripped static binary cannot show and musl does
# not have). Prints the sizes. make check-release checks the release's own.
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
d=$B/drainit s=$B/drainit-static
fail() { echo "release: $*" >&2; exit 1; }
[ -x $d ] && [ -x $s ] || fail "run make all static first"
if ldd $s >/dev/null 2>&1; then fail "$s is not static"; fi
readelf -S $s | grep -q '\.symtab' && fail "$s is not stripped"
readelf -h $d | grep -q 'DYN (Position-Independent' || fail "$d is not a PIE"
readelf -d $d | grep -q 'BIND_NOW' || fail "$d lacks BIND_NOW (full RELRO)"
for f in $d $s; do
	readelf -lW $f | grep -q GNU_RELRO || fail "$f lacks RELRO"
	readelf -lW $f | grep GNU_STACK | grep -q RWE && fail "$f has an executable stack"
done
nm -D $d | grep -q ' __stack_chk_fail' || fail "$d has no stack protector"
nm -D $d | grep -q '_chk@' || fail "$d has no FORTIFY_SOURCE checks"
build/drainit-static --version >/dev/null
echo "release: $d: PIE, full RELRO, NX stack, stack protector, FORTIFY; $s: static (musl), stripped, RELRO, NX stack"
ls -l $d $s | awk '{print "release: " $5 " bytes " $NF}'
