# t-outage.sh - a master that hangs costs fail2ban's lock one time-out, not
# one per ban: the first failure is noted in the spool directory, the bans
# that follow are spooled without trying, one ban per back-off window
# probes, and whatever reaches the master again removes the note and
# replays every event exactly once.

# A TCP listener on 127.0.0.1 that accepts every connection and never says
# a word: a frozen server, or a network that drops the answers.  Its port
# goes to $hung_port; it writes how many connections it took to
# $WORK/hung.count.  Stopped when the test ends.
hung_master_start() {
	rm -f "$WORK/hung.port" "$WORK/hung.count"
	python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(512)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
taken = []
while True:
    taken.append(s.accept()[0])
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(len(taken)))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
' "$WORK/hung.port" "$WORK/hung.count" &
	local pid=$!
	on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	wait_until 5 test -s "$WORK/hung.port"
	hung_port=$(cat "$WORK/hung.port") || fail "the listener did not start"
	# The same node, its master at the listener: spool and all else shared.
	sed -e "s|^socket = .*mysqld.sock|host = 127.0.0.1\nport = $hung_port|" \
	    -e "s|^database = .*|&\nconnect_timeout_ms = 1000\nquery_timeout_ms = 1000|" \
		"$WORK/mc.ini" >"$WORK/hung.ini"
	chmod 600 "$WORK/hung.ini"
}

hung_taken() {
	cat "$WORK/hung.count" 2>/dev/null || echo 0
}

# N bans of distinct addresses in a row, as fail2ban runs them; every one
# must exit 0.  Their time in milliseconds goes to $elapsed_ms, what each
# said on stderr to $WORK/bans.err.
bans_in_a_row() { # INI JAIL N THIRD_OCTET
	local ini=$1 jail=$2 n=$3 net=$4 i start
	: >"$WORK/bans.err"
	start=$(date +%s%N)
	for i in $(seq 1 "$n"); do
		mc_with "$ini" ban -j "$jail" -i "198.51.$net.$i"
		[ "$rc" == 0 ] || fail "ban $i of $n: exit $rc ($err)"
		printf '%s\n' "$err" >>"$WORK/bans.err"
	done
	elapsed_ms=$((($(date +%s%N) - start) / 1000000))
}

# What a spooled ban may cost in the bound of 40 bans (3 s for the
# attempts, plus this per ban): 50 ms for the plain build; a build with
# AddressSanitizer (tests/run sanitize) starts each process several times
# slower, which says nothing of the back-off.
per_ban_ms() {
	if [ -n "${sanitized:-}" ]; then echo 200; else echo 50; fi
}

# The addresses of mc-exim banned once and active: the N events, each
# applied exactly once.
exim_rows_once() {
	sql "SELECT COUNT(*) FROM fail2ban_ips WHERE jail = 'mc-exim'
		AND count = 1 AND active = 1"
}

test_hung_master_costs_one_timeout_not_one_per_ban() {
	local bound
	hung_master_start
	bans_in_a_row "$WORK/hung.ini" mc-exim 40 100
	bound=$((3000 + 40 * $(per_ban_ms)))
	echo "# 40 bans with the master hung: ${elapsed_ms} ms (bound ${bound} ms)," \
		"$(hung_taken) connection(s) tried"
	[ "$elapsed_ms" -lt "$bound" ] || fail "40 bans took ${elapsed_ms} ms"
	assert_eq "$(spooled)" 40 "events spooled"
	# One attempt per back-off window (1 s, then 2 s, ...), not one per ban.
	[ "$(hung_taken)" -le "$((1 + elapsed_ms / 1000))" ] ||
		fail "$(hung_taken) connections in ${elapsed_ms} ms"
	# Each ban that did not try said why (any ban may be a window's
	# probe, the last one too: those say what the connection met).
	local quiet
	quiet=$(grep -c "master out of reach since.*spooled" "$WORK/bans.err")
	[ "$quiet" -ge $((40 - $(hung_taken))) ] ||
		fail "$quiet of 40 spooled bans said the master is out of reach: $(sort "$WORK/bans.err" | uniq -c | head -5)"
	# Someone asks: the node says it spools, and since when.
	mc_with "$WORK/hung.ini" status
	assert_eq "$rc" 1 "status with the master hung"
	case $err in *"this node spools its bans"*"since "*) ;;
	*) fail "status does not say the node spools: $err" ;; esac
	# The master is back (the node's own configuration reaches it).  Inside
	# the window a ban still spools without trying...
	mc ban -j mc-exim -i 198.51.101.1
	assert_eq "$rc" 0 "a ban inside the window ($err)"
	assert_eq "$(spooled)" 41 "spooled inside the window"
	# ... until a verb (or the sync loop's next round, or the window's
	# probe) reaches the master: the note goes, the spool is replayed.
	mc -v spool replay
	assert_eq "$rc" 0 "replay with the master back ($err)"
	case $err in *"master reachable again"*) ;;
	*) fail "the end of the outage not said: $err" ;; esac
	assert_eq "$(exim_rows_once)" 41 "every event applied exactly once"
	assert_eq "$(mc_out spool list)" "spool is empty" "spool after the outage"
	[ ! -e "$WORK/db/spool/outage" ] || fail "the note outlived the outage"
	# And the next ban goes to the master at once, as before the outage.
	mc ban -j mc-exim -i 198.51.101.2
	assert_eq "$err" "" "a ban after the outage says nothing"
	assert_eq "$(row mc-exim 198.51.101.2)" "1,1,0,0" "a ban after the outage"
}

