#!/usr/bin/env bash
# make check-container: Dockerfile.example built and run by a real container
# engine (rootful podman with runc), stopped with podman stop, checked from
# the outside. Debian 12, as root; tests/deps.sh container installs podman,
# runc and debootstrap.
#
# What it checks, with one PASS, FAIL or SKIP line each and a summary at
# the end (exit status 1 on any FAIL):
#   version  Dockerfile.example names the Makefile's VERSION wherever it
#          names a version (COPY --from=drainit:VERSION, the tarball's name).
#   image  dist/drainit-VERSION-image.tar (make release; make check-container
#          makes it first) loads as drainit:VERSION, and `podman run --rm
#          drainit:VERSION --version` (its ENTRYPOINT is drainit) prints
#          "drainit VERSION".
#   build  Dockerfile.example builds, unchanged, the default way, without
#          its source stage: the last stage copies drainit from the loaded
#          image, and the image's is dist/drainit-VERSION-linux-amd64 byte for
#          byte.
#   source Dockerfile.example builds the other way, --target
#          app-from-source: drainit built from the repository by `make
#          static` in the source stage, which needs the Debian mirror (apt-get,
#          and libcap2's source); built with --network host. make static
#          found every package it needs installed (the Dockerfile's list is
#          complete) and the image's drainit runs (whether it is the
#          release's binary byte for byte is told, not checked: the host's
#          apt sources can differ from the image's). SKIP, with the reason,
#          when the mirror cannot be reached from here (or
#          DRAINIT_CI_SOURCE_BUILD=0; =1 makes that a FAIL).
#   A      The image as it is (python3 -m http.server, pre-stop delay 10s,
#          drain 30s, grace 45s). `podman exec A drainit probe` says
#          "starting" (when caught) and then "ready"; `podman exec A drainit
#          inspect 1` names the app. `podman stop -t 45 A`: during the
#          pre-stop delay the probe says "draining" while a client in the
#          container's network namespace still gets answers; the log shows
#          start, timeline, ready, SIGTERM from pid 0, readiness withdrawn,
#          the stop report naming the app, the app's exit and the summary, in
#          that order; the stop took the pre-stop delay and not podman's
#          timeout; exit status 143, the app's own (http.server dies of
#          SIGTERM), and the readiness file is gone.
#   B      CMD overridden by tests/container/app.py, an app that starts
#          slowly and exits 42 on SIGTERM; run with --stop-timeout 45 and
#          DRAINIT_PRE_STOP_DELAY=2s, stopped with a plain `podman stop`.
#          The probe says "starting ... waiting for http:8080/" first; the
#          stop report says the app catches SIGTERM; exit status 42: the app's
#          own status came out, not podman's SIGKILL fallback (137).
#   C      Control: `podman stop -t 2` cuts the 10 s pre-stop delay short, so
#          podman SIGKILLs: exit status 137 and no summary line. This is what
#          the checks above would see if drainit were not done in time.
#   D      drainit as the engine's own init, the image unchanged: `podman run
#          --init --init-path=dist/drainit-VERSION-linux-ARCH debian:bookworm
#          python3 -c tests/container/init_app.py`, no DRAINIT_ setting and no
#          drainit in the image. Podman 4.3 bind-mounts the file at
#          /run/podman-init and runs `/run/podman-init -- python3 -c ...`:
#          PID 1 is that binary (its /proc/PID/exe is dist's file, NSpid 1),
#          drainit's start line names the app. The app's orphan (a grandchild
#          given to PID 1) exits and is reaped: its pid leaves /proc, and no
#          process in the container is a zombie. `podman kill --signal USR1`
#          reaches the app (its log line and /tmp/usr1) through drainit
#          ("forwarded to process group"). `podman stop`: drainit forwards
#          SIGTERM, the app exits 42, and 42 is the container's exit code,
#          well within podman's 10 s; drainit's lines are in podman logs.
#
# Every wait is on an event (a log line, a file, a probe's answer, a pid
# leaving /proc), polled every 0.1 s up to a timeout; none is a fixed sleep.
#
# No registry: the base images are built locally. debootstrap
# --variant=minbase bookworm from the host's Debian mirror (the first URIs:
# of /etc/apt/sources.list.d/debian.sources, or DRAINIT_CI_MIRROR), with the
# packages every stage of Dockerfile.example installs (the source stage's
# gcc make libc6-dev libcap-dev pkg-config musl-tools musl-dev
# linux-libc-dev dpkg-dev xz-utils, the app's python3) already in it; its
# .debs and apt lists are removed, as in Debian's own images. The tarball is
# cached in DRAINIT_CI_CACHE (default /var/cache/drainit-ci; empty: no
# cache), named by a hash of suite, variant, packages, mirror, architecture
# and this recipe, checked against its sha256 before use, rebuilt when
# missing or corrupt (DRAINIT_CI_REFRESH=1 forces it), and stale tarballs are
# removed. It is imported as docker.io/library/debian:bookworm and tagged
# -slim too, the names Docker resolves Dockerfile.example's FROM lines to, so
# the Dockerfile needs no change. drainit's release image is loaded from
# dist/, as a user would (`podman load -i`).
#
# The default build has no network (DRAINIT_CI_BUILD_NETWORK, default
# none): the Dockerfile's `apt-get update` cannot reach the mirror, which apt
# reports as a warning ("W: Failed to fetch ...") and exits 0, and `apt-get
# install` finds every package already installed. This does not depend on
# the mirror once the tarball is cached. DRAINIT_CI_BUILD_NETWORK=host lets
# apt-get reach the mirror for real instead. The source build always has
# the host's network: `make static` fetches libcap2's source package
# (tests/release/libcap.sh, with deb-src entries made from the image's apt
# sources), which no base image can hold in advance.
#
# Dockerfile.example's two ways are stages picked with --target, not an ARG
# naming the stage to copy from (ARG DRAINIT_FROM=drainit:VERSION, FROM
# ${DRAINIT_FROM} AS drainit, COPY --from=drainit): buildah (podman 4.3)
# skips unused stages either way, but with --layers=false (used here, and
# `buildah bud`'s default) it commits that empty alias stage as the loaded
# image itself and then deletes it as an intermediate image: the build
# succeeds and drainit:VERSION is gone ("image not known" at the next
# build); with DRAINIT_FROM=source the build fails, "identifier is not an
# image". The --target form has no empty stage.
#
# Podman on these machines, each quirk found by trying (podman 4.3, runc 1.1):
#   - Everything is private to a temporary folder: storage (--root,
#     --runroot), libpod's state (--tmpdir), runc's state (--runtime-flag
#     root=), network configuration, events (file backend) and locks
#     (lock_type "file", not the shared /dev/shm/libpod_lock), with our own
#     containers.conf, storage.conf and an empty registries.conf
#     (CONTAINERS_CONF etc.), so the host's configuration plays no part.
#     Outside it podman still writes its blob info cache
#     (/var/lib/containers/cache), runc an empty /run/runc, and podman
#     leaves empty cgroups (libpod_parent/...): containers get
#     --cgroup-parent /drainit-container.XXXXXX, builds a cgroup below it
#     (.../build), and the clean-up removes all of these that this run
#     created. Builds need their own: buildah runs a RUN step in the
#     --cgroup-parent itself, not below it, and runc cannot deny every device
#     to a cgroup (v1) that has children, such as the empty ones podman
#     leaves after a container ("failed to write "a *:* rwm": .../
#     devices.deny: invalid argument"): a build after `podman run` failed.
#   - --runtime runc: crun fails on the hybrid cgroup v1/v2 layout (deps.sh
#     installs runc only; the flag keeps a host's default crun out);
#     --cgroup-manager cgroupfs (no systemd here).
#   - Podman's default ulimits (nofile 1048576) exceed the hard limits and
#     there is no CAP_SYS_RESOURCE: runc fails with "error setting rlimit
#     type 7: operation not permitted"; nproc cannot go above conmon's 32768
#     either ("rlimit type 6"). containers.conf's default_ulimits keep both
#     at or below the hard limits (nofile <= ulimit -Hn, nproc 4096), for
#     builds and runs.
#   - --pull=never everywhere, and --network none for the runs: the app's
#     readiness check (http:8080/) needs only the loopback interface, which
#     a "none" network namespace has. (--network none and --network
#     container:a do not combine: the client gets only the latter.)
#   - --systemd=false: an ENTRYPOINT at /sbin/init would turn on podman's
#     systemd mode, which changes the stop signal to SIGRTMIN+3.
#   - Podman refuses `podman exec` once `podman stop` has begun ("can only
#     create exec sessions on running containers": the container is
#     "stopping"). So during the pre-stop delay the probe runs by nsenter in
#     the container's PID and mount namespaces, as runc exec would; in
#     Kubernetes, exec probes keep running while a pod terminates.
#   - COPY . . from the live repository fails when other jobs write in build/
#     meanwhile ("archive/tar: write too long"): the build context is a
#     snapshot of the repository's files, without build/ and .git.
#   - podman logs merges stdout and stderr in the order conmon read them,
#     not the order they were written: app.py writes to stderr, drainit's
#     pipe, so that the order of its lines and drainit's can be checked.
#   - The overlay driver leaves mounts (the storage root's bind mount,
#     containers' shm and merged folders) when podman is interrupted: the
#     clean-up removes every container and image, then unmounts whatever is
#     left under the temporary folder before it deletes it.
#   - `podman rm --all --force` gives up at a container that another shares
#     (a, whose network a-client joins: "has dependent containers"), even
#     after it removed the other: interrupted during A, a stayed running.
#     The clean-up repeats it until no container is left, then SIGKILLs by
#     pid whatever still runs in this run's cgroups; podman stop runs in the
#     background as itself, not in a subshell, so that its pid is stopped.
#   - podman run --init --init-path=FILE bind-mounts FILE read-only at
#     /run/podman-init and makes it PID 1 as `/run/podman-init -- CMD...`
#     (the image's entrypoint and command after "--"); drainit takes that as
#     it is, whatever its argv[0].
#
# Time on a 2-CPU machine: warm (tarball cached) 65-70 s: import 14-16 s
# (a 348 MB tarball), load 0.1 s, default build 8-9 s, source build 14-17 s
# (apt-get update and libcap2's source from the mirror, make static with
# musl), runs A 13 s, B 7 s, C 4 s, D 1-2 s. Cold adds debootstrap, about
# 70 s here and up to 2.5 min depending on the mirror and the machine's
# load: 2.3-3.5 min in all. make check-container first makes the release
# (seconds when build/ is current).
# shellcheck disable=SC2015,SC2001  # A && pass || fail: pass always succeeds
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
REPO=$PWD
HERE=$REPO/tests/container

