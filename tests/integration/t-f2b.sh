# t-f2b.sh - mc-f2b under a real fail2ban-server (private configuration,
# its own network namespace, nftables there) with the private MariaDB.
# suite: e2e

# Whether the nftables set SET of the namespace holds IP.
nft_set_has() { # SET IP
	ip netns exec "$(cat "$F2B/netns")" nft list set inet f2b-table "$1" 2>/dev/null |
		grep -qF "$2"
}

# Ban, then unban, through fail2ban: IP ends inactive with its count.
ban_cycle() { # IP EXPECTED-COUNT
	attack "$1"
	eventually "ban $2 of $1" row_is mc-exim "$1" "$2,1,$3,0"
	f2b "$F2B" set mc-exim unbanip "$1" >/dev/null
	eventually "unban of $1" row_is mc-exim "$1" "$2,0,$3,0"
}

test_f2b_log_line_becomes_a_recorded_ban() {
	f2b_up
	attack 192.0.2.60
	eventually "ban recorded" row_is mc-exim 192.0.2.60 "1,1,0,0"
	nft_set_has addr-set-mc-exim 192.0.2.60 || fail "not in the nftables set"
	f2b "$F2B" set mc-exim unbanip 192.0.2.60 >/dev/null
	eventually "unban recorded" row_is mc-exim 192.0.2.60 "1,0,0,0"
	! nft_set_has addr-set-mc-exim 192.0.2.60 || fail "still in the nftables set"
}

test_f2b_fourth_ban_lands_in_the_permanent_jail() {
	f2b_up
	ban_cycle 192.0.2.61 1 0
	ban_cycle 192.0.2.61 2 0
	ban_cycle 192.0.2.61 3 0
	attack 192.0.2.61
	eventually "ban 4 recorded and blacklisted" row_is mc-exim 192.0.2.61 "4,1,1,0"
	eventually "ban in mc-exim-bl" banned_in mc-exim-bl 192.0.2.61
	assert_eq "$(f2b "$F2B" get mc-exim-bl bantime)" "-1" "bantime of mc-exim-bl"
	nft_set_has addr-set-mc-exim-bl 192.0.2.61 || fail "not blocked by mc-exim-bl"
	[ -f "$F2B/jail.d/mc-f2b-mc-exim-bl.conf" ] || fail "no jail file"
	local tested
	tested=$(f2b "$F2B" -t 2>&1) || fail "configuration no longer loads: $tested"
	# The permanent jail has its filter that matches nothing: no warning.
	! grep -q 'No filter set' <<<"$tested" || fail "fail2ban warns: $tested"
	grep -qx 'filter = mc-none' "$F2B/jail.d/mc-f2b-mc-exim-bl.conf" ||
		fail "the permanent jail's filter"
	# This configuration has no sendmail action: no mail line, so that
	# the jail loads.
	! grep -q sendmail "$F2B/jail.d/mc-f2b-mc-exim-bl.conf" ||
		fail "a mail line without fail2ban's sendmail action"
	# Blacklisted rows are not escalated twice: ban 5 leaves -bl alone.
	f2b "$F2B" set mc-exim unbanip 192.0.2.61 >/dev/null
	eventually "unban" row_is mc-exim 192.0.2.61 "4,0,1,0"
	attack 192.0.2.61
	eventually "ban 5" row_is mc-exim 192.0.2.61 "5,1,1,0"
}

test_f2b_ipv6_takes_the_same_path() {
	f2b_up
	sql "INSERT INTO fail2ban_ips (ip, count, active, jail, host)
		VALUES ('2001:db8:6::1', 3, 0, 'mc-exim', 'node-b')"
	attack 2001:DB8:6:0::1
	eventually "IPv6 ban 4" row_is mc-exim 2001:db8:6::1 "4,1,1,0"
	eventually "IPv6 in mc-exim-bl" banned_in mc-exim-bl 2001:db8:6::1
	nft_set_has addr6-set-mc-exim-bl 2001:db8:6::1 || fail "not blocked (v6)"
}

