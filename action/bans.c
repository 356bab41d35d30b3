/* bans.c - the rules of a ban.
 *
 * One fail2ban event changes at most one row of fail2ban_ips, with one
 * atomic statement on the master:
 *
 *   no row                 insert count=1, active=1, host=this node
 *   inactive row           count+1, active=1, last_hit, host; and when the
 *                          count passes the jail's max_count, blacklisted=1
 *   active row             nothing: the ban came back from another node, or
 *                          fail2ban is running a failed actionban again
 *   --restored 1           fail2ban re-applying its own ban after a restart:
 *                          active again, never counted
 *   whitelisted (jail,ip)  nothing, also when ip is inside a whitelisted CIDR
 *
 * The decision is made in C on what one SELECT returned, and the write
 * names the state it was decided on: the UPDATE only matches a row that is
 * still inactive with the same count and blacklisted flag, and the INSERT
 * only succeeds where no row exists (UNIQUE(jail, ip)).  When a concurrent
 * ban, from this node or another, got there first, the write matches nothing
 * and the event is decided again on the new state, which is then an active
 * row: counted once, blacklisted once.  This costs two round trips to the
 * master where a locking transaction costs four, and a ban runs inside
 * fail2ban's global lock.  An unban only clears active: the count is the
 * memory that blacklists repeat offenders. */
#include "bans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define CONFLICT_RETRIES 8

struct ban_plan ban_decide(const struct ip_row *row, bool whitelisted,
			   bool restored, long long max_count)
{
	struct ban_plan plan = { .write = true };

	if (whitelisted || (row->exists && row->whitelisted)) {
		plan.outcome = BAN_WHITELISTED;
		plan.write = false;
	} else if (!row->exists) {
		/* Also when restored: a ban the database never saw is a ban. */
		plan.outcome = BAN_NEW;
		plan.count = 1;
	} else if (row->active) {
		plan.outcome = BAN_ALREADY_ACTIVE;
		plan.write = false;
		plan.count = row->count;
	} else if (restored) {
		plan.outcome = BAN_RESTORED;
		plan.count = row->count;
	} else {
		plan.outcome = BAN_COUNTED;
		plan.count = row->count + 1;
	}
	plan.blacklist_now = plan.write && max_count > 0 &&
			     plan.count > max_count &&
			     !(row->exists && row->blacklisted);
	return plan;
}

/* --- reading what a ban needs ------------------------------------------ */

struct ban_facts {
	bool jail_found;
	long long max_count;
	struct ip_row row;
	struct addr ip;
	bool whitelisted;      /* by an entry of the jail's whitelist */
	bool out_of_memory;
	bool bad_row;          /* a number that is not one: not what the
				* schema lets a column hold */
	struct jail_bl *bl;    /* the jail's port and whitelist, kept */
	struct mail_conf *mail;   /* fail2ban_conf's values, kept */
};

/* One result row per whitelist entry of the jail (or one row if none); the
 * jail and (jail, ip) columns repeat on each. */
static int on_facts_row(void *ctx, const char *const *cols, size_t ncols)
{
	struct ban_facts *f = ctx;
	struct ip_row *r = &f->row;
	struct addr_net net;
	const char *why;

	f->jail_found = true;
	if (!db_col_int(cols, ncols, 0, 0, &f->max_count)) {
		f->bad_row = true;
		return 1;
	}
	/* A port or a mail value too long for its column stays empty: the
	 * -bl jail's file is checked when it is written. */
	db_col_text(cols, ncols, 7, f->bl->port, sizeof(f->bl->port));
	/* What the -bl jail's file needs to send its mails, should this
	 * ban be the one that loads it (checked when it is written). */
	db_col_text(cols, ncols, 9, f->mail->src_email,
		    sizeof(f->mail->src_email));
	db_col_text(cols, ncols, 10, f->mail->src_name,
		    sizeof(f->mail->src_name));
	db_col_text(cols, ncols, 11, f->mail->dest_email,
		    sizeof(f->mail->dest_email));
	if (!db_col_bool(cols, ncols, 8, true, &f->bl->send_mail)) {
		f->bad_row = true;
		return 1;
	}
	r->exists = !db_col_null(cols, ncols, 1);
	if (r->exists &&
	    (!db_col_int(cols, ncols, 1, 0, &r->id) ||
	     !db_col_int(cols, ncols, 2, 0, &r->count) ||
	     !db_col_bool(cols, ncols, 3, false, &r->active) ||
	     !db_col_bool(cols, ncols, 4, false, &r->blacklisted) ||
	     !db_col_bool(cols, ncols, 5, false, &r->whitelisted))) {
		f->bad_row = true;
		return 1;
	}
	/* A whitelist entry that is not a valid address or network was not
	 * written by mc-f2b: it cannot match, so it is skipped. */
	if (!db_col_null(cols, ncols, 6) &&
	    addr_net_parse(cols[6], &net, &why) == 0 &&
	    jail_whitelist_add(&f->bl->whitelist, &net) != 0) {
		f->out_of_memory = true;
		return 1;
	}
	return 0;
}

