# Rootful podman with everything private to one temporary folder, for make
# check-container and make release (sourced by bash). The quirks each
# setting answers are told in tests/container/run.sh's header.
#
#   podman_host_state   before anything: notes what podman and runc already
#                       left on this host, so that the clean-up removes only
#                       what this run creates
#   podman_private DIR  writes the configuration into DIR and sets PODMAN
#                       (the command and its flags), pm (a function running
#                       it), CGROUP_PARENT (for containers),
#                       BUILD_CGROUP_PARENT (for builds), nofile and nproc
#   podman_cleanup DIR  removes every container and image, whatever is left
#                       mounted under DIR, DIR itself, its cgroups and the
#                       host's leftovers noted as new

PODMAN=()
blobcache=/var/lib/containers/cache

podman_host_state() {
	had_varlib=0 had_blobcache=0 had_runc=0 had_libpod_parent=0
	[ -e /var/lib/containers ] && had_varlib=1
	[ -e "$blobcache" ] && had_blobcache=1
	[ -e /run/runc ] && had_runc=1
	compgen -G '/sys/fs/cgroup/*/libpod_parent' >/dev/null && had_libpod_parent=1
	return 0
}

# rm_cgroups NAME: removes the (empty) cgroup NAME and those under it, in
# every hierarchy.
rm_cgroups() {
	local d
	for d in /sys/fs/cgroup/"$1" /sys/fs/cgroup/*/"$1"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	compgen -G "/sys/fs/cgroup/$1" >/dev/null || compgen -G "/sys/fs/cgroup/*/$1" >/dev/null &&
		echo "podman: could not remove cgroup $1" >&2
	return 0
}

podman_private() {
	local dir=$1 hn hu
	mkdir -p "$dir/root" "$dir/runroot" "$dir/libpod" "$dir/net"
	hn=$(ulimit -Hn)
	[ "$hn" = unlimited ] && hn=1048576
	nofile=$(( hn < 65536 ? hn : 65536 ))
	hu=$(ulimit -Hu)
	[ "$hu" = unlimited ] && hu=4096
	nproc=$(( hu < 4096 ? hu : 4096 ))
	cat >"$dir/containers.conf" <<EOF
[containers]
log_driver = "k8s-file"
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$dir/libpod"
lock_type = "file"
[network]
network_config_dir = "$dir/net"
EOF
	cat >"$dir/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$dir/root"
runroot = "$dir/runroot"
EOF
	: >"$dir/registries.conf"
	export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf \
		CONTAINERS_REGISTRIES_CONF=$dir/registries.conf
	PODMAN=(podman --root "$dir/root" --runroot "$dir/runroot" --tmpdir "$dir/libpod"
		--storage-driver overlay --runtime runc --runtime-flag "root=$dir/runc" --cgroup-manager cgroupfs
		--events-backend file --network-config-dir "$dir/net")
	# Containers' cgroups go under one of this run's own, removed at the
	# end (podman leaves empty cgroups behind in libpod_parent otherwise).
	# Builds with RUN steps take BUILD_CGROUP_PARENT: buildah runs them in
	# the parent itself, which fails once containers have left cgroups in it
	# (runc cannot deny all devices to a cgroup v1 with children).
	CGROUP_PARENT=/${dir##*/}
	# shellcheck disable=SC2034  # for the scripts that source this one
	BUILD_CGROUP_PARENT=$CGROUP_PARENT/build
}

pm() { "${PODMAN[@]}" "$@"; }

# kill_cgroups NAME: SIGKILLs, by pid, whatever still runs in the cgroup
# NAME (this run's own) and those under it, in every hierarchy, and waits
# (5 s at most) until they are empty.
kill_cgroups() {
	local end=$(( SECONDS + 5 )) pids
	while :; do
		pids=$(cat /sys/fs/cgroup/"$1"/cgroup.procs /sys/fs/cgroup/"$1"/*/cgroup.procs \
			/sys/fs/cgroup/*/"$1"/cgroup.procs /sys/fs/cgroup/*/"$1"/*/cgroup.procs \
			/sys/fs/cgroup/*/"$1"/*/*/cgroup.procs 2>/dev/null | sort -un)
		if [ -z "$pids" ] || [ "$SECONDS" -gt "$end" ]; then
			break
		fi
		# shellcheck disable=SC2086  # a list of pids
		kill -KILL $pids 2>/dev/null
		sleep 0.1
	done
	[ -z "$pids" ] || echo "podman: processes left in cgroup $1: $pids" >&2
}

podman_cleanup() {
	local - dir=$1 m
	set +e
	if [ -n "$dir" ] && [ -d "$dir" ]; then
		if [ "${#PODMAN[@]}" -gt 0 ]; then
			# rm --all gives up at a container that another shares
			# (--network container:NAME), even after removing that
			# other one: "has dependent containers": again until none
			# is left.
			for _ in 1 2 3 4 5; do
				pm rm --all --force --time 0 >/dev/null 2>&1
				[ -z "$(pm ps --all --quiet 2>/dev/null)" ] && break
			done
			pm rmi --all --force >/dev/null 2>&1
		fi
		# Whatever podman could not stop (and its conmon): by pid, from
		# this run's own cgroups, so that nothing runs on in a folder
		# about to be deleted and the cgroups can go.
		kill_cgroups "${dir##*/}"
		# Whatever podman (interrupted) or debootstrap left mounted.
		findmnt -rn -o TARGET | grep -F "$dir/" | sort -r | while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
		rm -rf --one-file-system "$dir" || echo "podman: could not remove $dir" >&2
		rm_cgroups "${dir##*/}"
	fi
	[ "$had_libpod_parent" = 1 ] || rm_cgroups libpod_parent
	[ "$had_runc" = 1 ] || rmdir /run/runc 2>/dev/null
	if [ "$had_varlib" = 0 ]; then
		rm -rf /var/lib/containers
	elif [ "$had_blobcache" = 0 ]; then
		rm -rf "$blobcache"
	fi
	return 0
}