test_f2b_escalation_to_a_loaded_jail_starts_no_program() {
	f2b_up
	sql "INSERT INTO fail2ban_ips (ip, count, active, jail, host) VALUES
		('192.0.2.62', 3, 0, 'mc-exim', 'node-b'),
		('192.0.2.63', 3, 0, 'mc-exim', 'node-b')"
	# The first escalation loads mc-exim-bl (fail2ban-client runs once).
	"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.62 2>/dev/null
	eventually "mc-exim-bl loaded" banned_in mc-exim-bl 192.0.2.62
	strace -f -qq -e trace=execve -o "$WORK/trace" \
		"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.63 2>/dev/null
	eventually "ban in mc-exim-bl" banned_in mc-exim-bl 192.0.2.63
	assert_eq "$(grep -c 'execve(' "$WORK/trace")" 1 \
		"programs started by an escalating ban (the first is mc-f2b): $(grep execve "$WORK/trace")"
}

test_f2b_stop_and_start_change_no_row() {
	f2b_up
	attack 192.0.2.64
	attack 2001:db8::64
	eventually "ban" row_is mc-exim 192.0.2.64 "1,1,0,0"
	eventually "ban" row_is mc-exim 2001:db8::64 "1,1,0,0"
	sql "UPDATE fail2ban_ips SET count = 2 WHERE ip = '192.0.2.64'"
	local before
	before=$(table_state)
	f2b_stop "$F2B"
	assert_eq "$(table_state)" "$before" "rows after fail2ban stopped (flush, no unban)"
	f2b_start "$F2B" || fail "restart"
	eventually "bans restored" banned_in mc-exim 192.0.2.64
	eventually "bans restored" banned_in mc-exim 2001:db8::64
	grep -q "Restore Ban" "$F2B/fail2ban.log" || fail "fail2ban restored nothing"
	sleep 0.5
	assert_eq "$(table_state)" "$before" "rows after the restart (restored bans not counted)"
}

test_f2b_unban_f2b_call_lifts_the_local_ban() {
	f2b_up
	attack 192.0.2.65
	# fail2ban lists the ban before its actions have run: wait for both.
	eventually "ban" banned_in mc-exim 192.0.2.65
	eventually "ban recorded" row_is mc-exim 192.0.2.65 "1,1,0,0"
	assert_eq "$(mc_out unban -i 192.0.2.65 -j mc-exim --f2b-call)" \
		"unbanned 192.0.2.65 in mc-exim in the local fail2ban" \
		"what a person is told"
	eventually "lifted in fail2ban" not_banned_in mc-exim 192.0.2.65
	assert_eq "$(row mc-exim 192.0.2.65)" "1,0,0,0" "row"
}

# A person's ban (MailCleaner's "ban --f2b-call"): recorded and counted as
# fail2ban's would be, banned in the local fail2ban at once, a network
# address by address; never an address of the cluster's nodes; above 256
# addresses only with --yes.
test_f2b_a_persons_ban_is_recorded_and_banned_at_once() {
	f2b_up
	assert_eq "$(mc_out ban -j mc-exim -i 192.0.2.80 --f2b-call)" \
		"banned 192.0.2.80 in mc-exim: recorded, and in the local fail2ban; the other nodes follow by sync" \
		"what a person is told"
	assert_eq "$(row mc-exim 192.0.2.80)" "1,1,0,0" "row"
	banned_in mc-exim 192.0.2.80 || fail "not banned in fail2ban"
	eventually "in the nftables set" nft_set_has addr-set-mc-exim 192.0.2.80
	# fail2ban's own actionban found the row active: not counted again.
	assert_eq "$(row mc-exim 192.0.2.80)" "1,1,0,0" "row after fail2ban's action"
	mc ban -j mc-exim -i 192.0.2.96/28 --f2b-call >/dev/null
	assert_eq "$rc" 0 "a /28: $err"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips WHERE ip LIKE '192.0.2.%' AND active AND ip <> '192.0.2.80'")" 16 \
		"rows of the /28"
	banned_in mc-exim 192.0.2.96 && banned_in mc-exim 192.0.2.111 ||
		fail "the /28 not banned in fail2ban"
	local before
	before=$(table_state)
	expect_refusal 2 ban -j mc-exim -i 198.51.100.0/23 --f2b-call
	case $err in *"512 addresses: add --yes"*) ;; *) fail "message: $err" ;; esac
	expect_refusal 2 ban -j mc-exim -i 127.0.0.1 --f2b-call
	expect_refusal 2 ban -j mc-exim -i 127.0.0.0/28 --f2b-call
	case $err in *"holds an address of this cluster's nodes"*) ;; *) fail "message: $err" ;; esac
	expect_refusal 2 ban -j mc-exim -i 10.0.0.0/8 --f2b-call --yes
	expect_refusal 2 ban -j mc-exim -i 192.0.2.1/33 --f2b-call
	assert_eq "$(table_state)" "$before" "rows after the refusals"
	local start=$(date +%s%N)
	mc ban -j mc-exim -i 198.51.100.0/23 --f2b-call --yes >/dev/null
	printf '    # a /23 banned by a person: %d ms\n' $((($(date +%s%N) - start) / 1000000))
	assert_eq "$rc" 0 "a /23 with --yes: $err"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips WHERE ip LIKE '198.51.10_.%' AND active")" 512 \
		"rows of the /23"
	banned_in mc-exim 198.51.101.255 || fail "the /23's last address not banned"
}

