/* lists.c - whitelist and blacklist rows, and listings of fail2ban_ips. */
#include "lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

#define ENTRY_COLUMNS \
	"ip, jail, count, active, blacklisted, whitelisted, host, " \
	"DATE_FORMAT(last_hit, '%Y-%m-%d %H:%i:%s')"

struct read_ctx {
	ip_entry_fn fn;
	void *ctx;
	bool bad_row;     /* a value its column cannot hold: reading stops */
};

static bool fill_entry(struct ip_entry *e, const char *const *cols,
		       size_t ncols)
{
	return db_col_text(cols, ncols, 0, e->ip, sizeof(e->ip)) &&
	       db_col_text(cols, ncols, 1, e->jail, sizeof(e->jail)) &&
	       db_col_int(cols, ncols, 2, 0, &e->count) &&
	       db_col_bool(cols, ncols, 3, false, &e->active) &&
	       db_col_bool(cols, ncols, 4, false, &e->blacklisted) &&
	       db_col_bool(cols, ncols, 5, false, &e->whitelisted) &&
	       db_col_text(cols, ncols, 6, e->host, sizeof(e->host)) &&
	       db_col_text(cols, ncols, 7, e->last_hit, sizeof(e->last_hit));
}

static int on_entry(void *ctx, const char *const *cols, size_t ncols)
{
	struct read_ctx *rc = ctx;
	struct ip_entry e;

	if (!fill_entry(&e, cols, ncols)) {
		rc->bad_row = true;
		return 1;
	}
	rc->fn(rc->ctx, &e);
	return 0;
}

enum db_status lists_read(struct db *db, enum list_kind kind,
			  const char *jail, ip_entry_fn fn, void *ctx)
{
	/* [kind][0]: every jail, [kind][1]: one jail. */
	static const char *const sql[4][2] = {
		{ "SELECT " ENTRY_COLUMNS " FROM fail2ban_ips WHERE active "
		  "ORDER BY jail, ip",
		  "SELECT " ENTRY_COLUMNS " FROM fail2ban_ips WHERE active "
		  "AND jail = ? ORDER BY ip" },
		{ "SELECT " ENTRY_COLUMNS " FROM fail2ban_ips ORDER BY jail, ip",
		  "SELECT " ENTRY_COLUMNS " FROM fail2ban_ips WHERE jail = ? "
		  "ORDER BY ip" },
		{ "SELECT " ENTRY_COLUMNS " FROM fail2ban_ips WHERE blacklisted "
		  "ORDER BY jail, ip",
		  "SELECT " ENTRY_COLUMNS " FROM fail2ban_ips WHERE blacklisted "
		  "AND jail = ? ORDER BY ip" },
		{ "SELECT " ENTRY_COLUMNS " FROM fail2ban_ips WHERE whitelisted "
		  "ORDER BY jail, ip",
		  "SELECT " ENTRY_COLUMNS " FROM fail2ban_ips WHERE whitelisted "
		  "AND jail = ? ORDER BY ip" },
	};
	struct read_ctx rc = { fn, ctx, false };
	struct db_arg args[] = { DB_TEXT(jail) };
	enum db_status s = db_query(db, sql[kind][jail != NULL], args,
				    jail ? 1 : 0, on_entry, &rc);

	return s == DB_OK && rc.bad_row ? db_malformed(db, "fail2ban_ips") : s;
}

#define LISTS_CONFLICT_RETRIES 8

/* Only these two kinds are lists an entry is put on: any other kind is a
 * caller's mistake, refused rather than read as the blacklist. */
static bool is_list(enum list_kind list)
{
	return list == LIST_WHITELISTED || list == LIST_BLACKLISTED;
}

/* An INSERT and, when the row exists, an UPDATE: not one INSERT ... ON
 * DUPLICATE KEY UPDATE, which would lose the change's names before the
 * history's triggers read them (schema.c). */
enum db_status lists_add(struct db *db, enum list_kind list, const char *jail,
			 const char *entry, const char *host)
{
	static const char *const insert_sql[] = {
		[LIST_WHITELISTED] =
		"INSERT INTO fail2ban_ips (ip, count, active, blacklisted, "
		"whitelisted, jail, host, change_source, change_node) "
		"VALUES (?, 0, 0, 0, 1, ?, ?, ?, ?)",
		[LIST_BLACKLISTED] =
		"INSERT INTO fail2ban_ips (ip, count, active, blacklisted, "
		"whitelisted, jail, host, change_source, change_node) "
		"VALUES (?, 0, 0, 1, 0, ?, ?, ?, ?)",
	};
	static const char *const update_sql[] = {
		[LIST_WHITELISTED] =
		"UPDATE fail2ban_ips SET whitelisted = 1, blacklisted = 0, "
		"change_source = ?, change_node = ? WHERE ip = ? AND jail = ?",
		[LIST_BLACKLISTED] =
		"UPDATE fail2ban_ips SET blacklisted = 1, "
		"change_source = ?, change_node = ? WHERE ip = ? AND jail = ?",
	};
	static const char exists_sql[] =
		"SELECT 1 FROM fail2ban_ips WHERE ip = ? AND jail = ?";
	struct db_arg args[] = { DB_TEXT(entry), DB_TEXT(jail), DB_TEXT(host),
				 db_actor_source(db), db_actor_node(db) };
	struct db_arg update[] = { db_actor_source(db), db_actor_node(db),
				   DB_TEXT(entry), DB_TEXT(jail) };
	unsigned long long changed;
	bool exists;
	enum db_status s = DB_CONFLICT;

	if (!is_list(list))
		return DB_FAILED;
	/* A conflict is a duplicate key (the row is there: put it on the
	 * list) or a lost deadlock (nothing written: try again).  An UPDATE
	 * that changes nothing is the same question: the entry already on
	 * the list, or no row yet. */
	for (int i = 0; i < LISTS_CONFLICT_RETRIES && s == DB_CONFLICT; i++) {
		s = db_exec(db, insert_sql[list], args, 5, NULL);
		if (s != DB_CONFLICT)
			break;
		changed = 0;
		s = db_exec(db, update_sql[list], update, 4, &changed);
		if (s != DB_OK || changed > 0)
			break;
		exists = false;
		s = db_query(db, exists_sql, update + 2, 2, db_row_found, &exists);
		if (s == DB_OK && !exists)
			s = DB_CONFLICT;
	}
	return s;
}

