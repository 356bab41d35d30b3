# t-privileges.sh - a node's database account with exactly the grants of
# mc-f2b(8) ("The database account"): every verb of a node works with it,
# "schema install" is refused cleanly, and "schema check" tells an account
# that may do more, or less, than a node needs.
# suite: e2e

test_privileges_node_account_runs_every_node_verb() {
	node_account
	f2b_up
	# mc-exim as this fail2ban loads it, so that its files can be written.
	sql "UPDATE fail2ban_jail SET filter = 'test', logpath = '$F2B/test.log'
		WHERE name = 'mc-exim'"
	assert_eq "$(sql "SHOW GRANTS FOR 'mcnode'@'localhost'" | grep -c '^GRANT')" 5 \
		"grants (USAGE and the four tables)"
	node ban -j mc-exim -i 192.0.2.90
	assert_eq "$rc" 0 "ban ($err)"
	node unban -j mc-exim -i 192.0.2.90
	assert_eq "$rc" 0 "unban ($err)"
	node ban -j mc-exim -i 192.0.2.90
	assert_eq "$(row mc-exim 192.0.2.90)" "2,1,0,0" "counted with the node account"
	node whitelist add -j mc-exim -i 198.51.100.0/24
	assert_eq "$rc" 0 "whitelist add ($err)"
	node whitelist remove -j mc-exim -i 198.51.100.0/24
	assert_eq "$rc" 0 "whitelist remove ($err)"
	node blacklist add -j mc-exim -i 203.0.113.90
	assert_eq "$rc" 0 "blacklist add ($err)"
	assert_eq "$(row mc-exim 203.0.113.90)" "0,0,1,0" "blacklisted"
	node blacklist remove -j mc-exim -i 203.0.113.90
	assert_eq "$rc" 0 "blacklist remove ($err)"
	node blacklist enable -j mc-exim -v 5
	assert_eq "$rc" 0 "blacklist enable ($err)"
	node status --all
	assert_eq "$rc" 0 "status ($err)"
	node jail list
	assert_eq "$rc" 0 "jail list ($err)"
	# The spool replays through the node account too.
	sed "s|^socket = .*mysqld.sock|socket = $WORK/no-such.sock|" "$WORK/node.ini" >"$WORK/node-down.ini"
	chmod 600 "$WORK/node-down.ini"
	"$MC_F2B" -c "$WORK/node-down.ini" ban -j mc-exim -i 192.0.2.91 2>/dev/null
	node spool replay
	assert_eq "$rc" 0 "spool replay ($err)"
	assert_eq "$(row mc-exim 192.0.2.91)" "1,1,0,0" "replayed"
	# sync reads the rows and drives the local fail2ban.
	sql "UPDATE fail2ban_ips SET host = 'node-b' WHERE ip = '192.0.2.90'"
	node sync --once
	assert_eq "$rc" 0 "sync ($err)"
	banned_in mc-exim 192.0.2.90 || fail "sync did not ban 192.0.2.90"
	# Nothing a node does needs more: check finds nothing either way.
	node schema check
	assert_eq "$rc" 0 "schema check ($out $err)"
	assert_eq "$out" "schema is up to date" "check with the node account"
}

test_privileges_node_account_cannot_install_the_schema() {
	node_account
	local before
	before=$(table_state)
	node schema install
	assert_eq "$rc" 1 "install with the node account"
	assert_eq "$(printf '%s\n' "$err" | wc -l)" 1 "one line: $err"
	case $err in *"CREATE command denied"*) ;; *) fail "reason: $err" ;; esac
	node schema upgrade
	assert_eq "$rc" 1 "upgrade with the node account ($err)"
	assert_eq "$(table_state)" "$before" "tables after the refused install"
}

test_privileges_check_reports_excess_and_missing() {
	node_account
	# The test account has ALL on the whole database: more than a node.
	mc schema check
	assert_eq "$rc" 0 "excess is reported, not failed ($err)"
	local out
	out=$(mc_out schema check)
	printf '%s\n' "$out" | grep -qxF 'check: excess privilege: ALL PRIVILEGES on `mc_config`.* (every table)' ||
		fail "excess not reported: $out"
	printf '%s\n' "$out" | grep -q '^check: the account may do more than a node needs' ||
		fail "no summary: $out"
	printf '%s\n' "$out" | tail -1 | grep -qx 'schema is up to date' || fail "last line: $out"
	! printf '%s\n' "$out" | grep -q 'PASSWORD\|\*[0-9A-F]\{40\}' || fail "hash shown: $out"
	# One privilege too many on the node's own table, one missing.
	sql "GRANT DELETE ON mc_config.fail2ban_ips TO 'mcnode'@'localhost';
		REVOKE INSERT ON mc_config.fail2ban_jail FROM 'mcnode'@'localhost'"
	node schema check
	assert_eq "$rc" 1 "a missing privilege is a finding ($out)"
	printf '%s\n' "$out" | grep -qxF 'check: excess privilege: DELETE on `mc_config`.`fail2ban_ips`' ||
		fail "DELETE not reported: $out"
	printf '%s\n' "$out" | grep -qxF 'check: missing privilege: INSERT on `mc_config`.`fail2ban_jail`' ||
		fail "missing INSERT not reported: $out"
}

# The same grants through a default role, and on the database written as a
# pattern: check sees what the account really may do.
test_privileges_check_sees_roles_and_database_patterns() {
	node_account
	on_exit "sql \"DROP ROLE IF EXISTS mcnoderole\""
	sql "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'mcnode'@'localhost';
		DROP ROLE IF EXISTS mcnoderole;
		CREATE ROLE mcnoderole;
		$(sed "s/TO 'mcnode'@'localhost'/TO mcnoderole/g" <<<"$NODE_GRANTS")
		GRANT mcnoderole TO 'mcnode'@'localhost';
		SET DEFAULT ROLE mcnoderole FOR 'mcnode'@'localhost'" || fail "role"
	node ban -j mc-exim -i 192.0.2.91
	assert_eq "$rc" 0 "ban through the role ($err)"
	node schema check
	assert_eq "$rc" 0 "check with the grants through a role ($out)"
	! grep -q 'privilege' <<<"$out" || fail "findings: $out"
	# The documented way to grant on exactly one database: mc\_config.*
	sql "REVOKE mcnoderole FROM 'mcnode'@'localhost';
		GRANT SELECT, INSERT, UPDATE ON \`mc\\_config\`.* TO 'mcnode'@'localhost'" ||
		fail "database grant"
	node schema check
	assert_eq "$rc" 0 "check with a database grant ($out)"
	! grep -q 'missing privilege' <<<"$out" || fail "reported missing: $out"
	grep -qF 'check: excess privilege: INSERT on `mc\_config`.* (every table)' <<<"$out" ||
		fail "the database-wide INSERT not reported: $out"
}
