# lib.sh - what the benchmarks share: a private fail2ban-server outside
# any network namespace (the benchmarks' jails block nothing), quiet, with
# its database in memory so that its own disk writes stay out of the
# timings; and the opening every benchmark shares.  Source it after
# tests/lib/services.sh.
#
#   bench_options USAGE ARGS...
#                   parse the command line ARGS against USAGE, the options
#                   of the script's usage line ('[--rounds N] [--profile]
#                   [--build DIR]', say): "--NAME VALUE" sets the variable
#                   NAME, a flag "--NAME" sets it to 1 (their defaults are
#                   the script's assignments before the call).  A function
#                   bench_option_NAME, when the script defines one, takes
#                   the VALUE instead, in the order given; it also makes
#                   --NAME VALUE an option the usage line does not show.
#                   Anything else prints "usage: SCRIPT USAGE" and exits 2
#   bench_workdir NAME
#                   make a temporary directory /tmp/mc-f2b-NAME.XXXXXX, in
#                   $work, and when the script exits (trap EXIT) run
#                   what bench_at_exit was given, stop the fail2ban-servers
#                   (bench_f2b_start) and mariadbds (mdb_start) started in
#                   $work or a directory of it, and remove it
#   bench_at_exit COMMAND...
#                   one more thing to do first at the exit (end a helper
#                   process the script started), after those given before
#   bench_f2b_start DIR JAIL_CONF [OWN_JAIL]
#                   write DIR/fail2ban.conf and DIR/jail.conf (the text
#                   given, after a [DEFAULT] with the polling backend), start
#                   fail2ban-server on DIR and wait until it answers; with
#                   OWN_JAIL the text goes to jail.d/mc-f2b-OWN_JAIL.conf
#                   instead, where mc-f2b writes the jails it owns (sync
#                   acts only on jails that are mc-f2b's or run its action)
#   bench_f2b_stop DIR
#                   stop it, if it was started, and wait

bench_options() {
	local usage=$1 name
	shift
	while [ $# -gt 0 ]; do
		name=${1#--}
		case " $usage " in
		*" [$1] "*)
			printf -v "$name" 1
			shift
			continue
			;;
		*" [$1 "[A-Z]*)
			;;
		*)
			if [ "$name" == "$1" ] || ! declare -F "bench_option_$name" >/dev/null; then
				echo "usage: $0 $usage" >&2
				exit 2
			fi
			;;
		esac
		if declare -F "bench_option_$name" >/dev/null; then
			"bench_option_$name" "$2"
		else
			printf -v "$name" '%s' "$2"
		fi
		shift 2
	done
}

bench_workdir() {
	work=$(mktemp -d "/tmp/mc-f2b-$1.XXXXXX") || exit 1
	BENCH_AT_EXIT=()
	trap bench_cleanup EXIT
}

bench_at_exit() {
	BENCH_AT_EXIT+=("$*")
}

bench_cleanup() {
	local c f
	for c in "${BENCH_AT_EXIT[@]}"; do
		eval "$c"
	done
	for f in "$work"/server.pid "$work"/*/server.pid; do
		[ -f "$f" ] && bench_f2b_stop "${f%/server.pid}"
	done
	for f in "$work"/*/mysqld.launcher; do
		[ -f "$f" ] && mdb_stop "${f%/mysqld.launcher}"
	done
	rm -rf "$work"
}

bench_f2b_start() {
	local dir=$1 jails=$2 own=${3:-} i
	mkdir -p "$dir/jail.d"
	cat >"$dir/fail2ban.conf" <<CONF
[Definition]
loglevel = ERROR
logtarget = $dir/fail2ban.log
socket = $dir/fail2ban.sock
pidfile = $dir/fail2ban.pid
dbfile = :memory:
allowipv6 = auto
syslogsocket = auto
CONF
	if [ -n "$own" ]; then
		printf '[DEFAULT]\nbackend = polling\n' >"$dir/jail.conf"
		printf '%s\n' "$jails" >"$dir/jail.d/mc-f2b-$own.conf"
	else
		printf '[DEFAULT]\nbackend = polling\n%s\n' "$jails" >"$dir/jail.conf"
	fi
	fail2ban-server -f -x -c "$dir" </dev/null >/dev/null 2>&1 &
	echo $! >"$dir/server.pid"
	f2b_wait_answering "$dir"
}

# No network namespace to remove here: only the server.
bench_f2b_stop() {
	f2b_end_server "$1"
}

# bench_summary MEASURE VALUE BASELINE RATIO [BAR]
#                 one row of tests/bench/run's table, appended to the file
#                 $BENCH_SUMMARY names (nothing when it is unset): what was
#                 measured, its median with its unit, the baseline it was
#                 interleaved with, the ratio of the medians, and the ratio
#                 the project aims to stay within, if any
bench_summary() {
	[ -n "${BENCH_SUMMARY:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$BENCH_SUMMARY"
}