# Mails, through fail2ban's own sendmail action: its mailcmd is pointed at a
# script that keeps each mail.  A blacklisting sends exactly one mail, to
# the recipient set with "mail dest"; --no-send none; a hostile recipient
# is refused at the verb and, written into the row by hand, never reaches
# a jail file.
test_f2b_blacklisting_sends_one_mail() {
	F2B=$WORK/db/fail2ban
	rm -rf "$F2B"
	f2b_make_conf "$F2B" "$MC_F2B" "$WORK/mc.ini" "$BUILD_DIR" || fail "fail2ban conf"
	cp /etc/fail2ban/action.d/sendmail.conf \
		/etc/fail2ban/action.d/sendmail-common.conf "$F2B/action.d/"
	printf '#!/bin/sh\n{ printf "TO %%s\\n" "$*"; cat; printf ".\\n"; } >>"%s"\n' \
		"$WORK/mails" >"$WORK/capture-mail"
	chmod 755 "$WORK/capture-mail"
	printf '[Init]\nmailcmd = %s "<dest>"\n' "$WORK/capture-mail" \
		>"$F2B/action.d/sendmail-common.local"
	on_exit f2b_stop "$F2B"
	f2b_start "$F2B" || fail "fail2ban did not start: $(tail -5 "$F2B/fail2ban.log")"
	mails() { grep -c '^Subject:' "$WORK/mails" 2>/dev/null || echo 0; }

	mc mail dest -e admin@example.org
	assert_eq "$rc" 0 "mail dest: $err"
	mc mail name -n "[MailCleaner] mx1"
	assert_eq "$rc" 0 "mail name: $err"
	sql "INSERT INTO fail2ban_ips (ip, count, active, jail, host) VALUES
		('192.0.2.90', 3, 0, 'mc-exim', 'node-b'),
		('192.0.2.91', 3, 0, 'mc-exim', 'node-b')"
	attack 192.0.2.90
	eventually "192.0.2.90 in mc-exim-bl" banned_in mc-exim-bl 192.0.2.90
	eventually "a mail" bash -c "grep -q '^Subject:' '$WORK/mails' 2>/dev/null"
	sleep 1
	assert_eq "$(mails)" 1 "mails after one blacklisting: $(cat "$WORK/mails")"
	grep -qx 'TO admin@example.org' "$WORK/mails" || fail "recipient: $(cat "$WORK/mails")"
	grep -q '^Subject: \[Fail2Ban\] mc-exim-bl: banned 192.0.2.90 ' "$WORK/mails" ||
		fail "subject: $(cat "$WORK/mails")"
	grep -q '^From: \[MailCleaner\] mx1 <fail2ban@localhost>' "$WORK/mails" ||
		fail "sender: $(cat "$WORK/mails")"
	# --no-send: the -bl jail is reloaded without its mail action.
	mc jail modify-mail -j mc-exim --no-send
	assert_eq "$rc" 0 "modify-mail --no-send: $err"
	! grep -q sendmail "$F2B/jail.d/mc-f2b-mc-exim-bl.conf" || fail "mail line kept"
	attack 192.0.2.91
	eventually "192.0.2.91 in mc-exim-bl" banned_in mc-exim-bl 192.0.2.91
	sleep 1
	assert_eq "$(mails)" 1 "mails after a blacklisting with --no-send"
	# A hostile recipient: refused at the verb, nothing changed.
	local before
	before=$(sql "SELECT CONCAT_WS('|', src_email, src_name, dest_email) FROM fail2ban_conf")
	expect_refusal 2 mail dest -e 'x"; touch /tmp/mc-f2b-owned; "@example.org'
	expect_refusal 2 mail dest -e '$(touch${IFS}/tmp/mc-f2b-owned)@example.org'
	expect_refusal 2 mail name -n 'x`touch /tmp/mc-f2b-owned`'
	assert_eq "$(sql "SELECT CONCAT_WS('|', src_email, src_name, dest_email) FROM fail2ban_conf")" \
		"$before" "fail2ban_conf after the refusals"
	# Written by hand into the row: the files carry no mail at all.
	sql "UPDATE fail2ban_conf SET dest_email = 'a\$(touch /tmp/mc-f2b-owned)@b'"
	mc jail modify-mail -j mc-exim --send
	assert_eq "$rc" 0 "modify-mail --send: $err"
	case $err in *"fail2ban_conf: dest_email"*) ;; *) fail "no word of the bad row: $err" ;; esac
	! grep -q 'sendmail\|touch' "$F2B/jail.d/mc-f2b-mc-exim-bl.conf" ||
		fail "a hostile recipient reached the file: $(cat "$F2B/jail.d/mc-f2b-mc-exim-bl.conf")"
	[ ! -e /tmp/mc-f2b-owned ] || fail "a command ran"
	# Mended: the line is back.
	mc mail dest -e admin@example.org
	grep -q 'sendmail\[name="mc-exim-bl", dest="admin@example.org"' \
		"$F2B/jail.d/mc-f2b-mc-exim-bl.conf" || fail "mail line not back"
}