BUILD_NETWORK=${DRAINIT_CI_BUILD_NETWORK:-none}
SOURCE_BUILD=${DRAINIT_CI_SOURCE_BUILD:-auto}   # auto: when the mirror answers; 0: never; 1: always
IMAGE=localhost/drainit-example:check
SOURCE_IMAGE=localhost/drainit-example:source
VERSION=$(sed -n 's/^VERSION = //p' Makefile)

. "$REPO/tests/checks.sh"
info() { echo "  $*"; }
utc_now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
# ts_ms TIMESTAMP: drainit's (and client.py's) UTC timestamps in ms.
ts_ms() { date -d "$1" +%s%3N; }
# dur_ms DUR: drainit's durations (500ms, 10s, 1.5s, 2m, 1h, plain seconds).
dur_ms() {
	awk -v d="$1" 'BEGIN {
		if (!match(d, /^[0-9]+(\.[0-9]+)?/)) exit 1
		n = substr(d, 1, RLENGTH); u = substr(d, RLENGTH + 1)
		m = u == "ms" ? 1 : (u == "" || u == "s") ? 1000 : u == "m" ? 60000 : u == "h" ? 3600000 : 0
		if (!m) exit 1
		printf "%d\n", n * m }'
}
finish() {
	echo
	echo "check-container: $npass passed, $nfail failed, $nskip skipped ($(secs $(( $(now_ms) - T_START ))))"
	[ "$nfail" = 0 ]
}
die() { fail "$*"; finish; exit 1; }

