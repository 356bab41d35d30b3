/* schema.c - the tables: create them, look at them, bring old ones up to date.
 *
 * MailCleaner's own tables have no unique key on (jail, ip), a jail column of
 * 20 characters and, in real databases, duplicate rows.  The upgrade merges
 * those rows by the rule "highest count; active, blacklisted or whitelisted
 * if any was", so that no ban and no blacklisting is lost. */
#include "schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "grow.h"
#include "jails.h"
#include "schema_sql.h"   /* generated from config/schema.sql */

/* --- the history's triggers -------------------------------------------- */

/* A writer names itself in the change_* columns of the row it writes.  The
 * BEFORE triggers move those values into session variables and empty the
 * columns, so that a row at rest never holds them and a writer that names
 * nothing (another program) is not taken for the last one that did; the
 * AFTER triggers, which fire only for a row really written, append one
 * event per flag that changed, in the same statement and so in the same
 * transaction.  Plain IF and INSERT ... VALUES: a ban runs one INSERT of
 * one row, and nothing builds a temporary table.
 *
 * INSERT ... ON DUPLICATE KEY UPDATE would lose the names (the BEFORE
 * INSERT trigger empties them before the UPDATE part reads them): mc-f2b
 * writes an INSERT and, on a duplicate key, an UPDATE. */
#define TAKE_NAMES \
	"SET @mc_f2b_source = NEW.change_source, " \
	"@mc_f2b_node = NEW.change_node, " \
	"@mc_f2b_failures = NEW.change_failures, " \
	"@mc_f2b_bantime = NEW.change_bantime, " \
	"NEW.change_source = NULL, NEW.change_node = NULL, " \
	"NEW.change_failures = NULL, NEW.change_bantime = NULL"
#define WAS(flag) "COALESCE(OLD." flag ", 0) <> 0"
#define IS(flag) "COALESCE(NEW." flag ", 0) <> 0"
#define LOG_IF(condition, what) \
	"IF " condition " THEN INSERT INTO fail2ban_events (node, jail, ip, " \
	"what, failures, bantime, source) VALUES (@mc_f2b_node, NEW.jail, " \
	"NEW.ip, '" what "', @mc_f2b_failures, @mc_f2b_bantime, " \
	"@mc_f2b_source); END IF; "
#define TURNED_OFF(flag) WAS(flag) " AND NOT " IS(flag)
#define TURNED_ON(flag) "NOT " WAS(flag) " AND " IS(flag)

/* The AFTER triggers end by emptying the variables: should a BEFORE
 * trigger ever be missing, an event says "other" rather than the name a
 * statement before it left behind. */
#define FORGET_NAMES \
	"SET @mc_f2b_source = NULL, @mc_f2b_node = NULL, " \
	"@mc_f2b_failures = NULL, @mc_f2b_bantime = NULL; "

const struct history_trigger history_triggers[SCHEMA_TRIGGERS] = {
	{ "mc_f2b_names_insert", "BEFORE", "INSERT", TAKE_NAMES },
	{ "mc_f2b_names_update", "BEFORE", "UPDATE", TAKE_NAMES },
	{ "mc_f2b_history_insert", "AFTER", "INSERT",
	  "BEGIN "
	  LOG_IF(IS("active"), "banned")
	  LOG_IF(IS("blacklisted"), "blacklisted")
	  LOG_IF(IS("whitelisted"), "whitelisted")
	  FORGET_NAMES
	  "END" },
	/* Lifts first, then what is put on: a whitelisting that ends a
	 * blacklisting says so in that order. */
	{ "mc_f2b_history_update", "AFTER", "UPDATE",
	  "BEGIN "
	  LOG_IF(TURNED_OFF("active"), "unbanned")
	  LOG_IF(TURNED_OFF("whitelisted"), "unwhitelisted")
	  LOG_IF(TURNED_OFF("blacklisted"), "unblacklisted")
	  LOG_IF(TURNED_ON("active"), "banned")
	  LOG_IF(TURNED_ON("blacklisted"), "blacklisted")
	  LOG_IF(TURNED_ON("whitelisted"), "whitelisted")
	  FORGET_NAMES
	  "END" },
};

/* --- inspect ------------------------------------------------------------ */

