# t-spool.sh - the master goes away: events are spooled, then replayed in
# order once it is back, and nothing is lost.

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
	# Any run that reaches the master replays the spool first.
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
	while [ ! -S "$sock" ]; do sleep 0.05; done
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

# A replay cut short (killed at fail2ban's action time-out) goes on where
# it stopped: the ban it applied already is not applied, and counted, again.
test_a_replay_cut_short_goes_on_where_it_stopped() {
	mc ban -j mc-exim -i 192.0.2.36
	mc unban -j mc-exim -i 192.0.2.36
	mkdir -p "$WORK/db/spool"
	local first='1\tban\tmc-exim\t192.0.2.36\tnode-a\t1790000000\t0\t600\t1\t0\n'
	printf "$first" >"$WORK/db/spool/events"
	printf '1\tban\tmc-exim\t192.0.2.37\tnode-a\t1790000001\t0\t600\t1\t0\n' \
		>>"$WORK/db/spool/events"
	# What the cut-short replay noted: the first event is done.
	printf '%s %s\n' "$(stat -c %i "$WORK/db/spool/events")" \
		"$(printf "$first" | wc -c)" >"$WORK/db/spool/done"
	assert_eq "$(spooled)" 1 "events still waiting"
	mc spool replay
	assert_eq "$rc" 0 "replay ($err)"
	assert_eq "$(row mc-exim 192.0.2.36)" "1,0,0,0" "done already: not counted again"
	assert_eq "$(row mc-exim 192.0.2.37)" "1,1,0,0" "the rest applied"
	[ ! -e "$WORK/db/spool/done" ] || fail "progress note left"
}
