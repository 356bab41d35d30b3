# t-actiond.sh - the shipped fail2ban actions load in a real fail2ban
# configuration: a private one, with jails using mc-custom and mc-record.

# The test configuration of tests/lib/services.sh (jail mc-exim with
# mc-custom), and a jail that stacks mc-record.
make_actiond_conf() { # DIR
	local dir=$1
	f2b_make_conf "$dir" "$MC_F2B" "$WORK/mc.ini" "$BUILD_DIR" || return 1
	cat >"$dir/jail.d/record.conf" <<CONF
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
	make_actiond_conf "$dir" || fail "configuration"
	fail2ban-client -c "$dir" -t >"$WORK/f2b-t" 2>&1 || fail "$(cat "$WORK/f2b-t")"
	fail2ban-client -c "$dir" -d >"$WORK/f2b-d" 2>&1 || fail "$(cat "$WORK/f2b-d")"
	local ban flush record
	ban=$(f2b_action_command "$WORK/f2b-d" mc-exim mc-custom actionban)
	# A ban and an unban go through mc-f2b-action, beside mc-f2b.
	case $ban in *nft*'"'"$MC_F2B_ACTION"'" -c '*'ban -j "mc-exim" -i "<ip>"'*'--restored "<restored>"'*) ;;
		*) fail "actionban: $ban" ;; esac
	flush=$(f2b_action_command "$WORK/f2b-d" mc-exim mc-custom actionflush)
	case $flush in *nft*'flush -j "mc-exim"'*) ;; *) fail "actionflush: $flush" ;; esac
	case $flush in *unban*) fail "actionflush unbans: $flush" ;; esac
	record=$(f2b_action_command "$WORK/f2b-d" mc-test mc-record actionban)
	case $record in '"'"$MC_F2B_ACTION"'" -c '*' ban -j "mc-test" -i "<ip>"'*) ;;
		*) fail "mc-record actionban: $record" ;; esac
	record=$(f2b_action_command "$WORK/f2b-d" mc-test mc-record actionunban)
	case $record in '"'"$MC_F2B_ACTION"'" -c '*' unban -j "mc-test" -i "<ip>"') ;;
		*) fail "mc-record actionunban: $record" ;; esac
	record=$(f2b_action_command "$WORK/f2b-d" mc-test mc-record actionstart)
	case $record in '"'"$MC_F2B"'" -c '*' start -j "mc-test"'*) ;;
		*) fail "mc-record actionstart: $record" ;; esac
}
