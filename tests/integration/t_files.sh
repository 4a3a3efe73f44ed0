# What drainit does to what it finds at the readiness paths. It removes
# only its own files (a readiness or state line, or an empty file), before
# the app starts and at the withdrawal; `drainit probe` answers at once
# whatever is at the path; the readiness folder is the one drainit opened at
# start, whatever a symbolic link in its path names later; a long file name
# works when the folder takes it.

# fi_refused PATH WHAT...: drainit, given --ready-file PATH, refused to start
# with one line (exit 73) that holds every WHAT.
fi_refused() {
	local p=$1; shift
	rm -f "$T/started"
	run_ns --ready-file "$p" -- sh -c 'touch "$0"' "$T/started"
	assert_one_line 73 'error: start: ' "$@" "drainit removes only its own (choose another path)"
}

# --- only drainit's own files are removed ---------------------------------

test_files_not_its_own_refused_and_kept_as_pid1() {
	mkdir "$T/rd"
	# a configuration file, given by mistake
	printf 'listen: 8080\n' >"$T/rd/config.yaml"
	fi_refused "$T/rd/config.yaml" \
		"--ready-file $T/rd/config.yaml: a regular file that is not a readiness file is there;"
	assert_eq "$(cat "$T/rd/config.yaml")" "listen: 8080" "config.yaml after drainit"
	# a FIFO and a character device (what /dev/null is)
	mkfifo "$T/rd/fifo"
	fi_refused "$T/rd/fifo" "--ready-file $T/rd/fifo: a FIFO is there;"
	[ -p "$T/rd/fifo" ] || fail "the FIFO is gone"
	mknod "$T/rd/null" c 1 3
	fi_refused "$T/rd/null" "--ready-file $T/rd/null: a character device is there;"
	[ -c "$T/rd/null" ] || fail "the device is gone"
	# PATH.state the same, and the readiness file beside it stays too
	echo "ready start pid=1 since=2001-02-03T04:05:06.000Z" >"$T/rd/ready"
	printf 'keep me\n' >"$T/rd/ready.state"
	fi_refused "$T/rd/ready" "--ready-file $T/rd/ready: its state file $T/rd/ready.state:" \
		"a regular file that is not a readiness file is there;"
	assert_eq "$(cat "$T/rd/ready.state")" "keep me" "ready.state after drainit"
	[ -s "$T/rd/ready" ] || fail "the readiness file went although drainit did not start"
	rm "$T/rd/ready.state"
	mkfifo "$T/rd/ready.state"
	fi_refused "$T/rd/ready" "--ready-file $T/rd/ready: its state file $T/rd/ready.state: a FIFO is there;"
	[ -p "$T/rd/ready.state" ] || fail "the state FIFO is gone"
	# its own files, a readiness line and an empty state file, go
	rm "$T/rd/ready.state"
	: >"$T/rd/ready.state"
	start_ns --ready-file "$T/rd/ready" -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	assert_log "start: removed stale readiness file $T/rd/ready\$"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(ls -A "$T/rd" | tr '\n' ' ')" "config.yaml fifo null " "the folder after the run"
}

# Replaced during the run: at the withdrawal, and at exit, what is there now
# is someone else's and stays; drainit says so.
test_files_replaced_during_the_run_left_there_as_pid1() {
	mkdir "$T/rd"
	start_ns --ready-file "$T/rd/ready" --pre-stop-delay 30s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -s "$T/rd/ready" || fail "readiness file never written"
	rm "$T/rd/ready"
	printf 'listen: 8080\n' >"$T/rd/ready"
	kill -TERM "$DPID"
	wait_log "warning: unready: $T/rd/ready is not drainit's readiness file any more \(someone replaced it\): left it there: SIGTERM received\$"
	assert_eq "$(cat "$T/rd/ready")" "listen: 8080" "the file put there"
	assert_no_log 'readiness withdrawn'
	# the state file replaced too: left at exit
	rm "$T/rd/ready.state"
	mkfifo "$T/rd/ready.state"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	assert_log "warning: ready: the state file beside $T/rd/ready is not drainit's any more \(someone replaced it\): left it there\$"
	[ -p "$T/rd/ready.state" ] || fail "the FIFO put at ready.state is gone"
	assert_eq "$(cat "$T/rd/ready")" "listen: 8080" "the file put there, at exit"
}

