# The local base image of make check-container and make e2e-engine: Debian
# bookworm made with debootstrap from the host's mirror into a tarball,
# cached in CACHE and imported into podman as debian:bookworm (sourced by
# bash, after tests/checks.sh; the caller defines info and sets tmp, a
# folder of its own). tests/container/run.sh's header tells why.
#
#   base_tarball   sets base_tar (the tarball, cached or made now) and
#                  base_how (which); 1 when it cannot be made

SUITE=bookworm
VARIANT=minbase
# Every package a stage of Dockerfile.example installs.
INCLUDE=gcc,make,libc6-dev,libcap-dev,pkg-config,musl-tools,musl-dev,linux-libc-dev,dpkg-dev,xz-utils,python3
RECIPE=3                                # bump when the tarball's recipe changes
CACHE=${DRAINIT_CI_CACHE-/var/cache/drainit-ci}
arch=$(dpkg --print-architecture)

# make_base TAR: debootstrap the base image's root file system into a tarball.
make_base() {
	local out=$1 root=$tmp/rootfs t0
	t0=$(now_ms)
	info "debootstrap --variant=$VARIANT --include=$INCLUDE $SUITE from $mirror"
	if ! debootstrap --variant="$VARIANT" --include="$INCLUDE" "$SUITE" "$root" "$mirror" \
		>"$tmp/debootstrap.log" 2>&1; then
		tail -n 20 "$tmp/debootstrap.log" | sed 's/^/  | /'
		return 1
	fi
	# As in Debian's images: no downloaded packages, no package lists; as in
	# its slim images, no documentation, manual pages or translations (a
	# fifth less to import); and nothing of this host's (podman provides the
	# container's own resolv.conf and hostname).
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
		"$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
	find "$root/usr/share/doc" -type f ! -name copyright -delete
	: >"$root/etc/resolv.conf"
	echo localhost >"$root/etc/hostname"
	tar -C "$root" --numeric-owner -cf "$out" .
	rm -rf --one-file-system "$root"
	info "debootstrap and tar: $(secs $(( $(now_ms) - t0 ))), $(du -h "$out" | cut -f1)"
}

base_tarball() {
	mirror=${DRAINIT_CI_MIRROR:-}
	if [ -z "$mirror" ] && [ -r /etc/apt/sources.list.d/debian.sources ]; then
		mirror=$(awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
	fi
	if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
		mirror=$(awk '$1 == "deb" && $2 !~ /security/ && $2 ~ /^http/ { print $2; exit }' /etc/apt/sources.list)
	fi
	mirror=${mirror:-http://deb.debian.org/debian}
	key_text="suite=$SUITE variant=$VARIANT include=$INCLUDE mirror=$mirror arch=$arch recipe=$RECIPE"
	key=$(printf '%s' "$key_text" | sha256sum | cut -c1-12)
	base_name=debian-$SUITE-$VARIANT-$arch-$key.tar
	if [ -z "$CACHE" ]; then
		base_tar=$tmp/$base_name
		make_base "$base_tar" || return 1
		base_how="built (no cache)"
	else
		mkdir -p "$CACHE"
		exec 9>"$CACHE/lock"
		flock -w 900 9 || { info "$CACHE/lock: still locked after 15 min"; return 1; }
		base_tar=$CACHE/$base_name
		if [ "${DRAINIT_CI_REFRESH:-0}" != 1 ] && [ -f "$base_tar" ] && [ -f "$base_tar.sha256" ] &&
			(cd "$CACHE" && sha256sum --check --status "$base_name.sha256"); then
			base_how="cached: $base_tar"
		else
			[ -f "$base_tar" ] && info "cached tarball missing its checksum, corrupt or refreshed: rebuilding it"
			rm -f "$base_tar" "$base_tar.sha256" "$base_tar.key"
			make_base "$tmp/$base_name" || { exec 9>&-; return 1; }
			(cd "$tmp" && sha256sum "$base_name") >"$tmp/$base_name.sha256"
			mv "$tmp/$base_name" "$base_tar.part"
			mv "$tmp/$base_name.sha256" "$base_tar.sha256"
			mv "$base_tar.part" "$base_tar"
			echo "$key_text" >"$base_tar.key"
			base_how="built and cached: $base_tar"
		fi
		# Tarballs of other recipes, mirrors or suites are stale.
		for f in "$CACHE"/debian-*.tar "$CACHE"/debian-*.tar.*; do
			[ -e "$f" ] || continue
			case $f in "$base_tar" | "$base_tar".*) ;; *) rm -f "$f"; info "removed stale $f" ;; esac
		done
		exec 9>&-
	fi
}
