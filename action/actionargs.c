/* actionargs.c - ban and unban as fail2ban's actions give them
 * (actionargs.h). */
#include "actionargs.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "jail.h"

const struct form action_ban_form = {
	"ban", ACTION_JAIL_AND_IP | ACTION_FAIL2BANS_NUMBERS |
	       OPT(OPT_F2B_CALL) | OPT(OPT_YES),
	ACTION_JAIL_AND_IP,
	"fail2ban's ban: counted, blacklisted past max_count.  With\n"
	"--f2b-call, a person's ban, also in the local fail2ban: IP may\n"
	"be a network (--yes above 256 addresses), and none of\n"
	"fail2ban's numbers (--time ... --port) is taken",
};
const struct form action_unban_form = {
	"unban", ACTION_JAIL_AND_IP | OPT(OPT_F2B_CALL), ACTION_JAIL_AND_IP,
	"--f2b-call: lift the ban in the local fail2ban too",
};

/* A count fail2ban made (<bantime>, <failures>): Python's integers have no
 * bound, and bantime.increment multiplies a ban time up to its maxtime,
 * so a ban fail2ban made is never refused for the size of its numbers:
 * beyond the 64 bits of a long long they are kept as LLONG_MAX (a negative
 * one as LLONG_MIN, "for ever" to bantime).  Not given: 0. */
static int take_count(const char *opt, const char *text, bool negative_ok,
		      long long *out, char *err, size_t errlen)
{
	static const char digits[] = "0123456789";
	const char *p;

	if (!text)
		return 0;
	p = text + (text[0] == '-' && negative_ok);
	if (p[0] == '\0' || strnlen(p, 65) > 64 || strspn(p, digits) != strlen(p) ||
	    (p[0] == '0' && (p[1] != '\0' || p != text))) {
		snprintf(err, errlen, "%s: expected a whole number", opt);
		return -1;
	}
	if (!parse_int_in(text, LLONG_MIN, LLONG_MAX, out))
		*out = p == text ? LLONG_MAX : LLONG_MIN;
	return 0;
}

static int take_numbers(const struct opts *o, struct ban_event *ev, char *err,
			size_t errlen)
{
	long long restored = 0;

	if (o->text[OPT_TIME] && !parse_epoch(o->text[OPT_TIME], &ev->time)) {
		snprintf(err, errlen, "--time: expected an epoch in seconds");
		return -1;
	}
	if (take_count("--bantime", o->text[OPT_BANTIME], true, &ev->bantime,
		       err, errlen) != 0 ||
	    take_count("--failures", o->text[OPT_FAILURES], false,
		       &ev->failures, err, errlen) != 0)
		return -1;
	if (o->text[OPT_RESTORED] &&
	    !parse_int_in(o->text[OPT_RESTORED], 0, 1, &restored)) {
		snprintf(err, errlen, "--restored: expected a whole number "
			 "from 0 to 1");
		return -1;
	}
	ev->restored = restored == 1;
	/* fail2ban takes any negative bantime as "for ever": kept as -1. */
	if (ev->bantime < 0)
		ev->bantime = -1;
	return 0;
}

int actionargs_event(enum event_kind kind, const struct opts *o,
		     struct ban_event *ev, char *err, size_t errlen)
{
	const char *why;

	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	if (o->text[OPT_PORT] && !jail_port_valid(o->text[OPT_PORT], &why)) {
		snprintf(err, errlen, "--port: %s", why);
		return -1;
	}
	if (event_take_jail(o->text[OPT_JAIL], ev->jail, err, errlen) != 0 ||
	    event_take_ip(o->text[OPT_IP], ev->ip, err, errlen) != 0)
		return -1;
	return take_numbers(o, ev, err, errlen);
}