/* The jail's max_count, the (jail, ip) row and the jail's whitelist (read
 * through the index on (jail, whitelisted)), in one round trip. */
static enum db_status read_facts(struct db *db, const struct ban_event *ev,
				 struct ban_facts *f, struct jail_bl *bl,
				 struct mail_conf *mail)
{
	static const char sql[] =
		"SELECT j.max_count, r.id, r.count, r.active, r.blacklisted, "
		"r.whitelisted, w.ip, j.port, j.send_mail_bl, c.src_email, "
		"c.src_name, c.dest_email FROM fail2ban_jail j "
		"LEFT JOIN fail2ban_ips r ON r.jail = j.name AND r.ip = ? "
		"LEFT JOIN fail2ban_ips w ON w.jail = j.name AND w.whitelisted = 1 "
		"LEFT JOIN (SELECT src_email, src_name, dest_email FROM "
		"fail2ban_conf ORDER BY id LIMIT 1) c ON TRUE "
		"WHERE j.name = ?";
	const char *why;
	struct db_arg args[] = { DB_TEXT(ev->ip), DB_TEXT(ev->jail) };

	enum db_status s;

	memset(f, 0, sizeof(*f));
	/* A second attempt (after a conflict) reads everything again. */
	jail_bl_free(bl);
	if (jail_bl_init(bl, ev->jail, "", NULL) != 0)
		return DB_FAILED;   /* events are validated before this */
	f->bl = bl;
	memset(mail, 0, sizeof(*mail));
	f->mail = mail;
	if (addr_parse(ev->ip, &f->ip, &why) != 0)
		return DB_FAILED;
	s = db_query(db, sql, args, 2, on_facts_row, f);
	/* A whitelist read only in part could count a whitelisted address. */
	if (s == DB_OK && f->bad_row)
		return db_malformed(db, "fail2ban_ips or fail2ban_jail");
	if (s == DB_OK && f->out_of_memory)
		return DB_FAILED;
	/* Every entry is kept, for the -bl jail's ignoreip; the address is
	 * whitelisted when one of them covers it. */
	f->whitelisted = jail_whitelist_covers(&bl->whitelist, &f->ip);
	return s;
}

/* fail2ban's numbers, for the history: 0 (not given) is not known. */
static struct db_arg known(long long n)
{
	return n != 0 ? DB_INT(n) : DB_NULL;
}

/* The history's trailing columns of both statements: who makes the
 * change (the connection's actor) and fail2ban's numbers. */
#define CHANGE_COLUMNS \
	"change_source, change_node, change_failures, change_bantime"
#define CHANGE_ARGS(db, ev) \
	db_actor_source(db), db_actor_node(db), known((ev)->failures), \
	known((ev)->bantime)

static enum db_status write_row(struct db *db, const struct ban_event *ev,
				const struct ip_row *row,
				const struct ban_plan *plan)
{
	static const char insert_sql[] =
		"INSERT INTO fail2ban_ips (ip, count, active, blacklisted, "
		"whitelisted, jail, last_hit, host, " CHANGE_COLUMNS ") "
		"VALUES (?, ?, 1, ?, 0, ?, FROM_UNIXTIME(?), ?, ?, ?, ?, ?)";
	/* Matches only the state the plan was made on (see the top). */
	static const char update_sql[] =
		"UPDATE fail2ban_ips SET count = ?, active = 1, "
		"blacklisted = blacklisted OR ?, "
		"last_hit = IF(?, FROM_UNIXTIME(?), last_hit), host = ?, "
		"change_source = ?, change_node = ?, change_failures = ?, "
		"change_bantime = ? "
		"WHERE id = ? AND NOT active AND count = ? AND blacklisted = ? "
		"AND NOT whitelisted";
	unsigned long long affected = 0;
	enum db_status s;

	if (!row->exists) {
		struct db_arg args[] = {
			DB_TEXT(ev->ip), DB_INT(plan->count),
			DB_INT(plan->blacklist_now), DB_TEXT(ev->jail),
			DB_INT(ev->at), DB_TEXT(ev->host), CHANGE_ARGS(db, ev),
		};
		/* A duplicate key is a concurrent first ban: DB_CONFLICT. */
		return db_exec(db, insert_sql, args, 10, NULL);
	}
	/* A restored ban is not a new hit: last_hit stays. */
	struct db_arg args[] = {
		DB_INT(plan->count), DB_INT(plan->blacklist_now),
		DB_INT(plan->outcome != BAN_RESTORED), DB_INT(ev->at),
		DB_TEXT(ev->host), CHANGE_ARGS(db, ev), DB_INT(row->id),
		DB_INT(row->count), DB_INT(row->blacklisted),
	};
	s = db_exec(db, update_sql, args, 12, &affected);
	return s == DB_OK && affected == 0 ? DB_CONFLICT : s;
}

