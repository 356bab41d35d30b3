# t-hostile.sh - every verb, every argument, every hostile value: exit 2,
# exactly one line on stderr, and the database, the jail files and the
# running fail2ban exactly as they were.  Where a value is legitimately
# accepted in a place, the expectations below say so, one by one.
# suite: e2e

# The hostile values, by name.  None holds '|' (the slot separator) or NUL
# (it cannot pass through argv).
declare -A HOSTILE=(
	[long]=$(printf 'a%.0s' $(seq 1 5000))
	[long_ip]=$(printf '1%.0s' $(seq 1 5000))
	[empty]=''
	[soh]=$'192.0.2.1\x01'
	[esc]=$'mc-exim\x1b[2J'
	[tab]=$'192.0.2.1\t'
	[cr]=$'192.0.2.1\r'
	[newline]=$'192.0.2.1\nmc-f2b: forged line'
	[squote]="mc-exim'"
	[dquote]='mc-exim"'
	[backtick]='`id`'
	[semicolon]='192.0.2.1;id'
	[subst]='$(id)'
	[format]='%s%n%s%n'
	[fullwidth]=$'\xef\xbc\x91\xef\xbc\x99\xef\xbc\x92.0.2.1'
	[rtl]=$'mc-exim\xe2\x80\xae'
	[latin1]=$'\xc3\xa9'
	[invalid_utf8]=$'192.0.2.1\xff'
	[neg]=-1
	[huge]=99999999999999999999
	[int32_under]=-2147483649
	[cidr0]=192.0.2.1/0
	[cidr32]=192.0.2.1/32
	[hex_ip]=0xc0.0x0.0x2.0x1
	[hex]=0x10
	[octal]=010
	[lead0_ip]=192.0.2.010
	[short_ip]=192.0.2
	[octet_999]=999.1.1.1
	[mapped]=::ffff:192.0.2.1
	[zone]=fe80::1%eth0
	[double_colon]=2001:db8::1::2
	[space]=' 192.0.2.1'
	[dotdot]=../../etc/passwd
	[bl_suffix]=-bl
	[word]=yesterday
	[exponent]=1e9
	[fraction]=1.5
	[plus]=+5
	[section]=$'/tmp/x\n[sshd]'
	# What a writer of database rows tried, now tried here too.
	[section_word]=DEFAULT
	[section_word_lc]=includes
	[dash_all]=--all
	[bl_name]=mc-exim-bl
	[devzero]=/dev/zero
	[bantime_increment]=2831155200
	[int64_over]=9223372036854775808
)

