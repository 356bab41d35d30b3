# t-valgrind.sh - the ban path under memcheck: no invalid read or write, no
# use of uninitialised memory, no leak (definite or indirect), in mc-f2b
# itself and in the detached process it starts to tell fail2ban.
# valgrind cannot run a binary built with AddressSanitizer:
# sanitize: no

# Run mc-f2b under valgrind; every process it forks writes its own report
# (vg.<pid>).  Exit status in $rc, stderr in $err.
vg() { # CONFIG ARGS...
	local ini=$1
	shift
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		--child-silent-after-fork=no --log-file="$WORK/vg/vg.%p" \
		"$MC_F2B" -c "$ini" "$@" >/dev/null 2>"$WORK/stderr"
	rc=$?
	err=$(<"$WORK/stderr")
	[ "$rc" != 99 ] || fail "valgrind found errors in mc-f2b $*: $(cat "$WORK"/vg/vg.*)"
}

# Every report written so far is empty (-q prints only problems).  The
# detached process may still be running: wait for it to end first.
no_valgrind_left() { ! pgrep -f "valgrind.*$WORK/vg" >/dev/null; }

vg_clean() { # WHAT
	local f
	wait_until 10 no_valgrind_left
	for f in "$WORK"/vg/vg.*; do
		[ -s "$f" ] && fail "$1: valgrind: $(cat "$f")"
	done
	return 0
}

test_valgrind_ban_path() {
	local down=$WORK/down.ini loose=$WORK/vg-loose.ini
	mkdir -p "$WORK/vg"
	vg "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.70
	assert_eq "$rc" 0 "first ban ($err)"
	assert_eq "$(row mc-exim 192.0.2.70)" "1,1,0,0" "first ban"
	vg "$WORK/mc.ini" unban -j mc-exim -i 192.0.2.70
	assert_eq "$rc" 0 "unban ($err)"
	vg "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.70
	assert_eq "$rc" 0 "repeat ban ($err)"
	assert_eq "$(row mc-exim 192.0.2.70)" "2,1,0,0" "repeat ban"
	# mc-test blacklists at the second ban: the detached process that
	# tells fail2ban runs under valgrind too (fail2ban is not running
	# here: it says so and ends).
	vg "$WORK/mc.ini" ban -j mc-test -i 192.0.2.71
	vg "$WORK/mc.ini" unban -j mc-test -i 192.0.2.71
	vg "$WORK/mc.ini" ban -j mc-test -i 192.0.2.71
	assert_eq "$rc" 0 "blacklisting ban ($err)"
	assert_eq "$(row mc-test 192.0.2.71)" "2,1,1,0" "blacklisted"
	# The master down: spooled; then replayed.
	sed "s|^socket = .*mysqld.sock|socket = $WORK/no-such.sock|" "$WORK/mc.ini" >"$down"
	chmod 600 "$down"
	vg "$down" ban -j mc-exim -i 192.0.2.72
	assert_eq "$rc" 0 "spooled ban ($err)"
	assert_eq "$(spooled)" 1 "events in the spool"
	vg "$WORK/mc.ini" spool replay
	assert_eq "$rc" 0 "replay ($err)"
	assert_eq "$(row mc-exim 192.0.2.72)" "1,1,0,0" "replayed ban"
	# The metrics: the verb, and a round of the loop writing its textfile
	# (fail2ban is not running here: the round fails, the file is written).
	vg "$WORK/mc.ini" metrics
	assert_eq "$rc" 0 "metrics ($err)"
	local textfile=$WORK/vg-textfile.ini
	cp "$WORK/mc.ini" "$textfile"
	printf '[metrics]\ntextfile = %s/vg.prom\n' "$WORK" >>"$textfile"
	chmod 600 "$textfile"
	vg "$textfile" sync --once
	assert_eq "$rc" 1 "sync --once without fail2ban ($err)"
	grep -q '^mc_f2b_bans_active{jail="mc-exim"} ' "$WORK/vg.prom" ||
		fail "no textfile: $(cat "$WORK/vg.prom" 2>&1)"
	# The history of the blacklisted address, and of every address lately,
	# as a table and as JSON; its pruning in the same round's loop.
	vg "$WORK/mc.ini" history -i 192.0.2.71
	assert_eq "$rc" 0 "history ($err)"
	vg "$WORK/mc.ini" history --since 1h --json
	assert_eq "$rc" 0 "history --since ($err)"
	printf '[history]\nkeep_days = 1\nprune = yes\n' >>"$textfile"
	sql "INSERT INTO fail2ban_events (at, jail, ip, what)
		VALUES (NOW() - INTERVAL 2 DAY, 'mc-exim', '192.0.2.74', 'banned')"
	vg "$textfile" sync --once
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_events WHERE ip = '192.0.2.74'")" 0 \
		"pruned under valgrind"
	# A refused configuration.
	cp "$WORK/mc.ini" "$loose"
	printf '[replica]\npassword = x\n' >>"$loose"
	chmod 644 "$loose"
	vg "$loose" ban -j mc-exim -i 192.0.2.73
	assert_eq "$rc" 2 "loose configuration ($err)"
	# A whitelisted address: not counted, and lifted by a detached process.
	# (The entry as a row: whitelist add would first check mc-exim's
	# files, whose filter this node lacks.)
	sql "INSERT INTO fail2ban_ips (ip, count, active, whitelisted, jail, host)
		VALUES ('198.51.100.0/24', 0, 0, 1, 'mc-exim', 'admin')"
	vg "$WORK/mc.ini" ban -j mc-exim -i 198.51.100.7
	assert_eq "$rc" 0 "whitelisted ban ($err)"
	assert_eq "$(row mc-exim 198.51.100.7)" "none" "whitelisted: no row"
	vg_clean "ban path"
	echo "# $(ls "$WORK/vg" | wc -l) processes checked by memcheck"
}
