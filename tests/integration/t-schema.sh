# t-schema.sh - install, check and upgrade, including a MailCleaner-shaped
# database with duplicate rows.

# MailCleaner's own tables, as its installer creates them.
make_legacy_tables() {
	sql "DROP TABLE IF EXISTS fail2ban_ips, fail2ban_jail, fail2ban_conf,
		fail2ban_events;
	CREATE TABLE fail2ban_ips (id int NOT NULL AUTO_INCREMENT,
		ip varchar(150) NOT NULL, count int NOT NULL, active BOOLEAN,
		blacklisted BOOLEAN DEFAULT FALSE, whitelisted BOOLEAN DEFAULT FALSE,
		jail varchar(20) NOT NULL, last_hit TIMESTAMP DEFAULT NOW(),
		host varchar(150) NOT NULL, PRIMARY KEY (id));
	CREATE TABLE fail2ban_jail (id int NOT NULL AUTO_INCREMENT,
		enabled BOOLEAN DEFAULT TRUE, name varchar(150) NOT NULL UNIQUE,
		maxretry int NOT NULL, findtime int NOT NULL, bantime int NOT NULL,
		port varchar(50) NOT NULL, filter varchar(50) NOT NULL,
		banaction varchar(50) NOT NULL, logpath varchar(250) NOT NULL,
		max_count int NOT NULL, send_mail BOOLEAN DEFAULT FALSE,
		send_mail_bl BOOLEAN DEFAULT TRUE, PRIMARY KEY (id));
	CREATE TABLE fail2ban_conf (id int NOT NULL AUTO_INCREMENT,
		src_email varchar(150) NOT NULL, src_name varchar(150) NOT NULL,
		dest_email varchar(150) NOT NULL, PRIMARY KEY (id));"
}

test_schema_install_is_idempotent_and_checks_clean() {
	mc schema install
	assert_eq "$rc" 0 "second install"
	mc schema check
	assert_eq "$rc" 0 "check"
	# The test account has ALL on the database: said as excess, which
	# t-privileges.sh tests; nothing else may be said.
	assert_eq "$(mc_out schema check | grep -v '^check: excess privilege: ' |
		grep -v '^check: the account may do more than a node needs')" \
		"schema is up to date" "check says"
}

test_upgrade_merges_a_mailcleaner_database() {
	make_legacy_tables
	sql "INSERT INTO fail2ban_jail (name, maxretry, findtime, bantime, port,
		filter, banaction, logpath, max_count) VALUES ('mc-exim', 10, 3600,
		86400, '25,465,587', 'mc-exim-filter', 'mc-custom', '/var/log/x', 3);
	INSERT INTO fail2ban_ips (ip, count, active, blacklisted, whitelisted,
		jail, host, last_hit) VALUES
		('192.0.2.40', 2, 0, 0, 0, 'mc-exim', 'mx1', '2026-01-01 00:00:00'),
		('192.0.2.40', 5, 0, 1, 0, 'mc-exim', 'mx2', '2026-02-01 00:00:00'),
		('192.0.2.40', 1, 1, 0, 0, 'mc-exim', 'mx3', '2026-03-01 00:00:00'),
		('192.0.2.41', 1, 1, 0, 0, 'mc-exim', 'mx1', '2026-01-01 00:00:00'),
		('2001:DB8::41', 3, 0, 0, 0, 'mc-exim', 'mx1', '2026-01-01 00:00:00'),
		('2001:db8:0::41', 1, 1, 0, 0, 'mc-exim', 'mx2', '2026-01-02 00:00:00'),
		('198.51.100.0/24', 0, 0, 0, 1, 'mc-exim', 'admin', '2026-01-01 00:00:00')"
	mc schema check
	assert_eq "$rc" 1 "check of the old shape fails"
	local report
	report=$(mc_out schema check)
	for want in "UNIQUE(jail, ip)" "updated_at is missing" "varchar(20)" "chain" \
		"fail2ban_events is missing" "change_* columns" \
		"trigger mc_f2b_history_update"; do
		case $report in *"$want"*) ;; *) fail "check does not mention $want: $report" ;; esac
	done
	mc schema upgrade
	assert_eq "$rc" 0 "upgrade ($err)"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips")" 4 "rows after merge"
	# Highest count; active, blacklisted if any was; the latest hit.
	assert_eq "$(row mc-exim 192.0.2.40)" "5,1,1,0" "merged 192.0.2.40"
	assert_eq "$(sql "SELECT last_hit FROM fail2ban_ips WHERE ip='192.0.2.40'")" \
		"2026-03-01 00:00:00" "latest hit kept"
	assert_eq "$(row mc-exim 2001:db8::41)" "3,1,0,0" "two spellings merged"
	assert_eq "$(row mc-exim 198.51.100.0/24)" "0,0,0,1" "whitelisted network kept"
	# Merging rows is no change of a ban: the triggers come after it.
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_events")" 0 "events of the upgrade"
	assert_eq "$(sql "SELECT COUNT(*) FROM information_schema.TRIGGERS
		WHERE TRIGGER_SCHEMA = 'mc_config'")" 4 "triggers after upgrade"
	mc schema check
	assert_eq "$rc" 0 "check after upgrade"
	mc schema upgrade
	assert_eq "$rc" 0 "second upgrade"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips")" 4 "second upgrade changes nothing"
	# The upgraded database works for the ban path, -bl names included.
	mc ban -j mc-exim -i 192.0.2.41
	assert_eq "$(row mc-exim 192.0.2.41)" "1,1,0,0" "active row not counted"
	mc unban -j mc-exim -i 192.0.2.41
	assert_eq "$(sql "SELECT CONCAT_WS(',', what, source) FROM fail2ban_events")" \
		"unbanned,fail2ban" "the history of the upgraded database"
	sql "INSERT INTO fail2ban_ips (ip, count, active, jail, host)
		VALUES ('192.0.2.42', 1, 1, 'a-jail-name-of-twenty-chars-bl', 'x')" ||
		fail "wide jail column"
	sql "UPDATE fail2ban_ips SET count = 9 WHERE ip = '192.0.2.42'"
	[ -n "$(sql "SELECT updated_at FROM fail2ban_ips WHERE ip = '192.0.2.42'")" ] ||
		fail "updated_at not kept"
}

