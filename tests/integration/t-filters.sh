# t-filters.sh - the shipped fail2ban filters (filter.d/) against their
# sample logs (tests/filters/NAME, format in tests/filters/README.md), run
# through fail2ban's own fail2ban-regex, so with each filter's datepattern.
#
# A sample file says what each line must give on the line before it, as
# fail2ban's own test logs do: "# failJSON: { "match": true, "host": IP }"
# or "# failJSON: { "match": false }".
#
# fail2ban-regex -o ip LOG FILTER prints one address per matched line and
# nothing for a line that matches nothing (or is ignored), and exits 0 either
# way; a filter that does not load makes it exit 255.  Beware: a LOG path
# that does not exist is taken for a log line, so the files are checked
# first.

flt_conf() { # NAME: the filter file
	printf '%s/filter.d/%s.conf' "$(cd "$here/../.." && pwd)" "$1"
}

flt_samples() { # NAME: its sample file
	printf '%s/filters/%s' "$(cd "$here/.." && pwd)" "$1"
}

# Read a sample file into $WORK/flt-match.lines and $WORK/flt-nomatch.lines
# ("LINENO<TAB>TEXT" each) and $WORK/flt-match.want (the address each line
# of flt-match.lines must give).  Fails, saying where, on a sample line
# without its failJSON line or a failJSON line that is not what it must be.
flt_split() { # FILE
	local errors
	[ -f "$1" ] || fail "no sample file $1"
	errors=$(python3 - "$1" "$WORK" <<'PY'
import json, sys

path, work = sys.argv[1], sys.argv[2]
match, want, nomatch, errors = [], [], [], []
expect = None
tag = "# failJSON:"
with open(path, encoding="utf-8", newline="\n") as f:
    text = f.read()
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith(tag):
        if expect is not None:
            errors.append(f"line {n}: a second failJSON line, no sample between")
        try:
            expect = json.loads(line[len(tag):])
        except ValueError as e:
            errors.append(f"line {n}: failJSON is not JSON: {e}")
            expect = None
            continue
        if not isinstance(expect, dict) or \
           not isinstance(expect.get("match"), bool) or \
           (expect["match"] and not isinstance(expect.get("host"), str)):
            errors.append(f'line {n}: failJSON needs "match" (true or '
                          f'false) and, when true, "host"')
            expect = None
        continue
    # fail2ban-regex skips these lines of a log file too.
    if line == "" or line.startswith("#"):
        continue
    if expect is None:
        errors.append(f"line {n}: a sample line without its failJSON line")
        continue
    if expect["match"]:
        match.append(f"{n}\t{line}")
        want.append(expect["host"])
    else:
        nomatch.append(f"{n}\t{line}")
    expect = None
if expect is not None:
    errors.append("the last failJSON line has no sample line after it")
for name, rows in (("flt-match.lines", match), ("flt-match.want", want),
                   ("flt-nomatch.lines", nomatch)):
    with open(f"{work}/{name}", "w", encoding="utf-8") as f:
        f.write("".join(r + "\n" for r in rows))
print("\n".join(errors))
PY
	) || fail "reading $1 failed"
	[ -z "$errors" ] || fail "$1:"$'\n'"$errors"
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

# Every line marked to match gives exactly the address its failJSON names,
# and no line marked not to match gives anything.
flt_check() { # NAME
	local name=$1 conf n_log errors
	conf=$(flt_conf "$name")
	[ -f "$conf" ] || fail "no filter $conf"
	flt_split "$(flt_samples "$name")"
	n_log=$(wc -l <"$WORK/flt-match.lines")
	[ "$n_log" -gt 0 ] || fail "$name: no line is marked to match"

	# One run over every line to match; only on a difference, one run per
	# line to say which lines are wrong.
	cut -f2- "$WORK/flt-match.lines" >"$WORK/flt-match.log"
	flt_regex "$WORK/flt-match.log" "$conf" >"$WORK/flt-match.got" || exit 1
	if ! cmp -s "$WORK/flt-match.got" "$WORK/flt-match.want"; then
		errors=$(flt_each_line "$conf" "$name" \
			"$WORK/flt-match.lines" "$WORK/flt-match.want")
		fail "$name: the lines to match did not give their failJSON hosts" \
			"(got $(wc -l <"$WORK/flt-match.got") for $n_log lines)${errors:+:$'\n'$errors}"
	fi

	[ -s "$WORK/flt-nomatch.lines" ] || fail "$name: no line is marked not to match"
	cut -f2- "$WORK/flt-nomatch.lines" >"$WORK/flt-nomatch.log"
	flt_regex "$WORK/flt-nomatch.log" "$conf" >"$WORK/flt-nomatch.got" || exit 1
	if [ -s "$WORK/flt-nomatch.got" ]; then
		errors=$(flt_each_line "$conf" "$name" "$WORK/flt-nomatch.lines")
		fail "$name: lines marked not to match gave $(paste -sd ' ' "$WORK/flt-nomatch.got")${errors:+:$'\n'$errors}"
	fi
}

test_filter_mc_exim_matches_exactly() {
	flt_check mc-exim-filter
}

test_filter_mc_webauth_matches_exactly() {
	flt_check mc-webauth-filter
}

# The checker itself: a sample line without its failJSON line, a failJSON
# line that is not JSON or says no host for a match, are each refused.
test_filter_samples_must_say_what_they_expect() {
	local bad
	for bad in 'no-expectation line' \
		$'# failJSON: { "match": true }\nline' \
		$'# failJSON: { match: false }\nline' \
		$'# failJSON: { "match": "yes" }\nline' \
		$'# failJSON: { "match": false }'; do
		printf '%s\n' "$bad" >"$WORK/flt-bad"
		if (flt_split "$WORK/flt-bad") 2>/dev/null; then
			fail "accepted a malformed sample file: $bad"
		fi
	done
	printf '# failJSON: { "match": true, "host": "192.0.2.1" }\nline\n' \
		>"$WORK/flt-good"
	(flt_split "$WORK/flt-good") || fail "refused a well-formed sample file"
}

# Each filter loads in fail2ban (fail2ban-regex exits 255 on a filter it
# cannot read or compile) and finds the address of one line, the date read
# by the filter's own datepattern.
test_filters_load_in_fail2ban() {
	local name conf line out
	for name in mc-exim-filter mc-webauth-filter; do
		conf=$(flt_conf "$name")
		[ -f "$conf" ] || fail "no filter $conf"
		flt_split "$(flt_samples "$name")"
		line=$(head -n 1 "$WORK/flt-match.lines" | cut -f2-)
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
	local dir name addr bad= hosts=
	dir=$(cd "$here/../filters" && pwd)
	for name in mc-exim-filter mc-webauth-filter; do
		flt_split "$dir/$name"
		hosts+=" $(paste -sd ' ' "$WORK/flt-match.want")"
	done
	for addr in $hosts \
		$(grep -hoE '(^|[^0-9.])[0-9]{1,3}(\.[0-9]{1,3}){3}($|[^0-9.])' \
			"$dir"/mc-*-filter | grep -oE '[0-9.]+'); do
		case $addr in
		192.0.2.* | 198.51.100.* | 203.0.113.* | 2001:db8:*) ;;
		*) bad="$bad $addr" ;;
		esac
	done
	[ -z "$bad" ] || fail "not documentation addresses:$bad"
	# 198.51.100.66 is the address attackers try to frame (README.md).
	case " $hosts " in
	*" 198.51.100.66 "*) fail "198.51.100.66 is expected from a sample line" ;;
	esac
}
