# t-handoff.sh - while the sync loop runs, a ban is handed to its child,
# which applies it on the connection it keeps (handoff.h); with nobody
# there, or nobody answering, the action applies or spools it itself, and
# whatever dies when, no event is lost or counted twice.
# suite: e2e

# The loop, on CONFIG (default the test's), with its log in
# $WORK/handoff.log; waits until its hand-off server listens.  LOOP is its
# process.
handoff_loop() { # [CONFIG]
	local ini=${1:-$WORK/mc.ini}
	"$MC_F2B" -c "$ini" -v sync --interval-ms 100 2>>"$WORK/handoff.log" &
	LOOP=$!
	echo "$LOOP" >"$WORK/loop.pid"
	on_exit "kill $LOOP 2>/dev/null; wait $LOOP 2>/dev/null"
	eventually "the hand-off server" handoff_server >/dev/null
}

# The hand-off server: the loop's child (the loop's other children, the
# detached processes that tell fail2ban, are gone in a new session).
handoff_server() {
	pgrep -P "$LOOP" -x mc-f2b | head -1 | grep .
}

# A ban in mc-exim under strace, its connect() calls in TRACE; it must
# succeed.
handoff_traced() { # TRACE INI IP [ARGS...]
	local trace=$1 ini=$2 ip=$3
	shift 3
	strace -f -qq -e trace=connect -o "$trace" \
		"$MC_F2B" -c "$ini" ban -j mc-exim -i "$ip" "$@" 2>"$WORK/stderr" ||
		fail "the ban of $ip: $(cat "$WORK/stderr")"
}

# The connect() calls of one run of mc-f2b (strace), to show whether it
# reached the master's socket itself.
handoff_connects() { # TRACE
	grep -c 'connect(.*mysqld.sock' "$1"
}

# One request LINE written to the loop's socket as a process of this node
# could; prints the first word of the answer.
handoff_raw() { # LINE
	python3 - "$WORK/db/spool/handoff" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode("utf-8", "surrogateescape"))
try:
    print(s.recv(4096).decode(errors="replace").split("\t")[0] or "(nothing)")
except ConnectionError:
    print("(nothing)")
PY
}

handoff_events() { # IP
	sql "SELECT COUNT(*) FROM fail2ban_events WHERE ip = '$1' AND what = 'banned'"
}

test_handoff_applies_a_ban_on_the_loops_connection() {
	handoff_loop
	handoff_traced "$WORK/ban.trace" "$WORK/mc.ini" 203.0.113.70 \
		--failures 4 --bantime 600
	assert_eq "$(row mc-exim 203.0.113.70)" "1,1,0,0" "the row"
	assert_eq "$(handoff_connects "$WORK/ban.trace")" 0 "the action's own connections to the master"
	grep -q 'connect(.*/handoff' "$WORK/ban.trace" || fail "the action did not reach the loop"
	eventually "the loop's word of it" grep -q \
		"ban 203.0.113.70 in mc-exim: first ban (count 1)" "$WORK/handoff.log"
	# The history names the action, with fail2ban's numbers, as ever.
	assert_eq "$(sql "SELECT CONCAT_WS(',', what, source, failures, bantime)
		FROM fail2ban_events WHERE ip = '203.0.113.70'")" \
		"banned,fail2ban,4,600" "the event"
	# An unban goes the same way, and a second ban counts once more.
	mc unban -j mc-exim -i 203.0.113.70
	assert_eq "$rc" 0 "unban ($err)"
	mc ban -j mc-exim -i 203.0.113.70
	assert_eq "$(row mc-exim 203.0.113.70)" "2,1,0,0" "after unban and ban"
}

test_handoff_refusals_reach_the_action() {
	handoff_loop
	local before
	before=$(table_state)
	expect_refusal 2 ban -j no-such-jail -i 203.0.113.71
	case $err in *"unknown jail 'no-such-jail'"*) ;; *) fail "the refusal: $err" ;; esac
	assert_eq "$(table_state)" "$before" "what a refusal wrote"
	# An address of this node: refused by the action before any hand-off.
	mc ban -j mc-exim -i 127.0.0.1
	assert_eq "$(row mc-exim 127.0.0.1)" "none" "a node's address"
}

