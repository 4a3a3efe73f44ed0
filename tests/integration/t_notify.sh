# The notify socket (--ready-when notify) speaks for the app only: a path
# socket in a private folder, senders judged on the kernel's word
# (SCM_CREDENTIALS): the app's uid, drainit's or root's, and a process
# started under drainit (or, once exited, the app's or drainit's uid).
# Refusals are logged at most once a second with a count. systemd-notify
# from the app's script keeps working (emulated in python3 when systemd's
# tool is not installed: READY=1, then BARRIER=1 with a pipe, waiting).

NO_ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
# The app's user in these tests, and a stranger in the app's group: the
# group lets it into the socket's folder, so that its credentials decide.
NO_APP=65534
NO_STRANGER=1001

# no_setup: $T readable by the other users, with $T/w writable for their records.
no_setup() {
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	chmod 755 "$T"
	mkdir -m 1777 "$T/w"
	helpers_for_others readyapp sigrec
}

# no_sock: NOTIFY_SOCKET as drainit logged it (at -v).
no_sock() {
	wait_log 'debug: check: notify socket NOTIFY_SOCKET='
	grep -m1 -o 'NOTIFY_SOCKET=.*' "$T/log" | cut -d= -f2-
}

# no_as UID GID COMMAND...: COMMAND inside drainit's namespaces as UID:GID
# (a process entered from outside, as with docker exec).
no_as() { local u=$1 g=$2; shift 2; ns_exec setpriv --reuid "$u" --regid "$g" --clear-groups -- "$@"; }