# Every argument of every verb, one slot per line: an id, then the command
# line separated by '|', '@' where the hostile value goes.  Every other
# argument is valid, so that the value is the only thing refused.
HOSTILE_SLOTS=(
	"global-c|-c|@|start|-j|mc-exim"
	"global-verb|@"
	"ban-j|ban|-j|@|-i|192.0.2.1"
	"ban-i|ban|-j|mc-exim|-i|@"
	"ban-time|ban|-j|mc-exim|-i|192.0.2.1|--time|@"
	"ban-bantime|ban|-j|mc-exim|-i|192.0.2.1|--bantime|@"
	"ban-failures|ban|-j|mc-exim|-i|192.0.2.1|--failures|@"
	"ban-restored|ban|-j|mc-exim|-i|192.0.2.1|--restored|@"
	"unban-j|unban|-j|@|-i|192.0.2.1"
	"unban-i|unban|-j|mc-exim|-i|@"
	"unban-call-i|unban|-j|mc-exim|-i|@|--f2b-call"
	"flush-j|flush|-j|@"
	"start-j|start|-j|@"
	"start-port|start|-j|mc-exim|--port|@"
	"stop-j|stop|-j|@"
	"jail-sub|jail|@"
	"jail-enable-j|jail|enable|-j|@"
	"jail-disable-j|jail|disable|-j|@"
	"jail-reload-j|jail|reload|-j|@"
	"jail-show-j|jail|show|-j|@"
	"jail-change-j|jail|change|-j|@|--option|bantime|-v|600"
	"jail-change-option|jail|change|-j|mc-own|--option|@|-v|600"
	"jail-change-findtime|jail|change|-j|mc-own|--option|findtime|-v|@"
	"jail-change-bantime|jail|change|-j|mc-own|--option|bantime|-v|@"
	"jail-change-maxretry|jail|change|-j|mc-own|--option|maxretry|-v|@"
	"jail-change-max_count|jail|change|-j|mc-own|--option|max_count|-v|@"
	"jail-change-port|jail|change|-j|mc-own|--option|port|-v|@"
	"jail-change-filter|jail|change|-j|mc-own|--option|filter|-v|@"
	"jail-change-banaction|jail|change|-j|mc-own|--option|banaction|-v|@"
	"jail-change-logpath|jail|change|-j|mc-own|--option|logpath|-v|@"
	"jail-create-name|jail|create|--name|@|--filter|test|--logpath|%LOG%"
	"jail-create-filter|jail|create|--name|%NEW%|--filter|@|--logpath|%LOG%"
	"jail-create-logpath|jail|create|--name|%NEW%|--filter|test|--logpath|@"
	"jail-create-port|jail|create|--name|%NEW%|--filter|test|--logpath|%LOG%|--port|@"
	"jail-create-maxretry|jail|create|--name|%NEW%|--filter|test|--logpath|%LOG%|--maxretry|@"
	"jail-create-findtime|jail|create|--name|%NEW%|--filter|test|--logpath|%LOG%|--findtime|@"
	"jail-create-bantime|jail|create|--name|%NEW%|--filter|test|--logpath|%LOG%|--bantime|@"
	"jail-create-max-count|jail|create|--name|%NEW%|--filter|test|--logpath|%LOG%|--max-count|@"
	"jail-create-banaction|jail|create|--name|%NEW%|--filter|test|--logpath|%LOG%|--banaction|@"
	"jail-create-enabled|jail|create|--name|%NEW%|--filter|test|--logpath|%LOG%|--enabled|@"
	"jail-dump-dir|jail|dump|--dir|@"
	"general-sub|general|@"
	"general-enable-bl-v|general|enable-bl|-v|@"
	"blacklist-sub|blacklist|@"
	"blacklist-enable-j|blacklist|enable|-j|@"
	"blacklist-enable-v|blacklist|enable|-j|mc-exim|-v|@"
	"blacklist-disable-j|blacklist|disable|-j|@"
	"blacklist-add-j|blacklist|add|-j|@|-i|192.0.2.1"
	"blacklist-add-i|blacklist|add|-j|mc-exim|-i|@"
	"blacklist-remove-j|blacklist|remove|-j|@|-i|192.0.2.1"
	"blacklist-remove-i|blacklist|remove|-j|mc-exim|-i|@"
	"blacklist-list-j|blacklist|list|-j|@"
	"whitelist-sub|whitelist|@"
	"whitelist-add-j|whitelist|add|-j|@|-i|192.0.2.1"
	"whitelist-add-i|whitelist|add|-j|mc-exim|-i|@"
	"whitelist-remove-j|whitelist|remove|-j|@|-i|192.0.2.1"
	"whitelist-remove-i|whitelist|remove|-j|mc-exim|-i|@"
	"whitelist-list-j|whitelist|list|-j|@"
	"status-j|status|-j|@"
	"sync-interval|sync|--interval|@"
	"schema-sub|schema|@"
	"spool-sub|spool|@"
	"ban-call-j|ban|-j|@|-i|192.0.2.1|--f2b-call"
	"ban-call-i|ban|-j|mc-exim|-i|@|--f2b-call"
	"mail-sub|mail|@"
	"mail-dest-e|mail|dest|-e|@"
	"mail-src-e|mail|src|-e|@"
	"mail-name-n|mail|name|-n|@"
	"jail-modify-mail-j|jail|modify-mail|-j|@|--send"
	"jail-disable-bl-j|jail|disable-bl|-j|@"
	"history-i|history|-i|@"
	"history-j|history|-i|192.0.2.1|-j|@"
	"history-since|history|--since|@"
)

