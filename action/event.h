/* event.h - what fail2ban tells mc-f2b about one address, and the rules that
 * every field must satisfy before it may go anywhere (database, spool, syslog).
 *
 * The event is shared by the ban rules (bans.c) and the spool (spool.c): a
 * spooled event is the very same record, applied later. */
#ifndef MC_F2B_EVENT_H
#define MC_F2B_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/* Jail names: [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters, so that
 * "<jail>-bl" always fits fail2ban_ips.jail and nftables set names. */
#define JAIL_NAME_MAX 64
/* "<jail>-bl", the permanent jail of a jail. */
#define JAIL_BL_SUFFIX "-bl"
#define JAIL_BL_NAME_MAX (JAIL_NAME_MAX + sizeof(JAIL_BL_SUFFIX) - 1)
/* fail2ban_ips.host is varchar(150). */
#define NODE_NAME_MAX 150

enum event_kind { EVENT_BAN, EVENT_UNBAN };

struct ban_event {
	enum event_kind kind;
	char jail[JAIL_NAME_MAX + 1];
	char ip[ADDR_TEXT_MAX];        /* canonical, see addr_format() */
	char host[NODE_NAME_MAX + 1];  /* the node that saw it */
	long long at;                  /* when mc-f2b was called, epoch s */
	long long time;                /* fail2ban's <time>, epoch s, 0 unknown */
	long long bantime;             /* fail2ban's <bantime>, -1 permanent */
	long long failures;            /* fail2ban's <failures> */
	bool restored;                 /* fail2ban re-applying after restart */
};

/* Field rules.  Each returns true when the text is acceptable; on refusal
 * *why (if not NULL) names what is wrong. */

/* The one rule of what a jail name is, applied wherever one comes from (the
 * command line, every row of fail2ban_jail and fail2ban_ips, the spool)
 * before it is sent to fail2ban, put into a path or a file: the characters
 * above, at most JAIL_NAME_MAX of them (JAIL_BL_NAME_MAX for the name of a
 * permanent jail, "<jail>-bl"), and never one of fail2ban's own section
 * words (DEFAULT, INCLUDES, Definition, Init, KNOWN, in any case), which a
 * jail file would turn into settings of every jail or of an action. */
bool jail_name_valid(const char *name, const char **why);
bool node_name_valid(const char *name, const char **why);

/* Strict decimal integer in [min, max]: optional '-', digits, nothing else
 * (no spaces, no '+', no leading zeros but for "0" itself). */
bool parse_int_in(const char *text, long long min, long long max,
		  long long *out);

/* fail2ban's <time>: an epoch with an optional fraction ("1700000000.25").
 * The fraction is dropped. */
bool parse_epoch(const char *text, long long *out);

const char *event_kind_name(enum event_kind kind);

/* The text of -j and -i, checked and kept: the jail name as typed (at most
 * JAIL_NAME_MAX characters), the address in its canonical form.  -1 with
 * the refusal in err ("invalid address '...': ..."; text longer than 64
 * characters is not quoted back), for the caller to say. */
int event_take_jail(const char *text, char out[JAIL_NAME_MAX + 1], char *err,
		    size_t errlen);
int event_take_ip(const char *text, char out[ADDR_TEXT_MAX], char *err,
		  size_t errlen);

#endif