# --- the probe answers at once, whatever is at the path -------------------

# fi_probe_fast PATH KIND: the probe, from here and as an exec probe inside
# drainit's namespaces, says "not a regular file (KIND)" and exits 1 within
# 2 s (a FIFO held it until killed).
fi_probe_fast() {
	local t0 took run
	for run in probe_here probe_ns; do
		t0=$(now_ms)
		_probe timeout -s KILL 5 $( [ $run = probe_ns ] && echo nsenter -t "$DPID" -p -m -- ) \
			env -i "$DRAINIT" probe --ready-file "$1"
		took=$(( $(now_ms) - t0 ))
		probe_says 1 "^not ready: $3 is not a regular file \($2\)\$"
		assert_ms_between "$took" 0 2000 "ms the probe took on $2 ($run)"
	done
}

test_files_probe_answers_at_once_on_a_fifo_as_pid1() {
	mkdir "$T/rd"
	start_ns --ready-file "$T/ready" -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	mkfifo "$T/rd/r"
	fi_probe_fast "$T/rd/r" "a FIFO" "$T/rd/r"
	# PATH.state a FIFO, no readiness file
	mkfifo "$T/rd/s.state"
	fi_probe_fast "$T/rd/s" "a FIFO" "$T/rd/s.state"
	mknod "$T/rd/dev" c 1 3
	fi_probe_fast "$T/rd/dev" "a character device" "$T/rd/dev"
	mkdir "$T/rd/dir"
	fi_probe_fast "$T/rd/dir" "a folder" "$T/rd/dir"
	"$CATCH_PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/rd/sock"
	fi_probe_fast "$T/rd/sock" "a socket" "$T/rd/sock"
	kill -TERM "$DPID"
	wait_exit 15
}

# --- the folder opened at start -------------------------------------------

# A symbolic link in the path swapped during the run (a new release): the
# readiness file is withdrawn where it was written, and a probe there says
# not ready; nothing is written in the new folder.
test_files_symlinked_folder_swapped_withdrawn_where_written_as_pid1() {
	mkdir "$T/v1" "$T/v2"
	ln -s v1 "$T/cur"
	start_ns --ready-file "$T/cur/ready" --pre-stop-delay 30s -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -s "$T/v1/ready" || fail "readiness file never written"
	ln -sfn v2 "$T/cur"
	assert_eq "$(readlink "$T/cur")" v2 "the link"
	kill -TERM "$DPID"
	wait_log "info: unready: readiness withdrawn \($T/cur/ready removed\): SIGTERM received"
	[ ! -e "$T/v1/ready" ] || fail "the readiness file is still in the folder it was written in"
	probe_here --ready-file "$T/v1/ready"
	probe_says 1 '^not ready: draining since '
	grep -q '^draining ' "$T/v1/ready.state" || fail "the state file was not written where it was: $(ls -A "$T/v1")"
	[ -z "$(ls -A "$T/v2")" ] || fail "written in the new folder: $(ls -A "$T/v2")"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	[ -z "$(ls -A "$T/v1")" ] || fail "left in the first folder: $(ls -A "$T/v1")"
}

# --- a long file name -----------------------------------------------------

test_files_long_name_works_as_pid1() {
	mkdir "$T/rd"
	local name; name=$(printf 'r%.0s' $(seq 249))
	start_ns --ready-file "$T/rd/$name" -- "$H/sigrec" "$T/rec"
	wait_file '^start ' "$T/rec"
	wait_until 10 test -s "$T/rd/$name" || fail "readiness file never written: $(cat "$T/log")"
	probe_ns --ready-file "$T/rd/$name"
	probe_says 0 '^ready: app pid 2 '
	grep -q '^ready ' "$T/rd/$name.state" || fail "no state file"
	kill -TERM "$DPID"
	wait_exit 15
	assert_eq "$RC" 0 "exit status"
	[ -z "$(ls -A "$T/rd")" ] || fail "left in the folder: $(ls -A "$T/rd")"
	assert_no_log 'warning|error'
	# one longer: PATH.state cannot be, said before the app starts
	run_ns --ready-file "$T/rd/${name}r" -- sh -c 'touch "$0"' "$T/started"
	assert_one_line 73 "error: start: --ready-file $T/rd/${name}r: a name of 250 bytes, and 256 for the state file beside it (NAME.state), more than the folder allows (255): use a name of at most 249 bytes"
}
