# services.sh - private, throw-away MariaDB servers for the tests, the demo
# and the benchmarks.  Nothing here touches a system service or /etc: every
# file lives under the directory given, and every server started is stopped
# by mdb_stop (callers trap EXIT).
#
# Usage: source it, then
#   mdb_start DIR         start a server with its data and socket in DIR
#   mdb_stop DIR          stop it (and wait)
#   mdb_sql DIR [ARGS]    run the mariadb client as root against it
#   mdb_make_config DIR INI [DATABASE]
#                         create DATABASE (default mc_config), a user for
#                         mc-f2b with a password kept in a 0600 file, and
#                         write an mc-f2b.ini pointing at the server

mdb_socket() { printf '%s/mysqld.sock' "$1"; }

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
	mariadbd --no-defaults --datadir="$dir/data" --socket="$(mdb_socket "$dir")" \
		--pid-file="$dir/mysqld.pid" --skip-networking --user="$(id -un)" \
		--log-error="$dir/error.log" --innodb-buffer-pool-size=64M \
		--innodb-flush-log-at-trx-commit=2 "${extra[@]}" \
		</dev/null >/dev/null 2>&1 &
	echo $! >"$dir/mysqld.launcher"
	local i
	for i in $(seq 1 200); do
		mariadb-admin --no-defaults -uroot -S "$(mdb_socket "$dir")" ping \
			>/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "mariadbd did not start, see $dir/error.log" >&2
	return 1
}

mdb_stop() {
	local dir=$1 pid
	pid=$(cat "$dir/mysqld.launcher" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
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
	umask 077
	printf 'test-password\n' >"$dir/password"
	cat >"$ini" <<INI
[master]
socket = $(mdb_socket "$dir")
user = mcf2b
password_file = $dir/password
database = $database

[node]
name = node-a

[spool]
dir = $dir/spool
INI
	chmod 600 "$ini"
}