test_handoff_nobody_listening_means_a_direct_ban() {
	handoff_loop
	local server
	server=$(handoff_server)
	kill -STOP "$LOOP"   # so that it starts no other server meanwhile
	kill -KILL "$server"
	on_exit "kill -CONT $LOOP 2>/dev/null"
	test -S "$WORK/db/spool/handoff" || fail "the socket should be left behind"
	handoff_traced "$WORK/direct.trace" "$WORK/mc.ini" 203.0.113.72
	assert_eq "$(row mc-exim 203.0.113.72)" "1,1,0,0" "the row"
	[ "$(handoff_connects "$WORK/direct.trace")" -ge 1 ] || fail "no direct connection"
	kill -CONT "$LOOP"
	eventually "a new server" bash -c "pgrep -P $LOOP -x mc-f2b | grep -vx $server"
	grep -q "hand-off server ended (signal 9): started again" "$WORK/handoff.log" ||
		fail "no word of the server's end"
}

# What fail2ban's actions run (mc-f2b-action) under strace: every
# execve() and connect() of it and of what it runs, in TRACE; $rc, $err.
handoff_front_traced() { # TRACE INI ARGS...
	local trace=$1 ini=$2
	shift 2
	strace -f -qq -e trace=execve,connect,openat -o "$trace" \
		"$MC_F2B_ACTION" -c "$ini" "$@" 2>"$WORK/stderr"
	rc=$?
	err=$(cat "$WORK/stderr")
}

# mc-f2b-action hands fail2ban's ban and unban to the loop on its own: mc-f2b
# is not run, the master not reached, and (built statically, unless a
# sanitizer's runtime is linked in) no shared object is loaded.
test_handoff_mc_f2b_action_hands_a_ban_alone() {
	handoff_loop
	handoff_front_traced "$WORK/front.trace" "$WORK/mc.ini" ban -j mc-exim \
		-i 203.0.113.100 --time 1790000000 --bantime 600 --failures 5 \
		--restored 0 --port 25
	assert_eq "$rc" 0 "the ban ($err)"
	assert_eq "$(row mc-exim 203.0.113.100)" "1,1,0,0" "the row"
	assert_eq "$(grep -c 'execve(' "$WORK/front.trace")" 1 "programs run"
	assert_eq "$(handoff_connects "$WORK/front.trace")" 0 "connections to the master"
	grep -q 'connect(.*/handoff' "$WORK/front.trace" || fail "the loop was not asked"
	if [ -z "$sanitized" ]; then
		assert_eq "$(grep -c 'openat(.*\.so' "$WORK/front.trace")" 0 "shared objects opened"
		# Static, it must not hold the C library's name service,
		# which would load the installed glibc's modules.
		assert_eq "$(nm "$MC_F2B_ACTION" | grep -cE '__nss_|getaddrinfo|getpwnam')" 0 \
			"name service symbols linked in"
	fi
	assert_eq "$(sql "SELECT CONCAT_WS(',', what, source, failures, bantime)
		FROM fail2ban_events WHERE ip = '203.0.113.100'")" \
		"banned,fail2ban,5,600" "the event"
	handoff_front_traced "$WORK/unban.trace" "$WORK/mc.ini" unban -j mc-exim \
		-i 203.0.113.100
	assert_eq "$rc" 0 "the unban ($err)"
	assert_eq "$(row mc-exim 203.0.113.100)" "1,0,0,0" "after the unban"
	assert_eq "$(grep -c 'execve(' "$WORK/unban.trace")" 1 "programs run for the unban"
	# The loop's refusal, said by mc-f2b-action as mc-f2b says it.
	handoff_front_traced "$WORK/refused.trace" "$WORK/mc.ini" ban \
		-j no-such-jail -i 203.0.113.101
	assert_eq "$rc" 2 "an unknown jail ($err)"
	assert_eq "$err" "mc-f2b: ban: unknown jail 'no-such-jail' (no row in fail2ban_jail)" "the line"
	assert_eq "$(grep -c 'execve(' "$WORK/refused.trace")" 1 "programs run for the refusal"
}

