# t-spool.sh - the master goes away: events are spooled, then replayed in
# order once it is back, and nothing is lost, nothing counted twice, however
# a replay is cut short.  A spool others could write to is refused.

test_master_down_spools_then_replays_in_order() {
	mc ban -j mc-exim -i 192.0.2.30
	mc unban -j mc-exim -i 192.0.2.30
	mdb_stop "$WORK/db"
	mc ban -j mc-exim -i 192.0.2.30
	assert_eq "$rc" 0 "ban with the master down exits 0"
	case $err in *spooled*) ;; *) fail "no spool warning: $err" ;; esac
	assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "one warning line"
	mc ban -j mc-exim -i 2001:db8::30
	mc unban -j mc-exim -i 2001:db8::30
	assert_eq "$(spooled)" 3 "events waiting"
	mdb_start "$WORK/db" || fail "restart"
	# Any run that reaches the master replays the spool first; a ban makes
	# the attempt once the back-off window of the outage has passed
	# (t-outage.sh).
	sleep 1.1
	mc ban -j mc-exim -i 198.51.100.30
	assert_eq "$rc" 0 "first run after the restart"
	assert_eq "$(row mc-exim 192.0.2.30)" "2,1,0,0" "spooled ban"
	assert_eq "$(row mc-exim 2001:db8::30)" "1,0,0,0" "spooled ban then unban, in order"
	assert_eq "$(row mc-exim 198.51.100.30)" "1,1,0,0" "the new ban"
	assert_eq "$(mc_out spool list)" "spool is empty" "spool after replay"
}

test_spool_replay_verb_and_json_listing() {
	mdb_stop "$WORK/db"
	mc ban -j mc-exim -i 192.0.2.31 --restored 1
	mc ban -j no-such-jail -i 192.0.2.32
	assert_eq "$rc" 0 "an unknown jail cannot be checked while the master is down"
	local json
	json=$("$MC_F2B" -c "$WORK/mc.ini" --json spool list)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert len(d)==2 and d[0]["ip"]=="192.0.2.31" and d[0]["restored"] is True, d' "$json" ||
		fail "json listing: $json"
	mdb_start "$WORK/db" || fail "restart"
	mc spool replay
	assert_eq "$rc" 0 "replay"
	assert_eq "$(row mc-exim 192.0.2.31)" "1,1,0,0" "replayed"
	# The event of an unknown jail is kept aside, not dropped, not retried.
	grep -q "no-such-jail" "$WORK/db/spool/rejected" || fail "rejected event lost"
	assert_eq "$(mc_out spool list)" "spool is empty" "spool after replay"
}

test_unreadable_spool_record_is_kept_aside() {
	mkdir -p "$WORK/db/spool"
	printf '1\tban\tmc-exim\t192.0.2.33\tnode-a\t1\t1\t1\t1\t0\n' >"$WORK/db/spool/events"
	printf 'garbage; DROP TABLE fail2ban_ips\n' >>"$WORK/db/spool/events"
	mc spool replay
	assert_eq "$(row mc-exim 192.0.2.33)" "1,1,0,0" "good record applied"
	grep -q "garbage" "$WORK/db/spool/rejected" || fail "unreadable record lost"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips")" 1 "table intact"
}

# A server that accepts the connection but never answers: the configured
# connect timeout bounds the wait, then the event is spooled.
test_silent_master_times_out_and_spools() {
	local sock=$WORK/silent.sock start elapsed
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(64)
conns = []
end = time.time() + 20
while time.time() < end:
    s.settimeout(end - time.time())
    try: conns.append(s.accept()[0])
    except OSError: break
' "$sock" &
	local listener=$!
	wait_until 5 test -S "$sock" || fail "the silent listener did not start"
	sed -e "s|^socket = .*|socket = $sock|" \
	    -e "s|^database = .*|&\nconnect_timeout_ms = 1000|" "$WORK/mc.ini" >"$WORK/silent.ini"
	chmod 600 "$WORK/silent.ini"
	start=$(date +%s%N)
	"$MC_F2B" -c "$WORK/silent.ini" ban -j mc-exim -i 192.0.2.34 2>"$WORK/silent.err"
	rc=$?
	elapsed=$((($(date +%s%N) - start) / 1000000))
	kill "$listener" 2>/dev/null
	wait "$listener" 2>/dev/null
	assert_eq "$rc" 0 "exit status"
	grep -q spooled "$WORK/silent.err" || fail "not spooled: $(cat "$WORK/silent.err")"
	echo "silent master: gave up after ${elapsed} ms"
	[ "$elapsed" -lt 4000 ] || fail "waited ${elapsed} ms for a 1000 ms timeout"
}

