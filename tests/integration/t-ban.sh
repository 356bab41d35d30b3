# t-ban.sh - the rules of a ban, one rule per test.

test_first_ban_inserts_one_active_row() {
	mc ban -j mc-exim -i 192.0.2.10 --time 1790000000.25 --bantime 600 \
		--failures 10 --restored 0
	assert_eq "$rc" 0 "exit status"
	assert_eq "$(row mc-exim 192.0.2.10)" "1,1,0,0" "row"
	assert_eq "$(sql "SELECT host FROM fail2ban_ips")" "node-a" "host"
}

test_any_negative_bantime_means_for_ever() {
	mc ban -j mc-exim -i 192.0.2.9 --bantime -2
	assert_eq "$rc" 0 "exit status ($err)"
	assert_eq "$(row mc-exim 192.0.2.9)" "1,1,0,0" "row"
}

test_unban_keeps_the_count() {
	mc ban -j mc-exim -i 192.0.2.11
	mc ban -j mc-exim -i 192.0.2.11
	mc unban -j mc-exim -i 192.0.2.11
	assert_eq "$rc" 0 "exit status"
	assert_eq "$(row mc-exim 192.0.2.11)" "1,0,0,0" "after unban"
	mc unban -j mc-exim -i 192.0.2.11
	assert_eq "$rc" 0 "second unban is harmless"
	mc ban -j mc-exim -i 192.0.2.11
	assert_eq "$(row mc-exim 192.0.2.11)" "2,1,0,0" "banned again"
}

test_active_row_is_never_counted_again() {
	# fail2ban re-runs a failed actionban; another node's ban arrives.
	for i in 1 2 3; do mc ban -j mc-exim -i 192.0.2.12; done
	assert_eq "$(row mc-exim 192.0.2.12)" "1,1,0,0" "row"
}

test_ban_after_max_count_blacklists_once() {
	local i
	for i in 1 2 3; do
		mc ban -j mc-exim -i 192.0.2.13
		mc unban -j mc-exim -i 192.0.2.13
	done
	assert_eq "$(row mc-exim 192.0.2.13)" "3,0,0,0" "bans 1..max_count are ordinary"
	"$MC_F2B" -v -c "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.13 2>"$WORK/log"
	assert_eq "$(row mc-exim 192.0.2.13)" "4,1,1,0" "ban max_count+1"
	grep -q "blacklisted" "$WORK/log" || fail "ban 4 did not say it blacklisted"
	mc unban -j mc-exim -i 192.0.2.13
	"$MC_F2B" -v -c "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.13 2>"$WORK/log"
	assert_eq "$(row mc-exim 192.0.2.13)" "5,1,1,0" "ban 5"
	! grep -q "blacklisted" "$WORK/log" || fail "ban 5 blacklisted again"
}

test_max_count_zero_never_blacklists() {
	local i
	for i in 1 2 3 4 5 6; do
		mc ban -j mc-nobl -i 192.0.2.14
		mc unban -j mc-nobl -i 192.0.2.14
	done
	assert_eq "$(row mc-nobl 192.0.2.14)" "6,0,0,0" "row"
}

test_restored_ban_is_not_counted() {
	mc ban -j mc-exim -i 192.0.2.15
	mc unban -j mc-exim -i 192.0.2.15
	mc ban -j mc-exim -i 192.0.2.15 --restored 1
	assert_eq "$(row mc-exim 192.0.2.15)" "1,1,0,0" "restored: active, same count"
	mc ban -j mc-exim -i 192.0.2.15 --restored 1
	assert_eq "$(row mc-exim 192.0.2.15)" "1,1,0,0" "restored twice"
	mc ban -j mc-exim -i 192.0.2.16 --restored 1
	assert_eq "$(row mc-exim 192.0.2.16)" "1,1,0,0" "restored, unknown to the database"
}

test_whitelisted_address_is_not_counted() {
	sql "INSERT INTO fail2ban_ips (ip, count, active, blacklisted, whitelisted,
		jail, host) VALUES ('192.0.2.17', 0, 0, 0, 1, 'mc-exim', 'admin')"
	mc ban -j mc-exim -i 192.0.2.17
	assert_eq "$rc" 0 "exit status"
	assert_eq "$(row mc-exim 192.0.2.17)" "0,0,0,1" "row unchanged"
}