enum db_status lists_remove(struct db *db, enum list_kind list,
			    const char *jail, const char *entry, bool *found)
{
	static const char whitelist_sql[] =
		"UPDATE fail2ban_ips SET whitelisted = 0, change_source = ?, "
		"change_node = ? WHERE jail = ? AND ip = ? AND whitelisted";
	static const char blacklist_sql[] =
		"UPDATE fail2ban_ips SET blacklisted = 0, count = 0, "
		"change_source = ?, change_node = ? "
		"WHERE jail = ? AND ip = ? AND blacklisted";
	struct db_arg args[] = { db_actor_source(db), db_actor_node(db),
				 DB_TEXT(jail), DB_TEXT(entry) };
	unsigned long long changed = 0;
	enum db_status s;

	*found = false;
	if (!is_list(list))
		return DB_FAILED;
	s = db_exec(db, list == LIST_WHITELISTED ? whitelist_sql
						 : blacklist_sql,
		    args, 4, &changed);
	*found = changed > 0;
	return s;
}

struct inside_ctx {
	const struct addr_net *net;
	char (*ips)[ADDR_TEXT_MAX];
	size_t count, cap;
	bool failed;          /* out of memory: not every ban was read */
};

static int on_active(void *ctx, const char *const *cols, size_t ncols)
{
	struct inside_ctx *in = ctx;
	char (*grown)[ADDR_TEXT_MAX];
	struct addr a;
	const char *why;

	if (db_col_null(cols, ncols, 0) || addr_parse(cols[0], &a, &why) != 0 ||
	    !addr_net_contains(in->net, &a))
		return 0;
	grown = grow_for_one(in->ips, &in->cap, in->count, sizeof(*grown), 16);
	if (!grown) {
		in->failed = true;
		return 1;
	}
	in->ips = grown;
	addr_format(&a, in->ips[in->count++]);
	return 0;
}

enum db_status lists_lift_inside(struct db *db, const char *jail,
				 const struct addr_net *net,
				 void (*fn)(void *ctx, const char *ip),
				 void *ctx)
{
	static const char select_sql[] =
		"SELECT ip FROM fail2ban_ips WHERE jail = ? AND "
		"(active OR blacklisted)";
	static const char lift_sql[] =
		"UPDATE fail2ban_ips SET active = 0, blacklisted = 0, "
		"change_source = ?, change_node = ? WHERE jail = ? AND ip = ?";
	struct inside_ctx in = { .net = net };
	struct db_arg args[] = { DB_TEXT(jail) };
	enum db_status s = db_query(db, select_sql, args, 1, on_active, &in);

	/* A ban left out would stay banned inside the new whitelist. */
	if (s == DB_OK && in.failed)
		s = DB_FAILED;

	for (size_t i = 0; s == DB_OK && i < in.count; i++) {
		struct db_arg lift[] = { db_actor_source(db), db_actor_node(db),
					 DB_TEXT(jail), DB_TEXT(in.ips[i]) };

		s = db_exec(db, lift_sql, lift, 4, NULL);
		if (s == DB_OK)
			fn(ctx, in.ips[i]);
	}
	free(in.ips);
	return s;
}

struct tally_ctx {
	tally_fn fn;
	void *ctx;
	bool bad_row;
};

static int on_tally(void *ctx, const char *const *cols, size_t ncols)
{
	struct tally_ctx *t = ctx;
	long long n[4], bytes = -1;
	const char *jail = cols[0];

	if (!db_col_int(cols, ncols, 1, 0, &n[0]) ||
	    !db_col_int(cols, ncols, 2, 0, &n[1]) ||
	    !db_col_int(cols, ncols, 3, 0, &n[2]) ||
	    !db_col_int(cols, ncols, 4, 0, &n[3]) ||
	    !db_col_int(cols, ncols, 5, -1, &bytes)) {
		t->bad_row = true;
		return 0;
	}
	/* "sshd\0x" would read as "sshd": a second series of sshd. */
	if (jail && (bytes < 0 || strlen(jail) != (size_t)bytes))
		jail = NULL;
	t->fn(t->ctx, jail, n[0], n[1], n[2], n[3]);
	return 0;
}

enum db_status lists_tally(struct db *db, tally_fn fn, void *ctx)
{
	/* One scan of the table, whatever its size: the metrics of a round
	 * cost one statement. */
	static const char sql[] =
		"SELECT jail, COUNT(*), "
		"CAST(COALESCE(SUM(active <> 0), 0) AS SIGNED), "
		"CAST(COALESCE(SUM(blacklisted <> 0), 0) AS SIGNED), "
		"CAST(COALESCE(SUM(whitelisted <> 0), 0) AS SIGNED), "
		"OCTET_LENGTH(jail) "
		"FROM fail2ban_ips GROUP BY jail ORDER BY jail";
	struct tally_ctx t = { fn, ctx, false };
	enum db_status s = db_query(db, sql, NULL, 0, on_tally, &t);

	return s == DB_OK && t.bad_row ? db_malformed(db, "fail2ban_ips") : s;
}