# The values a slot legitimately takes, with the exit status they get
# (anything not named here must be refused with exit 2).
declare -A HOSTILE_ACCEPTED=(
	# Canonicalised: ::ffff:192.0.2.1 is stored as 192.0.2.1.
	[ban-i/mapped]=0
	[unban-i/mapped]=0
	[blacklist-add-i/mapped]=0
	[whitelist-add-i/mapped]=0
	# fail2ban's "for ever"; any negative bantime is stored as -1.
	[ban-bantime/neg]=0
	[jail-change-bantime/neg]=0
	[jail-create-bantime/neg]=0
	# A single address is a /32 network on a whitelist.
	[whitelist-add-i/cidr32]=0
	# fail2ban's ticket time is a float.
	[ban-time/fraction]=0
	[unban-call-i/mapped]=0
	# max_count <= 0 turns the blacklist of a jail off.
	[jail-change-max_count/neg]=0
	[jail-create-max-count/neg]=0
	# No port: every port.  A word is a service name (/etc/services).
	[jail-change-port/empty]=0
	[jail-create-port/empty]=0
	[jail-change-port/word]=0
	[jail-create-port/word]=0
	[jail-change-port/section_word]=0
	[jail-create-port/section_word]=0
	[jail-change-port/section_word_lc]=0
	[jail-create-port/section_word_lc]=0
	[jail-change-port/bl_name]=0
	[jail-create-port/bl_name]=0
	# Numbers fail2ban makes: bantime.increment grows a ban time past
	# 32 bits, and beyond 64 a count is kept as the largest there is.
	[ban-bantime/bantime_increment]=0
	[ban-failures/bantime_increment]=0
	[ban-bantime/int64_over]=0
	[ban-failures/int64_over]=0
	[ban-bantime/huge]=0
	[ban-failures/huge]=0
	[ban-bantime/int32_under]=0
	# An epoch in 2059.
	[ban-time/bantime_increment]=0
	# The history of an address however written, or of a whitelisted
	# network (a /32 is one).
	[history-i/mapped]=0
	[history-i/cidr32]=0
)
# Values that are well-formed jail names: a new jail may take them, the
# verbs that only check a name (flush, start and stop; start registers a
# jail only when a file of fail2ban's defines it) accept them, and a listing filtered by them is empty.  Everywhere else
# they name a jail that does not exist: exit 2.
for name in lead0_ip octet_999 fraction hex_ip hex octal exponent huge word \
	short_ip bantime_increment int64_over bl_name; do
	for slot in jail-create-name flush-j start-j stop-j status-j \
		blacklist-list-j whitelist-list-j history-j; do
		HOSTILE_ACCEPTED[$slot/$name]=0
	done
done
# Words and dashes are service names (ports as an action takes them), and
# empty means every port: start takes them, and writes nothing for a jail
# that has its row.
for name in section_word section_word_lc bl_name word empty; do
	HOSTILE_ACCEPTED[start-port/$name]=0
done
# A person's ban takes an address however written, and a /32 is one.
HOSTILE_ACCEPTED[ban-call-i/mapped]=0
HOSTILE_ACCEPTED[ban-call-i/cidr32]=0
# A sender's display name is letters, digits, spaces and . - _ ( ) [ ] :
# (what a shell between double quotes, and fail2ban, take as they are).
for name in word section_word section_word_lc bl_name huge fraction exponent \
	hex octal lead0_ip short_ip octet_999 hex_ip int64_over \
	bantime_increment mapped double_colon; do
	HOSTILE_ACCEPTED[mail-name-n/$name]=0
done
# The name of a permanent jail is a jail name, but never a new row's.
unset 'HOSTILE_ACCEPTED[jail-create-name/bl_name]'

# Everything a refusal must leave alone: the three tables, the jail files,
# the spool.
hostile_state() {
	sql "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', ip, jail, count,
		active, blacklisted, whitelisted, host, last_hit))), 0)
		FROM fail2ban_ips"
	sql "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', id, enabled, name,
		maxretry, findtime, bantime, port, filter, banaction, logpath,
		max_count, send_mail, send_mail_bl))), 0) FROM fail2ban_jail"
	sql "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', id, src_email,
		src_name, dest_email, chain))), 0) FROM fail2ban_conf"
	(cd "$F2B" && find jail.d -type f -exec md5sum {} + 2>/dev/null | sort)
	ls -l "$WORK/db/spool" 2>/dev/null
}

