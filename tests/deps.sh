#!/bin/sh
# Installs the Debian packages that building drainit, its tests and the demo
# need, when they are missing.
# Usage: tests/deps.sh [GROUP...], each of build check valgrind peers
# container e2e-engine fuzz lint static release (default: build)
#   valgrind: valgrind and what the integration tests need, for make check-valgrind
#   peers: the inits compared in make bench and make e2e
#   container: podman and what builds the base images for make check-container
#   e2e-engine: with container's, HAProxy and the inits make e2e-engine compares
#   fuzz: clang and its libFuzzer runtime
#   lint: cppcheck and clang-tidy
#   static: musl and what builds libcap.a for it from Debian's source (make static)
#   release: that for amd64 and arm64 (arm64 through multiarch), dpkg-deb,
#     lintian, qemu-user and podman (make release and its checks)
set -eu
pkgs="gcc make libc6-dev libcap-dev pkg-config util-linux"
static="musl-tools musl-dev linux-libc-dev dpkg-dev xz-utils"
[ $# -gt 0 ] || set -- build
for group; do
case $group in
build) ;;
check) pkgs="$pkgs check procps python3 iproute2 curl haproxy" ;;
valgrind) pkgs="$pkgs procps python3 valgrind iproute2 curl haproxy" ;;
peers) pkgs="$pkgs procps python3 tini dumb-init catatonit" ;;
container) pkgs="$pkgs podman runc debootstrap" ;;
e2e-engine) pkgs="$pkgs python3 haproxy tini dumb-init" ;;
fuzz) pkgs="$pkgs clang libclang-rt-14-dev" ;;
lint) pkgs="$pkgs cppcheck clang-tidy" ;;
static) pkgs="$pkgs $static" ;;
release) pkgs="$pkgs $static gcc-aarch64-linux-gnu musl-dev:arm64 linux-libc-dev:arm64
	lintian qemu-user podman runc man-db" ;;
*) echo "usage: tests/deps.sh [GROUP...]: build check valgrind peers container e2e-engine fuzz lint static release" >&2; exit 64 ;;
esac
done
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "drainit: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# The arm64 cross build takes musl and kernel headers for arm64 from
# Debian's arm64 packages (multiarch).
case $missing in *:arm64*)
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 ;;
esac
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
