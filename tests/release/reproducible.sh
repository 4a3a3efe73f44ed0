#!/usr/bin/env bash
# Proves that `make release` is reproducible: two runs of
# tests/release/release.sh from the same commit, in two clones at paths of
# different lengths, one checked out under umask 022 and the other under
# 077, give byte-identical binaries and .debs. Debian 12, as root
# (tests/deps.sh release); each clone fetches Debian's libcap2 source
# itself (tests/release/libcap.sh), so apt's deb-src must be reachable.
# About 25 s. The image is left out (SKIP_IMAGE=1).
#
# What it checks, one PASS or FAIL line each, then a summary line; exit
# status 1 on any FAIL:
#   - the repository's HEAD is cloned twice into one mktemp -d folder (mode
#     0700): TMP/a/drainit and TMP/bb/cc/drainit; uncommitted changes are
#     not in the clones, and a warning says so;
#   - tests/release/release.sh succeeds in each clone, one after the other
#     (so that a date that leaks into the output differs between them);
#   - the four files (drainit-VERSION-linux-{amd64,arm64},
#     drainit_VERSION_{amd64,arm64}.deb) are identical (cmp); for a
#     difference it prints `cmp -l | head` and, for a .deb, the diff of
#     dpkg-deb -c, of the control fields, and whether /usr/bin/drainit in
#     them differs;
#   - their SHA256SUMS lines are the same in both;
#   - no clone path (TMP) and no path of this repository is in the
#     binaries, nor in the files the .debs install.
#
# Usage: tests/release/reproducible.sh
# Environment, to check the check: REPRO_SECOND_ENV='VAR=VALUE ...' is
# added to the second build's environment only (SOURCE_DATE_EPOCH=1 there
# must make the .debs differ); REPRO_KEEP=1 keeps the folder for a look.
set -euo pipefail
export LC_ALL=C
REPO=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(sed -n 's/^VERSION = //p' "$REPO/Makefile")
# The builds take their own defaults, as from a shell: no build folder,
# output or make flags of ours (make check-release B=... would pass them).
unset B DIST MAKEFLAGS MFLAGS MAKELEVEL

. "$REPO/tests/checks.sh"
finish() {
	echo
	echo "release-check: $npass passed, $nfail failed ($(secs $(( $(now_ms) - T_START ))))"
	[ "$nfail" = 0 ]
}
git() { command git -c safe.directory="$REPO" "$@"; }

head=$(git -C "$REPO" rev-parse HEAD)
dirty=$(git -C "$REPO" status --porcelain)
if [ -n "$dirty" ]; then
	echo "reproducible.sh: warning: $(wc -l <<<"$dirty") uncommitted change(s) in $REPO are not included: the clones are of HEAD ${head:0:12}"
fi