# For anything it does not hand off, mc-f2b-action runs the mc-f2b beside
# it with the same arguments: bad input is said in mc-f2b's words, other
# verbs answer as mc-f2b does, and with nobody listening the ban is applied
# on mc-f2b's own connection, the loop not asked a second time.
test_handoff_mc_f2b_action_runs_mc_f2b_for_the_rest() {
	local before direct
	before=$(table_state)
	mc ban -j mc-exim -i 203.0.113.999
	direct=$err
	handoff_front_traced "$WORK/bad.trace" "$WORK/mc.ini" ban -j mc-exim \
		-i 203.0.113.999
	assert_eq "$rc" 2 "a bad address"
	assert_eq "$err" "$direct" "the line, as mc-f2b's"
	assert_eq "$(table_state)" "$before" "what bad input wrote"
	assert_eq "$("$MC_F2B_ACTION" --version)" "$("$MC_F2B" --version)" "--version"
	"$MC_F2B_ACTION" -c "$WORK/mc.ini" ban -j mc-exim --help >"$WORK/front.help"
	"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim --help >"$WORK/mc.help"
	cmp -s "$WORK/front.help" "$WORK/mc.help" || fail "ban --help differs"
	# No loop: mc-f2b applies it, without asking the loop again.
	handoff_front_traced "$WORK/direct.trace" "$WORK/mc.ini" ban -j mc-exim \
		-i 203.0.113.102
	assert_eq "$rc" 0 "the ban ($err)"
	assert_eq "$(row mc-exim 203.0.113.102)" "1,1,0,0" "the row"
	assert_eq "$(grep -c 'execve(.*/mc-f2b"' "$WORK/direct.trace")" 1 "mc-f2b run"
	assert_eq "$(grep -c 'connect(.*/handoff' "$WORK/direct.trace")" 1 "the loop asked"
	[ "$(handoff_connects "$WORK/direct.trace")" -ge 1 ] || fail "no direct connection"
	# A person's ban is mc-f2b's too (no local fail2ban here: it fails
	# there, after the row is written, as mc-f2b's own).
	mc ban --f2b-call -j mc-exim -i 203.0.113.103
	direct=$rc
	"$MC_F2B_ACTION" -c "$WORK/mc.ini" ban --f2b-call -j mc-exim \
		-i 203.0.113.104 2>/dev/null
	assert_eq "$?" "$direct" "a person's ban, its exit status"
	assert_eq "$(row mc-exim 203.0.113.104)" "$(row mc-exim 203.0.113.103)" "its row"
}

# A loop that does not answer in time: mc-f2b-action passes that on, and
# mc-f2b spools at once, without a second wait (which would double the time
# fail2ban's lock is held).
test_handoff_mc_f2b_action_passes_a_time_out_on() {
	sed 's|^database = .*|&\nconnect_timeout_ms = 500\nquery_timeout_ms = 500|' \
		"$WORK/mc.ini" >"$WORK/held.ini"
	chmod 600 "$WORK/held.ini"
	handoff_loop "$WORK/held.ini"
	local server start took
	server=$(handoff_server)
	kill -STOP "$server"
	on_exit "kill -CONT $server 2>/dev/null"
	start=$(date +%s%N)
	timeout 30 "$MC_F2B_ACTION" -c "$WORK/held.ini" ban -j mc-exim \
		-i 203.0.113.105 2>"$WORK/stderr"
	rc=$?
	took=$((($(date +%s%N) - start) / 1000000))
	err=$(cat "$WORK/stderr")
	assert_eq "$rc" 0 "the ban ($err)"
	case $err in *"did not answer within 2500 ms"*"spooled"*) ;; *) fail "the reason: $err" ;; esac
	[ "$took" -ge 2500 ] && [ "$took" -lt 4500 ] || fail "the ban took $took ms"
	assert_eq "$("$MC_F2B" -c "$WORK/held.ini" spool list | tail -n +2 | grep -c 203.0.113.105)" 1 "spooled"
	kill -CONT "$server"
	eventually "the spool replayed" bash -c "[ \"\$('$MC_F2B' -c '$WORK/held.ini' spool list | tail -n +2 | grep -c .)\" == 0 ]"
	assert_eq "$(row mc-exim 203.0.113.105)" "1,1,0,0" "the row, counted once"
}

