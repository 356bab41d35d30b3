# t-history.sh - fail2ban_events: one event per change of a ban's state,
# written by the triggers in the change's own statement and named by what
# made it; mc-f2b history reads it back, and takes what it reads as input.
# suite: e2e

# An address's events, one word each: what,by (oldest first).
story() { # IP [ARGS...]
	mc_out history -i "$@" --json | python3 -c '
import json, sys
print(" ".join(e["what"] + "," + e["by"] for e in json.load(sys.stdin)))'
}

events_of() { # IP
	sql "SELECT COUNT(*) FROM fail2ban_events WHERE ip = '$1'"
}

test_history_tells_an_address_story() {
	local i
	for i in 1 2 3; do
		mc ban -j mc-exim -i 203.0.113.60 --failures 5 --bantime 600
		mc unban -j mc-exim -i 203.0.113.60
	done
	mc ban -j mc-exim -i 203.0.113.60 --failures 7 --bantime 600
	assert_eq "$(row mc-exim 203.0.113.60)" "4,1,1,0" "blacklisted on the fourth ban"
	mc blacklist remove -j mc-exim -i 203.0.113.60
	assert_eq "$rc" 0 "blacklist remove ($err)"
	assert_eq "$(story 203.0.113.60)" "banned,fail2ban unbanned,fail2ban \
banned,fail2ban unbanned,fail2ban banned,fail2ban unbanned,fail2ban \
banned,fail2ban blacklisted,fail2ban unblacklisted,blacklist remove" "the story"
	# fail2ban's numbers where it gave them, the node on every event, the
	# times in UTC with microseconds and in order.
	mc_out history -i 203.0.113.60 --json | python3 -c '
import json, re, sys
ev = json.load(sys.stdin)
assert [e["failures"] for e in ev] == [5, None, 5, None, 5, None, 7, 7, None], ev
assert [e["bantime"] for e in ev][:2] == [600, None], ev
assert {e["node"] for e in ev} == {"node-a"}, ev
assert {e["jail"] for e in ev} == {"mc-exim"}, ev
times = [e["time"] for e in ev]
assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", t) for t in times), times
assert times == sorted(times), times
' || fail "the events' fields"
	# What changes nothing writes nothing: a ban of an active row.
	mc ban -j mc-exim -i 203.0.113.60
	assert_eq "$(events_of 203.0.113.60)" 9 "events after a ban of an active row"
	# The table: a header and one line per event; -j chooses the jail.
	assert_eq "$(mc_out history -i 203.0.113.60 | wc -l)" 10 "lines of the table"
	assert_eq "$(mc_out history -i 203.0.113.60 -j mc-test)" "no event" "another jail"
	assert_eq "$(story 203.0.113.60 -j mc-exim)" "$(story 203.0.113.60)" "-j mc-exim"
}

test_history_names_the_lists_and_what_they_lift() {
	# A jail whose files can be written, in a running fail2ban.
	f2b_up
	web_jail
	mc ban -j web -i 198.51.100.7
	mc whitelist add -j web -i 198.51.100.0/24
	assert_eq "$rc" 0 "whitelist add ($err)"
	assert_eq "$(story 198.51.100.7)" "banned,fail2ban unbanned,whitelist add" \
		"a ban lifted by a whitelisting"
	assert_eq "$(story 198.51.100.0/24)" "whitelisted,whitelist add" "the entry"
	mc ban -j web -i 198.51.100.8
	assert_eq "$(events_of 198.51.100.8)" 0 "a whitelisted address's ban"
	mc whitelist add -j web -i 198.51.100.0/24
	assert_eq "$(events_of 198.51.100.0/24)" 1 "a second whitelist add"
	mc whitelist remove -j web -i 198.51.100.0/24
	assert_eq "$(story 198.51.100.0/24)" "whitelisted,whitelist add \
unwhitelisted,whitelist remove" "whitelist remove"
	mc blacklist add -j web -i 203.0.113.61
	mc blacklist add -j web -i 203.0.113.61
	mc unban -j web -i 203.0.113.61 --f2b-call
	assert_eq "$(story 203.0.113.61)" "blacklisted,blacklist add" \
		"blacklist add twice, and an unban of no ban"
	# The names never stay on a row: a writer that says nothing is not
	# taken for the last one that did.
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips WHERE change_source IS NOT
		NULL OR change_node IS NOT NULL OR change_failures IS NOT NULL OR
		change_bantime IS NOT NULL")" 0 "rows holding a name"
	sql "UPDATE fail2ban_ips SET blacklisted = 0 WHERE ip = '203.0.113.61'"
	assert_eq "$(story 203.0.113.61)" "blacklisted,blacklist add unblacklisted,other" \
		"a change by another program"
}

