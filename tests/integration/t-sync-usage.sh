# t-sync-usage.sh - the sync verb's refusals, and its one failure when no
# fail2ban runs: no fail2ban-server needed.

test_sync_refusals() {
	expect_refusal 2 sync --interval 0
	expect_refusal 2 sync --interval many
	expect_refusal 2 sync --bogus
	expect_refusal 2 sync extra
}

test_sync_without_fail2ban_fails_once() {
	mc sync --once
	assert_eq "$rc" 1 "exit status"
	case $err in *"not running"*) ;; *) fail "message: $err" ;; esac
}
