# lib.sh - a small harness for the integration tests.
#
# Each test is a function named test_*, run in its own subshell against the
# private MariaDB started by tests/integration/run; it fails by calling
# fail (or by any assertion below failing).  The tables are emptied and the
# test jails re-created before every test.  The helpers that more than one
# t-*.sh file uses are here: no t-*.sh file relies on another.

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# Run a command when the test's subshell ends, however it ends: servers
# and loops a test starts never outlive it.
ON_EXIT=()
on_exit() {
	ON_EXIT+=("$*")
	trap 'for c in "${ON_EXIT[@]}"; do eval "$c"; done' EXIT
}

assert_eq() { # ACTUAL EXPECTED WHAT
	[ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"
}

# Run mc-f2b with the test configuration; its exit status is kept in $rc and
# its stderr in $err.
mc() {
	local errfile=$WORK/stderr
	"$MC_F2B" -c "$WORK/mc.ini" "$@" 2>"$errfile"
	rc=$?
	err=$(cat "$errfile")
	return 0
}

# Run one mc-f2b with the configuration given; $rc and $err as mc() sets.
# A run that hangs is killed (exit 124) rather than stall the suite.
mc_with() { # INI ARGS...
	local ini=$1
	shift
	timeout 30 "$MC_F2B" -c "$ini" "$@" 2>"$WORK/stderr"
	rc=$?
	err=$(cat "$WORK/stderr")
}

# mc-f2b's standard output.
mc_out() {
	"$MC_F2B" -c "$WORK/mc.ini" "$@" 2>/dev/null
}

# Expect: exit status, then exactly one line on stderr (when status != 0).
expect_refusal() { # STATUS ARGS...
	local want=$1
	shift
	mc "$@"
	[ "$rc" == "$want" ] || fail "mc-f2b $*: exit $rc, expected $want (stderr: $err)"
	[ "$(printf '%s\n' "$err" | wc -l)" == 1 ] && [ -n "$err" ] ||
		fail "mc-f2b $*: expected one line on stderr, got: $err"
}

sql() {
	mdb_sql "$WORK/db" "${DATABASE:-mc_config}" -N -B -e "$1"
}

# count,active,blacklisted,whitelisted of one (jail, ip), or "none".
row() { # JAIL IP
	local r
	r=$(sql "SELECT CONCAT_WS(',', count, active, blacklisted, whitelisted)
		FROM fail2ban_ips WHERE jail = '$1' AND ip = '$2'")
	printf '%s' "${r:-none}"
}

# Everything fail2ban_ips holds, to show that a refusal wrote nothing.
table_state() {
	sql "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', ip, jail, count,
		active, blacklisted, whitelisted, host, last_hit))), 0)
		FROM fail2ban_ips"
}

add_jail() { # NAME MAX_COUNT
	sql "INSERT INTO fail2ban_jail (enabled, name, maxretry, findtime,
		bantime, port, filter, banaction, logpath, max_count)
		VALUES (1, '$1', 3, 600, 600, '25', 'mc-exim-filter',
		'mc-custom', '/var/log/test.log', $2)"
}

# A configuration whose master is out of reach (a socket nobody listens
# on): what a ban meets with the master down, without stopping it.
master_down_ini() {
	sed "s|^socket = .*mysqld.sock|socket = $WORK/no-such.sock|" \
		"$WORK/mc.ini" >"$WORK/down.ini"
	chmod 600 "$WORK/down.ini"
}

# The events spool list shows, without its header line.
spooled() {
	mc_out spool list | tail -n +2 | grep -c .
}

reset_db() {
	# A test that stopped the master and failed before starting it again
	# must not fail every test after it.
	mariadb-admin --no-defaults -uroot -S "$(mdb_socket "$WORK/db")" ping \
		>/dev/null 2>&1 || mdb_start "$WORK/db" || return 1
	rm -rf "$WORK/db/spool" "$WORK/db/fail2ban" &&
		sql "DROP TABLE IF EXISTS fail2ban_ips, fail2ban_jail, fail2ban_conf,
			fail2ban_events" &&
		"$MC_F2B" -c "$WORK/mc.ini" schema install >/dev/null &&
		sql "DELETE FROM fail2ban_jail" &&
		add_jail mc-exim 3 && add_jail mc-test 1 && add_jail mc-nobl 0
}

# --- a node's database account (mc-f2b(8), "The database account") --------

NODE_GRANTS="GRANT SELECT, INSERT, UPDATE ON mc_config.fail2ban_ips TO 'mcnode'@'localhost';
	GRANT SELECT, INSERT, UPDATE ON mc_config.fail2ban_jail TO 'mcnode'@'localhost';
	GRANT SELECT ON mc_config.fail2ban_conf TO 'mcnode'@'localhost';
	GRANT SELECT ON mc_config.fail2ban_events TO 'mcnode'@'localhost';"

