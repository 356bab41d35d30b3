# lib.sh - what the benchmarks share: a private fail2ban-server outside
# any network namespace (the benchmarks' jails block nothing), quiet, with
# its database in memory so that its own disk writes stay out of the
# timings.  Source it after tests/lib/services.sh.
#
#   bench_f2b_start DIR JAIL_CONF [OWN_JAIL]
#                   write DIR/fail2ban.conf and DIR/jail.conf (the text
#                   given, after a [DEFAULT] with the polling backend), start
#                   fail2ban-server on DIR and wait until it answers; with
#                   OWN_JAIL the text goes to jail.d/mc-f2b-OWN_JAIL.conf
#                   instead, where mc-f2b writes the jails it owns (sync
#                   acts only on jails that are mc-f2b's or run its action)
#   bench_f2b_stop DIR
#                   stop it, if it was started, and wait

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
