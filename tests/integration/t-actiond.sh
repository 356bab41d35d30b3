# t-actiond.sh - the shipped fail2ban actions load in a real fail2ban
# configuration: a private one, with jails using mc-custom and mc-record.

make_f2b_conf() { # DIR
	local dir=$1
	mkdir -p "$dir/action.d" "$dir/filter.d" "$dir/jail.d"
	cp /etc/fail2ban/action.d/nftables.conf "$dir/action.d/"
	cp "$BUILD_DIR/action.d/mc-custom.conf" "$BUILD_DIR/action.d/mc-record.conf" "$dir/action.d/"
	printf '[Init]\nmc_f2b = %s\nmc_f2b_config = %s\n' "$MC_F2B" "$WORK/mc.ini" \
		>"$dir/action.d/mc-custom.local"
	cp "$dir/action.d/mc-custom.local" "$dir/action.d/mc-record.local"
	cat >"$dir/filter.d/test.conf" <<'CONF'
[Definition]
failregex = ^\s*auth failure from <HOST>$
CONF
	cat >"$dir/fail2ban.conf" <<CONF
[Definition]
loglevel = INFO
logtarget = $dir/fail2ban.log
socket = $dir/fail2ban.sock
pidfile = $dir/fail2ban.pid
dbfile = $dir/fail2ban.sqlite3
allowipv6 = auto
CONF
	: >"$dir/test.log"
	cat >"$dir/jail.conf" <<CONF
[DEFAULT]
backend = polling
[mc-exim]
enabled = true
filter = test
logpath = $dir/test.log
action = mc-custom[port="25,465,587"]
[mc-test]
enabled = true
filter = test
logpath = $dir/test.log
action = mc-record
CONF
}

# One command of one action, from the stream "fail2ban-client -d" prints
# (one Python list per line).
f2b_action_command() { # DUMP JAIL ACTION COMMAND
	python3 - "$@" <<'PY'
import ast, sys
dump, jail, action, command = sys.argv[1:]
for line in open(dump):
    try:
        cmd = ast.literal_eval(line.strip())
    except (ValueError, SyntaxError):
        continue
    if cmd[:4] == ['multi-set', jail, 'action', action]:
        print(dict(cmd[4]).get(command, ''))
    elif cmd[:5] == ['set', jail, 'action', action, command]:
        print(cmd[5])
PY
}

test_shipped_actions_pass_fail2ban_configuration_test() {
	local dir=$WORK/f2b
	make_f2b_conf "$dir"
	fail2ban-client -c "$dir" -t >"$WORK/f2b-t" 2>&1 || fail "$(cat "$WORK/f2b-t")"
	fail2ban-client -c "$dir" -d >"$WORK/f2b-d" 2>&1 || fail "$(cat "$WORK/f2b-d")"
	local ban flush record
	ban=$(f2b_action_command "$WORK/f2b-d" mc-exim mc-custom actionban)
	case $ban in *nft*"$MC_F2B"*'ban -j "mc-exim" -i "<ip>"'*'--restored "<restored>"'*) ;;
		*) fail "actionban: $ban" ;; esac
	flush=$(f2b_action_command "$WORK/f2b-d" mc-exim mc-custom actionflush)
	case $flush in *nft*'flush -j "mc-exim"'*) ;; *) fail "actionflush: $flush" ;; esac
	case $flush in *unban*) fail "actionflush unbans: $flush" ;; esac
	record=$(f2b_action_command "$WORK/f2b-d" mc-test mc-record actionban)
	case $record in '"'"$MC_F2B"'" -c '*' ban -j "mc-test" -i "<ip>"'*) ;;
		*) fail "mc-record actionban: $record" ;; esac
}