# The node account, and node.ini using it; dropped when the test ends (a
# table's grants outlive the table, and reset_db drops tables).  Used by
# t-privileges.sh and t-trust.sh.
node_account() {
	on_exit "sql \"DROP USER IF EXISTS 'mcnode'@'localhost'\""
	sql "DROP USER IF EXISTS 'mcnode'@'localhost';
		CREATE USER 'mcnode'@'localhost' IDENTIFIED BY 'node-password';
		$NODE_GRANTS" || fail "node account"
	(umask 077 && printf 'node-password\n' >"$WORK/node.password")
	sed -e "s|^user = .*|user = mcnode|" \
		-e "s|^password_file = .*|password_file = $WORK/node.password|" \
		"$WORK/mc.ini" >"$WORK/node.ini"
	chmod 600 "$WORK/node.ini"
}

node() { # ARGS... (exit status in $rc, stderr in $err, stdout in $out)
	out=$("$MC_F2B" -c "$WORK/node.ini" "$@" 2>"$WORK/stderr")
	rc=$?
	err=$(<"$WORK/stderr")
}

# --- a test's own fail2ban-server (the e2e suite) ------------------------

# Start this test's fail2ban (tests/lib/services.sh: the test configuration
# in $F2B, its own network namespace); it stops when the test's subshell
# ends.
f2b_up() {
	F2B=$WORK/db/fail2ban
	rm -rf "$F2B"
	f2b_make_conf "$F2B" "$MC_F2B" "$WORK/mc.ini" "$BUILD_DIR" || fail "fail2ban conf"
	# Set before the start: a server that starts but never answers is
	# stopped, and its namespace removed, all the same.
	on_exit f2b_stop "$F2B"
	f2b_start "$F2B" || fail "fail2ban did not start: $(tail -5 "$F2B/fail2ban.log")"
}

# One failure line in the log of jail mc-exim, enough for its maxretry = 1.
attack() { # IP
	printf 'auth failure from %s\n' "$1" >>"$F2B/test.log"
}

# Wait up to 10 s for a command to succeed, else fail.
eventually() { # WHAT COMMAND...
	local what=$1
	shift
	wait_until 10 "$@" || fail "$what did not happen within 10 s"
}

# row_is JAIL IP WANT: the row of (JAIL, IP) is WANT, in row's form.
row_is() { [ "$(row "$1" "$2")" == "$3" ]; }

# banned_in JAIL IP: IP is among the bans of JAIL in the running fail2ban;
# not_banned_in JAIL IP: it is not.
banned_in() { f2b "$F2B" get "$1" banned 2>/dev/null | grep -qF "'$2'"; }
not_banned_in() { ! banned_in "$@"; }

# --- jails the knowledge base's commands create (t-admin*.sh, t-trust.sh) --

# A jail of our own, web, readable by the test configuration's filter.
web_jail() { # [extra jail create options]
	mc jail create --name web --filter test --logpath "$F2B/web.log" \
		--port 80,443 --maxretry 1 --bantime 3600 "$@"
	assert_eq "$rc" 0 "jail create ($err)"
}

# file_has JAIL TEXT: the jail file mc-f2b writes for JAIL holds TEXT.
file_has() { grep -qF -- "$2" "$F2B/jail.d/mc-f2b-$1.conf"; }

# loaded JAIL: the running fail2ban has JAIL; not_loaded JAIL: it has not.
loaded() { f2b "$F2B" status "$1" >/dev/null 2>&1; }
not_loaded() { ! loaded "$1"; }

# fail2ban -t accepts the configuration in $F2B, else fail.
config_loads() { f2b "$F2B" -t >/dev/null 2>&1 || fail "fail2ban -t refuses the configuration"; }

# Each test counted by tap.sh (sourced with services.sh).
run_test() { # FUNCTION
	local name=$1 out=$WORK/out
	if ! reset_db >"$out" 2>&1; then
		tap_not_ok "$name (reset failed)" "$(cat "$out")"
		return
	fi
	if (set -u; "$name") >"$out" 2>&1; then
		tap_ok "$name"
		# A passing test's "# " lines are measurements worth showing.
		grep '^# ' "$out" | sed 's/^/    /'
	else
		tap_not_ok "$name" "$(cat "$out")"
	fi
}

# A TCP port of 127.0.0.1 that nothing listens on now (t-cluster's
# servers, t-metrics' node_exporter).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
