#!/usr/bin/env bash
# tests/e2e/engine.sh [OPTIONS]: make e2e-engine (E2E_ENGINE_ARGS="--only
# drainit,tini --entry app"). OPTIONS go to tests/e2e/engine.py (--help).
#
# make e2e's rolling termination with the parts a user runs: podman
# containers of the image Dockerfile.example builds, exec probes through the
# engine, HAProxy as the load balancer. Here: the images.
#   1. The base image of make check-container (tests/container/base.sh:
#      debootstrap once, then cached), imported into a podman store private
#      to this run (tests/container/podman.sh), with the release image
#      dist/drainit-VERSION-image.tar loaded (make e2e-engine makes the
#      release first).
#   2. Dockerfile.example built its default way (drainit COPYed from the
#      release image, no network), then an image from it with the e2e app
#      (tests/e2e/app.c, built here), the bash wrapper, and Debian's
#      tini-static and dumb-init in /e2e.
#   3. tests/e2e/engine.py runs the scenarios against it.
# Every container, image, HAProxy and temporary folder goes at the end, also
# when a step fails or the run is interrupted. Needs root (rootful podman);
# installs podman, runc, debootstrap, haproxy, tini and dumb-init
# (tests/deps.sh container e2e-engine). Exit status: engine.py's (1 when
# drainit loses a request or a scenario fails), 2 on a setup error.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
REPO=$PWD
for a; do
	case $a in -h | --help) exec python3 tests/e2e/engine.py --help ;; esac
done
[ "$(id -u)" = 0 ] || { echo "e2e-engine: needs root (rootful podman)" >&2; exit 2; }
VERSION=$(sed -n 's/^VERSION = //p' Makefile)
arch=$(dpkg --print-architecture)
release_tar=$REPO/dist/drainit-$VERSION-image.tar
[ -f "$release_tar" ] || { echo "e2e-engine: $release_tar missing: make release" >&2; exit 2; }
for c in podman runc debootstrap haproxy python3; do
	command -v "$c" >/dev/null || { echo "e2e-engine: $c missing: tests/deps.sh container e2e-engine" >&2; exit 2; }
done
for f in /usr/bin/tini-static /usr/bin/dumb-init; do
	[ -x "$f" ] || { echo "e2e-engine: $f missing: tests/deps.sh e2e-engine" >&2; exit 2; }
done

. tests/checks.sh
info() { echo "  $*"; }
. tests/container/podman.sh
. tests/container/base.sh
podman_host_state
tmp=
token=e2e-engine-$$-$(date +%s)
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	[ -n "${engine:-}" ] && kill "$engine" 2>/dev/null && wait "$engine" 2>/dev/null
	# HAProxy processes of this run: engine.py stops its own; these are
	# what an interrupted run left
	pkill -KILL -f "haproxy -db -f $REPO/build/e2e-engine/" 2>/dev/null
	podman_cleanup "$tmp"
	echo "e2e-engine: cleanup: containers, images, HAProxy and $tmp removed"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d /tmp/drainit-engine.XXXXXX)
t_start=$(now_ms)

echo "e2e-engine: images"
t0=$(now_ms)
base_tarball || { echo "e2e-engine: the base image cannot be made (debootstrap)" >&2; exit 2; }
info "base image tarball $base_how"
podman_private "$tmp/podman"
pm import --quiet "$base_tar" docker.io/library/debian:bookworm >/dev/null
pm tag docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
pm load -q -i "$release_tar" >/dev/null
# The default build copies drainit from the release image: the context
# needs nothing but the Containerfile.
mkdir "$tmp/context" "$tmp/e2e"
cp Dockerfile.example "$tmp/context/"
pm build --pull=never --layers=false --network none --cgroup-parent "$BUILD_CGROUP_PARENT" \
	-f "$tmp/context/Dockerfile.example" -t localhost/drainit-example:engine "$tmp/context" \
	>"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log"; echo "e2e-engine: podman build -f Dockerfile.example failed" >&2; exit 2; }
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$tmp/e2e/app" tests/e2e/app.c
cp tests/e2e/wrapper.sh /usr/bin/tini-static /usr/bin/dumb-init "$tmp/e2e/"
cat >"$tmp/e2e/Containerfile" <<'EOF'
FROM localhost/drainit-example:engine
COPY app wrapper.sh tini-static dumb-init /e2e/
EOF
pm build --pull=never --layers=false --network none --cgroup-parent "$BUILD_CGROUP_PARENT" \
	-f "$tmp/e2e/Containerfile" -t localhost/drainit-e2e:engine "$tmp/e2e" >>"$tmp/build.log" 2>&1 ||
	{ tail -n 30 "$tmp/build.log"; echo "e2e-engine: the e2e image failed" >&2; exit 2; }
info "Dockerfile.example, then the e2e app, wrapper.sh, tini-static and dumb-init: $(secs $(( $(now_ms) - t0 )))"

out=$REPO/build/e2e-engine
rm -rf "$out"
mkdir -p "$out"
E2E_ENGINE_PODMAN=$(printf '%s\x1f' "${PODMAN[@]}")
export E2E_ENGINE_PODMAN=${E2E_ENGINE_PODMAN%$'\x1f'} E2E_ENGINE_CGROUP_PARENT=$CGROUP_PARENT
rc=0
python3 tests/e2e/engine.py --token "$token" --out "$out" "$@" &
engine=$!
wait "$engine" || rc=$?
engine=
echo "e2e-engine: $(secs $(( $(now_ms) - t_start ))) in all"
exit "$rc"
