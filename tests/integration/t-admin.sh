# t-admin.sh - the knowledge base's commands: their effect on the database
# and on the jail files, and their refusals.  Their effect on a running
# fail2ban is in t-admin-f2b.sh.

test_admin_schema_install_seeds_disabled_default_jails() {
	sql "DROP TABLE fail2ban_jail"
	assert_eq "$(mc_out schema install)" "$(printf '%s\n' \
		'install: created table fail2ban_jail' \
		"install: added 3 of MailCleaner's default jails, disabled (mc-f2b jail list)" \
		'schema is up to date')" "what install says it did"
	assert_eq "$(sql "SELECT name, enabled, maxretry, findtime, bantime, port,
		filter, max_count FROM fail2ban_jail ORDER BY name" | tr '\t' ' ')" \
		"$(printf '%s\n' \
		'mc-exim 0 10 3600 86400 25,465,587 mc-exim-filter 3' \
		'mc-ssh 0 3 3600 86400 22 sshd 3' \
		'mc-webauth 0 10 3600 86400 80,443 mc-webauth-filter 3')" "seeded jails"
	sql "UPDATE fail2ban_jail SET maxretry = 7 WHERE name = 'mc-ssh'"
	assert_eq "$(mc_out schema install)" "schema is up to date" \
		"an install with nothing to do says so only"
	assert_eq "$(sql "SELECT maxretry FROM fail2ban_jail WHERE name = 'mc-ssh'")" 7 \
		"install keeps a changed jail"
}

# fail2ban_conf: seeded when empty, shown, changed only to values that may
# reach a shell command; nothing written by a refusal.
test_admin_mail_settings() {
	sql "DELETE FROM fail2ban_conf"
	local out
	out=$(mc_out schema install)
	case $out in
	*"install: added MailCleaner's default mail settings to fail2ban_conf (mc-f2b mail show)"*) ;;
	*) fail "what install says it did: $out" ;;
	esac
	assert_eq "$(mc_out schema install)" "schema is up to date" "a second install"
	assert_eq "$(mc_out --json mail show | tr -d '\n')" \
		'[{"src_email":"fail2ban@localhost","src_name":"[MailCleaner] Fail2Ban","dest_email":"root@localhost","valid":true}]' \
		"mail show --json"
	assert_eq "$(mc_out mail dest -e ops@example.org)" \
		"mail: dest_email = ops@example.org" "mail dest"
	assert_eq "$(mc_out mail name -n 'mx1 (edge)')" \
		"mail: src_name = mx1 (edge)" "mail name"
	local before
	before=$(sql "SELECT CONCAT_WS('|', src_email, src_name, dest_email) FROM fail2ban_conf")
	assert_eq "$before" "fail2ban@localhost|mx1 (edge)|ops@example.org" "the row"
	expect_refusal 2 mail dest -e 'ops@example.org"'
	expect_refusal 2 mail src -e '-oX/tmp/log@example.org'
	expect_refusal 2 mail name -n 'a$b'
	expect_refusal 2 mail dest
	expect_refusal 2 mail modify
	expect_refusal 2 mail name -e ops@example.org
	assert_eq "$(sql "SELECT CONCAT_WS('|', src_email, src_name, dest_email) FROM fail2ban_conf")" \
		"$before" "the row after the refusals"
	# An empty table is filled with the defaults by the first change.
	sql "DELETE FROM fail2ban_conf"
	mc mail dest -e ops@example.org
	assert_eq "$(sql "SELECT CONCAT_WS('|', src_email, src_name, dest_email) FROM fail2ban_conf")" \
		"fail2ban@localhost|[MailCleaner] Fail2Ban|ops@example.org" "a first row"
	assert_eq "$(mc_out mail modify --no-send)" "mail: send_mail_bl of every jail = 0" "modify"
	assert_eq "$(sql "SELECT DISTINCT send_mail_bl FROM fail2ban_jail")" 0 "send_mail_bl"
	mc mail modify --send --each-ban
	assert_eq "$(sql "SELECT DISTINCT send_mail FROM fail2ban_jail")" 1 "send_mail"
	# A bad value written by hand: shown, and said.
	sql "UPDATE fail2ban_conf SET dest_email = 'x;y'"
	mc --json mail show
	assert_eq "$rc" 0 "mail show of a bad row"
	case $err in *"no mail is sent: fail2ban_conf: dest_email"*) ;; *) fail "message: $err" ;; esac
}

