# deps.sh - install what building, testing and the demo need, from Debian's
# packages, when something is missing.  Services that the packages would
# start (mariadb, fail2ban, prometheus, node_exporter) are kept from
# starting: everything here runs on private, throw-away instances.
DEPS=(meson ninja-build pkg-config gcc libc6-dev libmariadb-dev libssl-dev
	zlib1g-dev libiniparser-dev libcmocka-dev mariadb-server mariadb-client
	fail2ban nftables iproute2 python3 strace time valgrind linux-perf
	python3-sqlalchemy python3-pymysql
	# t-metrics.sh: promtool, and node_exporter's textfile collector
	prometheus prometheus-node-exporter curl
	# tests/package/run
	debhelper dpkg-dev build-essential lintian man-db git
	# tests/run sanitize and fuzz; llvm for llvm-symbolizer's readable traces
	clang libclang-rt-14-dev llvm)

install_deps() {
	local missing=() p
	for p in "${DEPS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing: ${missing[*]}"
	local policy=/usr/sbin/policy-rc.d made_policy=
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
	fi
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
	local status=$?
	[ -n "$made_policy" ] && rm -f "$policy"
	return $status
}