test_handoff_serves_only_the_loops_own_configuration() {
	handoff_loop
	# The same text in another file: another configuration, applied by
	# the action itself.
	cp "$WORK/mc.ini" "$WORK/other.ini"
	handoff_traced "$WORK/other.trace" "$WORK/other.ini" 203.0.113.73
	assert_eq "$(row mc-exim 203.0.113.73)" "1,1,0,0" "the row"
	grep -q 'connect(.*/handoff' "$WORK/other.trace" || fail "the loop was not asked"
	[ "$(handoff_connects "$WORK/other.trace")" -ge 1 ] || fail "no direct connection"
	# The loop's own file, changed since the loop read it: the same.
	printf '\n' >>"$WORK/mc.ini"
	handoff_traced "$WORK/changed.trace" "$WORK/mc.ini" 203.0.113.74
	assert_eq "$(row mc-exim 203.0.113.74)" "1,1,0,0" "the row"
	[ "$(handoff_connects "$WORK/changed.trace")" -ge 1 ] || fail "no direct connection"
	grep -q "203.0.113.7[34]" "$WORK/handoff.log" && fail "the loop applied one of them"
	return 0
}

# The action asks the loop before it reads its file in full: it opens the
# file (with the same checks) and, with the same checks, the password file
# it names, which it does not read; nothing else of the node's, neither
# the spool's nodes, outage note or events, which the loop looks at
# instead.
test_handoff_the_action_only_glances_at_its_file() {
	handoff_loop
	strace -f -qq -e trace=open,openat,stat,newfstatat,lstat,access,connect,read,close \
		-o "$WORK/glance.trace" "$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim \
		-i 203.0.113.88 2>"$WORK/stderr" || fail "the ban: $(cat "$WORK/stderr")"
	assert_eq "$(row mc-exim 203.0.113.88)" "1,1,0,0" "the row"
	assert_eq "$(grep -c 'open.*mc\.ini"' "$WORK/glance.trace")" 1 "the file's openings"
	local seen reads
	seen=$(grep -E '"[^"]*/(nodes|outage|events)"|mysqld\.sock' "$WORK/glance.trace")
	assert_eq "$seen" "" "what else the action looked at"
	assert_eq "$(grep -c 'open.*/password"' "$WORK/glance.trace")" 1 "the password file's openings"
	# Between its opening and its closing, nothing read from it.
	reads=$(awk '/open.*\/password".* = [0-9]+$/ {fd = $NF; on = 1; next}
		on && $0 ~ "close\\(" fd "\\)" {on = 0}
		on && $0 ~ "read\\(" fd "," {n++} END {print n + 0}' "$WORK/glance.trace")
	assert_eq "$reads" 0 "reads of the password file"
	eventually "the loop's word of it" grep -q \
		"ban 203.0.113.88 in mc-exim: first ban" "$WORK/handoff.log"
}

# The password file is the action's to check still (the loop read it at
# its start): made loose while the loop runs, a ban is refused in one line
# and nothing is written, as without the loop.
test_handoff_a_loose_password_file_is_still_refused() {
	handoff_loop
	mc ban -j mc-exim -i 203.0.113.90
	assert_eq "$(row mc-exim 203.0.113.90)" "1,1,0,0" "a ban before"
	chmod 644 "$WORK/db/password"
	on_exit "chmod 600 '$WORK/db/password'"
	mc ban -j mc-exim -i 203.0.113.91
	assert_eq "$rc" 2 "the ban with a loose password file ($err)"
	assert_eq "$(printf '%s\n' "$err" | grep -c .)" 1 "lines said"
	case $err in *password*) ;; *) fail "the reason: $err" ;; esac
	assert_eq "$(row mc-exim 203.0.113.91)" "none" "the row"
	chmod 600 "$WORK/db/password"
	mc ban -j mc-exim -i 203.0.113.91
	assert_eq "$(row mc-exim 203.0.113.91)" "1,1,0,0" "once private again"
}