[ "$(id -u)" = 0 ] || { echo "make check-container needs root (rootful podman, debootstrap)" >&2; exit 1; }
T_START=$(now_ms)

tmp=
bg_pids=()
. "$HERE/podman.sh"
. "$HERE/base.sh"
podman_host_state
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	podman_cleanup "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d /tmp/drainit-container.XXXXXX)

# ---------------------------------------------------------------- version

say "version: the Makefile's VERSION ${VERSION:-(none)} and Dockerfile.example's"
[ -n "$VERSION" ] || die "no 'VERSION = ' line in the Makefile"
copy_version=$(sed -nE 's/^COPY --from=drainit:([^ ]+) .*/\1/p' Dockerfile.example)
named=$(grep -oE 'drainit[-:][0-9]+(\.[0-9]+)+' Dockerfile.example | sed 's/^drainit.//' | sort -u | paste -sd ' ')
if [ "$copy_version" = "$VERSION" ] && [ "$named" = "$VERSION" ]; then
	pass "Dockerfile.example's COPY --from=drainit:$copy_version and every version it names ($named) are the Makefile's $VERSION"
else
	fail "Dockerfile.example: COPY --from=drainit:${copy_version:-(no such line)}, versions named: ${named:-none}; the Makefile's VERSION is $VERSION: set both (docs/release.md)"
fi
release_tar=$REPO/dist/drainit-$VERSION-image.tar
init_bin=$REPO/dist/drainit-$VERSION-linux-$arch
for f in "$release_tar" "$init_bin"; do
	[ -f "$f" ] || die "$f is missing: make release first (make check-container does)"
done

# ---------------------------------------------------------------- base image
say "base image: $SUITE $VARIANT with $INCLUDE"
t0=$(now_ms)
base_tarball || die "debootstrap failed"
pass "base image tarball $base_how ($(secs $(( $(now_ms) - t0 ))))"

# ---------------------------------------------------------------- podman
podman_private "$tmp"
RUN=(run --detach --pull=never --systemd=false --cgroup-parent "$CGROUP_PARENT")

say "podman: $(podman --version | cut -d' ' -f3), runc $(runc --version | sed -n '1s/.* //p'), storage in $tmp, ulimits nofile=$nofile nproc=$nproc"
t0=$(now_ms)
pm import --quiet "$base_tar" docker.io/library/debian:bookworm >/dev/null || die "podman import $base_tar"
pm tag docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
pass "imported as debian:bookworm and debian:bookworm-slim ($(secs $(( $(now_ms) - t0 ))))"

say "image: podman load -i dist/${release_tar##*/}"
t0=$(now_ms)
loaded=$(pm load -i "$release_tar" 2>&1) || { sed 's/^/  | /' <<<"$loaded"; die "podman load -i $release_tar"; }
grep -F 'Loaded image' <<<"$loaded" | sed 's/^/  /'
if grep -qx "Loaded image: docker.io/library/drainit:$VERSION" <<<"$loaded"; then
	pass "dist/${release_tar##*/} loads as docker.io/library/drainit:$VERSION ($(secs $(( $(now_ms) - t0 ))))"
else
	fail "dist/${release_tar##*/} did not load as docker.io/library/drainit:$VERSION"
fi
info "drainit:$VERSION: ENTRYPOINT $(pm image inspect "drainit:$VERSION" --format '{{json .Config.Entrypoint}}' 2>&1), $(pm image inspect "drainit:$VERSION" --format '{{.Os}}/{{.Architecture}}' 2>&1)"
out=$(pm run --rm --pull=never --systemd=false --network none --cgroup-parent "$CGROUP_PARENT" \
	"drainit:$VERSION" --version 2>&1) || true
[ "$out" = "drainit $VERSION" ] && pass "podman run --rm drainit:$VERSION --version: $out" ||
	fail "podman run --rm drainit:$VERSION --version: '$out', expected 'drainit $VERSION'"

say "build: podman build -f Dockerfile.example, the default way (network: $BUILD_NETWORK)"
t0=$(now_ms)
# The build context is a snapshot of the repository's files (git ls-files:
# tracked and untracked, not ignored), not the folder itself: COPY . . would
# take in build/ (the Dockerfile's make clean throws it away) and .git, and
# other jobs write in build/ meanwhile, which makes the copy fail ("archive/
# tar: write too long").
mkdir "$tmp/context"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$REPO" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
		tar -C "$REPO" --null -T - -cf - | tar -C "$tmp/context" -xf -
else
	tar -C "$REPO" --exclude=./build --exclude=./.git -cf - . | tar -C "$tmp/context" -xf -
fi
info "context: $(find "$tmp/context" -type f | wc -l) files, $(du -sh "$tmp/context" | cut -f1)"
# --layers=false: no intermediate images, nobody would reuse them.
if ! pm build --pull=never --layers=false --network "$BUILD_NETWORK" --cgroup-parent "$BUILD_CGROUP_PARENT" \
	-f "$tmp/context/Dockerfile.example" -t "$IMAGE" "$tmp/context" >"$tmp/build.log" 2>&1; then
	tail -n 40 "$tmp/build.log" | sed 's/^/  | /'
	die "podman build -f Dockerfile.example"
fi
grep -E '^\[[0-9]+/[0-9]+\] STEP' "$tmp/build.log" | sed 's/^/  /'
if grep -q '^W: Failed to fetch' "$tmp/build.log"; then
	info "apt-get update could not reach the mirror (no network), a warning: the packages were in the base image"
else
	info "apt-get update fetched $(grep -cE '^(Get|Hit):' "$tmp/build.log" || true) indexes from the mirror"
fi
pass "Dockerfile.example builds ($(secs $(( $(now_ms) - t0 ))))"
# A stage's first step: "[1/3] STEP 1/5: FROM debian:bookworm AS source".
if grep -qE '^\[[0-9]+/[0-9]+\] STEP 1/[0-9]+: FROM .* AS source$' "$tmp/build.log"; then
	fail "the default build ran the source stage (it needs the network; buildah should skip unused stages)"