# The race test's shape: many processes ban (or unban) one address at once;
# one of them changes the row, and only its change is an event.
test_history_one_event_per_real_change() {
	local i
	for i in $(seq 20); do
		"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i 203.0.113.77 --failures 3 \
			2>>"$WORK/history-race" &
	done
	wait
	assert_eq "$(row mc-exim 203.0.113.77)" "1,1,0,0" "the row after 20 bans"
	assert_eq "$(story 203.0.113.77)" "banned,fail2ban" "events of 20 concurrent bans"
	for i in $(seq 20); do
		"$MC_F2B" -c "$WORK/mc.ini" unban -j mc-exim -i 203.0.113.77 2>>"$WORK/history-race" &
	done
	wait
	assert_eq "$(story 203.0.113.77)" "banned,fail2ban unbanned,fail2ban" \
		"events of 20 concurrent unbans"
	for i in $(seq 10); do
		"$MC_F2B" -c "$WORK/mc.ini" blacklist add -j mc-exim -i 203.0.113.78 \
			>/dev/null 2>>"$WORK/history-race" &
	done
	wait
	assert_eq "$(story 203.0.113.78)" "blacklisted,blacklist add" \
		"events of 10 concurrent blacklist adds"
}

test_history_names_a_spool_replay() {
	master_down_ini
	"$MC_F2B" -c "$WORK/down.ini" ban -j mc-exim -i 203.0.113.62 --failures 4 \
		--bantime 60 2>/dev/null
	assert_eq "$(spooled)" 1 "spooled while the master is out of reach"
	assert_eq "$(events_of 203.0.113.62)" 0 "events before the replay"
	mc spool replay
	assert_eq "$rc" 0 "spool replay ($err)"
	assert_eq "$(story 203.0.113.62)" "banned,spool replay" "the replayed ban"
	assert_eq "$(sql "SELECT CONCAT_WS(',', node, failures, bantime) FROM
		fail2ban_events WHERE ip = '203.0.113.62'")" "node-a,4,60" \
		"fail2ban's numbers kept through the spool"
}

# Anyone who can write the database can write an event: its texts reach a
# terminal escaped and JSON valid, and a number that is none is refused.
test_history_takes_what_it_reads_as_input() {
	sql "INSERT INTO fail2ban_events (node, jail, ip, what, source) VALUES
		(CONCAT('n', CHAR(27), '[31m'), 'mc-exim', '203.0.113.63',
		CONCAT('x', CHAR(10), 'y'), CONVERT(X'e280ae6c696176' USING utf8mb4))"
	local out
	out=$(mc_out history -i 203.0.113.63)
	assert_eq "$(wc -l <<<"$out")" 2 "a header and one line: $out"
	! grep -q $'\x1b' <<<"$out" || fail "an escape reached the terminal"
	grep -qF 'n\x1b[31m' <<<"$out" || fail "the escape not spelled: $out"
	grep -qF '\u202eliav' <<<"$out" || fail "the bidi override not spelled: $out"
	mc_out history -i 203.0.113.63 --json | python3 -c '
import json, sys
e, = json.load(sys.stdin)
assert e["what"] == "x\ny" and e["node"] == "n\x1b[31m", e
assert e["failures"] is None and e["by"] == "\u202eliav", e
' || fail "the JSON of a hostile event"
	sql "UPDATE fail2ban_events SET failures = -5, bantime = -1 WHERE ip = '203.0.113.63'"
	assert_eq "$(mc_out history -i 203.0.113.63 --json |
		python3 -c 'import json, sys; e, = json.load(sys.stdin); print(e["failures"], e["bantime"])')" \
		"-5 -1" "numbers as they are"
	# A column that holds no number (any program may alter a table): the
	# history is refused whole, in one line.
	sql "ALTER TABLE fail2ban_events MODIFY failures varchar(20);
		UPDATE fail2ban_events SET failures = 'many' WHERE ip = '203.0.113.63'"
	mc history -i 203.0.113.63
	assert_eq "$rc" 1 "a failures that is no number"
	assert_eq "$(wc -l <<<"$err")" 1 "one line: $err"
	case $err in *fail2ban_events*) ;; *) fail "the table not named: $err" ;; esac
}

test_history_since() {
	mc ban -j mc-exim -i 203.0.113.64
	mc_out history --since 10m | grep -q '203\.0\.113\.64.*banned' ||
		fail "--since 10m: $(mc_out history --since 10m)"
	mc_out history --since 2000-01-01 -j mc-exim | grep -q '203\.0\.113\.64' ||
		fail "--since a date, with -j"
	assert_eq "$(mc_out history --since "@$(( $(date +%s) + 3600 ))")" "no event" \
		"--since an hour ahead"
	assert_eq "$(mc_out history -i 203.0.113.64 --since "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M)")" \
		"no event" "-i and --since together"
}