static enum bans_status to_bans_status(enum db_status s)
{
	return s == DB_UNREACHABLE || s == DB_BUSY ? BANS_UNREACHABLE
						   : BANS_FAILED;
}

/* One attempt: DB_CONFLICT asks the caller to decide again. */
static enum db_status record_once(struct db *db, const struct ban_event *ev,
				  struct ban_result *res, bool *unknown_jail)
{
	struct ban_facts f;
	enum db_status s = read_facts(db, ev, &f, &res->bl, &res->mail);

	if (s != DB_OK)
		return s;
	if (!f.jail_found) {
		*unknown_jail = true;
		return DB_OK;
	}
	res->max_count = f.max_count;
	res->plan = ban_decide(&f.row, f.whitelisted, ev->restored,
			       f.max_count);
	return res->plan.write ? write_row(db, ev, &f.row, &res->plan) : DB_OK;
}

static enum bans_status bans_record(struct db *db,
				    const struct ban_event *ev,
				    struct ban_result *res,
				    char *err, size_t errlen)
{
	enum db_status s = DB_CONFLICT;
	bool unknown_jail = false;

	for (int i = 0; i < CONFLICT_RETRIES && s == DB_CONFLICT; i++)
		s = record_once(db, ev, res, &unknown_jail);
	if (unknown_jail) {
		snprintf(err, errlen, "unknown jail '%s' (no row in fail2ban_jail)",
			 ev->jail);
		return BANS_UNKNOWN_JAIL;
	}
	if (s == DB_OK)
		return BANS_OK;
	snprintf(err, errlen, "ban %s in %s: %s", ev->ip, ev->jail,
		 s == DB_CONFLICT ? "the row kept changing under concurrent "
				    "bans" : db_error(db));
	return to_bans_status(s);
}

static enum bans_status bans_lift(struct db *db, const struct ban_event *ev,
				  bool *changed, char *err, size_t errlen)
{
	static const char unban_sql[] =
		"UPDATE fail2ban_ips SET active = 0, change_source = ?, "
		"change_node = ? WHERE jail = ? AND ip = ? AND active";
	static const char jail_sql[] =
		"SELECT 1 FROM fail2ban_jail WHERE name = ?";
	struct db_arg args[] = { db_actor_source(db), db_actor_node(db),
				 DB_TEXT(ev->jail), DB_TEXT(ev->ip) };
	unsigned long long affected = 0;
	bool jail_found = false;
	enum db_status s = DB_CONFLICT;

	*changed = false;
	for (int i = 0; i < CONFLICT_RETRIES && s == DB_CONFLICT; i++)
		s = db_exec(db, unban_sql, args, 4, &affected);
	/* Only when nothing changed is it worth asking whether the jail is
	 * known: the common unban pays one statement. */
	if (s == DB_OK && affected == 0)
		s = db_query(db, jail_sql, args + 2, 1, db_row_found,
			     &jail_found);
	else
		jail_found = true;
	if (s != DB_OK) {
		snprintf(err, errlen, "unban %s in %s: %s", ev->ip, ev->jail,
			 db_error(db));
		return to_bans_status(s);
	}
	if (!jail_found) {
		snprintf(err, errlen, "unknown jail '%s' (no row in fail2ban_jail)",
			 ev->jail);
		return BANS_UNKNOWN_JAIL;
	}
	*changed = affected > 0;
	return BANS_OK;
}

enum bans_status bans_apply(struct db *db, const struct ban_event *ev,
			    struct ban_result *res, char *err, size_t errlen)
{
	bool changed;

	memset(res, 0, sizeof(*res));
	if (ev->kind == EVENT_BAN)
		return bans_record(db, ev, res, err, errlen);
	return bans_lift(db, ev, &changed, err, errlen);
}

void bans_result_free(struct ban_result *res)
{
	jail_bl_free(&res->bl);
}
