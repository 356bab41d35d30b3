# t-admin-f2b.sh - the knowledge base's commands against a real running
# fail2ban: the row, the jail file and the running jail (helpers in
# lib.sh).
# suite: e2e

test_admin_jail_create_enable_disable() {
	f2b_up
	: >"$F2B/web.log"
	web_jail
	assert_eq "$(sql "SELECT enabled, max_count FROM fail2ban_jail WHERE name='web'")" \
		"$(printf '0\t3')" "created disabled, MailCleaner's max_count"
	[ ! -e "$F2B/jail.d/mc-f2b-web.conf" ] || fail "a disabled jail has a file"
	mc jail enable -j web
	assert_eq "$rc" 0 "enable ($err)"
	file_has web 'action = mc-custom[port="80,443"]' || fail "jail file"
	file_has web-bl 'bantime = -1' || fail "-bl jail file"
	loaded web || fail "web not loaded"
	loaded web-bl || fail "web-bl not loaded"
	config_loads
	mc jail disable -j web
	assert_eq "$rc" 0 "disable ($err)"
	[ ! -e "$F2B/jail.d/mc-f2b-web.conf" ] || fail "file left"
	[ ! -e "$F2B/jail.d/mc-f2b-web-bl.conf" ] || fail "-bl file left"
	eventually "web stopped" not_loaded web
	eventually "web-bl stopped" not_loaded web-bl
	assert_eq "$(sql "SELECT enabled FROM fail2ban_jail WHERE name='web'")" 0 "row"
}

test_admin_jail_change_reaches_row_file_and_running_jail() {
	f2b_up
	: >"$F2B/web.log"
	web_jail --enabled 1
	mc jail change -j web --option bantime -v 600
	assert_eq "$rc" 0 "change ($err)"
	assert_eq "$(sql "SELECT bantime FROM fail2ban_jail WHERE name='web'")" 600 "row"
	file_has web 'bantime = 600' || fail "file"
	assert_eq "$(f2b "$F2B" get web bantime)" 600 "running jail"
	mc jail change -j web --option maxretry -v 4
	assert_eq "$(f2b "$F2B" get web maxretry)" 4 "running maxretry"
	mc jail change -j web --option max_count -v 0
	[ ! -e "$F2B/jail.d/mc-f2b-web-bl.conf" ] || fail "-bl file left"
	eventually "web-bl stopped" not_loaded web-bl
	expect_refusal 2 jail change -j web --option logpath -v "$F2B/web2.log"
	assert_eq "$(sql "SELECT logpath FROM fail2ban_jail WHERE name='web'")" \
		"$F2B/web.log" "a log path with no log: refused, row unchanged"
	: >"$F2B/web2.log"
	mc jail change -j web --option logpath -v "$F2B/web2.log"
	assert_eq "$rc" 0 "logpath ($err)"
	file_has web "logpath = $F2B/web2.log" || fail "logpath in file"
	config_loads
	local before
	before=$(sql "SELECT * FROM fail2ban_jail WHERE name='web'")
	expect_refusal 2 jail change -j web --option colour -v 3
	expect_refusal 2 jail change -j web --option bantime -v soon
	expect_refusal 2 jail change -j web --option maxretry -v 0
	expect_refusal 2 jail change -j web --option findtime -v -1
	expect_refusal 2 jail change -j web --option logpath -v $'/x\n[sshd]'
	expect_refusal 2 jail change -j web --option logpath -v relative.log
	expect_refusal 2 jail change -j web --option filter -v no-such-filter
	expect_refusal 2 jail change -j web --option port -v '25;id'
	expect_refusal 2 jail change -j nope --option bantime -v 60
	expect_refusal 2 jail change -j web --option bantime
	assert_eq "$(sql "SELECT * FROM fail2ban_jail WHERE name='web'")" "$before" "row after refusals"
}