# What the running fail2ban holds: its jails, their bans and ignore lists.
f2b_state() {
	local jails j
	jails=$(f2b "$F2B" status | sed -n 's/.*Jail list:[[:space:]]*//p' | tr -d ' ' | tr ',' ' ')
	echo "jails: $jails"
	for j in $jails; do
		echo "$j banned: $(f2b "$F2B" get "$j" banned)"
		echo "$j ignoreip: $(f2b "$F2B" get "$j" ignoreip)"
	done
}

# Run one case: exit status in $rc, stderr in $err.  A command that would
# run for ever (sync taking a value) is cut short: that is a failure too.
hostile_run() {
	timeout 20 "$MC_F2B" -c "$WORK/mc.ini" "$@" >/dev/null 2>"$WORK/stderr"
	rc=$?
	err=$(<"$WORK/stderr")
}

# A refusal is one line starting "mc-f2b: ", with no control character and
# no bidirectional override in it (the value may be quoted back, tamed).
refusal_ok() {
	[ "$rc" == 2 ] || return 1
	[ -n "$err" ] && [ "$(printf '%s\n' "$err" | wc -l)" == 1 ] || return 1
	case $err in mc-f2b:\ *) ;; *) return 1 ;; esac
	! printf '%s' "$err" | LC_ALL=C grep -q '[[:cntrl:]]' || return 1
	! printf '%s' "$err" | grep -qF $'\xe2\x80\xae'
}

# mc-exim as fail2ban would load it, and mc-own, a jail of mc-f2b's own
# (jail.conf defines mc-exim: its settings are not mc-f2b's to change):
# every column valid, so that the hostile value is the only thing wrong in
# each case.
hostile_fixture() {
	sql "UPDATE fail2ban_jail SET filter = 'test', logpath = '$F2B/test.log',
		port = '25', bantime = 600, max_count = 3
		WHERE name IN ('mc-exim', 'mc-own')"
}

hostile_case() { # SLOT NAME -> sets args
	local slot=$1 value=$2 parts i
	IFS='|' read -r -a parts <<<"${slot#*|}"
	args=()
	for i in "${parts[@]}"; do
		case $i in
		@) args+=("$value") ;;
		%LOG%) args+=("$F2B/test.log") ;;
		%NEW%) new_jail=$((new_jail + 1)); args+=("hw$new_jail") ;;
		*) args+=("$i") ;;
		esac
	done
}

