# services.sh - private, throw-away MariaDB servers for the tests, the demo
# and the benchmarks.  Nothing here touches a system service or /etc: every
# file lives under the directory given, and every server started is stopped
# by mdb_stop (callers trap EXIT).
#
# Usage: source it, then
#   mdb_start DIR [OPTION...]
#                         start a server with its data and socket in DIR;
#                         with MDB_PORT set it also listens on
#                         127.0.0.1:MDB_PORT (replication tests)
#   mdb_stop DIR          stop it (and wait)
#   mdb_sql DIR [ARGS]    run the mariadb client as root against it
#   mdb_make_config DIR INI [DATABASE]
#                         create DATABASE (default mc_config), a user for
#                         mc-f2b with a password kept in a 0600 file, and
#                         write an mc-f2b.ini pointing at the server

source "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

mdb_socket() { printf '%s/mysqld.sock' "$1"; }

mdb_answers() { # DIR
	mariadb-admin --no-defaults -uroot -S "$(mdb_socket "$1")" ping \
		>/dev/null 2>&1
}

mdb_start() {
	local dir=$1 extra=("${@:2}")
	mkdir -p "$dir"
	if [ ! -d "$dir/data/mysql" ]; then
		mariadb-install-db --no-defaults --datadir="$dir/data" \
			--auth-root-authentication-method=normal --skip-test-db \
			--user="$(id -un)" >"$dir/install.log" 2>&1 || {
			echo "mariadb-install-db failed, see $dir/install.log" >&2
			return 1
		}
	fi
	# --no-defaults must come first: no system my.cnf is read.
	local network=(--skip-networking)
	[ -n "${MDB_PORT:-}" ] && network=(--port="$MDB_PORT" --bind-address=127.0.0.1)
	mariadbd --no-defaults --datadir="$dir/data" --socket="$(mdb_socket "$dir")" \
		--pid-file="$dir/mysqld.pid" "${network[@]}" --user="$(id -un)" \
		--log-error="$dir/error.log" --innodb-buffer-pool-size=64M \
		--innodb-flush-log-at-trx-commit=2 "${extra[@]}" \
		</dev/null >/dev/null 2>&1 &
	echo $! >"$dir/mysqld.launcher"
	wait_until 10 mdb_answers "$dir" && return 0
	echo "mariadbd did not start, see $dir/error.log" >&2
	return 1
}

gone() { ! kill -0 "$1" 2>/dev/null; }

# Wait up to 30 s for a process to end, then kill it.
wait_gone() { # PID
	wait_until 30 gone "$1" || kill -9 "$1" 2>/dev/null
}