test_address_inside_whitelisted_network_is_not_counted() {
	sql "INSERT INTO fail2ban_ips (ip, count, active, blacklisted, whitelisted,
		jail, host) VALUES ('198.51.100.0/24', 0, 0, 0, 1, 'mc-exim', 'admin'),
		('2001:db8:1::/48', 0, 0, 0, 1, 'mc-exim', 'admin'),
		('203.0.113.0/24', 0, 0, 0, 1, 'mc-test', 'admin')"
	mc ban -j mc-exim -i 198.51.100.200
	mc ban -j mc-exim -i 2001:DB8:1:ffff::9
	assert_eq "$(row mc-exim 198.51.100.200)" "none" "v4 inside the network"
	assert_eq "$(row mc-exim 2001:db8:1:ffff::9)" "none" "v6 inside the network"
	# Another jail's whitelist does not apply; a neighbour is not covered.
	mc ban -j mc-exim -i 203.0.113.9
	mc ban -j mc-exim -i 2001:db8:2::9
	assert_eq "$(row mc-exim 203.0.113.9)" "1,1,0,0" "other jail's whitelist"
	assert_eq "$(row mc-exim 2001:db8:2::9)" "1,1,0,0" "outside the network"
}

test_ipv6_spellings_land_on_one_row() {
	mc ban -j mc-exim -i 2001:DB8::1
	mc unban -j mc-exim -i 2001:db8:0::1
	mc ban -j mc-exim -i 2001:0db8:0000:0000:0000:0000:0000:0001
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips")" 1 "rows"
	assert_eq "$(row mc-exim 2001:db8::1)" "2,1,0,0" "row"
	mc ban -j mc-exim -i ::ffff:192.0.2.18
	assert_eq "$(row mc-exim 192.0.2.18)" "1,1,0,0" "mapped address stored as IPv4"
}

test_unknown_jail_is_refused_and_nothing_written() {
	expect_refusal 2 ban -j no-such-jail -i 192.0.2.19
	expect_refusal 2 unban -j no-such-jail -i 192.0.2.19
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips")" 0 "rows"
}

test_flush_start_stop_change_nothing() {
	mc ban -j mc-exim -i 192.0.2.20
	local before
	before=$(table_state)
	for verb in flush start stop; do
		mc "$verb" -j mc-exim
		assert_eq "$rc" 0 "$verb exit status"
	done
	assert_eq "$(table_state)" "$before" "table"
	assert_eq "$(row mc-exim 192.0.2.20)" "1,1,0,0" "ban still active"
}

# 30 processes ban one inactive address at once: one increment, no more.
test_racing_bans_count_once() {
	local i
	mc ban -j mc-exim -i 192.0.2.21
	mc unban -j mc-exim -i 192.0.2.21
	for i in $(seq 1 30); do
		"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.21 2>>"$WORK/race" &
	done
	wait
	assert_eq "$(row mc-exim 192.0.2.21)" "2,1,0,0" "row after 30 racing bans"
	# And 30 racing first bans of a new address make one row.
	for i in $(seq 1 30); do
		"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i 2001:db8::21 2>>"$WORK/race" &
	done
	wait
	assert_eq "$(row mc-exim 2001:db8::21)" "1,1,0,0" "new row after 30 racing bans"
	[ ! -s "$WORK/race" ] || fail "racing bans complained: $(head -3 "$WORK/race")"
}

# At the edge of max_count, racing bans blacklist exactly once.
test_racing_bans_blacklist_exactly_once() {
	local i
	sql "INSERT INTO fail2ban_ips (ip, count, active, blacklisted, whitelisted,
		jail, host) VALUES ('192.0.2.22', 3, 0, 0, 0, 'mc-exim', 'node-b')"
	for i in $(seq 1 30); do
		"$MC_F2B" -v -c "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.22 2>"$WORK/edge.$i" &
	done
	wait
	assert_eq "$(row mc-exim 192.0.2.22)" "4,1,1,0" "row"
	assert_eq "$(cat "$WORK"/edge.* | grep -c blacklisted)" 1 "processes that blacklisted"
}

test_parallel_distinct_addresses_all_recorded() {
	local i
	for i in $(seq 1 60); do
		"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i "203.0.113.$i" &
	done
	wait
	assert_eq "$(sql "SELECT COUNT(*), SUM(count), SUM(active) FROM fail2ban_ips")" \
		"$(printf '60\t60\t60')" "rows, counts, active"
}

# A box without syslog: [log] stderr puts the decisions on stderr too, as
# -v does; without it a ban that succeeds says nothing there.
test_log_stderr_shows_the_decisions() {
	mc ban -j mc-exim -i 192.0.2.60
	assert_eq "$err" "" "a quiet ban"
	{ cat "$WORK/mc.ini"; printf '\n[log]\nstderr = yes\n'; } >"$WORK/log.ini"
	chmod 600 "$WORK/log.ini"
	local said
	said=$("$MC_F2B" -c "$WORK/log.ini" ban -j mc-exim -i 192.0.2.61 2>&1) ||
		fail "ban: $said"
	assert_eq "$said" "mc-f2b: ban 192.0.2.61 in mc-exim: first ban (count 1)" \
		"the decision on stderr"
}
