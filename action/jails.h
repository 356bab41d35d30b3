/* jails.h - fail2ban_jail: reading jails, changing their settings, and the
 * whitelist each jail's file carries. */
#ifndef MC_F2B_JAILS_H
#define MC_F2B_JAILS_H

#include <stdbool.h>

#include "db.h"
#include "jail.h"
#include "mail.h"

/* Called per row.  A row whose values do not even fit a jail_row (a name
 * longer than jail names may be, a number that is not one) comes with
 * bad_column and why set, and row holds what could be read. */
typedef void (*jail_fn)(void *ctx, const struct jail_row *row,
			const char *bad_column, const char *why);

/* Every jail (name NULL), or one; in name order. */
enum db_status jails_read(struct db *db, const char *name, jail_fn fn,
			  void *ctx);

/* One jail by name: *found tells whether it exists. */
enum db_status jails_get(struct db *db, const char *name,
			 struct jail_row *row, bool *found,
			 const char **bad_column, const char **why);

/* The jail's whitelist rows, canonical, for ignoreip, added to wl (which
 * starts empty, { 0 }): every one or, on any failure, none (wl is freed).
 * Free it with jail_whitelist_free(). */
enum db_status jails_whitelist(struct db *db, const char *jail,
			       struct jail_whitelist *wl);

/* The -bl of a jail row, with the jail's whitelist as the table has it;
 * free it with jail_bl_free().  DB_FAILED when the row's name or ports do
 * not fit, or memory runs out. */
enum db_status jails_bl(struct db *db, const struct jail_row *row,
			struct jail_bl *bl);

/* fail2ban_conf's first row (all empty when there is none: no mail is
 * sent then). */
enum db_status jails_mail_conf(struct db *db, struct mail_conf *out);

/* An empty fail2ban_conf gets MailCleaner's defaults (mail.h), so that
 * the blacklisting mails every jail asks for by default have somewhere to
 * go; a row that is there is never changed.  *added (may be NULL): was the
 * row made now. */
enum db_status jails_mail_seed(struct db *db, bool *added);

/* Set src_email, src_name or dest_email (column) of that row, made first
 * with MailCleaner's defaults when the table is empty.  The value is the
 * caller's to check (mail.h). */
enum db_status jails_mail_set(struct db *db, const char *column,
			      const char *value);

/* enabled for one jail (name) or all (NULL). */
enum db_status jails_set_enabled(struct db *db, const char *name, bool on);
/* The same for one row, by its id. */
enum db_status jails_set_enabled_id(struct db *db, long long id, bool on);

/* max_count for one jail or all (NULL). */
enum db_status jails_set_max_count(struct db *db, const char *name,
				   long long max_count);

/* findtime, bantime, maxretry, max_count, send_mail or send_mail_bl of one
 * jail (name), or of every jail (NULL); any other column name is refused
 * (DB_FAILED) without touching the database. */
enum db_status jails_set_number(struct db *db, const char *name,
				const char *column, long long value);

/* port, filter, banaction or logpath of one jail (validated by the
 * caller); any other column is refused (DB_FAILED). */
enum db_status jails_set_text(struct db *db, const char *name,
			      const char *column, const char *value);

/* Insert a new jail; DB_CONFLICT when the name exists. */
enum db_status jails_create(struct db *db, const struct jail_row *row);

#endif
