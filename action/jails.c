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

/* Copy a text cell, or say that it does not fit. */
static bool take_text(char *dst, size_t dstlen, const char *src)
{
	if (!src || strlen(src) >= dstlen) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, src, strlen(src) + 1);
	return true;
}

static bool take_number(long long *dst, const char *src)
{
	char *end;

	if (!src)
		return false;
	*dst = strtoll(src, &end, 10);
	return *end == '\0' && end != src;
}

/* Fill a jail_row from the JAIL_COLUMNS of one result row. */
static const char *fill_row(struct jail_row *row, const char *const *cols,
			    const char **why)
{
	memset(row, 0, sizeof(*row));
	*why = "too long";
	take_number(&row->id, cols[0]);
	row->enabled = cols[1] && atoi(cols[1]) != 0;
	if (!take_text(row->name, sizeof(row->name), cols[2]))
		return "name";
	/* Enabled or not, a row is only ever acted on by its name: one that
	 * is no jail name ("DEFAULT", "--all", "x-bl") is a broken row. */
	if (!jail_row_name_valid(row->name, why))
		return "name";
	*why = "too long";
	if (!take_text(row->port, sizeof(row->port), cols[6]))
		return "port";
	if (!take_text(row->filter, sizeof(row->filter), cols[7]))
		return "filter";
	if (!take_text(row->banaction, sizeof(row->banaction), cols[8]))
		return "banaction";
	if (!take_text(row->logpath, sizeof(row->logpath), cols[9]))
		return "logpath";
	*why = "not a number";
	if (!take_number(&row->maxretry, cols[3]))
		return "maxretry";
	if (!take_number(&row->findtime, cols[4]))
		return "findtime";
	if (!take_number(&row->bantime, cols[5]))
		return "bantime";
	if (!take_number(&row->max_count, cols[10]))
		return "max_count";
	/* NULL is the table's default: no mail per ban, one per
	 * blacklisting. */
	row->send_mail = cols[11] && atoi(cols[11]) != 0;
	row->send_mail_bl = !cols[12] || atoi(cols[12]) != 0;
	*why = NULL;
	return NULL;
}

static int on_jail(void *ctx, const char *const *cols, size_t ncols)
{
	struct read_ctx *rc = ctx;
	struct read_row *r;

	(void)ncols;
	if (!(r = grow_for_one(rc->rows, &rc->cap, rc->count, sizeof(*r), 16))) {
		rc->failed = true;
		return 1;
	}
	rc->rows = r;
	r = &rc->rows[rc->count++];
	r->bad_column = fill_row(&r->row, cols, &r->why);
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

	(void)ncols;
	take_text(m->src_email, sizeof(m->src_email), cols[0]);
	take_text(m->src_name, sizeof(m->src_name), cols[1]);
	take_text(m->dest_email, sizeof(m->dest_email), cols[2]);
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
	/* An empty table gets MailCleaner's defaults first (as schema
	 * install seeds them). */
	static const char seed[] =
		"INSERT INTO fail2ban_conf (src_email, src_name, dest_email, "
		"chain) SELECT ?, ?, ?, 'INPUT' FROM DUAL WHERE NOT EXISTS "
		"(SELECT 1 FROM fail2ban_conf)";
	struct db_arg seed_args[] = { DB_TEXT(MAIL_DEFAULT_SRC),
				      DB_TEXT(MAIL_DEFAULT_NAME),
				      DB_TEXT(MAIL_DEFAULT_DEST) };
	struct db_arg args[] = { DB_TEXT(value) };
	enum db_status s;

	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
		if (strcmp(column, statements[i].column) != 0)
			continue;
		s = db_exec(db, seed, seed_args, 3, NULL);
		return s != DB_OK ? s :
		       db_exec(db, statements[i].update, args, 1, NULL);
	}
	return DB_FAILED;
}
