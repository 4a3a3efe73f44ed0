#!/usr/bin/env bash
# make release: dist/ with the static musl binaries for amd64 and arm64, a
# .deb of each, an OCI image holding the amd64 binary, and SHA256SUMS
# (docs/release.md). Debian 12, as root; tests/deps.sh release installs what
# it needs. Reproducible: the binaries and .debs depend only on the commit
# (and the Debian packages that build them): SOURCE_DATE_EPOCH (default: the
# commit's time) stands for every date in them.
#
# Usage: tests/release/release.sh [DIST]   (default dist)
# Environment: B (build folder, default build), SKIP_IMAGE=1 (no image: the
# reproducibility check compares binaries and .debs only).
set -euo pipefail
export LC_ALL=C TZ=UTC
umask 022
cd "$(dirname "$0")/../.."
REPO=$PWD
DIST=${1:-dist}
B=${B:-build}
VERSION=$(sed -n 's/^VERSION = //p' Makefile)
ARCHES="amd64 arm64"
MAINTAINER=${DEB_MAINTAINER:-drainit maintainers <maintainers@drainit.invalid>}
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || stat -c %Y Makefile)
fi
export SOURCE_DATE_EPOCH
say() { echo "release: $*"; }

tests/deps.sh release
rm -rf "$DIST"
mkdir -p "$DIST"
for arch in $ARCHES; do
	make --no-print-directory B="$B" musl MARCH="$arch" >/dev/null
	cp "$B/musl-$arch/drainit" "$DIST/drainit-$VERSION-linux-$arch"
	say "$DIST/drainit-$VERSION-linux-$arch: $(stat -c %s "$DIST/drainit-$VERSION-linux-$arch") bytes"
done
libcap_version=$(cat build/src/libcap2.version) # tests/release/libcap.sh keeps the source there

