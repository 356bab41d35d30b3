# t-metrics.sh - mc-f2b metrics and the sync loop's textfile: Prometheus'
# own checker takes them, node_exporter serves them, and the numbers are
# the database's and this node's.
# suite: e2e

# promtool's verdict on a file of metrics: it exits non-zero on a format
# error, and names lint problems (names, units, help) on standard output.
promtool_clean() { # FILE
	local out
	out=$(promtool check metrics <"$1" 2>&1) ||
		fail "promtool check metrics refuses it: $out"
	[ -z "$out" ] || fail "promtool check metrics: $out"
}

metric_value() { # FILE SERIES
	awk -v s="$2" '$1 == s { print $2 }' "$1"
}

test_metrics_verb_counts_rows_and_this_nodes_bans() {
	f2b_up
	local m=$WORK/metrics.prom ip
	for ip in 203.0.113.1 203.0.113.2 203.0.113.3; do
		mc ban -j mc-exim -i "$ip"
		assert_eq "$rc" 0 "ban $ip: $err"
	done
	mc unban -j mc-exim -i 203.0.113.3
	mc whitelist add -j mc-exim -i 198.51.100.0/24
	assert_eq "$rc" 0 "whitelist add: $err"
	# Written by whoever may write the database: never a label.
	sql "INSERT INTO fail2ban_ips (ip, count, active, jail, host) VALUES
		('203.0.113.9', 1, 1, 'x\"} 1\nmc_f2b_fake 1', 'node-b'),
		('203.0.113.10', 1, 1, CONCAT('mc-exim', CHAR(0), 'x'), 'node-b')"
	mc metrics >"$m"
	assert_eq "$rc" 0 "metrics: $err"
	promtool_clean "$m"
	assert_eq "$(metric_value "$m" 'mc_f2b_bans_active{jail="mc-exim"}')" 2 "active bans"
	assert_eq "$(metric_value "$m" 'mc_f2b_whitelist_entries{jail="mc-exim"}')" 1 "whitelist entries"
	assert_eq "$(metric_value "$m" 'mc_f2b_blacklisted{jail="mc-exim"}')" 0 "blacklisted"
	assert_eq "$(metric_value "$m" mc_f2b_rows_without_jail_name)" 2 "the hostile rows"
	assert_eq "$(grep -c '^mc_f2b_bans_active{jail="mc-exim"}' "$m")" 1 \
		"series of mc-exim (a jail with a NUL byte is not mc-exim)"
	! grep -q "mc_f2b_fake" "$m" || fail "a row's jail name wrote a series"
	assert_eq "$(metric_value "$m" mc_f2b_bans_recorded_total)" 3 "recorded"
	assert_eq "$(metric_value "$m" mc_f2b_spool_events)" 0 "spool"
	assert_eq "$(metric_value "$m" mc_f2b_replica_up)" 1 "replica"
	assert_eq "$(metric_value "$m" mc_f2b_fail2ban_up)" 1 "fail2ban"
	assert_eq "$(metric_value "$m" mc_f2b_master_up)" 1 "master"
	# Not a replica (and an account that may not ask): no lag.
	! grep -q "replica_lag" "$m" || fail "a lag where none is reported"
	# The loop's own families are the loop's.
	! grep -q "^mc_f2b_sync_" "$m" || fail "the verb wrote the loop's rounds"
}

# Concurrent bans, each its own process: no count is lost.
test_metrics_concurrent_bans_are_each_counted() {
	local i pids=()
	for i in $(seq 1 40); do
		"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i "203.0.113.$((100 + i))" 2>/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a ban failed"; done
	assert_eq "$(mc_out metrics | awk '$1 == "mc_f2b_bans_recorded_total" { print $2 }')" 40 "recorded"
}

# A master out of reach: the bans are spooled, and the metrics say so.
test_metrics_spooled_bans_and_the_master_down() {
	local m=$WORK/metrics.prom
	cp "$WORK/mc.ini" "$WORK/down.ini"
	# The master on a port nothing listens on; the replica still answers.
	python3 - "$WORK/down.ini" <<'PY'
import re, sys
p = sys.argv[1]
t = open(p).read()
m = re.search(r"\[master\]\n(.*?)(\n\[|\Z)", t, re.S)
body = m.group(1)
replica = "[replica]\n" + body + "\n"
body = re.sub(r"(?m)^socket *=.*$", "", body)
body += "\nhost = 127.0.0.1\nport = 9\nconnect_timeout_ms = 300\n"
t = t[:m.start(1)] + body + t[m.end(1):]
open(p, "w").write(t + "\n" + replica)
PY
	"$MC_F2B" -c "$WORK/down.ini" ban -j mc-exim -i 203.0.113.20 2>/dev/null ||
		fail "a spooled ban fails"
	"$MC_F2B" -c "$WORK/down.ini" metrics >"$m" 2>/dev/null || fail "metrics"
	promtool_clean "$m"
	assert_eq "$(metric_value "$m" mc_f2b_events_spooled_total)" 1 "spooled"
	assert_eq "$(metric_value "$m" mc_f2b_spool_events)" 1 "waiting"
	assert_eq "$(metric_value "$m" mc_f2b_master_up)" 0 "master noted down"
	mc spool replay >/dev/null
	assert_eq "$rc" 0 "replay: $err"
	mc metrics >"$m"
	assert_eq "$(metric_value "$m" mc_f2b_events_replayed_total)" 1 "replayed"
	assert_eq "$(metric_value "$m" mc_f2b_spool_events)" 0 "waiting after"
	assert_eq "$(metric_value "$m" mc_f2b_master_up)" 1 "master back"
}