# NO_SEND_PY SOCKET MESSAGE COUNT: sends MESSAGE COUNT times (python3 -c).
NO_SEND_PY='import socket, sys
path = sys.argv[1]
if path.startswith("@"): path = "\0" + path[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(int(sys.argv[3])):
    s.sendto(sys.argv[2].encode(), path)'

# no_refused: how many datagrams the log says were refused: one per
# "message ... ignored" line, plus the N of each "N more messages ignored".
no_refused() {
	awk '/ notify: message from pid [0-9]+ uid [0-9]+ ignored: / { n++ }
	     / notify: [0-9]+ more messages? ignored / { for (i = 1; i <= NF; i++) if ($i == "notify:") n += $(i + 1) }
	     END { print n + 0 }' "$T/log"
}

# no_not_ready WHY: no readiness file, and the log never said ready.
no_not_ready() {
	[ ! -e "$T/ready" ] || fail "ready after $1: $(cat "$T/ready")"
	assert_no_log ': ready: app pid'
}

test_notify_socket_is_a_private_path() {
	no_setup
	start_ns -v --user "$NO_APP:$NO_APP" --ready-file "$T/ready" --ready-when notify -- \
		"$H/readyapp" "$T/w/rec" notify 300
	local sock dir
	sock=$(no_sock)
	dir=${sock%/notify}
	[[ $sock =~ ^/(run|tmp|dev/shm)/drainit\.[^/]+/notify$ ]] || fail "NOTIFY_SOCKET '$sock' is not a path in a private folder"
	# drainit's folder; the app's group may only pass through it.
	assert_eq "$(stat -c '%u:%g %a' "$dir")" "0:$NO_APP 710" "owner and mode of $dir"
	[ -S "$sock" ] || fail "$sock is not a socket"
	wait_file "^notify_socket=$sock\$" "$T/w/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file after the app's READY=1"
	wh_stop_ok
	[ ! -e "$dir" ] || fail "the socket's folder $dir was left at exit"
}

test_notify_another_uid_under_drainit_cannot_reach_the_socket() {
	# The app (root) starts a helper of another uid: with an abstract name
	# it could say READY=1 for the app; the folder keeps it out.
	no_setup
	start_ns -v --ready-file "$T/ready" --ready-when notify -- sh -c \
		"setpriv --reuid $NO_STRANGER --regid $NO_STRANGER --clear-groups -- $H/readyapp $T/w/spoof notify 0 --exit-after 500
		 exec $H/sigrec $T/rec"
	wait_file '^start ' "$T/rec"
	wait_file '^(sent|senderr) ' "$T/w/spoof"
	sleep 0.3
	no_not_ready "READY=1 from uid $NO_STRANGER"
	grep -q '^senderr errno=EACCES ' "$T/w/spoof" || fail "the stranger reached the socket: $(cat "$T/w/spoof")"
	wh_stop_ok
}

test_notify_spoofed_senders_refused() {
	no_setup
	# The app says READY=1 after 4 s; until then nobody else may.
	local delay=$(( 4000 * TIME_SCALE ))
	start_ns -v --user "$NO_APP:$NO_APP" --ready-file "$T/ready" --ready-when notify -- \
		"$H/readyapp" "$T/w/rec" notify "$delay"
	local sock
	sock=$(no_sock)
	wait_file '^start ' "$T/w/rec"
	# 1. Another uid in the app's group, entered from outside, alive while read.
	no_as "$NO_STRANGER" "$NO_APP" env NOTIFY_SOCKET="$sock" "$H/readyapp" "$T/w/alive" notify 0 --exit-after 3000 &
	local alive=$!
	wait_file '^sent READY=1' "$T/w/alive"
	wait_log "warning: notify: message from pid [0-9]+ .*ignored"
	# 2. The same, gone before drainit reads its message (drainit stopped meanwhile).
	kill -STOP "$DPID"
	no_as "$NO_STRANGER" "$NO_APP" env NOTIFY_SOCKET="$sock" "$H/readyapp" "$T/w/gone" notify 0 --exit-after 0
	grep -q '^sent READY=1' "$T/w/gone" || { kill -CONT "$DPID"; fail "could not send: $(cat "$T/w/gone")"; }
	# 3. Root entered from outside (docker exec), alive while read.
	ns_exec env NOTIFY_SOCKET="$sock" "$H/readyapp" "$T/w/root" notify 0 --exit-after 3000 &
	local root=$!
	wait_until 5 grep -q '^sent READY=1' "$T/w/root" || { kill -CONT "$DPID"; fail "root could not send: $(cat "$T/w/root")"; }
	kill -CONT "$DPID"
	sleep 0.5
	no_not_ready "spoofed READY=1"
	! grep -q '^sent ' "$T/w/rec" || fail "too slow to tell: the app sent READY=1 before we looked (machine overloaded?)"
	# 4. STOPPING=1 from a stranger once the app is ready withdraws nothing.
	wait_until 10 test -f "$T/ready" || fail "no readiness file after the app's READY=1"
	wait_log ': ready: app pid 2 ready \(READY=1, '
	# (the app's clock read just before its send: "sent" is stamped after
	# sendto returned, which drainit may beat)
	(( $(wh_log_ms ': ready: app pid 2 ready ') >= $(rec_ms "$T/w/rec" '^ready ms=') )) ||
		fail "ready before the app said so"
	no_as "$NO_STRANGER" "$NO_APP" "$CATCH_PY" -c "$NO_SEND_PY" "$sock" STOPPING=1 1 || fail "could not send STOPPING=1"
	sleep 0.3
	[ -f "$T/ready" ] || fail "a stranger's STOPPING=1 withdrew readiness"
	assert_no_log 'unready: readiness withdrawn'
	kill "$(children "$alive")" "$(children "$root")" 2>/dev/null
	wait "$alive" "$root" 2>/dev/null
	wh_stop_ok
	# Every spoofed message was refused and counted: 4 in all.
	assert_eq "$(no_refused)" 4 "refused messages counted in the log: $(grep 'notify: ' "$T/log")"
	assert_log "warning: notify: message from pid [0-9]+ uid $NO_STRANGER ignored: its uid is neither the app's, drainit's nor root's\$"
	assert_log "uid 0 ignored: not a process started under drainit|the last from pid [0-9]+ uid 0: not a process started under drainit"
}

# no_systemd_notify: `systemd-notify --ready --status=up`, or, without
# systemd's tool, what it does: READY=1, then BARRIER=1 with the write end
# of a pipe, waiting until the receiver has closed it.
NO_NOTIFY_PY='import os, socket, select, sys
path = os.environ["NOTIFY_SOCKET"]
if path.startswith("@"): path = "\0" + path[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\nSTATUS=up", path)
r, w = os.pipe()
socket.send_fds(s, [b"BARRIER=1"], [w], 0, path)
os.close(w)
if not select.select([r], [], [], 5)[0]: sys.exit("barrier: no answer in 5 s")'

test_notify_systemd_notify_from_the_apps_script() {
	no_setup
	local tool
	if command -v systemd-notify >/dev/null; then
		tool="systemd-notify --ready --status=up"
	else
		# emulated: systemd-notify is not installed
		printf '%s\n' "$NO_NOTIFY_PY" >"$T/w/notify.py"
		tool="$CATCH_PY $T/w/notify.py"
	fi
	start_ns --user "$NO_APP:$NO_APP" --ready-file "$T/ready" --ready-when notify -- sh -c \
		"$tool; echo \"notified rc=\$? ms=\$(date +%s%3N)\" >$T/w/notified; exec $H/sigrec $T/w/rec"
	wait_file '^notified rc=0 ' "$T/w/notified" 10
	wait_until 10 test -f "$T/ready" || fail "no readiness file after $tool: $(grep 'notify: ' "$T/log")"
	wh_says "$T/ready" "^ready notify pid=2 since=$NO_ISO pidns=[0-9]+\$"
	assert_no_log 'notify: message from'
	# The barrier was answered at once (closing the descriptor), not at its timeout.
	(( $(rec_ms "$T/w/notified" '^notified') - $(wh_log_ms 'drainit: info: start: ') < 3000 )) ||
		fail "$tool took too long: its barrier was not answered"
	wait_file '^start ' "$T/w/rec"
	wh_stop_ok
}

test_notify_flood_is_counted_not_logged() {
	no_setup
	start_ns -v --user "$NO_APP:$NO_APP" --ready-file "$T/ready" --ready-when notify -- \
		"$H/sigrec" "$T/w/rec"
	local sock
	sock=$(no_sock)
	wait_file '^start ' "$T/w/rec"
	local from=$(now_ms) flood
	no_as "$NO_STRANGER" "$NO_APP" "$CATCH_PY" -c "$NO_SEND_PY" "$sock" READY=1 100000 &
	flood=$!
	# During the flood drainit still forwards a signal at once.
	wait_log 'notify: message from pid'
	local sent=$(now_ms)
	kill -USR1 "$DPID"
	wait_file '^sig SIGUSR1 ' "$T/w/rec" 5
	assert_ms_between $(( $(rec_ms "$T/w/rec" '^sig SIGUSR1 ') - sent )) 0 200 "ms to forward SIGUSR1 during the flood"
	wait "$flood" || fail "the flood could not be sent"
	local took=$(( $(now_ms) - from ))
	sleep 0.2 # what the socket still holds is read before the stop
	no_not_ready "a flood of READY=1"
	wh_stop_ok
	local lines
	lines=$(count_lines ' notify: ')
	# At most one line a second (and one at exit), not one per message.
	(( lines <= took / 1000 + 3 )) || fail "$lines notify lines for a flood of $took ms"
	assert_eq "$(no_refused)" 100000 "refused messages counted in the log"
}

test_notify_without_a_writable_folder_falls_back_to_abstract() {
	# A read-only root with neither /run, /tmp nor /dev/shm writable: the
	# abstract socket, with a warning; senders are still judged. $T is
	# reached through /mnt, since /tmp is covered, and so are copies of
	# drainit and the app: the repository may sit under /tmp too.
	needs_native "the valgrind wrapper runs from the repository, which may be covered"
	mkdir "$T/bin" && cp "$DRAINIT" "$T/bin/drainit" && cp "$H/readyapp" "$T/bin/" ||
		fail "cannot copy drainit"
	local DRAINIT=/mnt/bin/drainit
	NS_WRAP=(unshare -m --propagation private sh -c 'mount --bind "$0" /mnt &&
		for d in /run /tmp /dev/shm; do mount -t tmpfs -o ro none "$d" || exit 1; done && exec "$@"' "$T")
	start_ns -v --ready-file /mnt/ready --ready-when notify -- /mnt/bin/readyapp /mnt/rec notify 300
	wait_log "warning: check: no folder for the notify socket in /run, /tmp or /dev/shm: using the abstract socket @[0-9a-f]+, "
	wait_file '^notify_socket=@' "$T/rec"
	wait_until 10 test -f "$T/ready" || fail "no readiness file after the app's READY=1"
	wait_log ': ready: app pid 2 ready \(READY=1, '
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
}