# ------------------------------------------------------------------ .debs
# The .deb carries the same static musl binary as the release and the
# image: one binary to test, no dependency on the system's libcap2, the same
# for every Debian and Ubuntu release (docs/release.md). Built-Using names
# the libcap2 source linked in, as Debian's policy asks of static linking.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
deb_changelog() {
	cat <<EOF
drainit ($VERSION) unstable; urgency=medium

  * Release $VERSION: see README.md and docs/release.md.

 -- $MAINTAINER  $(date -u -d "@$SOURCE_DATE_EPOCH" -R)
EOF
}
deb_copyright() {
	cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: drainit

Files: *
Copyright: 2026 The drainit authors
License: Expat

Files: libcap (linked into /usr/bin/drainit)
Copyright: 1997-2016 Andrew G. Morgan <morgan@linux.kernel.org> and others
License: BSD-3-Clause or GPL-2
Comment: libcap2 $libcap_version, Debian's source package, built for musl;
 its authors are listed in Debian's libcap2 copyright file.

Files: musl libc (linked into /usr/bin/drainit)
Copyright: 2005-2020 Rich Felker <dalias@aerifal.cx> and others
License: Expat

License: Expat
$(sed -e '1,/^Permission/{/^Permission/!d}' -e 's/^$/./' -e 's/^/ /' LICENSE)

License: BSD-3-Clause
 Redistribution and use in source and binary forms of libcap, with
 or without modification, are permitted provided that the following
 conditions are met:
 .
 1. Redistributions of source code must retain any existing copyright
    notice, and this entire permission notice in its entirety,
    including the disclaimer of warranties.
 .
 2. Redistributions in binary form must reproduce all prior and current
    copyright notices, this list of conditions, and the following
    disclaimer in the documentation and/or other materials provided
    with the distribution.
 .
 3. The name of any author may not be used to endorse or promote
    products derived from this software without their specific prior
    written permission.
 .
 THIS SOFTWARE IS PROVIDED \`\`AS IS'' AND ANY EXPRESS OR IMPLIED
 WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF
 MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED.
 IN NO EVENT SHALL THE AUTHOR(S) BE LIABLE FOR ANY DIRECT, INDIRECT,
 INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING,
 BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS
 OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND
 ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR
 TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE
 USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH
 DAMAGE.

License: GPL-2
 See /usr/share/common-licenses/GPL-2.
EOF
}
for arch in $ARCHES; do
	r=$stage/$arch
	mkdir -p "$r/DEBIAN" "$r/usr/bin" "$r/usr/share/man/man8" "$r/usr/share/doc/drainit" \
		"$r/usr/share/lintian/overrides"
	install -m 755 "$DIST/drainit-$VERSION-linux-$arch" "$r/usr/bin/drainit"
	gzip -9n <docs/drainit.8 >"$r/usr/share/man/man8/drainit.8.gz"
	deb_changelog | gzip -9n >"$r/usr/share/doc/drainit/changelog.gz"
	deb_copyright >"$r/usr/share/doc/drainit/copyright"
	# Each tag lintian still gives, and why (docs/release.md).
	cat >"$r/usr/share/lintian/overrides/drainit" <<'EOF'
# Static on purpose: an init for containers must run in any image,
# distroless and scratch included; Built-Using names libcap2.
drainit: statically-linked-binary [usr/bin/drainit]
EOF
	size=$(du -sk --apparent-size "$r/usr" | cut -f1)
	cat >"$r/DEBIAN/control" <<EOF
Package: drainit
Version: $VERSION
Architecture: $arch
Maintainer: $MAINTAINER
Installed-Size: $size
Section: admin
Priority: optional
Built-Using: libcap2 (= $libcap_version)
Description: container init that drains before it kills
 drainit runs as PID 1 in a container: it starts the app, forwards
 signals, reaps zombies and logs every signal with its sender. On SIGTERM
 it withdraws readiness (a file that a Kubernetes exec probe reads), keeps
 serving until the load balancer has let go, forwards the stop signal,
 waits for in-flight work and only then escalates to SIGKILL.
 .
 This package holds the static binary (musl, libcap linked in).
EOF
	(cd "$r" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$r/DEBIAN/md5sums"
	find "$r" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	dpkg-deb --root-owner-group -Zxz --build "$r" "$DIST/drainit_${VERSION}_$arch.deb" >/dev/null
	say "$DIST/drainit_${VERSION}_$arch.deb: $(stat -c %s "$DIST/drainit_${VERSION}_$arch.deb") bytes"
done

# ------------------------------------------------------------------ image
# FROM scratch with only the binary (and its man page), for
# COPY --from=drainit:VERSION /usr/local/bin/drainit in a Dockerfile.
# Named docker.io/library/drainit:VERSION, which both docker and podman
# resolve "drainit:VERSION" to after a load.
if [ "${SKIP_IMAGE:-0}" != 1 ]; then
	ptmp=$(mktemp -d /tmp/drainit-release.XXXXXX)
	. tests/container/podman.sh
	podman_host_state
	trap 'podman_cleanup "$ptmp"; rm -rf "$stage"' EXIT
	podman_private "$ptmp"
	ctx=$ptmp/context
	mkdir -p "$ctx"
	cp "$DIST/drainit-$VERSION-linux-amd64" "$ctx/drainit"
	gzip -9n <docs/drainit.8 >"$ctx/drainit.8.gz"
	cat >"$ctx/Containerfile" <<EOF
FROM scratch
COPY drainit /usr/local/bin/drainit
COPY drainit.8.gz /usr/local/share/man/man8/drainit.8.gz
LABEL org.opencontainers.image.title="drainit" \\
      org.opencontainers.image.version="$VERSION" \\
      org.opencontainers.image.licenses="MIT"
ENTRYPOINT ["/usr/local/bin/drainit"]
EOF
	name=docker.io/library/drainit:$VERSION
	pm build --quiet --pull=never --layers=false --network none --timestamp "$SOURCE_DATE_EPOCH" \
		--cgroup-parent "$CGROUP_PARENT" -f "$ctx/Containerfile" -t "$name" "$ctx" >/dev/null
	pm save --quiet -o "$DIST/drainit-$VERSION-image.tar" "$name"
	touch -d "@$SOURCE_DATE_EPOCH" "$DIST/drainit-$VERSION-image.tar"
	say "$DIST/drainit-$VERSION-image.tar: $(stat -c %s "$DIST/drainit-$VERSION-image.tar") bytes (image $name)"
fi

(cd "$DIST" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | sort | xargs sha256sum >SHA256SUMS)
say "$DIST/SHA256SUMS"
sed 's/^/  /' "$DIST/SHA256SUMS"