else
	pass "the default build skipped the source stage: only $(grep -oE ' AS [a-z-]+$' "$tmp/build.log" | sed 's/ AS //' | tr '\n' ' ')built"
fi

# copy_out IMAGE PATH FILE: a file of an image, through a container that
# never starts.
copy_out() {
	local c rc=0
	c=$(pm create --pull=never --cgroup-parent "$CGROUP_PARENT" "$1") || return 1
	pm cp "$c:$2" "$3" || rc=$?
	pm rm --force "$c" >/dev/null 2>&1 || true
	return "$rc"
}
release_bin=$REPO/dist/drainit-$VERSION-linux-amd64
if copy_out "$IMAGE" /usr/local/bin/drainit "$tmp/image-drainit"; then
	cmp -s "$tmp/image-drainit" "$release_bin" &&
		pass "the image's /usr/local/bin/drainit is dist/${release_bin##*/} byte for byte (COPY --from=drainit:$VERSION)" ||
		fail "the image's /usr/local/bin/drainit differs from dist/${release_bin##*/}"
else
	fail "podman cp: no /usr/local/bin/drainit in $IMAGE"
fi

# ---------------------------------------------------------------- source
say "source: podman build -f Dockerfile.example --target app-from-source (network: host)"
src_skip=
if [ "$SOURCE_BUILD" = 0 ]; then
	src_skip="DRAINIT_CI_SOURCE_BUILD=0"
elif ! wget -nv --tries=1 --timeout=15 -O /dev/null "$mirror/dists/$SUITE/InRelease" >"$tmp/wget.log" 2>&1; then
	src_skip="the Debian mirror cannot be reached from this machine ($mirror/dists/$SUITE/InRelease: $(grep -v '^$' "$tmp/wget.log" | tail -n 1)); the source stage's apt-get and make static need it"
fi
if [ -n "$src_skip" ] && [ "$SOURCE_BUILD" != 1 ]; then
	skip "Dockerfile.example --target app-from-source not built: $src_skip"
elif [ -n "$src_skip" ]; then
	fail "Dockerfile.example --target app-from-source (DRAINIT_CI_SOURCE_BUILD=1): $src_skip"
else
	t0=$(now_ms)
	if ! pm build --pull=never --layers=false --network host --cgroup-parent "$BUILD_CGROUP_PARENT" \
		--target app-from-source -f "$tmp/context/Dockerfile.example" -t "$SOURCE_IMAGE" "$tmp/context" \
		>"$tmp/source.log" 2>&1; then
		tail -n 40 "$tmp/source.log" | sed 's/^/  | /'
		fail "podman build -f Dockerfile.example --target app-from-source ($(secs $(( $(now_ms) - t0 ))))"
	else
		grep -E '^\[[0-9]+/[0-9]+\] STEP' "$tmp/source.log" | sed 's/^/  /'
		info "apt-get: $(grep -cE '^(Get|Hit):' "$tmp/source.log" || true) indexes from the mirror; $(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$tmp/source.log" | head -n 1)"
		grep -E '^(tests/release/libcap\.sh|musl-gcc -static)' "$tmp/source.log" | cut -c1-100 | sed 's/^/  make static: /'
		pass "Dockerfile.example --target app-from-source builds drainit from the repository with make static ($(secs $(( $(now_ms) - t0 ))))"
		if grep -q '^installing:' "$tmp/source.log"; then
			fail "make static had to install $(sed -n 's/^installing://p' "$tmp/source.log"): add them to the source stage's apt-get install (tests/deps.sh static)"
		else
			pass "make static found every package it needs installed: the source stage's apt-get line covers tests/deps.sh static"
		fi
		out=$(pm run --rm --pull=never --systemd=false --network none --cgroup-parent "$CGROUP_PARENT" \
			--entrypoint /usr/local/bin/drainit "$SOURCE_IMAGE" --version 2>&1) || true
		[ "$out" = "drainit $VERSION" ] && pass "the source-built image's drainit --version: $out" ||
			fail "the source-built image's drainit --version: '$out', expected 'drainit $VERSION'"
		if copy_out "$SOURCE_IMAGE" /usr/local/bin/drainit "$tmp/source-drainit"; then
			if cmp -s "$tmp/source-drainit" "$release_bin"; then
				info "the source-built drainit is dist/${release_bin##*/} byte for byte: same commit, same Debian packages"
			else
				info "the source-built drainit ($(stat -c %s "$tmp/source-drainit") bytes) differs from dist/${release_bin##*/} ($(stat -c %s "$release_bin") bytes): the tree or Debian's packages (libcap2 $(cat "$REPO/build/src/libcap2.version" 2>/dev/null || echo '?') on this host) changed since make release"
			fi
		fi
	fi
	pm rmi --force "$SOURCE_IMAGE" >/dev/null 2>&1 || true
fi

img_env=$(pm image inspect "$IMAGE" --format '{{range .Config.Env}}{{println .}}{{end}}')
env_of() { sed -n "s/^$1=//p" <<<"$img_env"; }
delay_ms=$(dur_ms "$(env_of DRAINIT_PRE_STOP_DELAY)" 2>/dev/null || echo 0)
drain_ms=$(dur_ms "$(env_of DRAINIT_DRAIN_TIMEOUT)" 2>/dev/null || echo 25000)
need_s=$(( (delay_ms + drain_ms + 999) / 1000 + 2 ))
grace=$(env_of DRAINIT_GRACE_PERIOD)
if [ -n "$grace" ] && grace_ms=$(dur_ms "$grace"); then
	stop_t=$(( (grace_ms + 999) / 1000 ))
else
	stop_t=$need_s
