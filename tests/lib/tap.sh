# tap.sh - what every test runner here shares: one way to wait for
# something to happen, and one way to count and print results.
#
# Usage: source it (tests/lib/services.sh does), then
#   wait_until SECONDS COMMAND...
#                         run COMMAND every 50 ms until it succeeds: 0 then,
#                         1 when SECONDS went by first; WAITED_MS says how
#                         long it took
#   tap_ok WHAT           print "ok - WHAT" and count it
#   tap_not_ok WHAT [DETAILS]
#                         print "not ok - WHAT", DETAILS indented below it
#                         (TAP's diagnostics), and count it
#   tap_add PASSED FAILED add what a nested runner counted
#   tap_summary [PREFIX]  print "PREFIXN passed, N failed" (the last line
#                         of every runner); its status says whether none
#                         failed

wait_until() { # SECONDS COMMAND...
	local tries=$(($1 * 20)) start
	shift
	start=$(date +%s%N)
	while :; do
		if "$@"; then
			WAITED_MS=$((($(date +%s%N) - start) / 1000000))
			return 0
		fi
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || break
		sleep 0.05
	done
	WAITED_MS=$((($(date +%s%N) - start) / 1000000))
	return 1
}

TAP_PASSED=0
TAP_FAILED=0

tap_ok() { # WHAT
	printf 'ok - %s\n' "$1"
	TAP_PASSED=$((TAP_PASSED + 1))
}

tap_not_ok() { # WHAT [DETAILS]
	printf 'not ok - %s\n' "$1"
	[ -n "${2:-}" ] && sed 's/^/    /' <<<"$2"
	TAP_FAILED=$((TAP_FAILED + 1))
	return 0
}

tap_add() { # PASSED FAILED
	TAP_PASSED=$((TAP_PASSED + ${1:-0}))
	TAP_FAILED=$((TAP_FAILED + ${2:-0}))
}

tap_summary() { # [PREFIX]
	printf '%s%d passed, %d failed\n' "${1:-}" "$TAP_PASSED" "$TAP_FAILED"
	[ "$TAP_FAILED" == 0 ]
}