# The nodes are the loop's to check, as they are when the ban comes: a
# list the loop stored after its server started (at a round that read
# MailCleaner's tables again, here written as it writes it) is the one
# that counts.  The request's node name is not taken either: the row is
# the loop's node's.
test_handoff_the_loop_checks_what_the_action_did_not() {
	handoff_loop
	mc ban -j mc-exim -i 198.51.100.76
	assert_eq "$(row mc-exim 198.51.100.76)" "1,1,0,0" "a ban before"
	printf 'mc-f2b nodes 1\n127.0.0.1\n198.51.100.77\n' >"$WORK/nodes.new"
	chmod 600 "$WORK/nodes.new"
	mv "$WORK/nodes.new" "$WORK/db/spool/nodes"
	mc ban -j mc-exim -i 198.51.100.77
	assert_eq "$rc" 0 "a node's ban ($err)"
	case $err in *"198.51.100.77 in mc-exim refused: an address of this cluster's nodes"*) ;;
		*) fail "the action's word of it: $err" ;; esac
	assert_eq "$(row mc-exim 198.51.100.77)" "none" "the node's row"
	local id
	id=$(stat -c '%d:%i:%s:%.9Z' "$WORK/mc.ini")
	assert_eq "$(handoff_raw "mc-f2b-handoff 1"$'\t'"$id"$'\tfail2ban\t-\t1\tban\tmc-exim\t203.0.113.89\tnode-z\t1\t0\t600\t3\t0\n')" \
		"done" "a request naming another node"
	assert_eq "$(sql "SELECT host FROM fail2ban_ips WHERE ip = '203.0.113.89'")" \
		"node-a" "the row's node"
}

# What a process of this node's may send is still input: junk, a line too
# long, a hostile field are dropped or sent back, nothing is written, and
# the server goes on serving.
test_handoff_hostile_requests_write_nothing() {
	handoff_loop
	local before
	before=$(table_state)
	assert_eq "$(handoff_raw $'junk\n')" "direct" "junk"
	assert_eq "$(handoff_raw "$(printf 'x%.0s' $(seq 1 2000))")" "(nothing)" "a line too long"
	assert_eq "$(handoff_raw $'mc-f2b-handoff 1\t1:2:3:4.5\tfail2ban\t-\t1\tban\tmc-exim\t203.0.113.75\tnode-a\t1\t0\t600\t3\t0\n')" \
		"direct" "another configuration's identity"
	assert_eq "$(handoff_raw $'mc-f2b-handoff 1\t1:2\tFAIL2BAN;DROP\t-\t1\tban\tmc-exim\t203.0.113.75\tnode-a\t1\t0\t600\t3\t0\n')" \
		"direct" "a hostile actor"
	assert_eq "$(handoff_raw $'mc-f2b-handoff 1\t1:2\tfail2ban\t-\t1\tban\tmc-exim\t203.0.113.075\tnode-a\t1\t0\t600\t3\t0\n')" \
		"direct" "an address not in canonical form"
	assert_eq "$(handoff_raw $'mc-f2b-handoff 1\t1:2\tfail2ban\tp:25;rm\t1\tban\tmc-exim\t203.0.113.75\tnode-a\t1\t0\t600\t3\t0\n')" \
		"direct" "a hostile port"
	assert_eq "$(table_state)" "$before" "what the requests wrote"
	mc ban -j mc-exim -i 203.0.113.76
	assert_eq "$(row mc-exim 203.0.113.76)" "1,1,0,0" "a ban after them"
	grep -q "ban 203.0.113.76 in mc-exim: first ban" "$WORK/handoff.log" ||
		fail "the server stopped serving"
}

