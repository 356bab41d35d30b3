# t-input.sh - a bad configuration and refused credentials: exit 2 or 1,
# one line on stderr, and the database exactly as it was.  Hostile values
# on the command line, for every verb and argument, are in t-hostile.sh.

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

# A FIFO in place of the password file is refused at once: opening it must
# not wait for a writer while fail2ban's action lock is held.
test_password_file_that_is_a_fifo_is_refused() {
	sed "s|^password_file = .*|password_file = $WORK/fifo|" "$WORK/mc.ini" >"$WORK/fifo.ini"
	chmod 600 "$WORK/fifo.ini"
	rm -f "$WORK/fifo" && mkfifo -m 600 "$WORK/fifo"
	timeout 10 "$MC_F2B" -c "$WORK/fifo.ini" ban -j mc-exim -i 192.0.2.52 2>"$WORK/e"
	assert_eq "$?" 2 "exit status"
	assert_eq "$(wc -l <"$WORK/e")" 1 "lines on stderr"
	grep -q "not a regular file" "$WORK/e" || fail "reason: $(cat "$WORK/e")"
	rm -f "$WORK/fifo"
}