# The master refuses a spooled event (here: UPDATE revoked): it stays at
# the head of the spool, and new events queue behind it instead of
# overtaking it.
test_new_events_never_overtake_a_waiting_spool() {
	mc ban -j mc-exim -i 192.0.2.35
	mdb_stop "$WORK/db"
	mc unban -j mc-exim -i 192.0.2.35
	mdb_start "$WORK/db" || fail "restart"
	mdb_sql "$WORK/db" -e "REVOKE UPDATE ON mc_config.* FROM 'mcf2b'@'localhost'"
	on_exit "mdb_sql '$WORK/db' -e \"GRANT UPDATE ON mc_config.* TO 'mcf2b'@'localhost'\""
	# The master is reached (the outage is over), and refuses the unban.
	mc spool replay
	assert_eq "$rc" 1 "replay refused ($err)"
	mc ban -j mc-exim -i 192.0.2.35
	assert_eq "$rc" 0 "exit status ($err)"
	case $err in *"still wait"*) ;; *) fail "not queued: $err" ;; esac
	assert_eq "$(spooled)" 2 "events waiting"
	assert_eq "$(row mc-exim 192.0.2.35)" "1,1,0,0" "row untouched meanwhile"
	mdb_sql "$WORK/db" -e "GRANT UPDATE ON mc_config.* TO 'mcf2b'@'localhost'"
	mc spool replay
	assert_eq "$rc" 0 "replay ($err)"
	assert_eq "$(row mc-exim 192.0.2.35)" "2,1,0,0" "unban, then ban, in order"
}

# The rows of mc-exim, one word per address: ip,count,active,blacklisted,whitelisted.
spool_exim_rows() {
	sql "SELECT GROUP_CONCAT(CONCAT_WS(',', ip, count, active, blacklisted,
		whitelisted) ORDER BY ip SEPARATOR ' ') FROM fail2ban_ips
		WHERE jail = 'mc-exim'"
}

# Keep the rows and the events file as they are, to start each replay of a
# test from them again (spool_restore).
spool_save() {
	on_exit "sql 'DROP TABLE IF EXISTS spool_saved_ips'"
	sql "DROP TABLE IF EXISTS spool_saved_ips;
		CREATE TABLE spool_saved_ips AS SELECT * FROM fail2ban_ips" ||
		fail "rows not saved"
	cp "$WORK/db/spool/events" "$WORK/events.saved" || fail "events not saved"
}

spool_restore() {
	sql "DELETE FROM fail2ban_ips;
		INSERT INTO fail2ban_ips SELECT * FROM spool_saved_ips" ||
		fail "rows not restored"
	cp "$WORK/events.saved" "$WORK/db/spool/events" || fail "events not restored"
}

# The system calls a replay is killed at: the sends and receives of the
# database connection, and every call by which a spool may read or change
# its files, by descriptor or by path.
SPOOL_DB_CALLS=sendto,recvfrom
SPOOL_FILE_CALLS=mkdir,openat,newfstatat,flock,read,pread64,pwrite64,writev,fsync,fdatasync,ftruncate,rename,renameat,unlink,unlinkat,close

