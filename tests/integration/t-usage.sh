# t-usage.sh - what --help says is what is accepted: every verb's and
# sub-command's synopsis, typed back with a value for each option, is
# read without a refusal; an option from another command's synopsis is
# refused.  No fail2ban-server needed; nothing is written (--help).

# The commands of `mc-f2b --help` and their sub-commands, one per line:
# "jail enable", "ban", ...
usage_commands() {
	local verb line
	for verb in $("$MC_F2B" --help | sed -n '/^verbs:/,/^$/s/^  \([a-z-]*\) .*/\1/p'); do
		line=$("$MC_F2B" "$verb" --help | sed -n 's/^usage: mc-f2b //p')
		case $line in
		"$verb "[a-z]*) "$MC_F2B" "$verb" --help |
			sed -n 's/^\(usage:\)\{0,1\} *mc-f2b \([a-z-]* [a-z-]*\).*/\2/p' ;;
		*) echo "$verb" ;;
		esac
	done
}

# The options of a command's synopsis, each with a value where it takes
# one, as words for the command line: "-j" "X" "--all" ...  The synopsis
# is the usage line and the lines indented under its first option; a
# note is indented less.  Fails when the usage does not name the command.
synopsis_words() { # COMMAND...
	"$MC_F2B" "$@" --help | python3 -c '
import sys
words = sys.argv[1:]
lines = sys.stdin.read().split("\n")
head = "usage: mc-f2b " + " ".join(words)
if not lines[0].startswith(head):
    sys.exit("usage does not start with " + repr(head) + ": " + repr(lines[0]))
synopsis = [lines[0][len(head):]]
for line in lines[1:]:
    if len(line) - len(line.lstrip()) <= len("usage: mc-f2b "):
        break
    synopsis.append(line)
for token in " ".join(synopsis).split():
    token = token.strip("[]")
    print(token.split("|")[0] if token.startswith("-") else "X")
' "$@"
}

test_usage_every_synopsis_is_accepted() {
	local cmd n=0 words
	while read -r cmd; do
		# shellcheck disable=SC2086
		words=$(synopsis_words $cmd) || fail "$cmd: its usage"
		# shellcheck disable=SC2086
		mc $cmd --help $words
		[ "$rc" == 0 ] || fail "mc-f2b $cmd --help $words: exit $rc ($err)"
		n=$((n + 1))
	done < <(usage_commands)
	[ "$n" -ge 30 ] || fail "only $n commands found in --help"
	echo "# $n synopses typed back"
}

# Each command refuses an option that only another command takes, naming
# it as typed.
test_usage_an_option_of_another_command_is_refused() {
	expect_refusal 2 jail enable -j x --send
	[[ $err == *"option '--send' is not one of jail enable "* ]] || fail "$err"
	expect_refusal 2 ban -j x -i 192.0.2.9 --interval 5
	[[ $err == *"option '--interval' is not one of ban "* ]] || fail "$err"
	expect_refusal 2 sync -j x
	[[ $err == *"option '-j' is not one of sync "* ]] || fail "$err"
	expect_refusal 2 spool replay --json
	expect_refusal 2 schema check --all
	expect_refusal 2 unban -j x -i 192.0.2.9 --failures 3
	expect_refusal 2 mail dest -e a@example.org -j x
}
