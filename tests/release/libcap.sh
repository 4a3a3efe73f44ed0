#!/bin/sh
# Builds libcap's static library for musl, for the static build (make
# static, make release), from Debian's own source package of libcap2: the
# version this Debian release ships (security updates included), fetched by
# `apt-get source` with deb-src entries made from the machine's own apt
# sources, into build/ (never committed). apt checks the files against the
# signed Sources index; dpkg-source applies Debian's patches.
#
# Usage: tests/release/libcap.sh ARCH OUT
#   ARCH  amd64 or arm64 (the musl compiler: musl-gcc, aarch64-linux-musl-gcc)
#   OUT   folder that gets libcap.a and include/sys/capability.h
# The source is fetched once into build/src and reused; its version is
# written to build/src/libcap2.version (the .debs' Built-Using field).
set -eu
arch=$1 out=$2
cd "$(dirname "$0")/../.."
src=$PWD/build/src
case $arch in
amd64) cc=musl-gcc cross= ;;
arm64) cc=aarch64-linux-musl-gcc cross=aarch64-linux-gnu- ;;
*) echo "libcap.sh: no musl compiler known for $arch (amd64, arm64)" >&2; exit 64 ;;
esac

if ! [ -f "$src/libcap2.version" ]; then
	apt=$src/apt
	rm -rf "$src" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts"
	# deb-src twins of the machine's entries (deb822 and one-line forms).
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt/parts/${f##*/}"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && sed -n 's/^deb \(.*\)/deb-src \1/p' "$f" >"$apt/parts/${f##*/}.list"
	done
	set -- -qq -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
		-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$apt/parts" \
		-o APT::Sandbox::User=root
	apt-get "$@" update
	(cd "$src" && apt-get "$@" source --download-only libcap2) || {
		echo "libcap.sh: could not fetch Debian's libcap2 source package (no deb-src reachable?)" >&2
		exit 69
	}
	dsc=$(ls "$src"/libcap2_*.dsc)
	sed -n 's/^Version: //p' "$dsc" >"$src/libcap2.version.tmp"
	mv "$src/libcap2.version.tmp" "$src/libcap2.version"
	rm -rf "$apt"
fi

rm -rf "$out/libcap2"
mkdir -p "$out"
# Quiet unless it fails: without Debian's keyring it says it cannot check
# the .dsc's signature (apt has checked the files already).
dpkg-source -x "$src"/libcap2_*.dsc "$out/libcap2" >"$out/unpack.log" 2>&1 ||
	{ cat "$out/unpack.log" >&2; exit 1; }
rm -f "$out/unpack.log"
# -Os and a section per function: the linker then keeps only what drainit
# calls. No gperf, so that its presence cannot change the output.
make -s -C "$out/libcap2/libcap" CC="$cc" BUILD_CC=gcc AR="${cross}ar" \
	RANLIB="${cross}ranlib" USE_GPERF=no \
	COPTS="-Os -ffunction-sections -fdata-sections -ffile-prefix-map=$out/libcap2=libcap2" \
	libcap.a >/dev/null
mkdir -p "$out/include/sys"
cp "$out/libcap2/libcap/libcap.a" "$out/libcap.a"
cp "$out/libcap2/libcap/include/sys/capability.h" "$out/include/sys/"
rm -rf "$out/libcap2"