# The sync loop writes the textfile every round; the real node_exporter
# serves it.
test_metrics_textfile_through_node_exporter() {
	f2b_up
	local dir=$WORK/textfile port pid scrape=$WORK/scrape.txt
	mkdir -p "$dir"
	printf '\n[metrics]\ntextfile = %s/mc-f2b.prom\n' "$dir" >>"$WORK/mc.ini"
	mc ban -j mc-exim -i 203.0.113.30
	assert_eq "$rc" 0 "ban: $err"
	"$MC_F2B" -c "$WORK/mc.ini" sync --interval-ms 200 2>"$WORK/sync.err" &
	pid=$!
	on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	eventually "the textfile" grep -q '^mc_f2b_sync_rounds_total' "$dir/mc-f2b.prom"
	promtool_clean "$dir/mc-f2b.prom"
	[ "$(stat -c %a "$dir/mc-f2b.prom")" == 644 ] || fail "mode $(stat -c %a "$dir/mc-f2b.prom")"
	[ -z "$(find "$dir" -type f ! -name mc-f2b.prom)" ] || fail "left behind: $(ls "$dir")"
	port=$(free_port)
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$dir" >"$WORK/node-exporter.log" 2>&1 &
	local exporter=$!
	on_exit "kill $exporter 2>/dev/null; wait $exporter 2>/dev/null"
	eventually "node_exporter's /metrics" \
		sh -c "curl -sf http://127.0.0.1:$port/metrics >'$scrape'"
	grep -q '^mc_f2b_bans_active{jail="mc-exim"} 1$' "$scrape" ||
		fail "not served: $(grep mc_f2b "$scrape" | head -5)"
	grep -q '^mc_f2b_sync_round_duration_seconds ' "$scrape" || fail "no round duration"
	grep -q '^node_textfile_scrape_error 0$' "$scrape" ||
		fail "node_exporter could not read it: $(grep textfile "$scrape")"
	# The loop's rows: an unban the next round reads, counted again at most
	# TALLY_EVERY seconds later (15 s).
	mc unban -j mc-exim -i 203.0.113.30
	wait_until 20 grep -q '^mc_f2b_bans_active{jail="mc-exim"} 0$' "$dir/mc-f2b.prom" ||
		fail "the unban not in the textfile within 20 s"
	[ ! -s "$WORK/sync.err" ] || ! grep -q "metrics" "$WORK/sync.err" ||
		fail "sync said: $(cat "$WORK/sync.err")"
	# What an idle loop costs with the textfile, a round every 200 ms
	# (five times the default): reported, not judged.
	local t0 t1 hz
	hz=$(getconf CLK_TCK)
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep 5
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	echo "# idle sync loop writing the textfile, a round every 200 ms:" \
		"$(awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "%.2f", 100 * d / hz / 5 }')% of a core"
}

# A loop that stopped between making its temporary file and renaming it
# leaves "<textfile>.XXXXXX": the next loop removes its own such files at
# start, and nothing else (another user's, a link, another name).
test_metrics_loop_sweeps_its_stale_temporaries() {
	local dir=$WORK/sweep
	mkdir -p "$dir"
	cp "$WORK/mc.ini" "$WORK/sweep.ini"
	printf '\n[metrics]\ntextfile = %s/mc-f2b.prom\n' "$dir" >>"$WORK/sweep.ini"
	chmod 600 "$WORK/sweep.ini"
	touch "$dir/mc-f2b.prom.Ab3xYz" "$dir/mc-f2b.prom.keep" "$dir/other.prom.Ab3xYz" \
		"$dir/theirs"
	cp "$dir/theirs" "$dir/mc-f2b.prom.Theirs"
	chown nobody "$dir/mc-f2b.prom.Theirs"
	ln -s "$dir/theirs" "$dir/mc-f2b.prom.Linked"
	"$MC_F2B" -c "$WORK/sweep.ini" sync --once >/dev/null 2>&1
	assert_eq "$(cd "$dir" && ls | sort | tr '\n' ' ')" \
		"mc-f2b.prom mc-f2b.prom.Linked mc-f2b.prom.Theirs mc-f2b.prom.keep other.prom.Ab3xYz theirs " \
		"what the sweep left"
	[ -e "$dir/theirs" ] || fail "the link's target removed"
}
