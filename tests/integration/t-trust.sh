# t-trust.sh - the database is input, not authority.  A writer of rows
# with exactly a node's grants (or any other program that writes mc_config)
# tries everything that used to steer a node's fail2ban: rows naming the
# administrator's own jail and a disabled stock jail, jails called DEFAULT,
# --all or <jail>-bl, a log path of /dev/zero, a whitelist of the whole
# Internet, terminal escapes in a host name.  Then every verb an
# administrator might run next.  Afterwards the administrator's jails are
# exactly as before: running or not, settings, bans, ignore list, files.
# suite: e2e

# The node's account as a client: rows written with exactly its grants.
node_sql() {
	mariadb --defaults-file="$WORK/node.cnf" \
		-S "$(mdb_socket "$WORK/db")" mc_config -N -B -e "$1"
}

# fail2ban as the test configuration makes it, plus jails that are not
# mc-f2b's: admin-ssh, the administrator's (a plain firewall action, its
# own ignore list and settings, two bans), postfix, a stock jail left
# disabled, and two more of the administrator's written as fail2ban allows
# and a naive reader misses: admin-inc in a file jail.conf includes with a
# comment after its name, admin-local in jail.d/site.local with a comment
# holding brackets after its header.
trust_f2b_up() {
	F2B=$WORK/db/fail2ban
	rm -rf "$F2B"
	f2b_make_conf "$F2B" "$MC_F2B" "$WORK/mc.ini" "$BUILD_DIR" || fail "conf"
	cp /etc/fail2ban/action.d/nftables.conf "$F2B/action.d/" 2>/dev/null
	: >"$F2B/admin.log"
	: >"$F2B/postfix.log"
	cat >>"$F2B/jail.conf" <<CONF
[admin-ssh]
enabled = true
filter = test
logpath = $F2B/admin.log
action = nftables[port="22"]
bantime = 1234
findtime = 777
maxretry = 2
ignoreip = 192.0.2.200 198.51.100.0/28

[postfix]
enabled = false
filter = test
logpath = $F2B/postfix.log
action = nftables[port="25"]
CONF
	: >"$F2B/admin2.log"
	printf '[INCLUDES]\nbefore = admin.conf ; the site'"'"'s own\n' >"$F2B/jail.local"
	printf '[admin-inc]\nenabled = true\nfilter = test\nlogpath = %s\naction = nftables[port="23"]\n' \
		"$F2B/admin2.log" >"$F2B/admin.conf"
	printf '[admin-local] ; see ticket [42]\nenabled = true\nfilter = test\nlogpath = %s\naction = nftables[port="24"]\n' \
		"$F2B/admin2.log" >"$F2B/jail.d/site.local"
	on_exit f2b_stop "$F2B"
	f2b_start "$F2B" || fail "fail2ban did not start: $(tail -5 "$F2B/fail2ban.log")"
	f2b "$F2B" status admin-inc >/dev/null && f2b "$F2B" status admin-local >/dev/null ||
		fail "the administrator's included jails did not start"
	f2b "$F2B" set admin-ssh banip 203.0.113.10 203.0.113.11 >/dev/null ||
		fail "admin's bans"
}

# The settings of the administrator's jail, as fail2ban holds them.
admin_settings() {
	local what
	for what in ignoreip bantime findtime maxretry logpath actions; do
		echo "admin-ssh $what: $(f2b "$F2B" get admin-ssh "$what" 2>&1)"
	done
}

# Everything of the jails that are not mc-f2b's, as fail2ban holds it.
admin_state() {
	local j
	f2b "$F2B" status | sed -n 's/.*Jail list:[[:space:]]*//p' | tr ',' '\n' |
		tr -d ' ' | grep -vE '^(mc-exim|mc-exim-bl|web|web-bl)$' | sort
	echo "admin-ssh banned: $(f2b "$F2B" get admin-ssh banned 2>&1)"
	admin_settings
	for j in postfix admin-ssh-bl postfix-bl DEFAULT admin-inc-bl admin-local-bl; do
		echo "$j: $(f2b "$F2B" status "$j" 2>&1 | tail -1)"
	done
	for j in admin-inc admin-local; do
		echo "$j: $(f2b "$F2B" get "$j" banned 2>&1) $(f2b "$F2B" get "$j" ignoreip 2>&1)"
	done
	ip netns exec "$(cat "$F2B/netns")" nft list set inet f2b-table \
		addr-set-admin-ssh 2>&1 | grep -o 'elements = {[^}]*}'
	(cd "$F2B" && find . -name '*.conf' -newer "$F2B/fail2ban.conf" | sort)
}