static int on_table(void *ctx, const char *const *cols, size_t ncols)
{
	struct schema_state *st = ctx;

	(void)ncols;
	if (strcmp(cols[0], "fail2ban_ips") == 0)
		st->has_ips = true;
	else if (strcmp(cols[0], "fail2ban_jail") == 0)
		st->has_jail = true;
	else if (strcmp(cols[0], "fail2ban_conf") == 0)
		st->has_conf = true;
	else if (strcmp(cols[0], "fail2ban_events") == 0)
		st->has_events = true;
	return 0;
}

/* One of the four columns the triggers read, by its exact name: another
 * column that happens to start alike is not one of them. */
static bool is_change_column(const char *name)
{
	static const char *const names[SCHEMA_CHANGE_COLUMNS] = {
		"change_source", "change_node", "change_failures",
		"change_bantime",
	};

	for (size_t i = 0; i < SCHEMA_CHANGE_COLUMNS; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static int on_column(void *ctx, const char *const *cols, size_t ncols)
{
	struct schema_state *st = ctx;

	if (strcmp(cols[0], "fail2ban_ips") == 0) {
		/* A width that does not read is 0: too narrow, widened. */
		if (strcmp(cols[1], "jail") == 0) {
			if (!db_col_int(cols, ncols, 2, 0, &st->jail_width))
				st->jail_width = 0;
		} else if (strcmp(cols[1], "updated_at") == 0) {
			st->has_updated_at = true;
		} else if (is_change_column(cols[1])) {
			st->change_columns++;
		}
	} else if (strcmp(cols[1], "chain") == 0) {
		st->has_conf_chain = true;
	}
	return 0;
}

static int on_index(void *ctx, const char *const *cols, size_t ncols)
{
	struct schema_state *st = ctx;

	(void)ncols;
	if (strcmp(cols[0], "0") == 0 && strcmp(cols[1], "jail,ip") == 0)
		st->has_unique_jail_ip = true;
	if (strncmp(cols[1], "updated_at", 10) == 0)
		st->has_updated_at_index = true;
	if (strcmp(cols[1], "jail,whitelisted") == 0)
		st->has_whitelist_index = true;
	return 0;
}

/* A trigger of ours, by name; the same timing, event and body, where the
 * account may see them (a node's account sees names and NULL bodies).  The
 * body is compared by the server (column 3: 1, 0 or NULL), as it is longer
 * than a cell db_query hands over. */
static int on_trigger(void *ctx, const char *const *cols, size_t ncols)
{
	struct schema_state *st = ctx;

	if (ncols != 4)
		return 0;
	for (size_t i = 0; i < SCHEMA_TRIGGERS; i++) {
		const struct history_trigger *t = &history_triggers[i];

		if (strcmp(cols[0], t->name) != 0)
			continue;
		st->has_trigger[i] = true;
		st->stale_trigger[i] =
			(cols[1] && strcmp(cols[1], t->timing) != 0) ||
			(cols[2] && strcmp(cols[2], t->event) != 0) ||
			(cols[3] && strcmp(cols[3], "0") == 0);
	}
	return 0;
}

static int on_count(void *ctx, const char *const *cols, size_t ncols)
{
	long long *count = ctx;

	if (!db_col_int(cols, ncols, 0, 0, count))
		*count = 0;
	return 1;
}

enum db_status schema_inspect(struct db *db, struct schema_state *st)
{
	static const char tables_sql[] =
		"SELECT TABLE_NAME FROM information_schema.TABLES "
		"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN "
		"('fail2ban_ips', 'fail2ban_jail', 'fail2ban_conf', "
		"'fail2ban_events')";
	static const char columns_sql[] =
		"SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_MAXIMUM_LENGTH "
		"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
		"AND TABLE_NAME IN ('fail2ban_ips', 'fail2ban_conf')";
	/* Index columns in order, e.g. "jail,ip", with NON_UNIQUE. */
	static const char indexes_sql[] =
		"SELECT MIN(NON_UNIQUE), GROUP_CONCAT(COLUMN_NAME ORDER BY "
		"SEQ_IN_INDEX) FROM information_schema.STATISTICS "
		"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'fail2ban_ips' "
		"GROUP BY INDEX_NAME";
	static const char triggers_sql[] =
		"SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, "
		"ACTION_STATEMENT = CASE TRIGGER_NAME WHEN ? THEN ? WHEN ? "
		"THEN ? WHEN ? THEN ? WHEN ? THEN ? END "
		"FROM information_schema.TRIGGERS "
		"WHERE TRIGGER_SCHEMA = DATABASE() AND "
		"EVENT_OBJECT_TABLE = 'fail2ban_ips'";
	static const char duplicates_sql[] =
		"SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n "
		"FROM fail2ban_ips GROUP BY jail, ip HAVING n > 1) AS d";
	struct db_arg bodies[2 * SCHEMA_TRIGGERS];
	enum db_status s;

	for (size_t i = 0; i < SCHEMA_TRIGGERS; i++) {
		bodies[2 * i] = DB_TEXT(history_triggers[i].name);
		bodies[2 * i + 1] = DB_TEXT(history_triggers[i].body);
	}
	memset(st, 0, sizeof(*st));
	if ((s = db_query(db, tables_sql, NULL, 0, on_table, st)) ||
	    (s = db_query(db, columns_sql, NULL, 0, on_column, st)))
		return s;
	if (!st->has_ips)
		return DB_OK;
	if ((s = db_query(db, indexes_sql, NULL, 0, on_index, st)) ||
	    (s = db_query(db, triggers_sql, bodies, 2 * SCHEMA_TRIGGERS,
			  on_trigger, st)))
		return s;
	if (!st->has_unique_jail_ip)
		s = db_query(db, duplicates_sql, NULL, 0, on_count,
			     &st->duplicate_rows);
	return s;
}

static void report(schema_report_fn fn, void *ctx, int *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(schema_report_fn fn, void *ctx, int *n, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fn(ctx, line);
	(*n)++;
}

int schema_check(const struct schema_state *st, schema_report_fn fn, void *ctx)
{
	int n = 0;

	if (!st->has_ips)
		report(fn, ctx, &n, "table fail2ban_ips is missing");
	if (!st->has_jail)
		report(fn, ctx, &n, "table fail2ban_jail is missing");
	if (!st->has_conf)
		report(fn, ctx, &n, "table fail2ban_conf is missing");
	if (st->has_conf && !st->has_conf_chain)
		report(fn, ctx, &n, "fail2ban_conf.chain is missing");
	if (!st->has_ips)
		return n;
	if (st->jail_width < SCHEMA_JAIL_WIDTH)
		report(fn, ctx, &n, "fail2ban_ips.jail is varchar(%lld), too "
		       "narrow for <jail>-bl names (needs %d)",
		       st->jail_width, SCHEMA_JAIL_WIDTH);
	if (!st->has_updated_at)
		report(fn, ctx, &n, "fail2ban_ips.updated_at is missing");
	else if (!st->has_updated_at_index)
		report(fn, ctx, &n, "fail2ban_ips.updated_at has no index");
	if (!st->has_whitelist_index)
		report(fn, ctx, &n, "fail2ban_ips has no index on (jail, "
		       "whitelisted)");
	if (!st->has_unique_jail_ip)
		report(fn, ctx, &n, "fail2ban_ips has no UNIQUE(jail, ip) "
		       "(%lld duplicate row(s) to merge)", st->duplicate_rows);
	if (!st->has_events)
		report(fn, ctx, &n, "table fail2ban_events is missing");
	if (st->change_columns < SCHEMA_CHANGE_COLUMNS)
		report(fn, ctx, &n, "fail2ban_ips lacks the change_* columns "
		       "of the history");
	for (size_t i = 0; i < SCHEMA_TRIGGERS; i++)
		if (!st->has_trigger[i])
			report(fn, ctx, &n, "trigger %s on fail2ban_ips is "
			       "missing", history_triggers[i].name);
		else if (st->stale_trigger[i])
			report(fn, ctx, &n, "trigger %s on fail2ban_ips is not "
			       "mc-f2b's current one (schema upgrade replaces "
			       "it)", history_triggers[i].name);
	return n;
}

/* --- install ------------------------------------------------------------ */

/* Once the change_* columns are there: a trigger naming a column the table
 * lacks is refused by the server.  Missing triggers are made; with replace
 * (upgrade), one whose body is not the current one is replaced in one
 * statement, so that no change goes unrecorded in between. */
static enum db_status make_triggers(struct db *db,
				    const struct schema_state *st, bool replace,
				    schema_report_fn fn, void *ctx)
{
	char sql[4096], line[96];
	enum db_status s = DB_OK;

	if (!st->has_events || st->change_columns < SCHEMA_CHANGE_COLUMNS)
		return DB_OK;
	for (size_t i = 0; i < SCHEMA_TRIGGERS && s == DB_OK; i++) {
		const struct history_trigger *t = &history_triggers[i];
		bool stale = st->has_trigger[i] && st->stale_trigger[i];

		if (st->has_trigger[i] && !(replace && stale))
			continue;
		/* Text of this file only: nothing read or typed. */
		snprintf(sql, sizeof(sql), "CREATE %sTRIGGER %s%s %s %s ON "
			 "fail2ban_ips FOR EACH ROW %s", stale ? "OR REPLACE "
			 : "", stale ? "" : "IF NOT EXISTS ", t->name,
			 t->timing, t->event, t->body);
		s = db_exec(db, sql, NULL, 0, NULL);
		if (s == DB_OK) {
			snprintf(line, sizeof(line), "%s trigger %s",
				 stale ? "replaced" : "created", t->name);
			fn(ctx, line);
		}
	}
	return s;
}

static enum db_status seed_mail_conf(struct db *db, schema_report_fn fn,
				     void *ctx)
{
	bool added;
	enum db_status s = jails_mail_seed(db, &added);

	if (added)
		fn(ctx, "added MailCleaner's default mail settings to "
		     "fail2ban_conf (mc-f2b mail show)");
	return s;
}

/* Run each statement of the embedded file: they end with ';' at the end of a
 * line, and '--' lines are comments.  *seeded counts the rows the INSERTs
 * added (the default jails). */
static enum db_status run_schema_sql(struct db *db, unsigned long long *seeded)
{
	char stmt[4096];
	size_t len = 0;
	const char *line = schema_sql;
	enum db_status s = DB_OK;

	*seeded = 0;
	while (*line && s == DB_OK) {
		size_t n = strcspn(line, "\n");

		if (strncmp(line, "--", 2) != 0 && len + n + 2 < sizeof(stmt)) {
			memcpy(stmt + len, line, n);
			len += n;
			stmt[len++] = '\n';
			if (n > 0 && line[n - 1] == ';') {
				unsigned long long affected = 0;

				stmt[len - 2] = '\0';
				s = db_exec(db, stmt, NULL, 0, &affected);
				if (strncmp(stmt + strspn(stmt, " \n"), "INSERT",
					    6) == 0)
					*seeded += affected;
				len = 0;
			}
		}
		line += n + (line[n] == '\n');
	}
	return s;
}

enum db_status schema_install(struct db *db, schema_report_fn fn, void *ctx)
{
	struct schema_state before, after;
	unsigned long long seeded;
	char line[160];
	enum db_status s;

	if ((s = schema_inspect(db, &before)) ||
	    (s = run_schema_sql(db, &seeded)) ||
	    (s = schema_inspect(db, &after)))
		return s;
	if (!before.has_ips && after.has_ips)
		fn(ctx, "created table fail2ban_ips");
	if (!before.has_jail && after.has_jail)
		fn(ctx, "created table fail2ban_jail");
	if (!before.has_conf && after.has_conf)
		fn(ctx, "created table fail2ban_conf");
	if (!before.has_events && after.has_events)
		fn(ctx, "created table fail2ban_events");
	if (seeded) {
		snprintf(line, sizeof(line), "added %llu of MailCleaner's default "
			 "jails, disabled (mc-f2b jail list)", seeded);
		fn(ctx, line);
	}
	if ((s = make_triggers(db, &after, false, fn, ctx)))
		return s;
	/* A table of MailCleaner's without its chain column gets its row once
	 * upgrade has added the column. */
	return after.has_conf_chain ? seed_mail_conf(db, fn, ctx) : DB_OK;
}

/* --- upgrade ------------------------------------------------------------ */

struct fix {
	long long id;
	char ip[ADDR_NET_TEXT_MAX];
};

struct fixes {
	struct fix *items;
	size_t n, cap;
	long long unparsable;
	bool failed;          /* out of memory: not every address was read */
};

static int on_address(void *ctx, const char *const *cols, size_t ncols)
{
	struct fixes *f = ctx;
	struct fix *grown;
	char canon[ADDR_NET_TEXT_MAX];

	long long id;

	if (!db_col_int(cols, ncols, 0, 0, &id) || db_col_null(cols, ncols, 1) ||
	    addr_canonical(cols[1], canon, NULL) != 0) {
		f->unparsable++;
		return 0;
	}
	if (strcmp(canon, cols[1]) == 0)
		return 0;
	if (!(grown = grow_for_one(f->items, &f->cap, f->n, sizeof(*grown), 64))) {
		f->failed = true;
		return 1;
	}
	f->items = grown;
	f->items[f->n].id = id;
	memcpy(f->items[f->n].ip, canon, sizeof(canon));
	f->n++;
	return 0;
}

/* Fold row `from` into the row of the same jail holding ip, then drop it. */
static enum db_status fold_into(struct db *db, long long from, const char *ip)
{
	static const char merge_sql[] =
		"UPDATE fail2ban_ips t JOIN fail2ban_ips s ON s.id = ? "
		"SET t.count = GREATEST(t.count, s.count), "
		"t.active = t.active OR s.active, "
		"t.blacklisted = t.blacklisted OR s.blacklisted, "
		"t.whitelisted = t.whitelisted OR s.whitelisted, "
		"t.last_hit = GREATEST(t.last_hit, s.last_hit) "
		"WHERE t.jail = s.jail AND t.ip = ?";
	static const char drop_sql[] = "DELETE FROM fail2ban_ips WHERE id = ?";
	struct db_arg args[] = { DB_INT(from), DB_TEXT(ip) };
	enum db_status s = db_exec(db, merge_sql, args, 2, NULL);

	return s ? s : db_exec(db, drop_sql, args, 1, NULL);
}

static enum db_status canonicalise(struct db *db, schema_report_fn fn,
				   void *ctx)
{
	static const char select_sql[] = "SELECT id, ip FROM fail2ban_ips";
	static const char update_sql[] =
		"UPDATE fail2ban_ips SET ip = ? WHERE id = ?";
	struct fixes f = { 0 };
	enum db_status s = db_query(db, select_sql, NULL, 0, on_address, &f);
	char line[160];

	/* An upgrade that read only part of the table must not say it is done. */
	if (s == DB_OK && f.failed)
		s = DB_FAILED;

	for (size_t i = 0; s == DB_OK && i < f.n; i++) {
		struct db_arg args[] = { DB_TEXT(f.items[i].ip),
					 DB_INT(f.items[i].id) };

		s = db_exec(db, update_sql, args, 2, NULL);
		/* The canonical row exists already (UNIQUE key in place). */
		if (s == DB_CONFLICT)
			s = fold_into(db, f.items[i].id, f.items[i].ip);
	}
	if (s == DB_OK && f.n) {
		snprintf(line, sizeof(line), "rewrote %zu address(es) in "
			 "canonical form", f.n);
		fn(ctx, line);
	}
	if (f.unparsable) {
		snprintf(line, sizeof(line), "left %lld row(s) whose ip is not "
			 "an address or network", f.unparsable);
		fn(ctx, line);
	}
	free(f.items);
	return s;
}

static enum db_status merge_duplicates(struct db *db, schema_report_fn fn,
				       void *ctx)
{
	static const char merge_sql[] =
		"UPDATE fail2ban_ips k JOIN (SELECT MIN(id) AS keep, "
		"MAX(count) AS c, MAX(active) AS a, MAX(blacklisted) AS b, "
		"MAX(whitelisted) AS w, MAX(last_hit) AS h FROM fail2ban_ips "
		"GROUP BY jail, ip HAVING COUNT(*) > 1) d ON k.id = d.keep "
		"SET k.count = d.c, k.active = d.a, k.blacklisted = d.b, "
		"k.whitelisted = d.w, k.last_hit = d.h";
	static const char drop_sql[] =
		"DELETE x FROM fail2ban_ips x JOIN (SELECT jail, ip, "
		"MIN(id) AS keep FROM fail2ban_ips GROUP BY jail, ip "
		"HAVING COUNT(*) > 1) d ON x.jail = d.jail AND x.ip = d.ip "
		"AND x.id <> d.keep";
	unsigned long long dropped = 0;
	enum db_status s = db_exec(db, merge_sql, NULL, 0, NULL);
	char line[96];

	if (s == DB_OK)
		s = db_exec(db, drop_sql, NULL, 0, &dropped);
	if (s == DB_OK && dropped) {
		snprintf(line, sizeof(line), "merged %llu duplicate row(s)",
			 dropped);
		fn(ctx, line);
	}
	return s;
}

/* Writers may insert a new duplicate between the merge and the ALTER: merge
 * again and retry, a few times. */
static enum db_status add_unique_key(struct db *db, schema_report_fn fn,
				     void *ctx)
{
	static const char sql[] =
		"ALTER TABLE fail2ban_ips ADD UNIQUE KEY jail_ip (jail, ip)";
	enum db_status s = DB_CONFLICT;

	for (int i = 0; i < 5 && s == DB_CONFLICT; i++) {
		s = merge_duplicates(db, fn, ctx);
		if (s == DB_OK)
			s = db_exec(db, sql, NULL, 0, NULL);
	}
	if (s == DB_OK)
		fn(ctx, "added UNIQUE(jail, ip)");
	return s;
}

static enum db_status step(struct db *db, const char *sql, const char *what,
			   schema_report_fn fn, void *ctx)
{
	enum db_status s = db_exec(db, sql, NULL, 0, NULL);

	if (s == DB_OK)
		fn(ctx, what);
	return s;
}

enum db_status schema_upgrade(struct db *db, schema_report_fn fn, void *ctx)
{
	struct schema_state st;
	enum db_status s;

	if ((s = schema_install(db, fn, ctx)) || (s = schema_inspect(db, &st)))
		return s;
	/* What MailCleaner's tables lack, in order, each said as it is done. */
	const struct {
		bool needed;
		const char *sql, *what;
	} steps[] = {
		{ st.jail_width < SCHEMA_JAIL_WIDTH,
		  "ALTER TABLE fail2ban_ips MODIFY jail varchar(160) NOT NULL",
		  "widened fail2ban_ips.jail to varchar(160)" },
		{ !st.has_updated_at,
		  "ALTER TABLE fail2ban_ips ADD COLUMN updated_at timestamp(6) "
		  "NOT NULL DEFAULT current_timestamp(6) "
		  "ON UPDATE current_timestamp(6)",
		  "added fail2ban_ips.updated_at" },
		{ !st.has_updated_at_index,
		  "ALTER TABLE fail2ban_ips ADD KEY updated_at (updated_at)",
		  "indexed fail2ban_ips.updated_at" },
		{ !st.has_whitelist_index,
		  "ALTER TABLE fail2ban_ips ADD KEY whitelist (jail, whitelisted)",
		  "indexed fail2ban_ips (jail, whitelisted)" },
		{ st.change_columns < SCHEMA_CHANGE_COLUMNS,
		  "ALTER TABLE fail2ban_ips "
		  "ADD COLUMN IF NOT EXISTS change_source varchar(40) DEFAULT NULL, "
		  "ADD COLUMN IF NOT EXISTS change_node varchar(150) DEFAULT NULL, "
		  "ADD COLUMN IF NOT EXISTS change_failures bigint DEFAULT NULL, "
		  "ADD COLUMN IF NOT EXISTS change_bantime bigint DEFAULT NULL",
		  "added fail2ban_ips.change_* for the history" },
	};
	if (!st.has_conf_chain &&
	    ((s = step(db, "ALTER TABLE fail2ban_conf ADD COLUMN chain "
		       "varchar(50) DEFAULT NULL", "added fail2ban_conf.chain",
		       fn, ctx)) ||
	     (s = seed_mail_conf(db, fn, ctx))))
		return s;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i].needed && (s = step(db, steps[i].sql,
						   steps[i].what, fn, ctx)))
			return s;
	if ((s = canonicalise(db, fn, ctx)))
		return s;
	if (!st.has_unique_jail_ip && (s = add_unique_key(db, fn, ctx)))
		return s;
	/* Last: merging and canonicalising rows are no history of bans. */
	if ((s = schema_inspect(db, &st)))
		return s;
	return make_triggers(db, &st, true, fn, ctx);
}