test_f2b_whitelisted_address_is_lifted_and_not_counted() {
	f2b_up
	sql "INSERT INTO fail2ban_ips (ip, count, active, whitelisted, jail, host)
		VALUES ('198.51.100.0/24', 0, 0, 1, 'mc-exim', 'admin')"
	attack 198.51.100.7
	eventually "fail2ban banned it" grep -q "Ban 198.51.100.7" "$F2B/fail2ban.log"
	eventually "lifted again" not_banned_in mc-exim 198.51.100.7
	assert_eq "$(row mc-exim 198.51.100.7)" "none" "row"
}

test_f2b_unban_f2b_call_without_fail2ban_fails_after_recording() {
	mc ban -j mc-exim -i 192.0.2.66
	mc unban -i 192.0.2.66 -j mc-exim --f2b-call
	assert_eq "$rc" 1 "exit status"
	case $err in *"not running"*) ;; *) fail "message: $err" ;; esac
	assert_eq "$(row mc-exim 192.0.2.66)" "1,0,0,0" "the database part is done"
}

# When the firewall part of an actionban fails, fail2ban checks the action
# (actioncheck) and runs the whole actionban again: the ban is recorded
# once.  An nft that refuses every "add element" makes the first part fail.
test_f2b_retried_actionban_counts_once() {
	f2b_up
	: >"$F2B/test2.log"
	cat >"$F2B/nft-refusing-elements" <<SH
#!/bin/sh
case "\$*" in *"add element"*) echo attempt >>"$F2B/attempts"; exit 1 ;; esac
exec $(command -v nft) "\$@"
SH
	chmod 755 "$F2B/nft-refusing-elements"
	cat >"$F2B/jail.d/retry.conf" <<CONF
