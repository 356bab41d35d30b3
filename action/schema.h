/* schema.h - create, inspect and migrate mc-f2b's tables. */
#ifndef MC_F2B_SCHEMA_H
#define MC_F2B_SCHEMA_H

#include <stdbool.h>

#include "db.h"

/* The triggers on fail2ban_ips that write fail2ban_events (schema.c). */
#define SCHEMA_TRIGGERS 4
/* The columns through which a writer names itself (change_source,
 * change_node, change_failures, change_bantime). */
#define SCHEMA_CHANGE_COLUMNS 4

struct history_trigger {
	const char *name;
	const char *timing;   /* BEFORE, AFTER */
	const char *event;    /* INSERT, UPDATE */
	const char *body;     /* what follows FOR EACH ROW, as the server
			       * keeps it (information_schema.TRIGGERS) */
};
extern const struct history_trigger history_triggers[SCHEMA_TRIGGERS];

/* What the database looks like now. */
struct schema_state {
	bool has_ips, has_jail, has_conf, has_events;
	int change_columns;            /* of SCHEMA_CHANGE_COLUMNS */
	bool has_trigger[SCHEMA_TRIGGERS];
	bool stale_trigger[SCHEMA_TRIGGERS];   /* another timing, event or
						* body, where visible */
	long long jail_width;          /* fail2ban_ips.jail, in characters */
	bool has_updated_at;
	bool has_updated_at_index;
	bool has_unique_jail_ip;
	bool has_whitelist_index;      /* (jail, whitelisted) */
	bool has_conf_chain;
	long long duplicate_rows;      /* rows beyond the first per (jail, ip) */
};

/* The jail column must hold "<jail>-bl" for the longest jail name. */
#define SCHEMA_JAIL_WIDTH 160

typedef void (*schema_report_fn)(void *ctx, const char *line);

enum db_status schema_inspect(struct db *db, struct schema_state *st);

/* One line per thing missing or old; returns how many. */
int schema_check(const struct schema_state *st, schema_report_fn fn,
		 void *ctx);

/* Create the tables that do not exist and add MailCleaner's default jails
 * where a jail of their name is absent (config/schema.sql).  Reports each
 * table created, and how many jails were added. */
enum db_status schema_install(struct db *db, schema_report_fn fn, void *ctx);

/* Bring existing tables to the current shape without losing a ban: widen the
 * jail column, add updated_at and the whitelist index, canonicalise
 * addresses, merge duplicate (jail, ip) rows, add UNIQUE(jail, ip), add the
 * history's columns, then make its triggers, replacing those that are not
 * the current ones.  Reports each step it takes. */
enum db_status schema_upgrade(struct db *db, schema_report_fn fn, void *ctx);

#endif