test_hostile_matrix() {
	local slot id name before after n=0 bad=() accepted=() f2b_before args
	local new_jail=0
	f2b_up
	mc jail create --name mc-own --filter test --logpath "$F2B/test.log" \
		--port 25 --enabled 1
	assert_eq "$rc" 0 "jail create mc-own ($err)"
	hostile_fixture
	f2b_before=$(f2b_state)
	for slot in "${HOSTILE_SLOTS[@]}"; do
		id=${slot%%|*}
		before=$(hostile_state)
		for name in "${!HOSTILE[@]}"; do
			if [ -n "${HOSTILE_ACCEPTED[$id/$name]:-}" ]; then
				accepted+=("$slot"$'\t'"$name")
				continue
			fi
			hostile_case "$slot" "${HOSTILE[$name]}"
			hostile_run "${args[@]}"
			n=$((n + 1))
			refusal_ok || bad+=("$id/$name: exit $rc, stderr: $(printf '%q' "$err")")
		done
		after=$(hostile_state)
		[ "$after" == "$before" ] || bad+=("$id: a refusal changed the state: $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')")
	done
	assert_eq "$(f2b_state)" "$f2b_before" "fail2ban after $n refusals"
	echo "# $n hostile values refused, ${#accepted[@]} accepted where legitimate"
	# The accepted ones, last: they do change the database.
	local entry want
	for entry in "${accepted[@]}"; do
		slot=${entry%$'\t'*}
		name=${entry##*$'\t'}
		id=${slot%%|*}
		want=${HOSTILE_ACCEPTED[$id/$name]}
		hostile_fixture
		hostile_case "$slot" "${HOSTILE[$name]}"
		hostile_run "${args[@]}"
		if [ "$want" == 2 ]; then
			refusal_ok || bad+=("$id/$name: exit $rc, stderr: $(printf '%q' "$err")")
		else
			[ "$rc" == "$want" ] || bad+=("$id/$name: expected exit $want, got $rc: $(printf '%q' "$err")")
		fi
	done
	[ ${#bad[@]} == 0 ] || fail "$(printf '\n  %s' "${bad[@]}")"
}

# Wrong shapes rather than wrong values: a missing argument or value, one
# too many, an option that belongs to another verb.  Each is refused the
# same way (these came from t-input.sh, with the admin verbs added).
HOSTILE_SHAPES=(
	"ban|-j|mc-exim"
	"ban|-i|192.0.2.1"
	"ban"
	"ban|-j|mc-exim|-i"
	"ban|-j|mc-exim|-i|192.0.2.1|extra"
	"ban|-j|mc-exim|-i|192.0.2.1|--f2b-call|--port|25"
	"ban|-j|mc-exim|-i|192.0.2.1|--f2b-call|--restored|1"
	"ban|-j|mc-exim|-i|192.0.2.1|--yes"
	"unban|-j|mc-exim|-i|192.0.2.1|--f2b-call|--yes"
	"ban|-j|mc-exim|-i|192.0.2.1|--unknown"
	"ban|-j|mc-exim|-i|192.0.2.1|--restored|2"
	"ban|-Zj|mc-exim|-i|192.0.2.1"
	"unban|-j|mc-exim|-i|192.0.2.1|--time|1"
	"unban|-j|mc-exim"
	"flush|-j|mc-exim|-i|192.0.2.1"
	"start"
	"stop|-j|mc-exim|--bantime|1"
	"jail"
	"jail|enable"
	"jail|enable|-j|mc-exim|extra"
	"jail|enable|-Zj|mc-exim"
	"jail|enable|-j|mc-exim|-i|192.0.2.1"
	"jail|change|-j|mc-exim|--option|bantime"
	"jail|change|-j|mc-exim|-v|600"
	"jail|create|--name|hw"
	"jail|create|--filter|test"
	"jail|dump|--dir"
	"jail|list|-j|mc-exim"
	"general"
	"general|enable|-j|mc-exim"
	"blacklist|add|-j|mc-exim"
	"blacklist|add|-i|192.0.2.1"
	"blacklist|list|-i|192.0.2.1"
	"whitelist|add|-j|mc-exim"
	"whitelist|add|-i|192.0.2.1"
	"whitelist|list|--all"
	"status|--all|extra"
	"status|-i|192.0.2.1"
	"sync|--interval"
	"sync|--once|extra"
	"sync|--no-such-option"
	"schema"
	"schema|check|extra"
	"spool"
	"spool|list|extra"
	"spool|replay|--json"
	"metrics|extra"
	"metrics|-j|mc-exim"
	"history"
	"history|--since"
	"history|-j|mc-exim"
	"history|-i|192.0.2.1|extra"
	"history|-i|192.0.2.1|--all"
	"-c"
	"--no-such-option|ban"
)

test_hostile_shapes() {
	local shape args bad=() before
	before=$(sql "SELECT COUNT(*) FROM fail2ban_ips; SELECT COUNT(*) FROM fail2ban_jail")
	for shape in "${HOSTILE_SHAPES[@]}"; do
		IFS='|' read -r -a args <<<"$shape"
		hostile_run "${args[@]}"
		refusal_ok || bad+=("$shape: exit $rc, stderr: $(printf '%q' "$err")")
	done
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_ips; SELECT COUNT(*) FROM fail2ban_jail")" \
		"$before" "rows after refusals"
	[ ! -e "$WORK/db/spool/events" ] || fail "a refusal reached the spool"
	[ ${#bad[@]} == 0 ] || fail "$(printf '\n  %s' "${bad[@]}")"
}

# jail change judges the new value on its own: a row already broken in
# another column (here a filter the configuration directory lacks) must
# not let an unchecked value through to the table.
test_hostile_change_on_a_row_broken_elsewhere() {
	local before option value
	before=$(sql "SELECT * FROM fail2ban_jail WHERE name = 'mc-test'")
	for option in port banaction logpath filter; do
		for value in '$(id)' $'x\n[sshd]' '99999999999999999999' '../x'; do
			expect_refusal 2 jail change -j mc-test --option "$option" -v "$value"
		done
	done
	assert_eq "$(sql "SELECT * FROM fail2ban_jail WHERE name = 'mc-test'")" \
		"$before" "row after refusals"
}

# No password ever shows: not in an error line, not in a log line (-v
# prints on stderr what goes to syslog), not in the spool, not on the
# command line of a running mc-f2b.
test_hostile_password_never_shown() {
	local secret='Pw-7f3a9c-never-shown' out=$WORK/secret.out pid ini
	# A wrong password, in a file and in the configuration itself.
	(umask 077
	 printf '%s\n' "$secret" >"$WORK/secret.pw"
	 sed "s|^password_file = .*|password_file = $WORK/secret.pw|" "$WORK/mc.ini" >"$WORK/s-file.ini"
	 sed "s|^password_file = .*|password = $secret|" "$WORK/mc.ini" >"$WORK/s-inline.ini"
	 # The '=' forgotten: the line is refused, and must not be quoted.
	 sed "s|^password_file = .*|password $secret|" "$WORK/mc.ini" >"$WORK/s-noequal.ini"
	 # The master down: the ban goes to the spool.
	 sed -e "s|^password_file = .*|password = $secret|" \
		-e "s|^socket = .*mysqld.sock|socket = $WORK/no-such.sock|" \
		"$WORK/mc.ini" >"$WORK/s-down.ini")
	: >"$out"
	for ini in s-file s-inline s-noequal s-down; do
		"$MC_F2B" -v -c "$WORK/$ini.ini" ban -j mc-exim -i 192.0.2.60 >>"$out" 2>&1
		"$MC_F2B" -v -c "$WORK/$ini.ini" whitelist add -j mc-exim -i 192.0.2.61 >>"$out" 2>&1
		"$MC_F2B" -v -c "$WORK/$ini.ini" schema check >>"$out" 2>&1
		"$MC_F2B" -v -c "$WORK/$ini.ini" spool list >>"$out" 2>&1
		"$MC_F2B" -v -c "$WORK/$ini.ini" spool replay >>"$out" 2>&1
	done
	grep -q "Access denied" "$out" || fail "the wrong password was not tried: $(cat "$out")"
	grep -q "spooled" "$out" || fail "the down master did not spool: $(cat "$out")"
	# The same configuration made loose: refused, without the password.
	cp "$WORK/s-inline.ini" "$WORK/s-loose.ini"
	chmod 644 "$WORK/s-loose.ini"
	"$MC_F2B" -v -c "$WORK/s-loose.ini" ban -j mc-exim -i 192.0.2.60 >>"$out" 2>&1
	# A running loop: its command line and environment.
	"$MC_F2B" -c "$WORK/s-down.ini" sync --interval 1 >>"$out" 2>&1 &
	pid=$!
	on_exit "kill $pid 2>/dev/null"
	sleep 0.5
	tr '\0' ' ' <"/proc/$pid/cmdline" >>"$out" || fail "the loop is not running"
	tr '\0' '\n' <"/proc/$pid/environ" >>"$out"
	kill "$pid"
	wait "$pid" 2>/dev/null
	! grep -qF -- "$secret" "$out" || fail "password shown: $(grep -F -- "$secret" "$out")"
	! grep -rqF -- "$secret" "$WORK/db/spool" || fail "password in the spool"
	[ -s "$WORK/db/spool/events" ] || fail "nothing spooled to look at"
	# And the real account's password neither, through a working master.
	"$MC_F2B" -v -c "$WORK/mc.ini" spool replay >"$out" 2>&1
	"$MC_F2B" -v -c "$WORK/mc.ini" ban -j mc-exim -i 192.0.2.62 >>"$out" 2>&1
	"$MC_F2B" -v -c "$WORK/mc.ini" schema check >>"$out" 2>&1
	grep -q "first ban" "$out" || fail "the ban did not run: $(cat "$out")"
	! grep -qF -- "test-password" "$out" || fail "account password shown"
}