fi
ready_file=$(env_of DRAINIT_READY_FILE)
[ -n "$ready_file" ] || die "the image sets no DRAINIT_READY_FILE"
stopsig=$(pm image inspect "$IMAGE" --format '{{.Config.StopSignal}}')
entry=$(pm image inspect "$IMAGE" --format '{{json .Config.Entrypoint}}')
info "image: ENTRYPOINT $entry, STOPSIGNAL $stopsig, pre-stop delay $(secs "$delay_ms"), drain $(secs "$drain_ms"), grace ${grace:-unset}"
if [ "$stop_t" -ge "$need_s" ]; then
	pass "the image's grace period (${stop_t}s, podman stop -t $stop_t) holds pre-stop delay + drain + 2s = ${need_s}s"
else
	fail "the image's grace period ${stop_t}s is less than pre-stop delay + drain + 2s = ${need_s}s"
	stop_t=$need_s
fi
[ "$stopsig" = SIGTERM ] && pass "STOPSIGNAL SIGTERM" || fail "STOPSIGNAL is '$stopsig', not SIGTERM"

# ---------------------------------------------------------------- helpers
# log_ts FILE ERE: the timestamp at the start of drainit's first matching line.
log_ts() { grep -m1 -E -- "$2" "$1" | grep -oE '^[0-9]{4}-[0-9-]{5}T[0-9:.]{12}Z'; }
# wait_ready NAME FILE: polls podman exec NAME drainit probe (60 s) until it
# exits 0; every distinct answer is appended to FILE.
wait_ready() {
	local end=$(( $(now_ms) + 60000 )) out rc last=
	while :; do
		rc=0
		out=$(pm exec "$1" drainit probe 2>&1) || rc=$?
		[ "$out" != "$last" ] && echo "$(utc_now) exit $rc: $out" >>"$2"
		last=$out
		[ "$rc" = 0 ] && return 0
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
# nsprobe PID: drainit probe in the PID and mount namespaces of host pid PID
# (nsenter does not bring the container's environment: hence --ready-file).
nsprobe() { nsenter -t "$1" -p -m -- /usr/local/bin/drainit probe --ready-file "$ready_file" 2>&1; }
# show_log FILE: the container's log, without http.server's access log.
show_log() {
	local n
	grep -vE '^127\.0\.0\.1 - - \[' "$1" | sed 's/^/  | /'
	n=$(grep -cE '^127\.0\.0\.1 - - \[' "$1" || true)
	[ "$n" = 0 ] || info "(and $n lines of http.server's access log)"
}
# exit_code NAME
exit_code() { pm inspect "$1" --format '{{.State.ExitCode}}'; }
# wait_log NAME ERE SECONDS: polls podman logs NAME (into $tmp/NAME.log)
# until a line matches; 1 if none did in time.
wait_log() {
	local end=$(( $(now_ms) + $3 * 1000 ))
	while :; do
		pm logs "$1" >"$tmp/$1.log" 2>&1 || true
		grep -qE -- "$2" "$tmp/$1.log" && return 0
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# ---------------------------------------------------------------- A
say "A: the image as it is: podman stop -t $stop_t"
pm "${RUN[@]}" --network none --name a "$IMAGE" >/dev/null || die "podman run $IMAGE"
pm "${RUN[@]}" --name a-client --network container:a --entrypoint python3 "$IMAGE" \
	-c "$(cat "$HERE/client.py")" >/dev/null || die "podman run a client in a's network namespace"
: >"$tmp/a.probes"
if wait_ready a "$tmp/a.probes"; then
	sed 's/^/  probe: /' "$tmp/a.probes"
	if grep -qE 'exit 1: not ready: starting since .*, waiting for http:8080/' "$tmp/a.probes"; then
		pass "podman exec a drainit probe: 'starting ... waiting for http:8080/' before ready"
	else
		info "(the probe's 'starting' answer was not caught: the app was ready at the first probe)"
	fi
	if tail -n 1 "$tmp/a.probes" | grep -qE 'exit 0: ready: app pid [0-9]+ since .* \(http:8080/\)$'; then
		pass "podman exec a drainit probe: exit 0, 'ready ... (http:8080/)'"
	else
		fail "podman exec a drainit probe: $(tail -n 1 "$tmp/a.probes")"
	fi
else
	sed 's/^/  probe: /' "$tmp/a.probes"
	fail "podman exec a drainit probe: not ready within 60 s"
fi
a_pid=$(pm inspect a --format '{{.State.Pid}}')
info "container a: runtime $(pm inspect a --format '{{.OCIRuntime}}'), stop signal $(pm inspect a --format '{{.Config.StopSignal}}'), drainit is host pid $a_pid, cgroup $(sed -n 's/^[0-9]*:pids://p' "/proc/$a_pid/cgroup")"
inspect_out=$(pm exec a drainit inspect 1 2>&1) || true
sed 's/^/  inspect: /' <<<"$inspect_out"
if grep -qE '\(python3\): has no handler for SIGTERM' <<<"$inspect_out"; then
	pass "podman exec a drainit inspect 1: names the app (python3) and what SIGTERM does to it"
else
	fail "podman exec a drainit inspect 1: no line for the app (python3)"
fi
before=$(nsprobe "$a_pid") || true
[[ $before == ready:* ]] && pass "the probe by nsenter agrees: $before" || fail "the probe by nsenter: $before"

sleep 1                                 # a few requests served before the stop
t0=$(now_ms)
# podman itself in the background, not a subshell running it: the clean-up
# can then stop it by its pid when interrupted.
"${PODMAN[@]}" stop -t "$stop_t" a >"$tmp/a.stop" 2>&1 &
stop_job=$!
bg_pids+=("$stop_job")
draining='' exec_out=''
while kill -0 "$stop_job" 2>/dev/null; do
	out=$(nsprobe "$a_pid") && rc=0 || rc=$?
	if [ -z "$draining" ] && [ "$rc" = 1 ] && [[ $out == "not ready: draining since"* ]]; then
		draining="$(utc_now) $out"
		exec_out=$(pm exec a drainit probe 2>&1) || true
	fi
	sleep 0.1
done
wait "$stop_job" && stop_rc=0 || stop_rc=$?
elapsed=$(( $(now_ms) - t0 ))
code=$(exit_code a)
pm logs a >"$tmp/a.log" 2>&1
pm logs a-client >"$tmp/a.client" 2>&1 || true
pm rm --force --time 0 a-client >/dev/null 2>&1 || true
show_log "$tmp/a.log"
info "podman stop -t $stop_t a: exit $stop_rc after $(secs "$elapsed"); container exit code $code"
info "podman exec during the stop: ${exec_out:-(not tried)}"
[ "$stop_rc" = 0 ] || fail "podman stop -t $stop_t a: exit $stop_rc: $(cat "$tmp/a.stop")"

if [ -n "$draining" ]; then
	pass "during the pre-stop delay the probe (nsenter, as runc exec) exits 1: ${draining#* }"
else
	fail "the probe never said 'draining' during the stop"
fi
app=$(sed -nE 's/.*drainit: info: start: drainit pid 1 .*app pid ([0-9]+): .*/\1/p' "$tmp/a.log" | head -n 1)
app=${app:-NONE}
if why=$(in_order "$tmp/a.log" \
	"drainit: info: start: drainit pid 1 .*app pid $app: python3 -m http.server 8080" \
	'drainit: info: timeline: on SIGTERM: ' \
	"drainit: info: ready: app pid $app ready \(http:8080/" \
	'drainit: info: signal: SIGTERM from .*\(pid 0, uid 0\)' \
	'drainit: info: unready: readiness withdrawn \(/run/drainit/ready removed\)' \
	"drainit: info: stop: pid $app \(python3\) has no handler for SIGTERM" \
	"drainit: info: stop: sent SIGTERM to process group $app" \
	"drainit: info: exit: app pid $app \(python3\) killed by SIGTERM" \
	'drainit: info: summary: SIGTERM to exit took .*; no SIGKILL needed' \
	'drainit: info: summary: exit status 143: app killed by SIGTERM'); then
	pass "log in order: start (app pid $app), timeline, ready, SIGTERM from pid 0, readiness withdrawn, stop report names pid $app (python3), stop signal, app's exit, summary"
else
	fail "log: $why"
fi
grep -qE 'SIGKILL (to|sent)|killed by SIGKILL|SIGKILL was needed' "$tmp/a.log" &&
	fail "log: a SIGKILL" || pass "log: no SIGKILL"
sig_ts=$(log_ts "$tmp/a.log" 'signal: SIGTERM from') || sig_ts=
unready_ts=$(log_ts "$tmp/a.log" 'unready: readiness withdrawn') || unready_ts=
stop_ts=$(log_ts "$tmp/a.log" 'stop: sent SIGTERM') || stop_ts=
if [ -n "$sig_ts" ] && [ -n "$unready_ts" ] && [ -n "$stop_ts" ]; then
	w=$(( $(ts_ms "$unready_ts") - $(ts_ms "$sig_ts") ))
	d=$(( $(ts_ms "$stop_ts") - $(ts_ms "$sig_ts") ))
	[ "$w" -le 100 ] && pass "readiness withdrawn $(secs "$w") after SIGTERM" ||
		fail "readiness withdrawn $(secs "$w") after SIGTERM (more than 100 ms)"
	[ "$d" -ge "$delay_ms" ] && [ "$d" -le $(( delay_ms + 500 )) ] &&
		pass "stop signal $(secs "$d") after SIGTERM: the pre-stop delay $(secs "$delay_ms")" ||
		fail "stop signal $(secs "$d") after SIGTERM, not the pre-stop delay $(secs "$delay_ms")"
	# Requests answered in the container while drainit was unready and
	# before it asked the app to stop.
	served=$(awk -v a="$sig_ts" -v b="$stop_ts" '$2 == "client:" && $3 == "HTTP" && $4 == 200 && $1 > a && $1 < b' "$tmp/a.client" | wc -l)
	info "client: $(grep -c 'client: HTTP 200' "$tmp/a.client" || true) answered, $(grep -c 'client: failed' "$tmp/a.client" || true) failed; last: $(tail -n 1 "$tmp/a.client")"
	[ "$served" -ge 1 ] &&
		pass "the app kept serving during the pre-stop delay: $served requests answered 200 between SIGTERM and the stop signal" ||
		fail "no request answered between SIGTERM ($sig_ts) and the stop signal ($stop_ts)"
else
	fail "log: no timestamps for SIGTERM, withdrawal and stop signal"
fi
[ "$elapsed" -ge $(( delay_ms - 100 )) ] && [ "$elapsed" -lt $(( (stop_t - 1) * 1000 )) ] &&
	pass "podman stop took $(secs "$elapsed"): the pre-stop delay, well within -t $stop_t (no SIGKILL from podman)" ||
	fail "podman stop took $(secs "$elapsed"): expected from $(secs "$delay_ms") to under $(( stop_t - 1 ))s"
[ "$code" = 143 ] && pass "exit code 143: the app's own status (http.server dies of SIGTERM), not 137" ||
	fail "exit code $code, expected 143 (the app's own: http.server dies of SIGTERM)"
if pm cp a:/run/drainit "$tmp/a.run" 2>/dev/null; then
	left=$(ls -A "$tmp/a.run")
	[ -z "$left" ] && pass "/run/drainit is empty after the exit: readiness and state files removed" ||
		fail "/run/drainit after the exit holds: $left"
else
	fail "podman cp a:/run/drainit"
fi

# ---------------------------------------------------------------- B
say "B: an app that exits 42 on SIGTERM (tests/container/app.py), --stop-timeout $stop_t, plain podman stop"
pm "${RUN[@]}" --network none --name b --stop-timeout "$stop_t" -e DRAINIT_PRE_STOP_DELAY=2s \
	"$IMAGE" python3 -c "$(cat "$HERE/app.py")" >/dev/null || die "podman run b"
: >"$tmp/b.probes"
wait_ready b "$tmp/b.probes" || fail "podman exec b drainit probe: not ready within 60 s"
sed 's/^/  probe: /' "$tmp/b.probes"
head -n 1 "$tmp/b.probes" | grep -qE 'exit 1: not ready: starting since .*, waiting for http:8080/$' &&
	pass "podman exec b drainit probe: 'not ready: starting ... waiting for http:8080/' (exit 1) while the app starts" ||
	fail "podman exec b drainit probe's first answer: $(head -n 1 "$tmp/b.probes")"
tail -n 1 "$tmp/b.probes" | grep -qE 'exit 0: ready: app pid [0-9]+ since .* \(http:8080/\)$' &&
	pass "then 'ready' (exit 0)" || fail "podman exec b drainit probe: $(tail -n 1 "$tmp/b.probes")"
b_timeout=$(pm inspect b --format '{{.Config.StopTimeout}}')
[ "$b_timeout" = "$stop_t" ] && pass "podman run --stop-timeout $stop_t: the container's stop timeout is ${b_timeout}s" ||
	fail "stop timeout ${b_timeout}s, not $stop_t"
t0=$(now_ms)
pm stop b >"$tmp/b.stop" 2>&1 && stop_rc=0 || stop_rc=$?
elapsed=$(( $(now_ms) - t0 ))
code=$(exit_code b)
pm logs b >"$tmp/b.log" 2>&1
show_log "$tmp/b.log"
info "podman stop b: exit $stop_rc after $(secs "$elapsed"); container exit code $code"
[ "$stop_rc" = 0 ] || fail "podman stop b: exit $stop_rc: $(cat "$tmp/b.stop")"
app=$(sed -nE 's/.*drainit: info: start: drainit pid 1 .*app pid ([0-9]+): .*/\1/p' "$tmp/b.log" | head -n 1)
app=${app:-NONE}
if why=$(in_order "$tmp/b.log" \
	"drainit: info: start: drainit pid 1 .*app pid $app: python3 -c " \
	'drainit: info: timeline: on SIGTERM: unready at once, SIGTERM after 2s' \
	'drainit: info: check: http:8080/: not yet' \
	'app: listening on port 8080' \
	"drainit: info: ready: app pid $app ready \(http:8080/" \
	'drainit: info: signal: SIGTERM from .*\(pid 0, uid 0\)' \
	'drainit: info: unready: readiness withdrawn' \
	"drainit: info: stop: pid $app \(python3\) catches SIGTERM" \
	"drainit: info: stop: sent SIGTERM to process group $app" \
	"drainit: info: exit: app pid $app \(python3\) exited with status 42" \
	'drainit: info: summary: SIGTERM to exit took .*; no SIGKILL needed' \
	'drainit: info: summary: exit status 42') &&
	# drainit logs "sent SIGTERM" after the kill: the app's line may come
	# before it, but not before the stop report.
	why=$(in_order "$tmp/b.log" \
		"drainit: info: stop: pid $app \(python3\) catches SIGTERM" \
		'app: SIGTERM: finishing the work in flight, then exit 42' \
		"drainit: info: exit: app pid $app \(python3\) exited"); then
	pass "log in order: start, timeline (2s), not yet, app listening, ready, SIGTERM from pid 0, withdrawn, stop report: pid $app (python3) catches SIGTERM, the stop signal sent and the app's handler, exit 42, summary"
else
	fail "log: $why"
fi
[ "$code" = 42 ] && pass "exit code 42: the app's own exit status came out, not podman's SIGKILL fallback (137)" ||
	fail "exit code $code, expected the app's 42"
[ "$elapsed" -ge 2900 ] && [ "$elapsed" -lt $(( (stop_t - 1) * 1000 )) ] &&
	pass "podman stop took $(secs "$elapsed"): pre-stop delay 2s + the app's 1s, well within $stop_t s" ||
	fail "podman stop took $(secs "$elapsed"): expected from 3s to under $(( stop_t - 1 ))s"

# ---------------------------------------------------------------- C
say "C: control: podman stop -t 2, shorter than the pre-stop delay, ends in podman's SIGKILL"
pm "${RUN[@]}" --network none --name c "$IMAGE" >/dev/null || die "podman run c"
: >"$tmp/c.probes"
wait_ready c "$tmp/c.probes" || fail "podman exec c drainit probe: not ready within 60 s"
t0=$(now_ms)
pm stop -t 2 c >"$tmp/c.stop" 2>&1 || true
elapsed=$(( $(now_ms) - t0 ))
code=$(exit_code c)
pm logs c >"$tmp/c.log" 2>&1
show_log "$tmp/c.log"
info "podman stop -t 2 c: $(secs "$elapsed"), container exit code $code; podman: $(tr '\n' ' ' <"$tmp/c.stop")"
if [ "$code" = 137 ] && grep -q 'signal: SIGTERM from' "$tmp/c.log" && ! grep -q 'summary:' "$tmp/c.log"; then
	pass "control: podman's SIGKILL shows as exit code 137 with no summary line, so A's 143 and B's 42 were not podman's doing"
else
	fail "control: exit code $code (expected 137), summary line: $(grep -c 'summary:' "$tmp/c.log" || true) (expected none)"
fi

# ---------------------------------------------------------------- D
say "D: drainit as podman's own init, the image unchanged: podman run --init --init-path=dist/${init_bin##*/} debian:bookworm"
pm "${RUN[@]}" --network none --name d --init --init-path="$init_bin" docker.io/library/debian:bookworm \
	python3 -c "$(cat "$HERE/init_app.py")" >/dev/null || die "podman run --init d"
wait_log d '^app: running as pid [0-9]+$' 30 || fail "d: the app did not say it runs within 30 s"
d_pid=$(pm inspect d --format '{{.State.Pid}}')
app=$(sed -nE 's/.*drainit: info: start: drainit pid 1 .*app pid ([0-9]+): .*/\1/p' "$tmp/d.log" | head -n 1)
app=${app:-NONE}
# (a) PID 1 is dist's drainit, run by podman as /run/podman-init.
cmdline=$(pm exec d cat /proc/1/cmdline | tr '\0' ' ') || true
info "PID 1's command line (podman $(podman --version | cut -d' ' -f3)): $(cut -c1-60 <<<"$cmdline" | head -n 1)..."
[[ $cmdline == "/run/podman-init -- python3 -c "* ]] &&
	pass "podman runs the init as '/run/podman-init -- python3 -c ...': drainit takes the app after --" ||
	fail "PID 1's command line: $(cut -c1-80 <<<"$cmdline" | head -n 1)"
nspid=$(awk '$1 == "NSpid:" { $1 = ""; print substr($0, 2) }' "/proc/$d_pid/status")
if cmp -s "/proc/$d_pid/exe" "$init_bin" && [ "${nspid##* }" = 1 ]; then
	pass "PID 1 of the container (host pid $d_pid, NSpid $nspid) runs dist/${init_bin##*/}, byte for byte"
else
	fail "the container's init (host pid $d_pid, NSpid $nspid) is not dist/${init_bin##*/}"
fi
if pm exec d sh -c 'command -v drainit || test -e /usr/local/bin/drainit' >/dev/null 2>&1; then
	fail "the image has a drainit of its own: D would not show --init"
else
	pass "the image has no drainit: only podman's mount of it at /run/podman-init"
fi
grep -qE "drainit: info: start: drainit pid 1 \(init of its namespace\); app pid $app: python3 -c " "$tmp/d.log" &&
	pass "drainit's start line: drainit pid 1, app pid $app (python3), no DRAINIT_ setting needed" ||
	fail "no start line 'drainit pid 1 ... app pid N: python3 -c' in podman logs d"
# (c) The app's orphan, given to PID 1, exits: drainit reaps it.
if wait_log d '^app: orphan pid [0-9]+: parent now pid [0-9]+; exiting$' 30; then
	line=$(grep -m1 -E '^app: orphan pid' "$tmp/d.log")
	orphan=$(sed -E 's/^app: orphan pid ([0-9]+):.*/\1/' <<<"$line")
	[[ $line == *"parent now pid 1;"* ]] && pass "the app's orphan (pid $orphan) was given to PID 1, drainit" ||
		fail "the orphan's parent: $line"
	end=$(( $(now_ms) + 10000 )) stat=
	while stat=$(pm exec d sh -c "cat /proc/$orphan/stat 2>/dev/null" || true); [ -n "$stat" ] &&
		[ "$(now_ms)" -lt "$end" ]; do
		sleep 0.1
	done
	if [ -z "$stat" ]; then
		pass "pid $orphan left /proc once it exited: drainit reaped it"
	else
		fail "pid $orphan still in the container's /proc 10 s after it exited, state $(sed 's/.*) //' <<<"$stat" | cut -d' ' -f1)"
	fi
else
	fail "the app's orphan never said it exits (30 s)"
fi
procs=$(pm exec d sh -c 'cat /proc/[0-9]*/stat 2>/dev/null') || true
zombies=$(sed -nE 's/^([0-9]+) \((.*)\) Z .*/\1 (\2)/p' <<<"$procs" | tr '\n' ' ')
info "the container's processes: $(sed -E 's/^([0-9]+) \((.*)\) (.) .*/\1 \2 \3/' <<<"$procs" | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
[ -z "$zombies" ] && pass "no zombie in the container's /proc" || fail "zombies in the container: $zombies"
# (b) A signal from the engine reaches the app through drainit.
pm kill --signal USR1 d >/dev/null || fail "podman kill --signal USR1 d"
if wait_log d '^app: SIGUSR1 received$' 10 &&
	[ "$(pm exec d cat /tmp/usr1 2>/dev/null)" = SIGUSR1 ]; then
	pass "podman kill --signal USR1 d: the app got SIGUSR1 (its log line and /tmp/usr1)"
else
	fail "podman kill --signal USR1 d: the app did not get it within 10 s"
fi
wait_log d "drainit: info: signal: SIGUSR1 from .*: forwarded to .* $app$" 10 &&
	pass "drainit: $(grep -m1 -oE 'signal: SIGUSR1 from .*' "$tmp/d.log")" ||
	fail "no 'signal: SIGUSR1 ... forwarded to ... $app' line from drainit"
# (d) podman stop: drainit forwards SIGTERM, the app's own status comes out.
d_timeout=$(pm inspect d --format '{{.Config.StopTimeout}}')
t0=$(now_ms)
pm stop d >"$tmp/d.stop" 2>&1 && stop_rc=0 || stop_rc=$?
elapsed=$(( $(now_ms) - t0 ))
code=$(exit_code d)
pm logs d >"$tmp/d.log" 2>&1
sed -E 's/^(.{150}).+/\1.../' "$tmp/d.log" >"$tmp/d.shown"   # the start line holds the whole app
show_log "$tmp/d.shown"
info "podman stop d (timeout ${d_timeout}s): exit $stop_rc after $(secs "$elapsed"); container exit code $code"
[ "$stop_rc" = 0 ] || fail "podman stop d: exit $stop_rc: $(cat "$tmp/d.stop")"
# drainit logs "sent SIGTERM" after the kill: the app's line may come
# before it or after, but only after drainit's "signal: SIGTERM".
if why=$(in_order "$tmp/d.log" \
	"drainit: info: start: drainit pid 1 .*app pid $app: python3 -c " \
	'drainit: info: signal: SIGTERM from .*\(pid 0, uid 0\)' \
	"drainit: info: stop: sent SIGTERM to process group $app" \
	"drainit: info: exit: app pid $app \(python3\) exited with status 42" \
	'drainit: info: summary: exit status 42') &&
	why=$(in_order "$tmp/d.log" \
		'drainit: info: signal: SIGTERM from' \
		'app: SIGTERM: exit 42' \
		"drainit: info: exit: app pid $app \(python3\) exited"); then
	pass "podman logs d, in order: drainit's start, SIGTERM from pid 0, SIGTERM forwarded to the app's group (the app's handler after SIGTERM came), exit 42, summary"
else
	fail "podman logs d: $why"
fi
[ "$code" = 42 ] && pass "exit code 42: the app's own status, through drainit as podman's init" ||
	fail "exit code $code, expected the app's 42"
[ "$elapsed" -lt $(( (d_timeout - 1) * 1000 )) ] &&
	pass "podman stop took $(secs "$elapsed"), well within its ${d_timeout}s: no SIGKILL from podman" ||
	fail "podman stop took $(secs "$elapsed"): podman's ${d_timeout}s timeout (SIGKILL)?"

finish
