# t-enforce.sh - bans really block: two network namespaces joined by a veth
# pair (documentation addresses, IPv4 and IPv6), a TCP listener and a
# private fail2ban with mc-custom on one side, an attacker on the other.
# suite: e2e

# Can the attacker (source address SRC) open a TCP connection to DST:25?
connects() { # SRC DST
	ip netns exec "$ATT_NS" python3 -c '
import socket, sys
src, dst = sys.argv[1], sys.argv[2]
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM)
s.settimeout(1)
s.bind((src, 0))
try:
    s.connect((dst, 25))
except OSError:
    sys.exit(1)
' "$1" "$2"
}
blocked() { ! connects "$@"; }

setup_namespaces() {
	f2b_up
	sql "UPDATE fail2ban_jail SET filter = 'test', logpath = '$F2B/test.log'
		WHERE name = 'mc-exim'"
	SRV_NS=$(cat "$F2B/netns")
	ATT_NS=mcf2b-att-$$-$RANDOM
	local s=vs$RANDOM a=va$RANDOM
	ip netns add "$ATT_NS" || fail "netns"
	on_exit ip netns del "$ATT_NS"
	ip link add "$s" type veth peer name "$a" || fail "veth"
	ip link set "$s" netns "$SRV_NS"
	ip link set "$a" netns "$ATT_NS"
	ip -n "$SRV_NS" addr add 192.0.2.1/24 dev "$s"
	ip -n "$SRV_NS" addr add 2001:db8:1::1/64 dev "$s" nodad
	ip -n "$ATT_NS" addr add 192.0.2.12/24 dev "$a"
	ip -n "$ATT_NS" addr add 192.0.2.3/24 dev "$a"
	ip -n "$ATT_NS" addr add 2001:db8:1::2/64 dev "$a" nodad
	ip -n "$SRV_NS" link set "$s" up
	ip -n "$ATT_NS" link set "$a" up
	ip -n "$SRV_NS" link set lo up
	ip -n "$ATT_NS" link set lo up
	ip netns exec "$SRV_NS" python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 25))
s.listen(64)
while True:
    s.accept()[0].close()
' &
	on_exit kill $!
	eventually "the listener" connects 192.0.2.12 192.0.2.1
}

test_enforce_bans_blacklists_and_whitelists_really_block() {
	setup_namespaces
	connects 2001:db8:1::2 2001:db8:1::1 || fail "IPv6 path"
	# A ban from the log blocks the attacker, IPv4 and IPv6.
	attack 192.0.2.12
	attack 2001:db8:1::2
	eventually "ban recorded" row_is mc-exim 192.0.2.12 "1,1,0,0"
	eventually "IPv4 blocked" blocked 192.0.2.12 192.0.2.1
	eventually "IPv6 blocked" blocked 2001:db8:1::2 2001:db8:1::1
	connects 192.0.2.3 192.0.2.1 || fail "a neighbour is blocked too"
	# Blacklisted: when the jail's ban ends, mc-exim-bl still blocks.
	mc blacklist add -j mc-exim -i 192.0.2.12
	assert_eq "$rc" 0 "blacklist add ($err)"
	f2b "$F2B" set mc-exim unbanip 192.0.2.12 >/dev/null
	eventually "the jail's ban ended" not_banned_in mc-exim 192.0.2.12
	blocked 192.0.2.12 192.0.2.1 || fail "not blocked by mc-exim-bl"
	# Off the blacklist: it connects again.
	mc blacklist remove -j mc-exim -i 192.0.2.12
	eventually "unblocked" connects 192.0.2.12 192.0.2.1
	# A whitelisted address is never blocked, whatever its log says.
	mc whitelist add -j mc-exim -i 192.0.2.3
	assert_eq "$rc" 0 "whitelist add ($err)"
	attack 192.0.2.3
	attack 192.0.2.3
	sleep 2
	connects 192.0.2.3 192.0.2.1 || fail "a whitelisted address is blocked"
	assert_eq "$(row mc-exim 192.0.2.3)" "0,0,0,1" "the whitelisted row"
}