# A server held (a master that hangs would hold it the same way): the
# action waits connect_timeout_ms + 2 x query_timeout_ms + 1 s, notes the
# outage and spools; the server, once free, drops the request whose
# client gave up, and the replay applies it once.
test_handoff_a_server_that_does_not_answer_means_the_spool() {
	sed 's|^database = .*|&\nconnect_timeout_ms = 500\nquery_timeout_ms = 500|' \
		"$WORK/mc.ini" >"$WORK/held.ini"
	chmod 600 "$WORK/held.ini"
	handoff_loop "$WORK/held.ini"
	local server start took
	server=$(handoff_server)
	kill -STOP "$server"
	on_exit "kill -CONT $server 2>/dev/null"
	start=$(date +%s%N)
	mc_with "$WORK/held.ini" ban -j mc-exim -i 203.0.113.77
	took=$((($(date +%s%N) - start) / 1000000))
	assert_eq "$rc" 0 "the ban ($err)"
	case $err in *"did not answer within 2500 ms"*"spooled"*) ;; *) fail "the reason: $err" ;; esac
	[ "$took" -ge 2500 ] && [ "$took" -lt 7000 ] || fail "the ban took $took ms"
	[ -e "$WORK/db/spool/outage" ] || fail "the time-out was not noted"
	assert_eq "$("$MC_F2B" -c "$WORK/held.ini" spool list | tail -n +2 | grep -c 203.0.113.77)" 1 "spooled"
	kill -CONT "$server"
	# The server applies what it was sent; the loop replays the spool.
	eventually "the spool replayed" bash -c "[ \"\$('$MC_F2B' -c '$WORK/held.ini' spool list | tail -n +2 | grep -c .)\" == 0 ]"
	assert_eq "$(row mc-exim 203.0.113.77)" "1,1,0,0" "the row, counted once"
	assert_eq "$(handoff_events 203.0.113.77)" 1 "events"
	eventually "the outage's end" test ! -e "$WORK/db/spool/outage"
	eventually "the request given up dropped" grep -q "client gave up" "$WORK/handoff.log"
	# More bans at once than the server's queue holds (64): those past
	# it wait in connect(), no longer than the rest, and spool too.
	local i pids=() failed=0
	kill -STOP "$server"
	start=$(date +%s%N)
	for i in $(seq 1 80); do
		timeout 20 "$MC_F2B" -c "$WORK/held.ini" ban -j mc-exim \
			-i "198.51.100.$i" 2>>"$WORK/queue.err" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
	took=$((($(date +%s%N) - start) / 1000000))
	assert_eq "$failed" 0 "bans that failed ($(sort "$WORK/queue.err" | uniq -c | head -3))"
	[ "$took" -lt 12000 ] || fail "80 bans took $took ms"
	[ "$(grep -c "queue stayed full" "$WORK/queue.err")" -ge 1 ] ||
		fail "no ban waited past the queue"
	kill -CONT "$server"
	eventually "the spool replayed" bash -c "[ \"\$('$MC_F2B' -c '$WORK/held.ini' spool list | tail -n +2 | grep -c .)\" == 0 ]"
	assert_eq "$(sql "SELECT COUNT(*), SUM(count) FROM fail2ban_ips WHERE ip LIKE '198.51.100.%'")" \
		$'80\t80' "rows and counts"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_events WHERE what = 'banned'
		AND ip LIKE '198.51.100.%'")" 80 "events"
}

# A storm of bans through fail2ban's action while the server is killed
# again and again, and the whole loop once: every address recorded once,
# one event each, nothing left in the spool.
test_handoff_killed_mid_storm_loses_and_doubles_nothing() {
	f2b_up
	handoff_loop
	local ips=() i
	for i in $(seq 1 200); do ips+=("198.51.100.$i"); done
	# The server killed every 150 ms, whichever loop runs.
	(
		for i in $(seq 1 15); do
			sleep 0.15
			pkill -KILL -P "$(cat "$WORK/loop.pid")" -x mc-f2b && echo killed >>"$WORK/killer.log"
		done
	) &
	local killer=$!
	on_exit "kill $killer 2>/dev/null"
	f2b "$F2B" set mc-exim banip "${ips[@]:0:100}" >/dev/null &
	local storm=$!
	sleep 1
	# The loop itself, mid-storm: its server goes with it.
	kill -KILL "$LOOP"
	wait "$storm"
	handoff_loop
	f2b "$F2B" set mc-exim banip "${ips[@]:100}" >/dev/null
	wait "$killer"
	assert_eq "$(sql "SELECT COUNT(*), SUM(count), SUM(active) FROM fail2ban_ips
		WHERE jail = 'mc-exim' AND ip LIKE '198.51.100.%'")" $'200\t200\t200' \
		"rows, counts, active"
	assert_eq "$(sql "SELECT COUNT(*), COUNT(DISTINCT ip) FROM fail2ban_events
		WHERE what = 'banned' AND ip LIKE '198.51.100.%'")" $'200\t200' \
		"one event per address"
	assert_eq "$(spooled)" 0 "events left in the spool"
	# At least twice (the loop starts a new server between its rounds,
	# which wait for fail2ban while the storm holds its lock).
	[ "$(grep -c killed "$WORK/killer.log" 2>/dev/null)" -ge 2 ] ||
		fail "the server was killed less than twice"
}

