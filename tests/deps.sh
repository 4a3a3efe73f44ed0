#!/bin/sh
# Installs the Debian packages that building drainit, its tests and the demo
# need, when they are missing. Usage: tests/deps.sh [build|check]
set -eu
pkgs="gcc make libc6-dev libcap-dev pkg-config util-linux"
[ "${1:-build}" = check ] && pkgs="$pkgs check procps python3"
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