test_admin_listings_for_people_and_scripts() {
	mc ban -j mc-exim -i 192.0.2.90
	mc ban -j mc-test -i 2001:db8::90
	sql "INSERT INTO fail2ban_ips (ip, count, active, blacklisted, whitelisted,
		jail, host) VALUES ('198.51.100.0/24', 0, 0, 0, 1, 'mc-exim', 'admin'),
		('203.0.113.9', 4, 0, 1, 0, 'mc-exim', 'node-b')"
	local out
	out=$(mc_out status)
	case $out in *192.0.2.90*mc-exim*node-a*) ;; *) fail "status: $out" ;; esac
	case $out in *203.0.113.9*) fail "status lists an inactive row" ;; esac
	"$MC_F2B" -c "$WORK/mc.ini" status --json >"$WORK/j" || fail "status --json"
	python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert sorted(r["ip"] for r in rows) == ["192.0.2.90", "2001:db8::90"], rows
r = [r for r in rows if r["ip"] == "192.0.2.90"][0]
assert r["jail"] == "mc-exim" and r["count"] == 1 and r["active"] is True
assert r["blacklisted"] is False and r["host"] == "node-a" and r["last_hit"]
' "$WORK/j" || fail "status json: $(cat "$WORK/j")"
	"$MC_F2B" -c "$WORK/mc.ini" --json status -j mc-test --all >"$WORK/j"
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [x["ip"] for x in r]==["2001:db8::90"], r' "$WORK/j" ||
		fail "status -j --all json"
	"$MC_F2B" -c "$WORK/mc.ini" blacklist list --json >"$WORK/j"
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [(x["ip"],x["count"]) for x in r]==[("203.0.113.9",4)], r' "$WORK/j" ||
		fail "blacklist json"
	out=$(mc_out whitelist list -j mc-exim)
	case $out in *198.51.100.0/24*) ;; *) fail "whitelist list: $out" ;; esac
	"$MC_F2B" -c "$WORK/mc.ini" jail list --json >"$WORK/j"
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [x["name"] for x in r]==["mc-exim","mc-nobl","mc-test"] and r[0]["max_count"]==3, r' "$WORK/j" ||
		fail "jail list json"
	out=$(mc_out jail show -j mc-exim)
	case $out in *mc-exim-filter*) ;; *) fail "jail show: $out" ;; esac
	assert_eq "$(mc_out status -j mc-nobl)" "no active ban" "empty status"
	assert_eq "$("$MC_F2B" -c "$WORK/mc.ini" status -j mc-nobl --json)" "[]" "empty json"
}

test_admin_commands_without_fail2ban_change_database_and_files() {
	mkdir -p "$WORK/db/fail2ban/filter.d" "$WORK/db/fail2ban/action.d"
	: >"$WORK/db/fail2ban/filter.d/test.conf"
	: >"$WORK/db/fail2ban/action.d/mc-custom.conf"
	F2B=$WORK/db/fail2ban
	: >"$F2B/web.log"
	web_jail
	mc jail enable -j web
	assert_eq "$rc" 0 "enable without fail2ban ($err)"
	case $err in *"not running"*) ;; *) fail "no note: $err" ;; esac
	file_has web "[web]" || fail "file not written"
	mc whitelist add -j web -i 198.51.100.7
	assert_eq "$rc" 0 "whitelist add without fail2ban"
	file_has web "ignoreip = 198.51.100.7" || fail "file not rewritten"
}

test_admin_usage_refusals() {
	local before
	before=$(table_state)
	expect_refusal 2 jail
	expect_refusal 2 jail frobnicate -j mc-exim
	expect_refusal 2 jail enable
	expect_refusal 2 jail enable -j nope
	expect_refusal 2 jail enable -j "mc'exim"
	expect_refusal 2 jail enable -j mc-exim -i 192.0.2.1
	expect_refusal 2 jail create --name x
	expect_refusal 2 jail create --name "x y" --filter test --logpath /x
	expect_refusal 2 jail create --name mc-exim --filter test --logpath /x
	expect_refusal 2 general enable-bl -v many
	expect_refusal 2 blacklist add -j mc-exim -i 999.1.1.1
	expect_refusal 2 whitelist add -j mc-exim
	expect_refusal 2 status -j "../x"
	expect_refusal 2 status --bogus
	assert_eq "$(table_state)" "$before" "fail2ban_ips"
}

# An option the sub-verb does not take is named as typed, not by its value
# (getopt has already stepped over "-i VALUE" when the refusal is made).
test_admin_an_option_out_of_place_is_named() {
	expect_refusal 2 status -i 192.0.2.1
	[[ $err == *"option '-i' is not one of status "* ]] ||
		fail "status -i: $err"
	expect_refusal 2 jail list --max-count 3
	[[ $err == *"option '--max-count' is not one of jail list "* ]] ||
		fail "jail list --max-count: $err"
	expect_refusal 2 mail show -n x
	[[ $err == *"option '-n' is not one of mail show "* ]] ||
		fail "mail show -n: $err"
}
