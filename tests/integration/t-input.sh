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

# --- a configuration others could have written ---------------------------
# Its [fail2ban] client is run as root: whoever may write the file, or
# replace it, chooses that program.  Each case runs a verb that would run the
# client (jail enable, with a fail2ban answering on the socket) and expects
# the configuration itself to be refused: exit 2, one line, nothing changed,
# the client never run.

# A fail2ban that answers every command with success, enough for mc-f2b to
# go on and run the client; it stops when the test ends.
fake_fail2ban() { # SOCKET
	python3 -c '
import pickle, socket, sys, threading
END = b"<F2B_END_COMMAND>"
def serve(c):
    buf = b""
    with c:
        while True:
            data = c.recv(4096)
            if not data:
                return
            buf += data
            while END in buf:
                msg, buf = buf.split(END, 1)
                if msg == b"<F2B_CLOSE_COMMAND>":
                    return
                c.sendall(pickle.dumps((0, "pong"), 5) + END)
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
' "$1" &
	on_exit "kill $! 2>/dev/null"
	wait_until 5 test -S "$1" || fail "the fake fail2ban did not start"
}

# mc.ini with a [fail2ban] client that leaves $WORK/client-ran behind, a
# fail2ban configuration directory holding what jail mc-test names, and a
# fail2ban answering on the socket.
client_ini() { # INI
	local f2b=$WORK/db/fail2ban
	mkdir -p "$f2b/filter.d" "$f2b/action.d"
	: >"$f2b/filter.d/mc-exim-filter.conf"
	: >"$f2b/action.d/mc-custom.conf"
	# The jail's log is there: a jail file never names a missing log.
	: >"$WORK/mc-test.log"
	sql "UPDATE fail2ban_jail SET logpath = '$WORK/mc-test.log'
		WHERE name = 'mc-test'"
	printf '#!/bin/sh\ntouch %s/client-ran\n' "$WORK" >"$WORK/client"
	chmod 755 "$WORK/client"
	rm -f "$WORK/client-ran"
	sed "/^\[fail2ban\]/a client = $WORK/client" "$WORK/mc.ini" >"$1"
	chmod 600 "$1"
	fake_fail2ban "$f2b/fail2ban.sock"
}

jail_table_state() {
	sql "SELECT COALESCE(SUM(CRC32(CONCAT_WS('|', name, enabled, maxretry,
		findtime, bantime, port, filter, banaction, logpath,
		max_count))), 0) FROM fail2ban_jail"
}

# jail enable -j mc-test with INI: refused by the configuration, for WHY.
expect_config_refused() { # INI WHY
	local ips jails
	ips=$(table_state)
	jails=$(jail_table_state)
	timeout 20 "$MC_F2B" -c "$1" jail enable -j mc-test >/dev/null 2>"$WORK/e"
	local status=$?
	[ ! -e "$WORK/client-ran" ] || fail "[fail2ban] client was run (exit $status: $(cat "$WORK/e"))"
	assert_eq "$status" 2 "exit status ($(cat "$WORK/e"))"
	assert_eq "$(wc -l <"$WORK/e")" 1 "lines on stderr"
	grep -q "configuration: .*$2" "$WORK/e" || fail "reason: $(cat "$WORK/e")"
	assert_eq "$(table_state)" "$ips" "fail2ban_ips"
	assert_eq "$(jail_table_state)" "$jails" "fail2ban_jail"
}

# The same configuration, safe: the client runs (so the refusals above are
# the configuration's, not the harness's).
expect_client_runs() { # INI
	timeout 20 "$MC_F2B" -c "$1" jail enable -j mc-test >/dev/null 2>"$WORK/e"
	[ -e "$WORK/client-ran" ] || fail "client not run: $(cat "$WORK/e")"
}

test_group_writable_configuration_is_refused() {
	client_ini "$WORK/client.ini"
	# The password is in password_file, private; the file itself is not.
	chmod 664 "$WORK/client.ini"
	expect_config_refused "$WORK/client.ini" "writable by group or others"
	chmod 600 "$WORK/client.ini"
	expect_client_runs "$WORK/client.ini"
}

test_configuration_in_a_world_writable_directory_is_refused() {
	mkdir -p "$WORK/open"
	chmod 777 "$WORK/open"
	client_ini "$WORK/open/client.ini"
	expect_config_refused "$WORK/open/client.ini" "directory $WORK/open is writable"
	chmod 1777 "$WORK/open"
	expect_client_runs "$WORK/open/client.ini"
	rm -rf "$WORK/open"
}

test_configuration_that_is_a_symlink_is_refused() {
	client_ini "$WORK/client.ini"
	ln -sf "$WORK/client.ini" "$WORK/link.ini"
	expect_config_refused "$WORK/link.ini" "symbolic link"
	expect_client_runs "$WORK/client.ini"
}