mdb_stop() {
	local dir=$1 pid
	pid=$(cat "$dir/mysqld.launcher" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait_gone "$pid"
	rm -f "$dir/mysqld.launcher"
}

mdb_sql() {
	local dir=$1
	shift
	mariadb --no-defaults -uroot -S "$(mdb_socket "$dir")" "$@"
}

mdb_make_config() {
	local dir=$1 ini=$2 database=${3:-mc_config}
	mdb_sql "$dir" -e "CREATE DATABASE IF NOT EXISTS \`$database\`;
		CREATE USER IF NOT EXISTS 'mcf2b'@'localhost' IDENTIFIED BY 'test-password';
		GRANT ALL ON \`$database\`.* TO 'mcf2b'@'localhost';" || return 1
	(umask 077 && printf 'test-password\n' >"$dir/password")
	chmod 600 "$dir/password"
	cat >"$ini" <<INI
[master]
socket = $(mdb_socket "$dir")
user = mcf2b
password_file = $dir/password
database = $database

[fail2ban]
; a private fail2ban, when a test starts one; never the system's
socket = $dir/fail2ban/fail2ban.sock
config_dir = $dir/fail2ban

[node]
name = node-a

[spool]
dir = $dir/spool
INI
	chmod 600 "$ini"
}

# Private fail2ban servers, each in a network namespace of its own so that
# the nftables rules of mc-custom stay there.
#   f2b_make_conf DIR MC_F2B INI BUILD_DIR   a configuration in DIR whose
#                         jail mc-exim (and mc-test) reads DIR/test.log and
#                         bans through mc-custom with the given mc-f2b
#   f2b_start DIR [NS]    start fail2ban-server on DIR, in a new namespace
#                         NS (default mcf2b-<pid>-<random>); waits until it
#                         answers
#   f2b_stop DIR          stop it and remove the namespace
#   f2b DIR ARGS...       fail2ban-client against it
#   f2b_wait_answering DIR, f2b_end_server DIR
#                         the waiting and stopping that f2b_start and
#                         f2b_stop share with tests/bench/lib.sh

f2b() {
	local dir=$1
	shift
	fail2ban-client -c "$dir" "$@"
}

f2b_answers() { f2b "$1" ping >/dev/null 2>&1; }

f2b_make_conf() {
	local dir=$1 mc=$2 ini=$3 build=$4
	mkdir -p "$dir/action.d" "$dir/filter.d" "$dir/jail.d"
	cp /etc/fail2ban/action.d/nftables.conf "$dir/action.d/"
	cp "$build/action.d/mc-custom.conf" "$build/action.d/mc-record.conf" "$dir/action.d/"
	printf '[Init]\nmc_f2b = %s\nmc_f2b_config = %s\n' "$mc" "$ini" \
		>"$dir/action.d/mc-custom.local"
	cp "$dir/action.d/mc-custom.local" "$dir/action.d/mc-record.local"
	cp "$(dirname "${BASH_SOURCE[0]}")/../../filter.d/mc-none.conf" "$dir/filter.d/"
	cat >"$dir/filter.d/test.conf" <<'CONF'
[Definition]
failregex = ^\s*auth failure from <HOST>$
datepattern = {NONE}
CONF
	cat >"$dir/fail2ban.conf" <<CONF
[Definition]
loglevel = INFO
logtarget = $dir/fail2ban.log
socket = $dir/fail2ban.sock
pidfile = $dir/fail2ban.pid
dbfile = $dir/fail2ban.sqlite3
allowipv6 = auto
syslogsocket = auto
dbpurgeage = 1d
CONF
	: >"$dir/test.log"
	cat >"$dir/jail.conf" <<CONF
[DEFAULT]
backend = polling
maxretry = 1
findtime = 600
bantime = 3600
[mc-exim]
enabled = true
filter = test
logpath = $dir/test.log
action = mc-custom[port="25,465,587"]
CONF
}

f2b_start() {
	local dir=$1 ns=${2:-mcf2b-$$-${RANDOM}}
	ip netns add "$ns" || return 1
	echo "$ns" >"$dir/netns"
	ip netns exec "$ns" fail2ban-server -f -x -c "$dir" </dev/null \
		>>"$dir/server.out" 2>&1 &
	echo $! >"$dir/server.pid"
	f2b_wait_answering "$dir"
}

# The server just started on DIR answers a ping within ten seconds, or the
# start failed.
f2b_wait_answering() {
	local dir=$1
	wait_until 10 f2b_answers "$dir" && return 0
	echo "fail2ban-server did not start, see $dir/fail2ban.log" >&2
	return 1
}

# Stop the server of DIR (politely, else by signal) and wait until it is gone.
f2b_end_server() {
	local dir=$1 pid
	pid=$(cat "$dir/server.pid" 2>/dev/null) || return 0
	f2b "$dir" stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null
	wait_gone "$pid"
	rm -f "$dir/server.pid"
}

f2b_stop() {
	local dir=$1
	[ -f "$dir/server.pid" ] || return 0
	f2b_end_server "$dir"
	ip netns del "$(cat "$dir/netns")" 2>/dev/null
	rm -f "$dir/netns"
}