tmp=
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [ -n "$tmp" ]; then
		if [ "${REPRO_KEEP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d /tmp/drainit-repro.XXXXXX)
A=$tmp/a/drainit
Bc=$tmp/bb/cc/drainit
read -r -a second_env <<<"${REPRO_SECOND_ENV:-}"

say "two clones of ${head:0:12} (version $VERSION)"
clone() { # clone UMASK DEST
	( umask "$1" && mkdir -p "${2%/*}" && git clone -q "$REPO" "$2" && git -C "$2" checkout -q --detach "$head" )
}
if clone 022 "$A" && clone 077 "$Bc"; then
	pass "cloned HEAD ${head:0:12} into $A (umask 022) and $Bc (umask 077)"
else
	fail "git clone of $REPO failed"
	finish
	exit 1
fi

say "two release builds (SKIP_IMAGE=1)"
ok=1
for d in "$A" "$Bc"; do
	extra=()
	[ "$d" = "$Bc" ] && extra=("${second_env[@]}")
	t0=$(now_ms)
	if (cd "$d" && env "${extra[@]}" SKIP_IMAGE=1 tests/release/release.sh) >"$d.log" 2>&1; then
		pass "release.sh in $d${extra[*]:+ (with ${extra[*]})}: $(secs $(( $(now_ms) - t0 )))"
	else
		fail "release.sh in $d failed; the end of its output:"
		tail -20 "$d.log" | indent
		ok=
	fi
done
if [ -z "$ok" ]; then
	finish
	exit 1
fi

say "the same bytes?"
files="drainit-$VERSION-linux-amd64 drainit-$VERSION-linux-arm64 drainit_${VERSION}_amd64.deb drainit_${VERSION}_arm64.deb"
for f in $files; do
	a=$A/dist/$f b=$Bc/dist/$f
	if [ ! -f "$a" ] || [ ! -f "$b" ]; then
		fail "$f: missing in $( [ -f "$a" ] || echo "$A/dist ")$( [ -f "$b" ] || echo "$Bc/dist")"
		continue
	fi
	if cmp -s "$a" "$b"; then
		pass "$f: identical ($(stat -c %s "$a") bytes, sha256 $(sha256sum <"$a" | cut -c1-16)...)"
		continue
	fi
	fail "$f differs: $(stat -c %s "$a") and $(stat -c %s "$b") bytes; cmp -l (offset, octal bytes) | head:"
	cmp -l "$a" "$b" 2>&1 | head | indent || true
	case $f in *.deb)
		echo "    diff of dpkg-deb -c (< $A, > $Bc):"
		diff <(dpkg-deb -c "$a") <(dpkg-deb -c "$b") | indent || true
		echo "    diff of the control fields:"
		diff <(dpkg-deb -f "$a") <(dpkg-deb -f "$b") | indent || true
		if cmp -s <(dpkg-deb --fsys-tarfile "$a" | tar -xO ./usr/bin/drainit) \
			<(dpkg-deb --fsys-tarfile "$b" | tar -xO ./usr/bin/drainit); then
			echo "    /usr/bin/drainit in them: identical"
		else
			echo "    /usr/bin/drainit in them: differs"
		fi
		;;
	esac
done
bad=
for f in $files; do
	la=$(grep -E "^[0-9a-f]{64}  $f\$" "$A/dist/SHA256SUMS" || true)
	lb=$(grep -E "^[0-9a-f]{64}  $f\$" "$Bc/dist/SHA256SUMS" || true)
	if [ -z "$la" ] || [ "$la" != "$lb" ]; then bad="$bad $f"; fi
done
if [ -z "$bad" ]; then
	pass "SHA256SUMS: the same lines for the four files in both"
else
	fail "SHA256SUMS: different or missing lines for:$bad"
	diff "$A/dist/SHA256SUMS" "$Bc/dist/SHA256SUMS" | indent || true
fi

say "no build path in the output"
# count PATH FILE: lines of FILE holding PATH, FILE decompressed if .gz.
count() {
	case $2 in
	*.gz) zcat -- "$2" | grep -c -a -F -- "$1" || true ;;
	*) grep -c -a -F -- "$1" "$2" || true ;;
	esac
}
for d in "$A" "$Bc"; do
	found=
	for f in $files; do
		case $f in
		*.deb) # the control files and every file it installs, unpacked
			rm -rf "$tmp/raw" && dpkg-deb -R "$d/dist/$f" "$tmp/raw"
			while IFS= read -r -d '' g; do
				for p in "$tmp" "$REPO"; do
					n=$(count "$p" "$g")
					[ "$n" = 0 ] || found="$found $f:${g#"$tmp/raw"}:'$p'($n)"
				done
			done < <(find "$tmp/raw" -type f -print0)
			;;
		*)
			for p in "$tmp" "$REPO"; do
				n=$(count "$p" "$d/dist/$f")
				[ "$n" = 0 ] || found="$found $f:'$p'($n)"
			done
			;;
		esac
	done
	if [ -z "$found" ]; then
		pass "${d#"$tmp"/}: neither $tmp nor $REPO in the binaries, nor in the .debs' control files and the files they install (.gz read decompressed)"
	else
		fail "${d#"$tmp"/}: build paths found (file:member:path(lines)):$found"
	fi
done
rm -rf "$tmp/raw"

finish