# Racing bans while the loop runs (some handed over, some direct when the
# queue is long): one increment for one address, one blacklisting at the
# edge of max_count, every distinct address recorded.
test_handoff_racing_bans_count_exactly() {
	handoff_loop
	local i pids=()
	mc ban -j mc-exim -i 203.0.113.80
	mc unban -j mc-exim -i 203.0.113.80
	for i in $(seq 1 30); do
		"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i 203.0.113.80 2>>"$WORK/race" &
		pids+=($!)
	done
	wait "${pids[@]}"
	pids=()
	assert_eq "$(row mc-exim 203.0.113.80)" "2,1,0,0" "row after 30 racing bans"
	sql "INSERT INTO fail2ban_ips (ip, count, active, blacklisted, whitelisted,
		jail, host) VALUES ('203.0.113.81', 3, 0, 0, 0, 'mc-exim', 'node-b')"
	for i in $(seq 1 30); do
		"$MC_F2B" -v -c "$WORK/mc.ini" ban -j mc-exim -i 203.0.113.81 2>>"$WORK/race" &
		pids+=($!)
	done
	for i in $(seq 1 60); do
		"$MC_F2B" -c "$WORK/mc.ini" ban -j mc-exim -i "198.51.100.$i" 2>>"$WORK/race" &
		pids+=($!)
	done
	wait "${pids[@]}"
	pids=()
	assert_eq "$(row mc-exim 203.0.113.81)" "4,1,1,0" "the row at the edge"
	assert_eq "$(cat "$WORK/race" "$WORK/handoff.log" | grep -c '203.0.113.81 .*blacklisted')" 1 \
		"bans that blacklisted"
	assert_eq "$(sql "SELECT COUNT(*), SUM(count), SUM(active) FROM fail2ban_ips
		WHERE ip LIKE '198.51.100.%'")" $'60\t60\t60' "rows, counts, active"
	assert_eq "$(sql "SELECT COUNT(*) FROM fail2ban_events WHERE what = 'banned'
		AND ip LIKE '198.51.100.%'")" 60 "events"
	grep -q "ban 198.51.100.* first ban" "$WORK/handoff.log" || fail "none was handed over"
	grep -v blacklisted "$WORK/race" | grep -q . && fail "racing bans complained: $(head -3 "$WORK/race")"
	return 0
}

# The master stopped under the loop's kept connection: the server finds it
# gone, tries a new one, answers "spool" and notes the outage (the next
# bans spool at once, in the action); back, the loop replays it, counted
# once.
test_handoff_master_gone_under_the_loop_spools() {
	handoff_loop
	mc ban -j mc-exim -i 203.0.113.82
	assert_eq "$(row mc-exim 203.0.113.82)" "1,1,0,0" "a ban while all is up"
	# Stopped (reset_db starts it again should this test end before).
	mdb_stop "$WORK/db"
	mc ban -j mc-exim -i 203.0.113.83
	assert_eq "$rc" 0 "a ban with the master down ($err)"
	case $err in *"master unreachable"*"spooled"*) ;; *) fail "the reason: $err" ;; esac
	[ -e "$WORK/db/spool/outage" ] || fail "the server noted no outage"
	mc ban -j mc-exim -i 203.0.113.84
	case $err in *"master out of reach"*"spooled"*) ;; *) fail "the next ban: $err" ;; esac
	mdb_start "$WORK/db" || fail "the master did not start again"
	eventually "the spool replayed by the loop" bash -c \
		"[ \"\$('$MC_F2B' -c '$WORK/mc.ini' spool list)\" == 'spool is empty' ]"
	assert_eq "$(row mc-exim 203.0.113.83),$(row mc-exim 203.0.113.84)" \
		"1,1,0,0,1,1,0,0" "the spooled bans, once each"
	assert_eq "$(handoff_events 203.0.113.83)" 1 "events"
	# And the server serves again, on a new connection.
	mc ban -j mc-exim -i 203.0.113.85
	assert_eq "$(row mc-exim 203.0.113.85)" "1,1,0,0" "a ban after"
	eventually "the loop's word of it" grep -q "ban 203.0.113.85 in mc-exim: first ban" \
		"$WORK/handoff.log"
}

