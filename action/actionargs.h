/* actionargs.h - ban and unban as fail2ban's actions give them: the forms
 * of their options and the event they make.
 *
 * Shared by the verbs (cmd_action.c) and by mc-f2b-action (front.c), which
 * reads a ban the very same way before it hands it to the sync loop, so
 * that what one accepts the other does. */
#ifndef MC_F2B_ACTIONARGS_H
#define MC_F2B_ACTIONARGS_H

#include <stddef.h>

#include "event.h"
#include "options.h"

/* The options fail2ban's ban and unban take (options.h); a person's ban
 * (--f2b-call, --yes) is read by the same forms and checked by the verb. */
#define ACTION_JAIL_AND_IP (OPT(OPT_JAIL) | OPT(OPT_IP))
#define ACTION_FAIL2BANS_NUMBERS (OPT(OPT_TIME) | OPT(OPT_BANTIME) | \
				  OPT(OPT_FAILURES) | OPT(OPT_RESTORED) | \
				  OPT(OPT_PORT))

/* Who the history names for fail2ban's own bans and unbans (db.h). */
#define ACTION_ACTOR "fail2ban"

extern const struct form action_ban_form;
extern const struct form action_unban_form;

/* The event of fail2ban's ban or unban from what was typed: -j, -i and
 * fail2ban's numbers checked (event.h), --port too (jail.h).  ev->at and
 * ev->host are left for the caller.  -1 with the refusal in err ("--time:
 * expected an epoch in seconds"), for the caller to say. */
int actionargs_event(enum event_kind kind, const struct opts *o,
		     struct ban_event *ev, char *err, size_t errlen);

#endif