test_admin_whitelist_add_lifts_bans_and_remove_persists() {
	f2b_up
	: >"$F2B/web.log"
	web_jail --enabled 1
	printf 'auth failure from 192.0.2.80\n' >>"$F2B/web.log"
	eventually "ban" row_is web 192.0.2.80 "1,1,0,0"
	mc whitelist add -j web -i 192.0.2.0/24
	assert_eq "$rc" 0 "whitelist add ($err)"
	assert_eq "$(row web 192.0.2.80)" "1,0,0,0" "covered ban lifted, count kept"
	eventually "lifted in fail2ban" not_banned_in web 192.0.2.80
	f2b "$F2B" get web ignoreip | grep -qF 192.0.2.0/24 || fail "not in ignoreip"
	file_has web 'ignoreip = 192.0.2.0/24' || fail "not in the file"
	mc whitelist add -j web -i 2001:DB8:0::/48
	assert_eq "$(row web 2001:db8::/48)" "0,0,0,1" "IPv6 network, canonical"
	mc whitelist remove -j web -i 192.0.2.0/24
	assert_eq "$rc" 0 "whitelist remove ($err)"
	assert_eq "$(row web 192.0.2.0/24)" "0,0,0,0" "row kept, not whitelisted (for the other nodes)"
	! f2b "$F2B" get web ignoreip | grep -qF 192.0.2.0/24 || fail "still in ignoreip"
	! file_has web '192.0.2.0/24' || fail "still in the file"
	# Persistent: reloading the jail from its file does not bring it back.
	mc jail reload -j web
	! f2b "$F2B" get web ignoreip | grep -qF 192.0.2.0/24 || fail "back after reload"
	expect_refusal 2 whitelist add -j web -i 10.0.0.0/99
	expect_refusal 2 whitelist add -j web -i 192.0.2.1/0
	expect_refusal 2 whitelist add -j nope -i 192.0.2.1
	expect_refusal 2 whitelist remove -j web -i 198.51.100.1
}

test_admin_blacklist_add_and_remove_reach_the_bl_jail() {
	f2b_up
	: >"$F2B/web.log"
	web_jail --enabled 1
	mc blacklist add -j web -i 192.0.2.81
	assert_eq "$rc" 0 "blacklist add ($err)"
	assert_eq "$(row web 192.0.2.81)" "0,0,1,0" "row"
	eventually "in web-bl" banned_in web-bl 192.0.2.81
	mc blacklist remove -j web -i 192.0.2.81
	assert_eq "$rc" 0 "blacklist remove ($err)"
	assert_eq "$(row web 192.0.2.81)" "0,0,0,0" "row: not blacklisted, count reset"
	eventually "out of web-bl" not_banned_in web-bl 192.0.2.81
	mc whitelist add -j web -i 192.0.2.82
	expect_refusal 2 blacklist add -j web -i 192.0.2.82
	expect_refusal 2 blacklist add -j web -i 192.0.2.0/24
	expect_refusal 2 blacklist remove -j web -i 192.0.2.83
	mc blacklist disable -j web
	assert_eq "$(sql "SELECT max_count FROM fail2ban_jail WHERE name='web'")" 0 "max_count"
	eventually "web-bl stopped" not_loaded web-bl
	expect_refusal 2 blacklist add -j web -i 192.0.2.84
	mc blacklist enable -j web -v 5
	assert_eq "$(sql "SELECT max_count FROM fail2ban_jail WHERE name='web'")" 5 "max_count"
	loaded web-bl || fail "web-bl not loaded again"
}

test_admin_general_commands_act_on_every_jail() {
	f2b_up
	: >"$F2B/web.log"
	: >"$F2B/smtp.log"
	sql "DELETE FROM fail2ban_jail"
	web_jail
	mc jail create --name smtp --filter test --logpath "$F2B/smtp.log" --port 25
	mc general enable
	assert_eq "$rc" 0 "general enable ($err)"
	loaded web && loaded smtp || fail "not all loaded"
	mc general disable-bl
	assert_eq "$(sql "SELECT SUM(max_count) FROM fail2ban_jail")" 0 "max_count"
	eventually "smtp-bl stopped" not_loaded smtp-bl
	mc general enable-bl -v 4
	assert_eq "$(sql "SELECT MIN(max_count), MAX(max_count) FROM fail2ban_jail")" \
		"$(printf '4\t4')" "max_count"
	loaded smtp-bl || fail "smtp-bl not loaded"
	expect_refusal 2 general enable-bl -v 0
	mc general disable
	assert_eq "$(sql "SELECT SUM(enabled) FROM fail2ban_jail")" 0 "enabled"
	eventually "web stopped" not_loaded web
	config_loads
}