# The rows: each one something a row used to make a node do.
hostile_rows() {
	node_sql "INSERT INTO fail2ban_jail (enabled, name, maxretry, findtime,
		bantime, port, filter, banaction, logpath, max_count) VALUES
		(1, 'admin-ssh', 1, 1, 1, '22', 'test', 'nftables', '$F2B/admin.log', 1),
		(1, 'postfix', 1, 600, 600, '25', 'test', 'nftables', '$F2B/postfix.log', 1),
		(1, 'DEFAULT', 1, 1, 1, '', 'test', 'nftables', '$F2B/admin.log', 1),
		(0, '--all', 1, 1, 1, '', 'test', 'nftables', '$F2B/admin.log', 1),
		(1, 'includes', 1, 1, 1, '', 'test', 'nftables', '$F2B/admin.log', 1),
		(1, 'Init', 1, 1, 1, '', 'test', 'nftables', '$F2B/admin.log', 1),
		(1, 'mc-exim-bl', 1, 1, 1, '', 'test', 'nftables', '$F2B/admin.log', 1),
		(1, 'zero', 1, 600, 600, '25', 'test', 'nftables', '/dev/zero', 1),
		(1, 'admin-inc', 1, 1, 1, '23', 'test', 'nftables', '$F2B/admin2.log', 1),
		(1, 'admin-local', 1, 1, 1, '24', 'test', 'nftables', '$F2B/admin2.log', 1)" ||
		fail "jail rows"
	node_sql "INSERT INTO fail2ban_ips (ip, count, active, blacklisted,
		whitelisted, jail, host) VALUES
		('203.0.113.20', 1, 1, 0, 0, 'admin-ssh', 'node-x'),
		('203.0.113.10', 5, 0, 0, 0, 'admin-ssh', 'node-x'),
		('203.0.113.21', 9, 0, 1, 0, 'admin-ssh', 'node-x'),
		('0.0.0.0/1', 0, 0, 0, 1, 'admin-ssh', 'node-x'),
		('128.0.0.0/1', 0, 0, 0, 1, 'admin-ssh', 'node-x'),
		('203.0.113.22', 1, 1, 1, 0, 'postfix', 'node-x'),
		('203.0.113.23', 1, 1, 1, 0, 'DEFAULT', 'node-x'),
		('203.0.113.24', 1, 1, 1, 0, '--all', 'node-x'),
		('203.0.113.25', 1, 1, 1, 0, 'mc-exim-bl', 'node-x'),
		('192.0.2.77', 1, 1, 0, 0, 'mc-exim', 'node-x'),
		('203.0.113.40', 1, 1, 1, 0, 'admin-inc', 'node-x'),
		('0.0.0.0/1', 0, 0, 0, 1, 'admin-inc', 'node-x'),
		('203.0.113.41', 1, 1, 1, 0, 'admin-local', 'node-x'),
		('128.0.0.0/1', 0, 0, 0, 1, 'admin-local', 'node-x'),
		('198.51.100.99', 1, 1, 0, 0, 'mc-exim',
		 CONCAT('evil', CHAR(27), '[2J', CHAR(7), CHAR(0xC2, 0x9B), 'x'))" ||
		fail "ip rows"
}