test_history_refuses_bad_input_in_one_line() {
	expect_refusal 2 history
	expect_refusal 2 history -i 203.0.113.999
	expect_refusal 2 history -i 203.0.113.1 -j 'no such jail'
	expect_refusal 2 history --since yesterday
	expect_refusal 2 history --since 2026-02-30
	expect_refusal 2 history --since 10y
	expect_refusal 2 history -i 203.0.113.1 --all
	master_down_ini
	"$MC_F2B" -c "$WORK/down.ini" history -i 203.0.113.1 >/dev/null 2>"$WORK/stderr"
	assert_eq "$?" 1 "history with the database down"
	assert_eq "$(wc -l <"$WORK/stderr")" 1 "one line: $(cat "$WORK/stderr")"
}

# A copy of the test configuration with a [history] section.
history_ini() { # LINES...
	{ cat "$WORK/mc.ini"; printf '[history]\n'; printf '%s\n' "$@"; } >"$WORK/history.ini"
	chmod 600 "$WORK/history.ini"
}

old_events() { # N DAYS-AGO
	sql "INSERT INTO fail2ban_events (at, jail, ip, what, source)
		SELECT NOW(6) - INTERVAL $2 DAY, 'mc-exim', '203.0.113.65',
		'banned', 'fail2ban' FROM seq_1_to_$1"
}

# The sync loop of the node whose master is a unix socket (this test's)
# deletes the events older than keep_days, in bounded batches; prune = no
# keeps them; keep_days = 0 keeps every one.
test_history_pruned_by_the_sync_loop_in_bounded_batches() {
	old_events 25000 400
	old_events 5 10
	history_ini "keep_days = 30" "prune = no"
	"$MC_F2B" -c "$WORK/history.ini" sync --once >/dev/null 2>&1
	assert_eq "$(events_of 203.0.113.65)" 25005 "prune = no"
	history_ini "keep_days = 0"
	"$MC_F2B" -c "$WORK/history.ini" sync --once >/dev/null 2>&1
	assert_eq "$(events_of 203.0.113.65)" 25005 "keep_days = 0"
	history_ini "keep_days = 30"
	"$MC_F2B" -c "$WORK/history.ini" -v sync --once >/dev/null 2>"$WORK/prune.log"
	grep -q 'history: deleted 20000 event(s) older than 30 days' "$WORK/prune.log" ||
		fail "the first run: $(cat "$WORK/prune.log")"
	assert_eq "$(events_of 203.0.113.65)" 5005 "after one run: 20 batches of 1000"
	"$MC_F2B" -c "$WORK/history.ini" sync --once >/dev/null 2>&1
	assert_eq "$(events_of 203.0.113.65)" 5 "after a second run: the recent ones"
	expect_config_refusal "keep_days = 36501" "keep_days = -1" "prune = maybe"
}

expect_config_refusal() { # LINES...
	local line
	for line in "$@"; do
		history_ini "$line"
		"$MC_F2B" -c "$WORK/history.ini" history --since 1m >/dev/null 2>"$WORK/stderr"
		assert_eq "$?" 2 "$line"
		assert_eq "$(wc -l <"$WORK/stderr")" 1 "one line for $line: $(cat "$WORK/stderr")"
	done
}

drop_triggers() {
	sql "DROP TRIGGER mc_f2b_names_insert; DROP TRIGGER mc_f2b_names_update;
		DROP TRIGGER mc_f2b_history_insert; DROP TRIGGER mc_f2b_history_update"
}

# The triggers run as the account that made them: with that account gone,
# the server refuses every change of fail2ban_ips.  A ban is spooled, not
# lost, and lands once the triggers are made again.
test_history_definer_gone_spools_and_loses_nothing() {
	on_exit "sql \"DROP USER IF EXISTS 'gone'@'localhost'\""
	drop_triggers
	sql "CREATE USER 'gone'@'localhost' IDENTIFIED BY 'gone-pw';
		GRANT ALL ON mc_config.* TO 'gone'@'localhost'"
	(umask 077 && printf 'gone-pw\n' >"$WORK/gone.password")
	sed -e "s|^user = .*|user = gone|" \
		-e "s|^password_file = .*|password_file = $WORK/gone.password|" \
		"$WORK/mc.ini" >"$WORK/gone.ini"
	chmod 600 "$WORK/gone.ini"
	"$MC_F2B" -c "$WORK/gone.ini" schema install >/dev/null 2>&1 ||
		fail "install as the account to drop"
	sql "DROP USER 'gone'@'localhost'"
	mc ban -j mc-exim -i 203.0.113.66
	assert_eq "$rc" 0 "a ban while the definer is gone ($err)"
	assert_eq "$(spooled)" 1 "spooled"
	assert_eq "$(row mc-exim 203.0.113.66)" "none" "the row"
	drop_triggers
	mc schema install
	mc spool replay
	assert_eq "$rc" 0 "replay ($err)"
	assert_eq "$(row mc-exim 203.0.113.66)" "1,1,0,0" "the row after the replay"
	assert_eq "$(story 203.0.113.66)" "banned,spool replay" "its history"
}
