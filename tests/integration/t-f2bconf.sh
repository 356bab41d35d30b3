# t-f2bconf.sh - which jails fail2ban's own files define, as mc-f2b reads
# them, against fail2ban's own reader on the same files.  A jail fail2ban
# sees and mc-f2b does not would be taken for mc-f2b's: every name of the
# samples must be judged alike by both (jail list's "owned").

# fail2ban's view: the sections its reader makes of config_dir's jail files.
fail2ban_sections() { # DIR
	/usr/bin/python3 -c '
import sys
from fail2ban.client.configreader import ConfigReader
r = ConfigReader()
r.setBaseDir(sys.argv[1])
r.read("jail")
print("\n".join(sorted(s for s in r.sections())))
' "$1"
}

# Files written with every turn of configparser's syntax that a simpler
# reader gets wrong: inline comments, ':' and upper-case keys in
# [INCLUDES], a header after a comment with brackets, Python's white space,
# conditional sections, "\r" line ends, continuation lines.
tricky_configuration() { # DIR
	local d=$1
	mkdir -p "$d/jail.d" "$d/extra"
	printf '%s\n' '# a comment naming [commented]' '[INCLUDES]' \
		'before = paths-x.conf ; the paths' 'after: extra/after.conf' \
		'   more.conf' '[DEFAULT]' 'bantime = 600' '[sshd]' \
		'enabled = false' '  [continued] ; part of the value above' '' \
		'   [still-continued]' '; [semicolon]' \
		'[admin] ; office ssh, see ticket [42]' >"$d/jail.conf"
	printf '\x1c[weird]\n\xc2\xa0[nbsp]\n[cond?family=inet6]\nx = 1\r[crjail]\r\n' \
		>>"$d/jail.conf"
	printf '[paths-jail]\n' >"$d/paths-x.conf"
	printf '[INCLUDES]\nBefore = upper.conf\n[paths-local-jail]\n' >"$d/paths-x.local"
	printf '[upper-jail]\n' >"$d/upper.conf"
	printf '[after-jail]\n' >"$d/extra/after.conf"
	printf '[more-jail]\n' >"$d/more.conf"
	printf '[local-jail]\n' >"$d/jail.local"
	printf '[site]\n' >"$d/jail.d/site.conf"
	printf '[site-local]\n\t[tabbed] ; a header: no option above it\nkey=1\n\t[tabbed-value]\n' \
		>"$d/jail.d/site.local"
}

test_f2bconf_reads_jail_files_as_fail2ban_does() {
	local d=$WORK/db/fail2ban name want got bad=()
	tricky_configuration "$d"
	fail2ban_sections "$d" >"$WORK/f2b-sections" || fail "fail2ban's reader"
	grep -qx admin "$WORK/f2b-sections" || fail "the sample lost its point: $(cat "$WORK/f2b-sections")"
	# Every name either side might see, as a row of its own.
	for name in sshd admin weird nbsp cond crjail paths-jail \
		paths-local-jail upper-jail after-jail more-jail local-jail site \
		site-local commented continued still-continued semicolon tabbed \
		tabbed-value mc-nothere; do
		add_jail "$name" 3 || fail "row $name"
	done
	"$MC_F2B" -c "$WORK/mc.ini" --json jail list >"$WORK/jails" 2>"$WORK/e" ||
		fail "jail list: $(cat "$WORK/e")"
	for name in sshd admin weird nbsp cond crjail paths-jail \
		paths-local-jail upper-jail after-jail more-jail local-jail site \
		site-local commented continued still-continued semicolon tabbed \
		tabbed-value mc-nothere; do
		want=owned
		grep -qxF "$name" "$WORK/f2b-sections" && want=defined
		got=$(python3 -c '
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))}
print("owned" if rows[sys.argv[2]]["owned"] else "defined")
' "$WORK/jails" "$name")
		[ "$got" == "$want" ] || bad+=("$name: fail2ban says $want, mc-f2b $got")
	done
	[ ${#bad[@]} == 0 ] || fail "$(printf '\n  %s' "${bad[@]}")"
	echo "# $(wc -l <"$WORK/f2b-sections") sections of fail2ban's, judged alike"
}
