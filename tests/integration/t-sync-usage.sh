# t-sync-usage.sh - the sync verb's refusals, and its failure when no
# fail2ban runs: no fail2ban-server needed.

test_sync_refusals() {
	expect_refusal 2 sync --interval 0
	expect_refusal 2 sync --interval many
	expect_refusal 2 sync --interval-ms -1
	expect_refusal 2 sync --interval-ms 3600001
	expect_refusal 2 sync --rounds 0
	expect_refusal 2 sync --rounds 1x
	expect_refusal 2 sync --interval 5 --interval-ms 100
	expect_refusal 2 sync --once --rounds 3
	expect_refusal 2 sync --once --interval 5
	expect_refusal 2 sync --bogus
	expect_refusal 2 sync extra
}

test_sync_without_fail2ban_fails_once() {
	mc sync --once
	assert_eq "$rc" 1 "exit status"
	case $err in *"not running"*) ;; *) fail "message: $err" ;; esac
}

# --rounds: the exit status is the last round's.
test_sync_rounds_report_the_last_round() {
	mc sync --rounds 2 --interval-ms 0
	assert_eq "$rc" 1 "exit status without fail2ban"
	assert_eq "$(grep -c "not running" <<<"$err")" 1 "warnings"
}
