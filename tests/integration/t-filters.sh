# t-filters.sh - the shipped fail2ban filters (filter.d/) against their
# sample logs (tests/filters/NAME/, format in tests/filters/README.md), run
# through fail2ban's own fail2ban-regex, so with each filter's datepattern.
#
# fail2ban-regex -o ip LOG FILTER prints one address per matched line and
# nothing for a line that matches nothing (or is ignored), and exits 0 either
# way; a filter that does not load makes it exit 255.  Beware: a LOG path
# that does not exist is taken for a log line, so the files are checked
# first.  Like fail2ban-regex, these tests skip empty lines and lines that
# start with "#" in the sample files.

flt_conf() { # NAME: the filter file
	printf '%s/filter.d/%s.conf' "$(cd "$here/../.." && pwd)" "$1"
}

flt_dir() { # NAME: its sample directory
	printf '%s/filters/%s' "$(cd "$here/.." && pwd)" "$1"
}

# The lines fail2ban-regex reads from FILE, as "LINENO<TAB>TEXT".
flt_lines() { # FILE
	awk '!/^#/ && $0 != "" { printf "%d\t%s\n", NR, $0 }' "$1"
}

# fail2ban-regex -o ip, which must succeed; its output goes to stdout.  (It
# reports a broken filter on its standard output, so that is kept aside.)
flt_regex() { # LOGFILE CONF
	[ -f "$1" ] || fail "no log file $1" >&2
	fail2ban-regex -o ip "$1" "$2" >"$WORK/flt.out" 2>&1 ||
		fail "fail2ban-regex $1 $2 failed: $(cat "$WORK/flt.out")" >&2
	cat "$WORK/flt.out"
}

# For each "LINENO<TAB>TEXT" record of LINES, run fail2ban-regex on that line
# alone and print one complaint for every line whose addresses differ from
# the corresponding line of WANT (empty WANT: no address at all).
flt_each_line() { # CONF WHAT LINES [WANT]
	local conf=$1 what=$2 lines=$3 want=${4:-} rec n=0 lineno text exp got
	while IFS= read -r rec; do
		n=$((n + 1))
		lineno=${rec%%$'\t'*}
		text=${rec#*$'\t'}
		exp=
		[ -n "$want" ] && exp=$(sed -n "${n}p" "$want")
		printf '%s\n' "$text" >"$WORK/flt-one.log"
		got=$(flt_regex "$WORK/flt-one.log" "$conf" | paste -sd ' ')
		[ "$got" == "$exp" ] ||
			printf '%s line %s: expected %s, got %s: %s\n' "$what" "$lineno" \
				"${exp:-no match}" "${got:-no match}" "$text"
	done <"$lines"
}

# Every line of match.log gives exactly the address on its line of
# match.hosts, and no line of nomatch.log gives anything.
flt_check() { # NAME
	local name=$1 conf dir f n_log n_hosts errors
	conf=$(flt_conf "$name")
	dir=$(flt_dir "$name")
	[ -f "$conf" ] || fail "no filter $conf"
	for f in match.log match.hosts nomatch.log; do
		[ -f "$dir/$f" ] || fail "no sample file $dir/$f"
	done

	flt_lines "$dir/match.log" >"$WORK/flt-match.lines"
	flt_lines "$dir/match.hosts" | cut -f2- >"$WORK/flt-match.want"
	n_log=$(wc -l <"$WORK/flt-match.lines")
	n_hosts=$(wc -l <"$WORK/flt-match.want")
	[ "$n_log" -gt 0 ] || fail "$name: match.log has no lines"
	assert_eq "$n_hosts" "$n_log" "$name: addresses in match.hosts, one per line of match.log"

	# One run over the whole file; only on a difference, one run per line
	# to say which lines are wrong.
	cut -f2- "$WORK/flt-match.lines" >"$WORK/flt-match.log"
	flt_regex "$WORK/flt-match.log" "$conf" >"$WORK/flt-match.got" || exit 1
	if ! cmp -s "$WORK/flt-match.got" "$WORK/flt-match.want"; then
		errors=$(flt_each_line "$conf" "$name match.log" \
			"$WORK/flt-match.lines" "$WORK/flt-match.want")
		fail "$name: match.log did not give the addresses of match.hosts" \
			"(got $(wc -l <"$WORK/flt-match.got") for $n_log lines)${errors:+:$'\n'$errors}"
	fi

	flt_lines "$dir/nomatch.log" >"$WORK/flt-nomatch.lines"
	[ -s "$WORK/flt-nomatch.lines" ] || fail "$name: nomatch.log has no lines"
	flt_regex "$dir/nomatch.log" "$conf" >"$WORK/flt-nomatch.got" || exit 1
	if [ -s "$WORK/flt-nomatch.got" ]; then
		errors=$(flt_each_line "$conf" "$name nomatch.log" "$WORK/flt-nomatch.lines")
		fail "$name: nomatch.log matched $(paste -sd ' ' "$WORK/flt-nomatch.got")${errors:+:$'\n'$errors}"
	fi
}

test_filter_mc_exim_matches_exactly() {
	flt_check mc-exim-filter
}

test_filter_mc_webauth_matches_exactly() {
	flt_check mc-webauth-filter
}

# Each filter loads in fail2ban (fail2ban-regex exits 255 on a filter it
# cannot read or compile) and finds the address of one line, the date read
# by the filter's own datepattern.
test_filters_load_in_fail2ban() {
	local name conf line out
	for name in mc-exim-filter mc-webauth-filter; do
		conf=$(flt_conf "$name")
		[ -f "$conf" ] || fail "no filter $conf"
		line=$(flt_lines "$(flt_dir "$name")/match.log" | head -n 1 | cut -f2-)
		[ -n "$line" ] || fail "$name: no sample line"
		out=$(fail2ban-regex "$line" "$conf" 2>&1) ||
			fail "$name does not load: $out"
		grep -q '^Lines: 1 lines, 0 ignored, 1 matched, 0 missed' <<<"$out" ||
			fail "$name did not match its first sample line: $out"
		grep -q '^|  \[1\] ' <<<"$out" ||
			fail "$name: the line's date was not found by the datepattern: $out"
	done
}

# The samples use documentation addresses only (RFC 5737, RFC 3849): every
# expected address, and every IPv4 address anywhere in the sample logs.
test_filter_samples_use_documentation_addresses() {
	local dir addr bad=
	dir=$(cd "$here/../filters" && pwd)
	for addr in $(grep -hv -e '^#' -e '^$' "$dir"/*/match.hosts) \
		$(grep -hoE '(^|[^0-9.])[0-9]{1,3}(\.[0-9]{1,3}){3}($|[^0-9.])' "$dir"/*/*.log |
			grep -oE '[0-9.]+'); do
		case $addr in
		192.0.2.* | 198.51.100.* | 203.0.113.* | 2001:db8:*) ;;
		*) bad="$bad $addr" ;;
		esac
	done
	[ -z "$bad" ] || fail "not documentation addresses:$bad"
	# 198.51.100.66 is the address attackers try to frame (README.md).
	! grep -qx '198\.51\.100\.66' "$dir"/*/match.hosts ||
		fail "198.51.100.66 is expected from a match.log"
}
