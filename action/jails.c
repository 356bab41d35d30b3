/* jails.c - the fail2ban_jail table. */
#include "jails.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

#define JAIL_COLUMNS \
	"id, enabled, name, maxretry, findtime, bantime, port, filter, " \
	"banaction, logpath, max_count, send_mail, send_mail_bl"

/* Rows are read whole before any is handed on: the callback may run
 * statements of its own, which an unfinished result would refuse. */
struct read_row {
	struct jail_row row;
	const char *bad_column, *why;
};

struct read_ctx {
	struct read_row *rows;
	size_t count, cap;
	bool failed;          /* out of memory: not every row was read */
};

/* A text column of the row that must not be NULL, copied whole or not at
 * all. */
static bool take_text(const char *const *cols, size_t ncols, size_t i,
		      char *dst, size_t dstlen)
{
	dst[0] = '\0';
	return !db_col_null(cols, ncols, i) &&
	       db_col_text(cols, ncols, i, dst, dstlen);
}

/* A number column of the row that must not be NULL. */
static bool take_number(const char *const *cols, size_t ncols, size_t i,
			long long *dst)
{
	return !db_col_null(cols, ncols, i) &&
	       db_col_int(cols, ncols, i, 0, dst);
}

/* Fill a jail_row from the JAIL_COLUMNS of one result row: NULL for the
 * name, that column's name if one is unfit, with *why. */
static const char *fill_row(struct jail_row *row, const char *const *cols,
			    size_t ncols, const char **why)
{
	memset(row, 0, sizeof(*row));
	*why = "not a number";
	if (!take_number(cols, ncols, 0, &row->id))
		return "id";
	if (!db_col_bool(cols, ncols, 1, false, &row->enabled))
		return "enabled";
	*why = "too long";
	if (!take_text(cols, ncols, 2, row->name, sizeof(row->name)))
		return "name";
	/* Enabled or not, a row is only ever acted on by its name: one that
	 * is no jail name ("DEFAULT", "--all", "x-bl") is a broken row. */
	if (!jail_row_name_valid(row->name, why))
		return "name";
	*why = "too long";
	if (!take_text(cols, ncols, 6, row->port, sizeof(row->port)))
		return "port";
	if (!take_text(cols, ncols, 7, row->filter, sizeof(row->filter)))
		return "filter";
	if (!take_text(cols, ncols, 8, row->banaction, sizeof(row->banaction)))
		return "banaction";
	if (!take_text(cols, ncols, 9, row->logpath, sizeof(row->logpath)))
		return "logpath";
	*why = "not a number";
	if (!take_number(cols, ncols, 3, &row->maxretry))
		return "maxretry";
	if (!take_number(cols, ncols, 4, &row->findtime))
		return "findtime";
	if (!take_number(cols, ncols, 5, &row->bantime))
		return "bantime";
	if (!take_number(cols, ncols, 10, &row->max_count))
		return "max_count";
	/* NULL is the table's default: no mail per ban, one per
	 * blacklisting. */
	if (!db_col_bool(cols, ncols, 11, false, &row->send_mail))
		return "send_mail";
	if (!db_col_bool(cols, ncols, 12, true, &row->send_mail_bl))
		return "send_mail_bl";
	*why = NULL;
	return NULL;
}

static int on_jail(void *ctx, const char *const *cols, size_t ncols)
{
	struct read_ctx *rc = ctx;
	struct read_row *r;

	if (!(r = grow_for_one(rc->rows, &rc->cap, rc->count, sizeof(*r), 16))) {
		rc->failed = true;
		return 1;
	}
	rc->rows = r;
	r = &rc->rows[rc->count++];
	r->bad_column = fill_row(&r->row, cols, ncols, &r->why);
	return 0;
}

enum db_status jails_read(struct db *db, const char *name, jail_fn fn,
			  void *ctx)
{
	static const char all_sql[] =
		"SELECT " JAIL_COLUMNS " FROM fail2ban_jail ORDER BY name";
	static const char one_sql[] =
		"SELECT " JAIL_COLUMNS " FROM fail2ban_jail WHERE name = ?";
	struct read_ctx rc = { 0 };
	struct db_arg args[] = { DB_TEXT(name) };
	enum db_status s = name ? db_query(db, one_sql, args, 1, on_jail, &rc)
				: db_query(db, all_sql, NULL, 0, on_jail, &rc);

	if (s == DB_OK && rc.failed)
		s = DB_FAILED;
	for (size_t i = 0; s == DB_OK && i < rc.count; i++)
		fn(ctx, &rc.rows[i].row, rc.rows[i].bad_column, rc.rows[i].why);
	free(rc.rows);
	return s;
}

