/* lists.h - the rows people manage in fail2ban_ips: whitelist and blacklist
 * entries, and the listings of what is banned. */
#ifndef MC_F2B_LISTS_H
#define MC_F2B_LISTS_H

#include <stdbool.h>

#include "addr.h"
#include "db.h"
#include "event.h"

/* One row of fail2ban_ips, as listings show it. */
struct ip_entry {
	char ip[151];
	char jail[161];
	long long count;
	bool active, blacklisted, whitelisted;
	char host[151];
	char last_hit[32];
};

enum list_kind {
	LIST_ACTIVE,        /* the bans in force: MailCleaner's status query */
	LIST_ALL,
	LIST_BLACKLISTED,
	LIST_WHITELISTED,
};

typedef void (*ip_entry_fn)(void *ctx, const struct ip_entry *e);

/* Rows of one kind, of one jail or all (NULL), ordered by jail and ip. */
enum db_status lists_read(struct db *db, enum list_kind kind,
			  const char *jail, ip_entry_fn fn, void *ctx);

/* Put an entry on a list, LIST_WHITELISTED or LIST_BLACKLISTED (the row
 * is created if need be).  Whitelisted, it is no longer blacklisted. */
enum db_status lists_add(struct db *db, enum list_kind list, const char *jail,
			 const char *entry, const char *host);

/* Take an entry off a list; *found: was it on it.  The row stays, the flag
 * cleared: the other nodes of a cluster learn from it (updated_at) that
 * the entry must leave their ignore lists or -bl jails.  Off the
 * blacklist, the count starts again, so that the next ban does not
 * blacklist again at once. */
enum db_status lists_remove(struct db *db, enum list_kind list,
			    const char *jail, const char *entry, bool *found);

/* The rows of fail2ban_ips counted per jail, one call of fn each, in the
 * order of the jails' names: all of them, then those active, blacklisted,
 * whitelisted.  The jail is as the row holds it (NULL when it is NULL or
 * holds a NUL byte, which text could not show): checking it is the
 * caller's. */
typedef void (*tally_fn)(void *ctx, const char *jail, long long rows,
			 long long active, long long blacklisted,
			 long long whitelisted);
enum db_status lists_tally(struct db *db, tally_fn fn, void *ctx);

/* Bans of a jail inside net, active or blacklisted: each is marked neither
 * and handed to fn (to be lifted in fail2ban too).  The counts stay. */
enum db_status lists_lift_inside(struct db *db, const char *jail,
				 const struct addr_net *net,
				 void (*fn)(void *ctx, const char *ip),
				 void *ctx);

#endif
