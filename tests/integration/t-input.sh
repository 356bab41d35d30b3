# t-input.sh - bad input of every kind: exit 2, one line on stderr, and the
# database exactly as it was.

long=$(printf 'j%.0s' $(seq 1 300))

# One case per line: the arguments, separated by '|'.
bad_cases=(
	"ban|-j|mc-exim|-i|999.1.1.1"
	"ban|-j|mc-exim|-i|1.2.3"
	"ban|-j|mc-exim|-i|1.2.3.4;id"
	"ban|-j|mc-exim|-i|192.0.2.1;id"
	"ban|-j|mc-exim|-i|fe80::1%eth0"
	"ban|-j|mc-exim|-i|"
	"ban|-j|mc-exim|-i|192.0.2.1/32"
	"ban|-j|mc-exim|-i|192.0.2.0/0"
	"ban|-j|mc-exim|-i|01.2.3.4"
	"ban|-j|mc-exim|-i| 192.0.2.1"
	"ban|-j|mc-exim|-i|\$(reboot)"
	"ban|-j|mc-exim|-i|2001:db8::1::2"
	"ban|-j|mc-exim|-i|$long"
	"ban|-j|mc'exim|-i|192.0.2.1"
	"ban|-j|mc\"exim|-i|192.0.2.1"
	"ban|-j|../etc/passwd|-i|192.0.2.1"
	"ban|-j|$long|-i|192.0.2.1"
	"ban|-j||-i|192.0.2.1"
	"ban|-j|-bl|-i|192.0.2.1"
	"ban|-j|mc exim|-i|192.0.2.1"
	"ban|-j|mc-exim;id|-i|192.0.2.1"
	"ban|-j|mc-exim|-i|192.0.2.1|--time|yesterday"
	"ban|-j|mc-exim|-i|192.0.2.1|--time|-5"
	"ban|-j|mc-exim|-i|192.0.2.1|--time|1e9"
	"ban|-j|mc-exim|-i|192.0.2.1|--restored|2"
	"ban|-j|mc-exim|-i|192.0.2.1|--restored|yes"
	"ban|-j|mc-exim|-i|192.0.2.1|--restored|"
	"ban|-j|mc-exim|-i|192.0.2.1|--failures|-1"
	"ban|-j|mc-exim|-i|192.0.2.1|--failures|99999999999999999999"
	"ban|-j|mc-exim|-i|192.0.2.1|--failures|3%n"
	"ban|-j|mc-exim|-i|192.0.2.1|--bantime|-2147483649"
	"ban|-j|mc-exim|-i|192.0.2.1|--bantime|1.5"
	"ban|-j|mc-exim"
	"ban|-i|192.0.2.1"
	"ban"
	"ban|-j|mc-exim|-i|192.0.2.1|extra"
	"ban|-j|mc-exim|-i|192.0.2.1|--f2b-call"
	"ban|-j|mc-exim|-i|192.0.2.1|--unknown"
	"ban|-j|mc-exim|-i"
	"unban|-j|mc-exim|-i|192.0.2.1|--time|1"
	"unban|-j|mc-exim|-i|not-an-ip"
	"flush|-j|mc-exim|-i|192.0.2.1"
	"flush|-j|mc'exim"
	"start"
	"stop|-j|\$(id)"
	"schema"
	"schema|drop"
	"spool|purge"
	"no-such-verb"
	"--no-such-option|ban"
)

test_bad_input_matrix() {
	local case before args n=0
	before=$(table_state)
	for case in "${bad_cases[@]}"; do
		IFS='|' read -r -a args <<<"$case"
		expect_refusal 2 "${args[@]}"
		case $err in mc-f2b:*) ;; *) fail "$case: message does not start with mc-f2b: $err" ;; esac
		n=$((n + 1))
	done
	# Control characters cannot go through the '|' table: done by hand.
	expect_refusal 2 ban -j $'mc-exim\nmc-test' -i 192.0.2.1
	expect_refusal 2 ban -j mc-exim -i $'192.0.2.1\n'
	expect_refusal 2 ban -j mc-exim -i $'192.0.2.1\r'
	expect_refusal 2 ban -j $'mc-exim\x1b[2J' -i 192.0.2.1
	expect_refusal 2 ban -j mc-exim -i $'\xc3\xa9'
	assert_eq "$(table_state)" "$before" "database after $n refusals"
	[ ! -e "$WORK/db/spool/events" ] || fail "a refusal reached the spool"
}

test_hostile_values_never_echo_more_than_one_line() {
	expect_refusal 2 ban -j mc-exim -i $'192.0.2.1\nmc-f2b: forged line'
	case $err in *forged*'?'*|*'?'*forged*) ;; *forged*) fail "newline echoed: $err" ;; esac
}

test_bad_configuration_is_refused() {
	local before
	before=$(table_state)
	"$MC_F2B" -c "$WORK/none.ini" ban -j mc-exim -i 192.0.2.50 2>"$WORK/e"
	assert_eq "$?" 2 "missing file"
	cp "$WORK/mc.ini" "$WORK/loose.ini"
	printf '[replica]\npassword = x\n' >>"$WORK/loose.ini"
	chmod 644 "$WORK/loose.ini"
	"$MC_F2B" -c "$WORK/loose.ini" ban -j mc-exim -i 192.0.2.50 2>"$WORK/e"
	assert_eq "$?" 2 "password readable by others"
	grep -q "readable by group or others" "$WORK/e" || fail "reason: $(cat "$WORK/e")"
	MC_F2B_CONFIG=$WORK/loose.ini "$MC_F2B" ban -j mc-exim -i 192.0.2.50 2>"$WORK/e"
	assert_eq "$?" 2 "same file through MC_F2B_CONFIG"
	assert_eq "$(table_state)" "$before" "database"
}

# A wrong password is not "unreachable": it is a runtime failure, said once,
# and not hidden in the spool.
test_rejected_credentials_fail_without_spooling() {
	sed "s|^password_file = .*|password_file = $WORK/wrong|" "$WORK/mc.ini" >"$WORK/wrong.ini"
	printf 'wrong\n' >"$WORK/wrong"
	chmod 600 "$WORK/wrong" "$WORK/wrong.ini"
	"$MC_F2B" -c "$WORK/wrong.ini" ban -j mc-exim -i 192.0.2.51 2>"$WORK/e"
	assert_eq "$?" 1 "exit status"
	grep -q "Access denied" "$WORK/e" || fail "reason: $(cat "$WORK/e")"
	[ ! -e "$WORK/db/spool/events" ] || fail "spooled"
	# The password never shows in the message.
	! grep -q "test-password" "$WORK/e" || fail "password in the message"
}

# The annotated example shipped in config/ is a valid configuration.
test_shipped_example_configuration_loads() {
	local example=$here/../../config/mc-f2b.ini
	printf 'secret\n' >"$WORK/example.password"
	chmod 600 "$WORK/example.password"
	sed "s|^password_file = .*|password_file = $WORK/example.password|" \
		"$example" >"$WORK/example.ini"
	chmod 600 "$WORK/example.ini"
	"$MC_F2B" -c "$WORK/example.ini" start -j mc-exim 2>"$WORK/e"
	assert_eq "$?" 0 "example loads ($(cat "$WORK/e"))"
}