[mc-test]
enabled = true
filter = test
logpath = $F2B/test2.log
action = mc-custom[port="25", nftables="$F2B/nft-refusing-elements"]
CONF
	f2b "$F2B" reload --if-exists mc-test >/dev/null 2>&1 || fail "load mc-test"
	printf 'auth failure from 192.0.2.67\n' >>"$F2B/test2.log"
	eventually "ban recorded" row_is mc-test 192.0.2.67 "1,1,0,0"
	eventually "fail2ban ran actionban twice" \
		bash -c "[ \"\$(wc -l <'$F2B/attempts')\" -ge 2 ]"
	sleep 0.5
	assert_eq "$(row mc-test 192.0.2.67)" "1,1,0,0" "row after the retry"
}

# A jail of the administrator's own, in jail.local, with mc-custom and no
# row in fail2ban_jail: its start registers it, its bans are recorded and
# counted, the fourth lands the address in its permanent jail, and mc-f2b
# writes no file for the jail itself nor lets a verb change it.
test_f2b_own_jail_without_a_row_is_registered_at_its_start() {
	local ip=203.0.113.90 n
	f2b_up
	cat >"$F2B/jail.local" <<CONF
[own-auth]
enabled = true
filter = test
logpath = $F2B/own.log
maxretry = 1
action = mc-custom[port="2525"]
CONF
	: >"$F2B/own.log"
	f2b "$F2B" reload >/dev/null 2>&1 || fail "reload: $(tail -3 "$F2B/fail2ban.log")"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_jail WHERE name = 'own-auth'")" 0 \
		"no row before the first ban"
	for n in 1 2 3; do
		printf 'auth failure from %s\n' "$ip" >>"$F2B/own.log"
		eventually "ban $n" row_is own-auth "$ip" "$n,1,0,0"
		f2b "$F2B" set own-auth unbanip "$ip" >/dev/null
		eventually "unban $n" row_is own-auth "$ip" "$n,0,0,0"
	done
	printf 'auth failure from %s\n' "$ip" >>"$F2B/own.log"
	eventually "ban 4, blacklisted" row_is own-auth "$ip" "4,1,1,0"
	eventually "in own-auth-bl" banned_in own-auth-bl "$ip"
	assert_eq "$(sql "SELECT CONCAT_WS(',', enabled, maxretry, findtime, bantime,
		port, filter, banaction, logpath, max_count) FROM fail2ban_jail
		WHERE name = 'own-auth'")" "1,0,0,0,2525,,mc-custom,,3" "the registered row"
	grep -qx 'action = nftables\[port="2525"\]' "$F2B/jail.d/mc-f2b-own-auth-bl.conf" ||
		fail "the permanent jail blocks other ports: $(cat "$F2B/jail.d/mc-f2b-own-auth-bl.conf")"
	mc jail dump
	[ ! -e "$F2B/jail.d/mc-f2b-own-auth.conf" ] || fail "a file for the jail itself"
	expect_refusal 2 jail enable -j own-auth
	expect_refusal 2 jail change -j own-auth --option bantime -v 60
	f2b "$F2B" -t >/dev/null 2>&1 || fail "the configuration no longer loads"
	# A start for a jail no file defines registers nothing, nor does a
	# ban from the action.
	mc start -j nowhere --port 25
	assert_eq "$rc" 0 "start of an undefined jail"
	mc ban -j nowhere -i 203.0.113.91 --port 25
	assert_eq "$rc" 2 "a ban for a jail no file defines ($err)"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_jail WHERE name = 'nowhere'")" 0 \
		"no row for a jail no file defines"
	# The start's registration missed (the master was out of reach then,
	# say): the action's next ban registers the jail and is recorded; a
	# person's ban, without --port, is refused as before.
	sql "DELETE FROM fail2ban_jail WHERE name = 'own-auth'"
	mc ban -j own-auth -i 203.0.113.92
	assert_eq "$rc" 2 "a person's ban of a jail with no row ($err)"
	mc ban -j own-auth -i 203.0.113.92 --port 2525
	assert_eq "$rc" 0 "the action's ban registers the jail ($err)"
	assert_eq "$(row own-auth 203.0.113.92)" "1,1,0,0" "the ban recorded"
	assert_eq "$(sql "SELECT port FROM fail2ban_jail WHERE name = 'own-auth'")" 2525 \
		"registered with the action's ports"
}