# Rows the knowledge base's INSERT may put in fail2ban_jail by hand: the
# good ones become jail files, the broken ones are named and skipped, and
# fail2ban still starts.
test_admin_dump_writes_good_rows_and_skips_broken_ones() {
	f2b_up
	: >"$F2B/web.log"
	sql "DELETE FROM fail2ban_jail"
	sql "INSERT INTO fail2ban_jail (enabled, name, maxretry, findtime, bantime,
		port, filter, banaction, logpath, max_count) VALUES
		(1, 'web', 3, 600, 600, '80,443', 'test', 'mc-custom', '$F2B/web.log', 3),
		(1, 'inject-nl', 3, 600, 600, '80', 'test', 'mc-custom',
		 CONCAT('$F2B/web.log', CHAR(10), '[sshd]'), 3),
		(1, 'inject-bracket', 3, 600, 600, '80', 'test', 'mc-custom',
		 '$F2B/web[1].log', 3),
		(1, 'bad port', 3, 600, 600, '80', 'test', 'mc-custom', '$F2B/web.log', 3),
		(1, 'badport', 3, 600, 600, '80\"]', 'test', 'mc-custom', '$F2B/web.log', 3),
		(1, 'nofilter', 3, 600, 600, '80', 'missing', 'mc-custom', '$F2B/web.log', 3),
		(0, 'off', 3, 600, 600, '80', 'test', 'mc-custom', '$F2B/web.log', 3)"
	mc jail dump
	assert_eq "$rc" 1 "dump with broken rows"
	for bad in "inject-nl): logpath" "inject-bracket): logpath" \
		"bad port): name" "badport): port" "nofilter): filter"; do
		case $err in *"($bad"*) ;; *) fail "row and column not named ($bad): $err" ;; esac
	done
	ls "$F2B/jail.d" >"$WORK/files"
	assert_eq "$(cat "$WORK/files" | tr '\n' ' ')" \
		"mc-f2b-web-bl.conf mc-f2b-web.conf " "files written"
	config_loads
	mkdir "$WORK/elsewhere"
	mc jail dump --dir "$WORK/elsewhere"
	[ -f "$WORK/elsewhere/jail.d/mc-f2b-web.conf" ] || fail "--dir"
}

# A jail is enabled all or nothing: a jail fail2ban would refuse leaves no
# file behind that would make fail2ban's own test (and its next start) fail
# for every jail of the server, and its row as it was.
test_admin_enable_is_all_or_nothing() {
	local before
	f2b_up
	web_jail
	# Its log is not there (MailCleaner's paths on a box without them).
	expect_refusal 2 jail enable -j web
	case $err in *"logpath $F2B/web.log: no log file there"*) ;;
	*) fail "the line does not say what to fix: $err" ;; esac
	assert_eq "$(sql "SELECT enabled FROM fail2ban_jail WHERE name='web'")" 0 "row"
	[ ! -e "$F2B/jail.d/mc-f2b-web.conf" ] || fail "a file names the missing log"
	not_loaded web || fail "web loaded"
	config_loads
	: >"$F2B/web.log"
	# fail2ban refuses it for a reason no check foresaw: a filter that
	# exists but does not compile.  The file goes, the row goes back.
	printf '[Definition]\nfailregex = (unclosed <HOST>\n' >"$F2B/filter.d/broken.conf"
	mc jail change -j web --option filter -v broken
	assert_eq "$rc" 0 "a disabled jail takes the filter ($err)"
	mc jail enable -j web
	assert_eq "$rc" 1 "fail2ban refused the jail ($err)"
	case $err in *"the jail is as it was before"*) ;;
	*) fail "the line does not say the jail was put back: $err" ;; esac
	assert_eq "$(sql "SELECT enabled FROM fail2ban_jail WHERE name='web'")" 0 "row put back"
	[ ! -e "$F2B/jail.d/mc-f2b-web.conf" ] || fail "the refused file stayed"
	config_loads
	loaded mc-exim || fail "another jail was disturbed"
	# An enabled jail keeps its file and its log path when the new path
	# has no log.
	mc jail change -j web --option filter -v test
	mc jail enable -j web
	assert_eq "$rc" 0 "enable with its log and a good filter ($err)"
	before=$(cat "$F2B/jail.d/mc-f2b-web.conf")
	expect_refusal 2 jail change -j web --option logpath -v "$F2B/none.log"
	assert_eq "$(sql "SELECT logpath FROM fail2ban_jail WHERE name='web'")" \
		"$F2B/web.log" "row unchanged"
	assert_eq "$(cat "$F2B/jail.d/mc-f2b-web.conf")" "$before" "file unchanged"
	loaded web || fail "web stopped"
	config_loads
}