# The server keeps its statements prepared (db_keep_statements): a table
# altered under them (an upgrade's schema install) does not make the next
# ban fail or wait in the spool.
test_handoff_kept_statements_survive_a_schema_change() {
	handoff_loop
	mc ban -j mc-exim -i 203.0.113.86
	mc unban -j mc-exim -i 203.0.113.86
	sql "ALTER TABLE fail2ban_ips ADD COLUMN mc_f2b_test INT NULL;
		ALTER TABLE fail2ban_jail ADD COLUMN mc_f2b_test INT NULL"
	mc ban -j mc-exim -i 203.0.113.86
	assert_eq "$rc" 0 "a ban after the change ($err)"
	mc ban -j mc-exim -i 203.0.113.87
	sql "ALTER TABLE fail2ban_ips DROP COLUMN mc_f2b_test;
		ALTER TABLE fail2ban_jail DROP COLUMN mc_f2b_test"
	mc unban -j mc-exim -i 203.0.113.87
	mc ban -j mc-exim -i 203.0.113.87
	assert_eq "$(row mc-exim 203.0.113.86),$(row mc-exim 203.0.113.87)" \
		"2,1,0,0,2,1,0,0" "both counted twice"
	assert_eq "$("$MC_F2B" -c "$WORK/mc.ini" spool list)" "spool is empty" "the spool"
	eventually "the loop's word of the last" grep -q \
		"ban 203.0.113.87 in mc-exim: banned again (count 2)" "$WORK/handoff.log"
}

# The loop ends, and takes its server and the socket with it, even when
# the server is held and cannot end on its own.
test_handoff_the_loop_ends_with_a_held_server() {
	handoff_loop
	local server start
	server=$(handoff_server)
	kill -STOP "$server"
	start=$(date +%s)
	kill -TERM "$LOOP"
	timeout 10 tail --pid="$LOOP" -f /dev/null || fail "the loop did not end"
	[ $(($(date +%s) - start)) -le 5 ] || fail "the loop took $(($(date +%s) - start)) s to end"
	kill -0 "$server" 2>/dev/null && fail "the server outlived the loop"
	[ -e "$WORK/db/spool/handoff" ] && fail "the socket outlived the loop"
	return 0
}

# A second loop on the same spool (run by hand beside the service) takes
# the socket's name; when it ends it removes only its own socket, and the
# first listens again at its next round.
test_handoff_a_second_loop_leaves_the_first_serving() {
	handoff_loop
	local first=$LOOP second
	"$MC_F2B" -c "$WORK/mc.ini" -v sync --interval-ms 100 2>>"$WORK/second.log" &
	second=$!
	on_exit "kill $second 2>/dev/null; wait $second 2>/dev/null"
	eventually "the second loop's server" pgrep -P "$second" -x mc-f2b
	mc ban -j mc-exim -i 203.0.113.86
	eventually "the second loop's word of it" grep -q "ban 203.0.113.86 in mc-exim" "$WORK/second.log"
	kill -TERM "$second"
	wait "$second"
	LOOP=$first
	eventually "the first loop listening again" grep -q "socket was removed: listening again" \
		"$WORK/handoff.log"
	mc ban -j mc-exim -i 203.0.113.87
	assert_eq "$(row mc-exim 203.0.113.87)" "1,1,0,0" "the row"
	eventually "the first loop's word of it" grep -q "ban 203.0.113.87 in mc-exim" "$WORK/handoff.log"
}
