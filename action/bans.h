/* bans.h - the rules of a ban: what one fail2ban event does to
 * fail2ban_ips, in one transaction on the master. */
#ifndef MC_F2B_BANS_H
#define MC_F2B_BANS_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "event.h"
#include "jail.h"
#include "mail.h"

/* What the table holds for one (jail, ip) before the event. */
struct ip_row {
	bool exists;
	long long id;
	long long count;
	bool active;
	bool blacklisted;
	bool whitelisted;
};

enum ban_outcome {
	BAN_NEW,             /* no row: inserted with count 1 */
	BAN_COUNTED,         /* inactive row: count + 1, active again */
	BAN_ALREADY_ACTIVE,  /* active row: nothing changes (replicated ban,
				or fail2ban re-running a failed actionban) */
	BAN_RESTORED,        /* fail2ban restart: active again, not counted */
	BAN_WHITELISTED,     /* whitelisted (jail, ip): nothing changes */
};

/* The decision, and what the row must become. */
struct ban_plan {
	enum ban_outcome outcome;
	bool write;            /* false: leave the row as it is */
	long long count;
	bool blacklist_now;    /* this very event passes max_count */
};

/* The pure heart of the rules: no I/O, unit-tested on its own.
 * max_count <= 0 disables the blacklist of the jail. */
struct ban_plan ban_decide(const struct ip_row *row, bool whitelisted,
			   bool restored, long long max_count);

enum bans_status {
	BANS_OK = 0,
	BANS_UNKNOWN_JAIL,   /* no fail2ban_jail row: bad input, exit 2 */
	BANS_UNREACHABLE,    /* the master went away, or a lock held the
				statement past its wait: spool it */
	BANS_FAILED,
};

struct ban_result {
	struct ban_plan plan;
	long long max_count;
	struct jail_bl bl;     /* what <jail>-bl needs, when plan.blacklist_now */
	struct mail_conf mail; /* fail2ban_conf, for the file of <jail>-bl */
};

/* Apply a ban (decided again on conflicts) or an unban (the row becomes
 * inactive, the count is kept).  Free res with bans_result_free(), whatever
 * the status. */
enum bans_status bans_apply(struct db *db, const struct ban_event *ev,
			    struct ban_result *res, char *err, size_t errlen);

void bans_result_free(struct ban_result *res);

#endif