struct get_ctx {
	struct jail_row *row;
	bool *found;
	const char **bad_column, **why;
};

static void on_one(void *ctx, const struct jail_row *row,
		   const char *bad_column, const char *why)
{
	struct get_ctx *g = ctx;

	*g->row = *row;
	*g->found = true;
	*g->bad_column = bad_column;
	*g->why = why;
}

enum db_status jails_get(struct db *db, const char *name,
			 struct jail_row *row, bool *found,
			 const char **bad_column, const char **why)
{
	struct get_ctx g = { row, found, bad_column, why };

	*found = false;
	*bad_column = NULL;
	return jails_read(db, name, on_one, &g);
}

struct whitelist_ctx {
	struct jail_whitelist *wl;
	bool failed;
};

static int on_whitelist(void *ctx, const char *const *cols, size_t ncols)
{
	struct whitelist_ctx *w = ctx;
	struct addr_net net;
	const char *why;

	(void)ncols;
	/* Rows not written by mc-f2b may hold anything: skip what is not an
	 * address or a network. */
	if (cols[0] && addr_net_parse(cols[0], &net, &why) == 0 &&
	    jail_whitelist_add(w->wl, &net) != 0) {
		w->failed = true;
		return 1;
	}
	return 0;
}

enum db_status jails_whitelist(struct db *db, const char *jail,
			       struct jail_whitelist *wl)
{
	static const char sql[] =
		"SELECT ip FROM fail2ban_ips WHERE jail = ? AND whitelisted = 1 "
		"ORDER BY ip";
	struct db_arg args[] = { DB_TEXT(jail) };
	struct whitelist_ctx w = { wl, false };
	enum db_status s;

	s = db_query(db, sql, args, 1, on_whitelist, &w);
	/* A whitelist cut short would let bans through it: all or nothing. */
	if (s == DB_OK && w.failed)
		s = DB_FAILED;
	if (s != DB_OK)
		jail_whitelist_free(wl);
	return s;
}

enum db_status jails_bl(struct db *db, const struct jail_row *row,
			struct jail_bl *bl)
{
	enum db_status s;

	if (jail_bl_init(bl, row->name, row->port, NULL) != 0)
		return DB_FAILED;
	bl->send_mail = row->send_mail_bl;
	s = jails_whitelist(db, row->name, &bl->whitelist);
	if (s != DB_OK)
		jail_bl_free(bl);
	return s;
}

enum db_status jails_set_enabled(struct db *db, const char *name, bool on)
{
	struct db_arg args[] = { DB_INT(on), DB_TEXT(name) };

	if (!name)
		return db_exec(db, "UPDATE fail2ban_jail SET enabled = ?",
			       args, 1, NULL);
	return db_exec(db, "UPDATE fail2ban_jail SET enabled = ? WHERE name = ?",
		       args, 2, NULL);
}

enum db_status jails_set_enabled_id(struct db *db, long long id, bool on)
{
	struct db_arg args[] = { DB_INT(on), DB_INT(id) };

	return db_exec(db, "UPDATE fail2ban_jail SET enabled = ? WHERE id = ?",
		       args, 2, NULL);
}

enum db_status jails_set_max_count(struct db *db, const char *name,
				   long long max_count)
{
	return jails_set_number(db, name, "max_count", max_count);
}

enum db_status jails_set_number(struct db *db, const char *name,
				const char *column, long long value)
{
	/* One fixed statement per column: no SQL is ever built from input. */
	static const struct {
		const char *column, *one, *all;
	} statements[] = {
		{ "findtime",
		  "UPDATE fail2ban_jail SET findtime = ? WHERE name = ?",
		  "UPDATE fail2ban_jail SET findtime = ?" },
		{ "bantime",
		  "UPDATE fail2ban_jail SET bantime = ? WHERE name = ?",
		  "UPDATE fail2ban_jail SET bantime = ?" },
		{ "maxretry",
		  "UPDATE fail2ban_jail SET maxretry = ? WHERE name = ?",
		  "UPDATE fail2ban_jail SET maxretry = ?" },
		{ "max_count",
		  "UPDATE fail2ban_jail SET max_count = ? WHERE name = ?",
		  "UPDATE fail2ban_jail SET max_count = ?" },
		{ "send_mail",
		  "UPDATE fail2ban_jail SET send_mail = ? WHERE name = ?",
		  "UPDATE fail2ban_jail SET send_mail = ?" },
		{ "send_mail_bl",
		  "UPDATE fail2ban_jail SET send_mail_bl = ? WHERE name = ?",
		  "UPDATE fail2ban_jail SET send_mail_bl = ?" },
	};
	struct db_arg args[] = { DB_INT(value), DB_TEXT(name) };

	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
		if (strcmp(column, statements[i].column) == 0)
			return name ? db_exec(db, statements[i].one, args, 2, NULL)
				    : db_exec(db, statements[i].all, args, 1, NULL);
	return DB_FAILED;
}