# The window's probe that finds the master back ends the outage itself.
test_probe_that_finds_the_master_ends_the_outage() {
	hung_master_start
	mc_with "$WORK/hung.ini" ban -j mc-exim -i 198.51.100.1
	mc_with "$WORK/hung.ini" ban -j mc-exim -i 198.51.100.2
	assert_eq "$(hung_taken)" 1 "one attempt"
	sleep 1.1
	mc -v ban -j mc-exim -i 198.51.100.3
	assert_eq "$rc" 0 "the probe ($err)"
	case $err in *"master reachable again"*) ;;
	*) fail "the end of the outage not said: $err" ;; esac
	assert_eq "$(exim_rows_once)" 3 "spooled events, then the probe's own"
	assert_eq "$(mc_out spool list)" "spool is empty" "spool after the probe"
}

# One attempt per window, also when bans come together: after the window,
# twenty concurrent bans make one connection between them.
test_one_probe_per_window_among_concurrent_bans() {
	local pids=() i taken
	hung_master_start
	mc_with "$WORK/hung.ini" ban -j mc-exim -i 198.51.100.1
	assert_eq "$rc" 0 "first ban"
	assert_eq "$(hung_taken)" 1 "the first ban's attempt"
	sleep 1.1   # past the first window
	for i in $(seq 2 21); do
		"$MC_F2B" -c "$WORK/hung.ini" ban -j mc-exim -i "198.51.100.$i" \
			2>/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fail "a concurrent ban failed"
	done
	taken=$(hung_taken)
	assert_eq "$taken" 2 "connections: the first ban's and one probe"
	assert_eq "$(spooled)" 21 "events spooled"
	# The probe failed: the window doubled, so a ban 1.1 s later spools.
	sleep 1.1
	mc_with "$WORK/hung.ini" ban -j mc-exim -i 198.51.100.22
	assert_eq "$(hung_taken)" 2 "no attempt inside the doubled window"
	mc spool replay
	assert_eq "$rc" 0 "replay ($err)"
	assert_eq "$(exim_rows_once)" 22 "every event applied exactly once"
}

# Another transaction holds every row and gap of mc-exim (a locking read
# left open, as an administrator's session or a long ALTER TABLE would),
# until release_exim_rows (or the end of the test) kills its connection.
# No descriptor of the holder stays in this shell: a process that hangs
# could otherwise keep it from ever ending.
hold_exim_rows() {
	rm -f "$WORK/locked"
	mdb_sql "$WORK/db" mc_config -e "BEGIN;
		SELECT * FROM fail2ban_ips WHERE jail = 'mc-exim' FOR UPDATE;
		SELECT CONNECTION_ID() INTO OUTFILE '$WORK/locked';
		SELECT SLEEP(600);" >/dev/null 2>&1 &
	holder=$!
	on_exit "release_exim_rows"
	wait_until 5 test -s "$WORK/locked" || fail "the lock was not taken"
}

release_exim_rows() {
	[ -s "$WORK/locked" ] && sql "KILL $(cat "$WORK/locked")" 2>/dev/null
	rm -f "$WORK/locked"
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	return 0
}

# The master answers, but another transaction holds the jail's rows (an
# administrator's SELECT ... FOR UPDATE left open, a long ALTER TABLE): the
# first ban waits query_timeout_ms, the rest are spooled at once, and once
# the lock is gone every event lands exactly once, the one whose statement
# was cut short included (whether the server applied it or not).
test_locked_rows_cost_one_query_timeout() {
	local bound
	sed -e "s|^database = .*|&\nquery_timeout_ms = 1000|" "$WORK/mc.ini" \
		>"$WORK/slow.ini"
	chmod 600 "$WORK/slow.ini"
	mc ban -j mc-exim -i 198.51.100.200
	hold_exim_rows
	bans_in_a_row "$WORK/slow.ini" mc-exim 40 100
	bound=$((3000 + 40 * $(per_ban_ms)))
	echo "# 40 bans with the rows locked: ${elapsed_ms} ms (bound ${bound} ms)"
	[ "$elapsed_ms" -lt "$bound" ] || fail "40 bans took ${elapsed_ms} ms"
	assert_eq "$(spooled)" 40 "events spooled"
	# The lock goes; the cut statement may now run on the server.
	release_exim_rows
	mc spool replay
	assert_eq "$rc" 0 "replay ($err)"
	assert_eq "$(exim_rows_once)" 41 "every event applied exactly once"
	[ ! -e "$WORK/db/spool/outage" ] || fail "the note outlived the lock"
}