# A trigger gone (dropped by hand, or a restore without them) is named by
# check, and install puts it back.
test_check_names_a_missing_trigger() {
	sql "DROP TRIGGER mc_f2b_names_update"
	mc schema check
	assert_eq "$rc" 1 "check without a trigger"
	case $(mc_out schema check) in
	*"trigger mc_f2b_names_update on fail2ban_ips is missing"*) ;;
	*) fail "check does not name the trigger: $(mc_out schema check)" ;;
	esac
	assert_eq "$(mc_out schema install | grep trigger)" \
		"install: created trigger mc_f2b_names_update" "install puts it back"
	mc schema check
	assert_eq "$rc" 0 "check after install"
}

# A trigger of the right name and another body (an older mc-f2b's, or a
# hand's): check says so, upgrade replaces it, and the history is whole.
test_upgrade_replaces_a_trigger_that_is_not_current() {
	sql "DROP TRIGGER mc_f2b_history_update;
		CREATE TRIGGER mc_f2b_history_update AFTER UPDATE ON fail2ban_ips
		FOR EACH ROW SET @ignored = 1"
	mc schema check
	assert_eq "$rc" 1 "check with another body"
	case $(mc_out schema check) in
	*"trigger mc_f2b_history_update on fail2ban_ips is not mc-f2b's current one"*) ;;
	*) fail "check does not say so: $(mc_out schema check)" ;;
	esac
	assert_eq "$(mc_out schema install | grep -E "(created|replaced) trigger")" "" "install leaves it"
	assert_eq "$(mc_out schema upgrade | grep -E "(created|replaced) trigger")" \
		"upgrade: replaced trigger mc_f2b_history_update" "upgrade replaces it"
	mc schema check
	assert_eq "$rc" 0 "check after upgrade"
	mc ban -j mc-exim -i 192.0.2.44
	mc unban -j mc-exim -i 192.0.2.44
	assert_eq "$(sql "SELECT GROUP_CONCAT(what ORDER BY id) FROM fail2ban_events
		WHERE ip = '192.0.2.44'")" "banned,unbanned" "the history after it"
}

# A column of another program's that merely starts like the history's is
# not one of them: check still names the missing ones.
test_check_counts_the_change_columns_by_name() {
	sql "ALTER TABLE fail2ban_ips DROP COLUMN change_bantime,
		ADD COLUMN change_reason varchar(20) DEFAULT NULL"
	mc schema check
	assert_eq "$rc" 1 "check without change_bantime"
	case $(mc_out schema check) in
	*"lacks the change_* columns"*) ;;
	*) fail "check does not say so: $(mc_out schema check)" ;;
	esac
}

test_updated_at_follows_every_change() {
	mc ban -j mc-exim -i 192.0.2.43
	local t1 t2
	t1=$(sql "SELECT updated_at FROM fail2ban_ips WHERE ip = '192.0.2.43'")
	mc unban -j mc-exim -i 192.0.2.43
	t2=$(sql "SELECT updated_at FROM fail2ban_ips WHERE ip = '192.0.2.43'")
	[[ "$t2" > "$t1" ]] || fail "updated_at did not move: $t1 -> $t2"
}

# A fresh server: install creates the database it is pointed at when the
# account may, and says so; an account that may not gets one line, exit 1.
test_install_creates_a_missing_database() {
	on_exit "sql \"DROP DATABASE IF EXISTS mc_fresh; REVOKE ALL ON mc_fresh.* FROM 'mcf2b'@'localhost'\""
	# An administrator's grant on a database that does not exist yet.
	sql "GRANT ALL ON mc_fresh.* TO 'mcf2b'@'localhost'"
	sed 's/^database = .*/database = mc_fresh/' "$WORK/mc.ini" >"$WORK/fresh.ini"
	chmod 600 "$WORK/fresh.ini"
	local out
	out=$("$MC_F2B" -c "$WORK/fresh.ini" schema install 2>&1)
	assert_eq "$?" 0 "install on a missing database ($out)"
	assert_eq "$(head -2 <<<"$out")" "install: created database mc_fresh
install: created table fail2ban_ips" "what install says"
	assert_eq "$(DATABASE=mc_fresh sql "SELECT COUNT(*) FROM fail2ban_jail")" 3 \
		"seeded jails in the new database"
	out=$("$MC_F2B" -c "$WORK/fresh.ini" schema install 2>&1)
	assert_eq "$out" "schema is up to date" "a second install"

	node_account
	sed -i 's/^database = .*/database = mc_absent/' "$WORK/node.ini"
	node schema install
	assert_eq "$rc" 1 "a node account on a missing database"
	assert_eq "$(wc -l <<<"$err")" 1 "one line: $err"
	assert_eq "$(sql "SHOW DATABASES LIKE 'mc_absent'")" "" "nothing created"
	node schema check
	assert_eq "$rc" 1 "check never creates ($err)"
}
