# t-sync.sh - mc-f2b sync against one real fail2ban: rows written by "other
# nodes" (straight into the database) reach the local fail2ban.
# suite: e2e

other_node_row() { # IP ACTIVE BLACKLISTED WHITELISTED [COUNT]
	sql "INSERT INTO fail2ban_ips (ip, count, active, blacklisted, whitelisted,
		jail, host) VALUES ('$1', ${5:-1}, $2, $3, $4, 'mc-exim', 'node-b')
		ON DUPLICATE KEY UPDATE active = $2, blacklisted = $3, whitelisted = $4"
}

sync_once() {
	mc sync --once
	assert_eq "$rc" 0 "sync --once ($err)"
}

ignored() { f2b "$F2B" get mc-exim ignoreip | grep -qF "$1"; }

test_sync_applies_what_other_nodes_wrote() {
	f2b_up
	other_node_row 203.0.113.50 1 0 0 2
	other_node_row 2001:db8::50 1 0 0
	sync_once
	banned_in mc-exim 203.0.113.50 || fail "not banned"
	banned_in mc-exim 2001:db8::50 || fail "IPv6 not banned"
	# The ban sync applied ran mc-custom, whose mc-f2b ban found the row
	# active: not counted again.
	sleep 0.5
	assert_eq "$(row mc-exim 203.0.113.50)" "2,1,0,0" "count after the replicated ban"
	other_node_row 203.0.113.50 0 0 0
	sync_once
	not_banned_in mc-exim 203.0.113.50 || fail "not unbanned"
	other_node_row 203.0.113.51 0 1 0 4
	sync_once
	eventually "in mc-exim-bl" banned_in mc-exim-bl 203.0.113.51
	other_node_row 203.0.113.51 0 0 0
	sync_once
	not_banned_in mc-exim-bl 203.0.113.51 || fail "still in mc-exim-bl"
	other_node_row 198.51.100.0/24 0 0 1 0
	sync_once
	ignored 198.51.100.0/24 || fail "not in ignoreip"
	other_node_row 198.51.100.0/24 0 0 0 0
	sync_once
	! ignored 198.51.100.0/24 || fail "still in ignoreip"
}

test_sync_lifts_bans_a_whitelist_covers() {
	f2b_up
	other_node_row 198.51.100.60 1 0 0
	sync_once
	banned_in mc-exim 198.51.100.60 || fail "not banned"
	other_node_row 198.51.100.0/24 0 0 1 0
	sync_once
	! banned_in mc-exim 198.51.100.60 || fail "a whitelisted network's ban stays"
}

test_sync_leaves_local_bans_the_database_has_not_seen() {
	f2b_up
	# A ban of this node whose row is still in the spool, or on its way
	# through replication: lifting it would free an attacker.
	f2b "$F2B" set mc-exim banip 192.0.2.55 >/dev/null
	sql "DELETE FROM fail2ban_ips WHERE ip = '192.0.2.55'"
	sync_once
	banned_in mc-exim 192.0.2.55 || fail "a ban without a row was lifted"
}

# The requests the sync loop sent to fail2ban so far that were not a ping
# (strace shows the bytes sent: a command's words are in them).
requests_sent() {
	grep -cE 'sendto\(.*(banned|ignoreip|banip|unbanip)' "$WORK/sync.trace"
}

test_sync_round_without_changes_asks_fail2ban_nothing() {
	f2b_up
	other_node_row 203.0.113.52 1 0 0
	sync_once
	strace -f -qq -e trace=sendto -s 256 -o "$WORK/sync.trace" \
		"$MC_F2B" -c "$WORK/mc.ini" sync --interval 1 >/dev/null 2>&1 &
	local tracer=$! loop
	on_exit "pkill -P $tracer; wait $tracer"
	eventually "the loop started" pgrep -P "$tracer"
	loop=$(pgrep -P "$tracer")
	# The first round is a full reconcile: it reads the jail.
	eventually "the first round" bash -c "grep -q banned '$WORK/sync.trace'"
	sleep 1.5
	local before after
	before=$(requests_sent)
	sleep 3
	after=$(requests_sent)
	other_node_row 203.0.113.53 1 0 0
	eventually "the change applied" banned_in mc-exim 203.0.113.53
	# SIGTERM to the loop itself (strace passes on its exit status).
	kill -TERM "$loop"
	wait "$tracer"
	assert_eq "$?" 0 "sync --interval stops cleanly on SIGTERM"
	[ "$before" -gt 0 ] || fail "the trace shows no request at all"
	assert_eq "$after" "$before" "requests on rounds without changes"
	[ "$(requests_sent)" -gt "$after" ] || fail "the change was applied without a request?"
}

# --rounds N --interval-ms MS: exactly N rounds (one ping of fail2ban
# each), then exit 0; the benchmarks' leak check depends on it.
test_sync_rounds_stops_after_n_rounds() {
	f2b_up
	other_node_row 203.0.113.56 1 0 0
	strace -f -qq -e trace=sendto -s 64 -o "$WORK/rounds.trace" \
		timeout 30 "$MC_F2B" -c "$WORK/mc.ini" sync --rounds 4 \
		--interval-ms 10 >/dev/null 2>&1
	assert_eq "$?" 0 "sync --rounds 4"
	assert_eq "$(grep -c 'sendto(.*ping' "$WORK/rounds.trace")" 4 "rounds (pings)"
	banned_in mc-exim 203.0.113.56 || fail "the row was not applied"
}

# fail2ban down for a while: the loop says so once, waits, and applies the
# changes once fail2ban is back.
test_sync_loop_survives_fail2ban_being_down() {
	F2B=$WORK/db/fail2ban
	f2b_make_conf "$F2B" "$MC_F2B" "$WORK/mc.ini" "$BUILD_DIR" || fail "conf"
	on_exit f2b_stop "$F2B"
	"$MC_F2B" -c "$WORK/mc.ini" sync --interval 1 2>"$WORK/loop.err" &
	local loop=$!
	on_exit "kill $loop 2>/dev/null"
	sleep 3.5
	assert_eq "$(grep -c "not running" "$WORK/loop.err")" 1 "warnings while down"
	other_node_row 203.0.113.54 1 0 0
	f2b_start "$F2B" || fail "fail2ban"
	# The back-off waits at most 4 s by now; the full reconcile of the
	# first round that reaches fail2ban applies the row.
	eventually "the change applied after fail2ban came back" banned_in mc-exim 203.0.113.54
	grep -q "reachable again" "$WORK/loop.err" || fail "no word of the recovery"
}

# A writer of rows stamps one row far in the future (2037: a TIMESTAMP
# goes no further): the loop must not take that stamp for "now" and stop
# reading what changes after it (it would see changes again only at the
# full reconcile, minutes later).
test_sync_a_row_stamped_in_the_future_does_not_hold_the_loop() {
	f2b_up
	other_node_row 203.0.113.57 1 0 0
	"$MC_F2B" -c "$WORK/mc.ini" sync --interval 1 2>"$WORK/loop.err" &
	local loop=$!
	on_exit "kill $loop 2>/dev/null"
	eventually "the first round" banned_in mc-exim 203.0.113.57
	sql "UPDATE fail2ban_ips SET updated_at = '2037-12-31 00:00:00'
		WHERE ip = '203.0.113.57'" || fail "the future stamp"
	sleep 2.5
	other_node_row 203.0.113.58 1 0 0
	eventually "a change after the future row applied" banned_in mc-exim 203.0.113.58
}