# The points a replay can be killed at, one "SYSCALL N" a line, in order: a
# point is the Nth call of one system call, as strace's inject counts them
# (each system call of a process on its own).  Taken from a replay of the
# saved state, from the spool's first use on (a kill before that is a kill
# before anything), and last one point past its end.
spool_kill_points() { # SYSCALLS
	spool_restore
	strace -f -qq -o "$WORK/replay.trace" -e trace="$1" \
		"$MC_F2B" -c "$WORK/mc.ini" spool replay >/dev/null 2>&1 ||
		fail "replay under strace: $(tail -n 3 "$WORK/replay.trace")"
	awk -v spool="$WORK/db/spool" '
		$2 ~ /^[a-z0-9_]+\(/ {
			name = $2
			sub(/\(.*/, "", name)
			calls[name]++
			if (index($0, spool))
				seen = 1
			if (seen) {
				print name, calls[name]
				last = name
			}
		}
		# and one past the end, that the replay outlives
		END { if (last != "") print last, calls[last] + 1 }
	' "$WORK/replay.trace"
}

# Replay, killed at the Nth call of SYSCALL; leaves the exit status in
# $killed_status (137 when the kill came, 0 when the replay ended first).
# (A kill "at every step" cannot be when=1, 2, ... over a set of calls:
# strace counts each system call apart, so that would only ever kill at
# whichever call of the set is first to reach its Nth time.)
spool_replay_killed_at() { # SYSCALL N
	# (waited for by a subshell whose stderr takes bash's "Killed")
	(strace -f -qq -o /dev/null -e trace="$1" -e inject="$1:signal=KILL:when=$2" \
		"$MC_F2B" -c "$WORK/mc.ini" spool replay >/dev/null 2>&1
	 exit $?) 2>/dev/null
	killed_status=$?
	case $killed_status in
	0 | 137) ;;
	*) fail "replay under strace at $1 #$2: exit $killed_status" ;;
	esac
}

# A replay killed at any point (fail2ban's action time-out, the OOM killer,
# an administrator's kill -9) is gone on by the next: no event skipped, none
# applied twice (a ban, an unban and a ban again of one address: a second
# application of any but the last counts it a fourth time, and blacklists).
test_a_replay_killed_at_any_step_loses_and_doubles_nothing() {
	local want="192.0.2.50,3,1,0,0 192.0.2.51,1,1,0,0" name n tried=0 kills=0
	mc ban -j mc-exim -i 192.0.2.50
	mc unban -j mc-exim -i 192.0.2.50
	mdb_stop "$WORK/db"
	mc ban -j mc-exim -i 192.0.2.50
	mc unban -j mc-exim -i 192.0.2.50
	mc ban -j mc-exim -i 192.0.2.50
	mc ban -j mc-exim -i 192.0.2.51
	mdb_start "$WORK/db" || fail "restart"
	assert_eq "$(spooled)" 4 "events waiting"
	spool_save
	spool_kill_points "$SPOOL_DB_CALLS,$SPOOL_FILE_CALLS" >"$WORK/points"
	while read -r name n; do
		spool_restore
		spool_replay_killed_at "$name" "$n"
		tried=$((tried + 1))
		[ "$killed_status" == 137 ] && kills=$((kills + 1))
		mc spool replay
		assert_eq "$rc" 0 "replay after a kill at $name #$n ($err)"
		assert_eq "$(spool_exim_rows)" "$want" "rows after a kill at $name #$n"
		assert_eq "$(mc_out spool list)" "spool is empty" \
			"spool after a kill at $name #$n"
		[ ! -e "$WORK/db/spool/rejected" ] || fail "rejected after a kill at $name #$n"
	done <"$WORK/points"
	# Not every run makes as many calls as the first (a receive that
	# would block is tried again after a poll): a point may be missed, but
	# not most of them.
	[ "$kills" -gt $((tried / 2)) ] || fail "only $kills of $tried runs were killed"
	echo "# replay killed at $kills points ($tried tried)"
}