enum db_status jails_set_text(struct db *db, const char *name,
			      const char *column, const char *value)
{
	static const struct {
		const char *column, *sql;
	} statements[] = {
		{ "port", "UPDATE fail2ban_jail SET port = ? WHERE name = ?" },
		{ "filter", "UPDATE fail2ban_jail SET filter = ? WHERE name = ?" },
		{ "banaction",
		  "UPDATE fail2ban_jail SET banaction = ? WHERE name = ?" },
		{ "logpath",
		  "UPDATE fail2ban_jail SET logpath = ? WHERE name = ?" },
	};
	struct db_arg args[] = { DB_TEXT(value), DB_TEXT(name) };

	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
		if (strcmp(column, statements[i].column) == 0)
			return db_exec(db, statements[i].sql, args, 2, NULL);
	return DB_FAILED;
}

enum db_status jails_create(struct db *db, const struct jail_row *row)
{
	static const char sql[] =
		"INSERT INTO fail2ban_jail (enabled, name, maxretry, findtime, "
		"bantime, port, filter, banaction, logpath, max_count) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_arg args[] = {
		DB_INT(row->enabled), DB_TEXT(row->name), DB_INT(row->maxretry),
		DB_INT(row->findtime), DB_INT(row->bantime),
		DB_TEXT(row->port), DB_TEXT(row->filter),
		DB_TEXT(row->banaction), DB_TEXT(row->logpath),
		DB_INT(row->max_count),
	};

	return db_exec(db, sql, args, 10, NULL);
}

/* --- fail2ban_conf: the mails' sender and recipient --------------------- */

static int on_mail_conf(void *ctx, const char *const *cols, size_t ncols)
{
	struct mail_conf *m = ctx;

	/* A value too long for mc-f2b stays empty, and an empty value is
	 * not a valid one: the mails are then off (mail_conf_valid). */
	take_text(cols, ncols, 0, m->src_email, sizeof(m->src_email));
	take_text(cols, ncols, 1, m->src_name, sizeof(m->src_name));
	take_text(cols, ncols, 2, m->dest_email, sizeof(m->dest_email));
	return 1;   /* the first row is the one */
}

enum db_status jails_mail_conf(struct db *db, struct mail_conf *out)
{
	static const char sql[] =
		"SELECT src_email, src_name, dest_email FROM fail2ban_conf "
		"ORDER BY id LIMIT 1";

	memset(out, 0, sizeof(*out));
	return db_query(db, sql, NULL, 0, on_mail_conf, out);
}

enum db_status jails_mail_seed(struct db *db, bool *added)
{
	static const char sql[] =
		"INSERT INTO fail2ban_conf (src_email, src_name, dest_email, "
		"chain) SELECT ?, ?, ?, 'INPUT' FROM DUAL WHERE NOT EXISTS "
		"(SELECT 1 FROM fail2ban_conf)";
	struct db_arg args[] = { DB_TEXT(MAIL_DEFAULT_SRC),
				 DB_TEXT(MAIL_DEFAULT_NAME),
				 DB_TEXT(MAIL_DEFAULT_DEST) };
	unsigned long long inserted = 0;
	enum db_status s = db_exec(db, sql, args, 3, &inserted);

	if (added)
		*added = s == DB_OK && inserted > 0;
	return s;
}

enum db_status jails_mail_set(struct db *db, const char *column,
			      const char *value)
{
	/* One fixed statement per column; the first row is the one read. */
	static const struct {
		const char *column, *update;
	} statements[] = {
		{ "src_email", "UPDATE fail2ban_conf SET src_email = ? "
			       "ORDER BY id LIMIT 1" },
		{ "src_name", "UPDATE fail2ban_conf SET src_name = ? "
			      "ORDER BY id LIMIT 1" },
		{ "dest_email", "UPDATE fail2ban_conf SET dest_email = ? "
				"ORDER BY id LIMIT 1" },
	};
	struct db_arg args[] = { DB_TEXT(value) };
	enum db_status s;

	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
		if (strcmp(column, statements[i].column) != 0)
			continue;
		/* An empty table gets MailCleaner's defaults first. */
		s = jails_mail_seed(db, NULL);
		return s != DB_OK ? s :
		       db_exec(db, statements[i].update, args, 1, NULL);
	}
	return DB_FAILED;
}