test_trust_a_row_writer_cannot_touch_jails_mc_f2b_does_not_own() {
	local before after settings verb bad=()
	node_account
	printf '[client]\nuser = mcnode\npassword = node-password\n' >"$WORK/node.cnf"
	chmod 600 "$WORK/node.cnf"
	trust_f2b_up
	sql "UPDATE fail2ban_jail SET filter = 'test', logpath = '$F2B/test.log'
		WHERE name = 'mc-exim'"
	before=$(admin_state)
	settings=$(admin_settings)
	hostile_rows
	# What sync does with the rows: the administrator's jails and the
	# stock one are named, and left alone.  Every finding is gathered, so
	# that a failure shows all that went wrong.
	node sync --once
	[ "$rc" == 0 ] || bad+=("sync --once: exit $rc, $err")
	case $err in *"left alone"*admin-ssh*) ;; *) bad+=("sync: no word of admin-ssh: $err") ;; esac
	[ "$(printf '%s\n' "$err" | grep -c 'left alone')" -le 1 ] ||
		bad+=("sync: more than one line for the round: $err")
	# The control: mc-exim runs mc-custom (jail.conf opted it in), so the
	# same round did ban there.
	banned_in mc-exim 192.0.2.77 || bad+=("sync did nothing at all")
	# Every verb an administrator might run next, through the node's
	# account: none may reach a jail that is not mc-f2b's.
	node jail dump
	node general enable
	node general enable-bl -v 2
	node general disable-bl
	node general disable
	node general enable
	# general enable turned every row on and put back those that cannot
	# be a jail here: zero (a log of /dev/zero) is off again.  The row
	# writer turns it on once more for the verbs below.
	[ "$(sql "SELECT enabled FROM fail2ban_jail WHERE name = 'zero'")" == 0 ] ||
		bad+=("general enable left zero enabled")
	sql "UPDATE fail2ban_jail SET enabled = 1 WHERE name = 'zero'"
	node jail list
	for verb in "jail enable -j admin-ssh" "jail disable -j admin-ssh" \
		"jail reload -j admin-ssh" "jail enable -j postfix" \
		"jail change -j admin-ssh --option bantime -v 1" \
		"jail change -j admin-ssh --option max_count -v 1" \
		"jail change -j postfix --option logpath -v $F2B/admin.log" \
		"jail change -j zero --option logpath -v /dev/zero" \
		"jail create --name DEFAULT --filter test --logpath $F2B/admin.log" \
		"jail create --name postfix --filter test --logpath $F2B/admin.log --enabled 1" \
		"jail create --name admin-ssh-bl --filter test --logpath $F2B/admin.log" \
		"jail enable -j DEFAULT" "jail disable -j --all" \
		"jail enable -j zero" "jail reload -j zero" \
		"whitelist add -j zero -i 192.0.2.99" "blacklist enable -j zero" \
		"whitelist add -j admin-ssh -i 0.0.0.0/1" \
		"whitelist remove -j admin-ssh -i 0.0.0.0/1" \
		"blacklist add -j admin-ssh -i 203.0.113.30" \
		"blacklist remove -j admin-ssh -i 203.0.113.21" \
		"blacklist enable -j admin-ssh" "blacklist disable -j postfix" \
		"unban -i 203.0.113.11 -j admin-ssh --f2b-call" \
		"jail disable -j admin-inc" "jail disable -j admin-local" \
		"whitelist add -j admin-local -i 0.0.0.0/1" \
		"blacklist add -j admin-inc -i 203.0.113.42"; do
		# shellcheck disable=SC2086
		node $verb
		[ "$rc" == 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" == 1 ] ||
			bad+=("$verb: exit $rc, $err")
	done
	# The files: nothing for a jail that is not mc-f2b's, no [DEFAULT],
	# and the configuration still loads.
	for f in DEFAULT includes Init admin-ssh admin-ssh-bl postfix postfix-bl \
		zero mc-exim-bl-bl admin-inc admin-inc-bl admin-local admin-local-bl; do
		[ ! -e "$F2B/jail.d/mc-f2b-$f.conf" ] || bad+=("jail.d/mc-f2b-$f.conf written")
	done
	! grep -rqi '^\[default\]' "$F2B/jail.d" || bad+=("a [DEFAULT] in jail.d")
	f2b "$F2B" -t >/dev/null 2>&1 || bad+=("the configuration no longer loads")
	after=$(admin_state)
	[ "$after" == "$before" ] ||
		bad+=("the jails mc-f2b does not own changed: $(diff <(echo "$before") <(echo "$after"))")
	# A full reload reads every file again: still the administrator's.
	f2b "$F2B" reload >/dev/null 2>&1 || bad+=("reload")
	[ "$(admin_settings)" == "$settings" ] ||
		bad+=("admin-ssh after a reload: $(diff <(echo "$settings") <(admin_settings))")
	! f2b "$F2B" status postfix >/dev/null 2>&1 || bad+=("postfix runs")
	[ ${#bad[@]} == 0 ] || fail "$(printf '\n  %s' "${bad[@]}")"
	# The rows themselves are still there, untouched: they are the
	# database's business, only their effect is refused.
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_jail WHERE name IN
		('admin-ssh', 'postfix', 'DEFAULT', '--all')")" 4 "rows"
}

# Database text on a terminal: an administrator reading "mc-f2b status"
# sees what a host name holds, never a terminal's control sequence.
test_trust_listings_escape_what_rows_hold() {
	local out
	sql "INSERT INTO fail2ban_ips (ip, count, active, jail, host) VALUES
		('198.51.100.99', 1, 1, 'mc-exim',
		 CONCAT('evil', CHAR(27), '[2J', CHAR(7), CHAR(0xC2, 0x9B), 'x',
			CHAR(0xE2, 0x80, 0xAE)))"
	out=$("$MC_F2B" -c "$WORK/mc.ini" status 2>&1) || fail "status: $out"
	! printf '%s' "$out" | LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' ||
		fail "a control character reached the terminal: $(printf '%q' "$out")"
	! printf '%s' "$out" | grep -qF $'\xc2\x9b' || fail "a C1 control reached the terminal"
	! printf '%s' "$out" | grep -qF $'\xe2\x80\xae' || fail "a bidi override reached the terminal"
	grep -qF 'evil\x1b[2J\x07\u009bx\u202e' <<<"$out" ||
		fail "the host is not shown escaped: $out"
	"$MC_F2B" -c "$WORK/mc.ini" --json status >"$WORK/j" || fail "status --json"
	python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert rows[0]["host"] == "evil\x1b[2J\x07\x9bx\u202e", rows
' "$WORK/j" || fail "JSON does not carry the host: $(cat "$WORK/j")"
}

# Whitelists past the 256 entries a fixed array once held: every entry
# reaches the jail file, the running jail, and the rules of a ban.
test_trust_whitelists_of_any_length() {
	local values= i
	f2b_up
	: >"$F2B/web.log"
	web_jail --enabled 1
	for i in $(seq 0 299); do
		values+="${values:+,}('10.$((i / 256)).$((i % 256)).0/24', 0, 0, 1, 'web', 'admin')"
	done
	values+=",('203.0.113.0/24', 0, 0, 1, 'web', 'admin')"
	sql "INSERT INTO fail2ban_ips (ip, count, active, whitelisted, jail, host)
		VALUES $values"
	mc jail reload -j web
	assert_eq "$rc" 0 "reload ($err)"
	grep -q '^ignoreip = .* 10\.1\.43\.0/24 .*203\.0\.113\.0/24' \
		"$F2B/jail.d/mc-f2b-web.conf" || fail "the file lacks the last entries"
	# Every whitelist entry; this node's own addresses follow them.
	assert_eq "$(grep '^ignoreip' "$F2B/jail.d/mc-f2b-web-bl.conf" | tr ' ' '\n' |
		grep -c '/24$')" 301 "whitelist entries in the -bl file"
	eventually "the running jail ignores the 301st entry" \
		bash -c "fail2ban-client -c '$F2B' get web ignoreip | grep -qF 203.0.113.0/24"
	# The rules of a ban find the last entry too: not counted.
	mc ban -j web -i 203.0.113.9
	assert_eq "$rc" 0 "ban ($err)"
	assert_eq "$(row web 203.0.113.9)" none "a whitelisted address was counted"
}

# fail2ban-client, started to load a jail, gets the standard streams and
# nothing else: not the database connection, not a lock, not a socket.
test_trust_fail2ban_client_inherits_no_descriptor() {
	f2b_up
	: >"$F2B/web.log"
	# The client, wrapped: it notes the descriptors it was started with
	# (the one it lists them through is gone by the time it is named).
	cat >"$WORK/client" <<PY
#!/usr/bin/python3 -I
import os, sys
seen = []
for f in os.listdir("/proc/self/fd"):
    try:
        seen.append(f + " " + os.readlink("/proc/self/fd/" + f) + "\\n")
    except OSError:
        pass
with open("$WORK/client-fds", "a") as out:
    out.writelines(seen)
os.execv("/usr/bin/fail2ban-client", ["fail2ban-client"] + sys.argv[1:])
PY
	chmod 755 "$WORK/client"
	sed "s|^\[fail2ban\]|&\nclient = $WORK/client|" "$WORK/mc.ini" >"$WORK/fd.ini"
	chmod 600 "$WORK/fd.ini"
	: >"$WORK/client-fds"
	"$MC_F2B" -c "$WORK/fd.ini" jail create --name web --filter test \
		--logpath "$F2B/web.log" --port 80 --enabled 1 2>"$WORK/e" ||
		fail "jail create: $(cat "$WORK/e")"
	loaded web || fail "web not loaded through the client"
	[ -s "$WORK/client-fds" ] || fail "the client was not run"
	local extra
	extra=$(grep -vE '^[012] ' "$WORK/client-fds")
	[ -z "$extra" ] || fail "descriptors inherited: $extra"
}