# A lock wait the server gives up on (innodb_lock_wait_timeout shorter than
# query_timeout_ms) is not a conflict to retry at once: the event is
# spooled after one wait, not after eight.
test_lock_wait_timeout_is_not_retried() {
	local start ms
	mc ban -j mc-exim -i 198.51.100.210
	mc unban -j mc-exim -i 198.51.100.210
	hold_exim_rows
	sql "SET GLOBAL innodb_lock_wait_timeout = 1"
	on_exit "sql 'SET GLOBAL innodb_lock_wait_timeout = 50'"
	start=$(date +%s%N)
	mc ban -j mc-exim -i 198.51.100.210
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_eq "$rc" 0 "exit status ($err)"
	case $err in *"Lock wait timeout"*spooled*) ;;
	*) fail "not spooled for the lock: $err" ;; esac
	echo "# a ban behind a lock the server waits 1 s for: ${ms} ms"
	[ "$ms" -lt 3000 ] || fail "the lock wait was retried: ${ms} ms"
	release_exim_rows
	mc spool replay
	assert_eq "$(row mc-exim 198.51.100.210)" "2,1,0,0" "applied once, after the lock"
}

# The sync loop is where an outage is seen to end when no ban comes: its
# first round past the window removes the note and replays.
test_sync_round_ends_an_outage() {
	hung_master_start
	mc_with "$WORK/hung.ini" ban -j mc-exim -i 198.51.100.1
	[ -e "$WORK/db/spool/outage" ] || fail "no note after a failure"
	mc sync --once
	[ -e "$WORK/db/spool/outage" ] || fail "sync tried inside the window"
	sleep 1.1
	mc sync --once
	[ ! -e "$WORK/db/spool/outage" ] || fail "sync left the note: $err"
	assert_eq "$(row mc-exim 198.51.100.1)" "1,1,0,0" "replayed by sync"
}

# The note's back-off window, in ms.
note_window() {
	cut -f4 "$WORK/db/spool/outage" 2>/dev/null || echo none
}

# A master that takes connections but hangs on every statement: a probe's
# replay meets the hang, notes it (under no lock of its own: the replay
# holds the spool's) and the window grows, for a ban's probe and for the
# sync loop's alike.  Every call returns within its time-outs.
test_a_probe_whose_replay_hangs_grows_the_window() {
	local start ms
	sed -e "s|^database = .*|&\nquery_timeout_ms = 1000|" "$WORK/mc.ini" \
		>"$WORK/slow.ini"
	chmod 600 "$WORK/slow.ini"
	mc ban -j mc-exim -i 198.51.100.200
	hold_exim_rows
	mc_with "$WORK/slow.ini" ban -j mc-exim -i 198.51.100.1
	assert_eq "$rc" 0 "the first ban ($err)"
	assert_eq "$(note_window)" 1000 "the first window"
	sleep 1.1
	start=$(date +%s%N)
	mc_with "$WORK/slow.ini" ban -j mc-exim -i 198.51.100.2
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_eq "$rc" 0 "the probe whose replay hangs ($err)"
	echo "# a probe whose replay hangs: ${ms} ms"
	[ "$ms" -lt 3000 ] || fail "the probe took ${ms} ms"
	assert_eq "$(note_window)" 2000 "the window after a failed probe"
	assert_eq "$(spooled)" 2 "events spooled"
	sleep 2.1
	mc_with "$WORK/slow.ini" sync --once
	[ "$rc" != 124 ] || fail "sync --once hung"
	assert_eq "$(note_window)" 4000 "the window after the sync loop's probe"
	# Inside the window the loop does not try again.
	mc_with "$WORK/slow.ini" sync --once
	assert_eq "$(note_window)" 4000 "no attempt inside the window"
	release_exim_rows
	mc spool replay
	assert_eq "$rc" 0 "replay ($err)"
	assert_eq "$(exim_rows_once)" 3 "every event applied exactly once"
	[ ! -e "$WORK/db/spool/outage" ] || fail "the note outlived the lock"
}