# general enable enables what fail2ban takes and leaves the rest disabled,
# each said in one line.
test_admin_general_enable_leaves_refused_jails_disabled() {
	f2b_up
	web_jail
	mc general enable
	assert_eq "$rc" 1 "exit status ($err)"
	case $err in *"jail web: logpath $F2B/web.log: no log file there"*) ;;
	*) fail "the refused jail is not named: $err" ;; esac
	assert_eq "$(sql "SELECT enabled FROM fail2ban_jail WHERE name='web'")" 0 \
		"the refused jail's row"
	[ ! -e "$F2B/jail.d/mc-f2b-web.conf" ] || fail "a file names the missing log"
	config_loads
	# A row that cannot become a file at all (its log's directory is not
	# there, as MailCleaner's paths on a plain Debian box) is skipped and
	# left disabled too.
	: >"$F2B/web.log"
	sql "INSERT INTO fail2ban_jail (enabled, name, maxretry, findtime, bantime,
		port, filter, banaction, logpath, max_count) VALUES
		(0, 'nodir', 3, 600, 600, '80', 'test', 'mc-custom', '$F2B/none/x.log', 3)"
	mc general enable
	assert_eq "$rc" 1 "exit status with a skipped row ($err)"
	case $err in *"(nodir): logpath: its directory does not exist"*) ;;
	*) fail "the skipped row is not named: $err" ;; esac
	assert_eq "$(sql "SELECT name, enabled FROM fail2ban_jail
		WHERE name IN ('nodir', 'web') ORDER BY name" | tr '\t\n' ': ')" \
		"nodir:0 web:1 " "the rows after general enable"
	config_loads
	# A row that was on before (other nodes may have its log) stays on,
	# though this node cannot run it: only what general enable turned on
	# goes back.
	sql "INSERT INTO fail2ban_jail (enabled, name, maxretry, findtime, bantime,
		port, filter, banaction, logpath, max_count) VALUES
		(1, 'elsewhere', 3, 600, 600, '80', 'test', 'mc-custom', '$F2B/elsewhere.log', 3)"
	mc general enable
	assert_eq "$rc" 1 "exit status with a row this node cannot run ($err)"
	assert_eq "$(sql "SELECT enabled FROM fail2ban_jail WHERE name = 'elsewhere'")" 1 \
		"a row that was enabled before"
	[ ! -e "$F2B/jail.d/mc-f2b-elsewhere.conf" ] || fail "a file names the missing log"
	config_loads
}

# A node without the sync loop is right from the start: jail enable puts
# in the running jail what the database holds for it (a ban another node
# made, a blacklisting made while the jail was disabled).
test_admin_enable_applies_what_the_database_holds() {
	f2b_up
	: >"$F2B/web.log"
	web_jail
	mc blacklist add -j web -i 192.0.2.91
	assert_eq "$rc" 0 "blacklist add while disabled ($err)"
	sql "INSERT INTO fail2ban_ips (ip, count, active, blacklisted, whitelisted,
		jail, last_hit, host) VALUES ('192.0.2.92', 1, 1, 0, 0, 'web',
		NOW(), 'node-b')"
	assert_eq "$(mc_out jail enable -j web)" "$(printf '%s\n' 'jail web enabled' \
		'jail web: from the database, 1 ban(s), 1 blacklisted, 0 whitelist entries applied')" \
		"what enable says"
	banned_in web 192.0.2.92 || fail "another node's ban not in force"
	banned_in web-bl 192.0.2.91 || fail "the blacklisting not in force"
	# A reload, with nothing new, says nothing more.
	assert_eq "$(mc_out jail reload -j web)" "jail web reloaded" "what reload says"
}