# A replay killed as it ends (the events done, the file not yet gone, or
# gone and nothing else yet): the next events file, however the file system
# numbers it, is replayed from its first event.  (A note of how far a replay
# got, naming the file by its inode, made the next file skip its events.)
test_a_replay_killed_at_its_end_skips_no_later_event() {
	local want="192.0.2.52,1,1,0,0 192.0.2.53,1,1,0,0" name n tried=0
	master_down_ini
	"$MC_F2B" -c "$WORK/down.ini" ban -j mc-exim -i 192.0.2.52 2>/dev/null
	assert_eq "$(spooled)" 1 "event waiting"
	spool_save
	spool_kill_points "$SPOOL_FILE_CALLS" >"$WORK/points"
	while read -r name n; do
		spool_restore
		spool_replay_killed_at "$name" "$n"
		tried=$((tried + 1))
		# The master is down again: the next event is spooled too.
		"$MC_F2B" -c "$WORK/down.ini" ban -j mc-exim -i 192.0.2.53 2>/dev/null
		mc spool replay
		assert_eq "$rc" 0 "replay after a kill at $name #$n ($err)"
		assert_eq "$(spool_exim_rows)" "$want" "rows after a kill at $name #$n"
		assert_eq "$(mc_out spool list)" "spool is empty" \
			"spool after a kill at $name #$n"
	done < <(tail -n 9 "$WORK/points")
	[ "$tried" == 9 ] || fail "only $tried kill points"
	echo "# replay killed at its last $((tried - 1)) file operations"
}

# mc-f2b runs as root: a spool another user may write, or whose files are
# links, is refused on every use with one line that says what to fix.
spool_refused() { # WHAT-THE-LINE-SAYS
	master_down_ini
	"$MC_F2B" -c "$WORK/down.ini" ban -j mc-exim -i 192.0.2.60 2>"$WORK/stderr"
	rc=$?
	err=$(cat "$WORK/stderr")
	assert_eq "$rc" 1 "ban with the master down ($err)"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "one line on stderr: $err"
	case $err in *"$1"*) ;; *) fail "line does not say '$1': $err" ;; esac
	expect_refusal 1 spool list
	expect_refusal 1 spool replay
	case $err in *"$1"*) ;; *) fail "replay does not say '$1': $err" ;; esac
}

test_spool_directory_of_another_user_refused() {
	mkdir "$WORK/db/spool"
	chown 65534 "$WORK/db/spool"
	chmod 700 "$WORK/db/spool"
	spool_refused "chown"
	[ -z "$(ls -A "$WORK/db/spool")" ] || fail "spooled all the same: $(ls -A "$WORK/db/spool")"
}

test_spool_directory_writable_by_others_refused() {
	mkdir "$WORK/db/spool"
	chmod 777 "$WORK/db/spool"
	spool_refused "chmod 700"
	[ -z "$(ls -A "$WORK/db/spool")" ] || fail "spooled all the same: $(ls -A "$WORK/db/spool")"
}

# A link in place of the events file: refused, whatever it points to left
# as it was (not read into rejected, not written, not removed).
test_spool_events_as_a_link_refused() {
	mkdir -m 700 "$WORK/db/spool"
	printf 'not for the spool\n' >"$WORK/link-target"
	ln -s "$WORK/link-target" "$WORK/db/spool/events"
	spool_refused "symbolic link"
	assert_eq "$(cat "$WORK/link-target")" "not for the spool" "link target"
	[ -L "$WORK/db/spool/events" ] || fail "link removed"
	[ ! -e "$WORK/db/spool/rejected" ] || fail "rejected: $(cat "$WORK/db/spool/rejected")"
	# A run that reaches the master says so too, instead of ignoring it,
	# and records its own event there: a spool nobody can replay holds
	# nothing for it to wait behind.
	mc ban -j mc-exim -i 192.0.2.61
	assert_eq "$rc" 0 "ban with a linked spool ($err)"
	case $err in *"symbolic link"*) ;; *) fail "not said: $err" ;; esac
	assert_eq "$(row mc-exim 192.0.2.61)" "1,1,0,0" "the ban, recorded"
	assert_eq "$(cat "$WORK/link-target")" "not for the spool" "link target"
}
