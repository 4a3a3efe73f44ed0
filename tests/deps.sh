#!/bin/sh
# Installs the Debian packages that building drainit, its tests and the demo
# need, when they are missing.
# Usage: tests/deps.sh [build|check|valgrind|peers|container|fuzz|lint]
#   valgrind: valgrind and what the integration tests need, for make check-valgrind
#   peers: the inits compared in make bench and make e2e
#   container: podman and what builds the base images for make check-container
#   fuzz: clang and its libFuzzer runtime
#   lint: cppcheck and clang-tidy
set -eu
pkgs="gcc make libc6-dev libcap-dev pkg-config util-linux"
case "${1:-build}" in
build) ;;
check) pkgs="$pkgs check procps python3" ;;
valgrind) pkgs="$pkgs procps python3 valgrind" ;;
peers) pkgs="$pkgs procps python3 tini dumb-init catatonit" ;;
container) pkgs="$pkgs podman runc debootstrap" ;;
fuzz) pkgs="$pkgs clang libclang-rt-14-dev" ;;
lint) pkgs="$pkgs cppcheck clang-tidy" ;;
*) echo "usage: tests/deps.sh [build|check|valgrind|peers|container|fuzz|lint]" >&2; exit 64 ;;
esac
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
