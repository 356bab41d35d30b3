/* sync.c - one round of making the local fail2ban match the database. */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "grow.h"
#include "jailfile.h"
#include "jails.h"
#include "log.h"

/* How far back each round reads before the newest change it has seen:
 * a change committed late, or stamped by a master whose clock stepped
 * back, is not skipped.  Rows read twice are recognised (recent). */
#define SYNC_OVERLAP_SECONDS 5
/* Addresses per banip/unbanip call. */
#define SYNC_BATCH 256

void sync_actions_free(struct sync_actions *a)
{
	strset_free(&a->ban);
	strset_free(&a->unban);
	strset_free(&a->bl_ban);
	strset_free(&a->bl_unban);
	strset_free(&a->add_ignore);
	strset_free(&a->del_ignore);
}

void f2b_view_free(struct f2b_view *v)
{
	strset_free(&v->banned);
	strset_free(&v->bl_banned);
	strset_free(&v->ignoreip);
}

/* --- the decision ------------------------------------------------------- */

/* Add item to set unless the set it is compared with already holds it. */
static int want_in(struct strset *out, struct strset *have, const char *item,
		   bool want)
{
	if (want == strset_has(have, item))
		return 0;
	return strset_add(out, item);
}

/* One row: its whitelist entry, then its bans.  An address of the
 * cluster is never banned, whatever its row says, and never taken out of
 * an ignore list (the jail files put it there). */
static int decide_row(const struct sync_jail *jail, const struct sync_row *r,
		      const struct nodes *nodes, struct f2b_view *view,
		      struct sync_actions *out)
{
	struct addr a;
	struct addr_net net;
	char canon[ADDR_NET_TEXT_MAX];
	const char *why;
	bool covered, want;

	bool node;

	if (addr_net_parse(r->ip, &net, &why) != 0)
		return 0;   /* not written by mc-f2b: nothing to apply */
	addr_net_format(&net, canon);
	node = addr_parse(r->ip, &a, &why) == 0 && nodes && nodes_has(nodes, &a);
	if (node && (r->active || r->blacklisted))
		out->node_rows++;
	if (!node &&
	    (r->whitelisted ? want_in(&out->add_ignore, &view->ignoreip, canon, true)
			    : want_in(&out->del_ignore, &view->ignoreip, canon, false)))
		return -1;
	if (addr_parse(r->ip, &a, &why) != 0)
		return 0;   /* a network: only ever a whitelist entry */
	covered = r->whitelisted || node ||
		  jail_whitelist_covers(&jail->whitelist, &a);
	want = r->active && !covered;
	if (want_in(want ? &out->ban : &out->unban, &view->banned, canon, want))
		return -1;
	/* A -bl jail out of scope is another file's: left as it is. */
	if (!jail->scope.bl)
		return 0;
	want = r->blacklisted && !covered && jail->max_count > 0;
	return want_in(want ? &out->bl_ban : &out->bl_unban, &view->bl_banned,
		       canon, want);
}

int sync_decide(const struct sync_jail *jail, const struct sync_row *rows,
		size_t nrows, const struct nodes *nodes, struct f2b_view *view,
		struct sync_actions *out)
{
	memset(out, 0, sizeof(*out));
	if (!jail->scope.act)
		return 0;
	for (size_t i = 0; i < nrows; i++)
		if (strcmp(rows[i].jail, jail->name) == 0 &&
		    decide_row(jail, &rows[i], nodes, view, out) != 0)
			return -1;
	return 0;
}

/* --- reading the database ----------------------------------------------- */

/* Jails left alone this round, said in one line at its end. */
struct left_alone {
	char names[512];
	unsigned count;
};

static void leave_alone(struct left_alone *la, const char *name)
{
	size_t used = strlen(la->names);

	la->count++;
	snprintf(la->names + used, sizeof(la->names) - used, "%s%s",
		 used ? ", " : "", name);
}

struct jails_ctx {
	struct db *db;
	struct sync_jail *jails;
	size_t count, cap;
	bool failed;
	struct left_alone la;      /* enabled rows that are no jail at all */
};

static void on_jail(void *ctx, const struct jail_row *row,
		    const char *bad_column, const char *why)
{
	struct jails_ctx *jc = ctx;
	struct sync_jail *j;

	(void)why;
	/* A row whose name is not a jail name never reaches fail2ban; an
	 * enabled one is named in the round's line, by its id when its name
	 * is what is wrong. */
	if (row->enabled && bad_column) {
		char what[96];

		snprintf(what, sizeof(what), "row id %lld (%s)", row->id,
			 bad_column);
		leave_alone(&jc->la, what);
	}
	if (!row->enabled || bad_column)
		return;
	if (!(j = grow_for_one(jc->jails, &jc->cap, jc->count, sizeof(*j), 8))) {
		jc->failed = true;
		return;
	}
	jc->jails = j;
	j = &jc->jails[jc->count++];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", row->name);
	snprintf(j->port, sizeof(j->port), "%s", row->port);
	j->max_count = row->max_count;
	j->send_mail_bl = row->send_mail_bl;
	if (jails_whitelist(jc->db, row->name, &j->whitelist) != DB_OK)
		jc->failed = true;
}

static void free_jails(struct jails_ctx *jc)
{
	for (size_t i = 0; i < jc->count; i++)
		jail_whitelist_free(&jc->jails[i].whitelist);
	free(jc->jails);
}

struct rows_ctx {
	struct sync_row *rows;
	size_t count, cap;
	struct strset *recent;     /* skipped: handled by the last round */
	struct strset next;        /* this round's keys */
	char newest[32];
	bool failed;               /* out of memory: the round is not done */
};

static void row_key(const struct sync_row *r, char *key, size_t len)
{
	snprintf(key, len, "%s\t%s\t%s", r->jail, r->ip, r->updated_at);
}

static int keep_row(struct rows_ctx *rc, const struct sync_row *r)
{
	struct sync_row *grown = grow_for_one(rc->rows, &rc->cap, rc->count,
					      sizeof(*grown), 256);

	if (!grown)
		return -1;
	rc->rows = grown;
	rc->rows[rc->count++] = *r;
	return 0;
}

static bool read_row(struct sync_row *r, const char *const *cols,
		     size_t ncols)
{
	return !db_col_null(cols, ncols, 0) && !db_col_null(cols, ncols, 1) &&
	       !db_col_null(cols, ncols, 5) &&
	       db_col_text(cols, ncols, 0, r->jail, sizeof(r->jail)) &&
	       db_col_text(cols, ncols, 1, r->ip, sizeof(r->ip)) &&
	       db_col_bool(cols, ncols, 2, false, &r->active) &&
	       db_col_bool(cols, ncols, 3, false, &r->blacklisted) &&
	       db_col_bool(cols, ncols, 4, false, &r->whitelisted) &&
	       db_col_text(cols, ncols, 5, r->updated_at,
			   sizeof(r->updated_at));
}

static int on_row(void *ctx, const char *const *cols, size_t ncols)
{
	struct rows_ctx *rc = ctx;
	struct sync_row r;
	const char *stamp;
	char key[400];

	/* A row that is not what the schema says is skipped: sync acts
	 * only on rows it can read whole. */
	if (!read_row(&r, cols, ncols))
		return 0;
	/* Never past the server's now: a row stamped in 2037 by a writer of
	 * rows would otherwise hold every later round to 2037 and after. */
	stamp = !db_col_null(cols, ncols, 6) &&
			strcmp(r.updated_at, cols[6]) > 0
		? cols[6]
		: r.updated_at;
	if (strcmp(stamp, rc->newest) > 0 && strlen(stamp) < sizeof(rc->newest))
		snprintf(rc->newest, sizeof(rc->newest), "%s", stamp);
	row_key(&r, key, sizeof(key));
	if (strset_add(&rc->next, key) != 0 ||
	    (!strset_has(rc->recent, key) && keep_row(rc, &r) != 0)) {
		rc->failed = true;
		return 1;
	}
	return 0;
}

/* The columns on_row() reads, and the server's now beside them. */
#define SELECT_ROWS \
	"SELECT jail, ip, active, blacklisted, whitelisted, " \
	"DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f'), " \
	"DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f') FROM fail2ban_ips"

/* Every row of one jail (its blacklisted rows are banned in <jail>-bl). */
static enum db_status read_jail_rows(struct db *db, const char *jail,
				     struct rows_ctx *rc)
{
	static const char sql[] = SELECT_ROWS " WHERE jail = ?";
	struct db_arg args[] = { DB_TEXT(jail) };

	return db_query(db, sql, args, 1, on_row, rc);
}

static enum db_status read_rows(struct db *db, const char *since,
				struct rows_ctx *rc)
{
	static const char all_sql[] = SELECT_ROWS;
	static const char since_sql[] = SELECT_ROWS
		" WHERE updated_at >= TIMESTAMPADD(SECOND, ?, ?)";
	struct db_arg args[] = { DB_INT(-SYNC_OVERLAP_SECONDS), DB_TEXT(since) };

	snprintf(rc->newest, sizeof(rc->newest), "%s", since);
	return since[0] ? db_query(db, since_sql, args, 2, on_row, rc)
			: db_query(db, all_sql, NULL, 0, on_row, rc);
}

/* The first cell of the first row, into a SYNC_MAIL_SIG_MAX buffer. */
static int copy_first_cell(void *ctx, const char *const *cols, size_t ncols)
{
	char *out = ctx;

	if (ncols >= 1 && cols[0])
		snprintf(out, SYNC_MAIL_SIG_MAX, "%s", cols[0]);
	return 1;
}

/* --- the local fail2ban ------------------------------------------------- */

/* A list of addresses or networks from fail2ban, in canonical text.
 * F2B_UNKNOWN_JAIL: the jail is not loaded here. */
static enum f2b_status fetch_list(const struct f2b_link *link, const char *jail,
				  const char *what, struct strset *out)
{
	const char *argv[] = { "get", jail, what };
	struct pickle_doc *doc;
	const struct pickle_value *list;
	char err[256];
	enum f2b_status s = f2b_call(link->socket, argv, 3, link->timeout_ms,
				     &doc, &list, err, sizeof(err));

	if (s != F2B_OK)
		return s;
	if (list->type == PICKLE_LIST || list->type == PICKLE_TUPLE)
		for (size_t i = 0; s == F2B_OK && i < list->count; i++) {
			const struct pickle_value *v = list->items[i];
			struct addr_net net;
			char canon[ADDR_NET_TEXT_MAX];
			const char *why;

			if (v->type != PICKLE_STR ||
			    addr_net_parse(v->text, &net, &why) != 0)
				continue;
			addr_net_format(&net, canon);
			if (strset_add(out, canon) != 0)
				s = F2B_FAILED;
		}
	pickle_doc_free(doc);
	return s;
}

/* What fail2ban holds for the jail and, when in scope, its -bl jail. */
static int fetch_view(const struct f2b_link *link, const struct sync_jail *jail,
		      struct f2b_view *v)
{
	char bl[JAIL_BL_NAME_MAX + 1];
	enum f2b_status s;

	memset(v, 0, sizeof(*v));
	jail_bl_name(jail->name, bl);
	s = fetch_list(link, jail->name, "banned", &v->banned);
	if (s != F2B_OK)
		return s == F2B_UNKNOWN_JAIL ? 0 : -1;
	v->loaded = true;
	if (fetch_list(link, jail->name, "ignoreip", &v->ignoreip) != F2B_OK)
		return -1;
	if (!jail->scope.bl)
		return 0;
	s = fetch_list(link, bl, "banned", &v->bl_banned);
	if (s != F2B_OK && s != F2B_UNKNOWN_JAIL)
		return -1;
	v->bl_loaded = s == F2B_OK;
	return 0;
}

/* "set JAIL <verb> ip ip ...", SYNC_BATCH addresses at a time. */
static unsigned apply_batches(const struct f2b_link *link, const char *jail,
			      const char *verb, struct strset *ips,
			      struct sync_counts *c)
{
	const char *argv[3 + SYNC_BATCH];
	char err[256];
	unsigned done = 0;

	for (size_t i = 0; i < ips->count; i += SYNC_BATCH) {
		size_t n = ips->count - i < SYNC_BATCH ? ips->count - i : SYNC_BATCH;

		argv[0] = "set";
		argv[1] = jail;
		argv[2] = verb;
		for (size_t k = 0; k < n; k++)
			argv[3 + k] = ips->items[i + k];
		if (f2b_command(link->socket, argv, 3 + n, link->timeout_ms,
				err, sizeof(err)) == F2B_OK) {
			done += (unsigned)n;
		} else {
			c->errors++;
			log_warning("sync: %s %s: %s", jail, verb, err);
		}
	}
	return done;
}

static unsigned apply_one(const struct f2b_link *link, const char *jail,
			  const char *verb, const char *item,
			  struct sync_counts *c)
{
	const char *argv[] = { "set", jail, verb, item };
	char err[256];

	if (f2b_command(link->socket, argv, 4, link->timeout_ms, err,
			sizeof(err)) == F2B_OK)
		return 1;
	c->errors++;
	log_warning("sync: %s %s %s: %s", jail, verb, item, err);
	return 0;
}

/* Load the -bl jail from a file of its own, as the first escalation does. */
static int load_bl(const struct f2b_link *link, const struct sync_jail *jail,
		   char *err, size_t errlen)
{
	struct jail_bl b;
	int rc;

	if (jail_bl_init(&b, jail->name, jail->port, &jail->whitelist) != 0) {
		snprintf(err, errlen, "too long, or out of memory");
		return -1;
	}
	b.send_mail = jail->send_mail_bl;
	rc = jailctl_publish_bl(link, &b, true, err, errlen);
	jail_bl_free(&b);
	return rc;
}

static void apply_actions(const struct f2b_link *link,
			  const struct sync_jail *jail,
			  const struct f2b_view *view,
			  struct sync_actions *a, struct sync_counts *c)
{
	char bl[JAIL_BL_NAME_MAX + 1], err[512];

	jail_bl_name(jail->name, bl);
	/* addignoreip and delignoreip take one entry per call. */
	for (size_t i = 0; i < a->add_ignore.count; i++)
		c->ignored += apply_one(link, jail->name, "addignoreip",
					a->add_ignore.items[i], c);
	for (size_t i = 0; i < a->del_ignore.count; i++)
		c->unignored += apply_one(link, jail->name, "delignoreip",
					  a->del_ignore.items[i], c);
	c->unbanned += apply_batches(link, jail->name, "unbanip", &a->unban, c);
	c->banned += apply_batches(link, jail->name, "banip", &a->ban, c);
	if (a->bl_ban.count && !view->bl_loaded &&
	    load_bl(link, jail, err, sizeof(err)) != 0) {
		c->errors++;
		log_warning("sync: %s: %s", bl, err);
		return;
	}
	c->bl_unbanned += apply_batches(link, bl, "unbanip", &a->bl_unban, c);
	c->bl_banned += apply_batches(link, bl, "banip", &a->bl_ban, c);
}

/* --- a round ------------------------------------------------------------ */

static bool has_rows_of(const struct rows_ctx *rc, const char *jail)
{
	for (size_t i = 0; i < rc->count; i++)
		if (strcmp(rc->rows[i].jail, jail) == 0)
			return true;
	return false;
}

static void sync_jail_rows(const struct f2b_link *link, struct sync_jail *jail,
			   const struct f2b_defined *defined,
			   const struct rows_ctx *rc, struct sync_counts *c,
			   struct left_alone *la)
{
	struct jail_facts facts;
	struct f2b_view view;
	struct sync_actions actions;

	/* No row of this jail changed: fail2ban is not even asked. */
	if (!has_rows_of(rc, jail->name))
		return;
	jailctl_facts(link, defined, jail->name, &facts);
	jail->scope = jail_scope_decide(jail->name, &facts);
	if (!jail->scope.act || (!jail->scope.bl && facts.bl_defined_in)) {
		char bl[JAIL_BL_NAME_MAX + 1];

		jail_bl_name(jail->name, bl);
		leave_alone(la, jail->scope.act ? bl : jail->name);
		if (!jail->scope.act)
			return;
	}
	if (fetch_view(link, jail, &view) != 0) {
		c->errors++;
		log_warning("sync: cannot read jail %s from fail2ban", jail->name);
	} else if (view.loaded) {
		if (sync_decide(jail, rc->rows, rc->count, link->nodes, &view,
				&actions) != 0) {
			c->errors++;
			log_warning("sync: jail %s: out of memory", jail->name);
		} else {
			c->node_rows += actions.node_rows;
			apply_actions(link, jail, &view, &actions, c);
		}
		sync_actions_free(&actions);
	}
	f2b_view_free(&view);
}

/* Apply the rows read to every enabled jail this node lets sync touch. */
static void apply_rows(const struct f2b_link *link, struct jails_ctx *jc,
		       const struct rows_ctx *rc, struct sync_counts *c)
{
	struct f2b_defined defined;
	struct left_alone *la = &jc->la;
	char err[512];

	/* What the configuration defines cannot be read: nothing can be
	 * shown to be mc-f2b's, so nothing is done. */
	if (f2bconf_read(link->config_dir, &defined, err, sizeof(err)) != 0) {
		c->errors++;
		log_warning("sync: fail2ban's configuration: %s", err);
		return;
	}
	for (size_t i = 0; i < jc->count; i++)
		sync_jail_rows(link, &jc->jails[i], &defined, rc, c, la);
	f2bconf_free(&defined);
}

/* The one line a round says about what it left alone. */
static void say_left_alone(const struct left_alone *la,
			   struct sync_counts *c)
{
	c->skipped = la->count;
	if (la->count)
		log_warning("sync: %u jail(s) named in the database left alone, "
			    "not mc-f2b's on this node or no jail at all: %s",
			    la->count, la->names);
}

/* A round over the rows rc holds (jail: of that jail only, else all). */
static enum db_status apply_round(struct db *db, const struct f2b_link *link,
				  const char *jail, struct rows_ctx *rc,
				  struct sync_counts *counts)
{
	struct jails_ctx jc = { .db = db };
	enum db_status s = DB_OK;

	if (rc->failed)
		counts->errors++;
	if (rc->count)
		s = jails_read(db, jail, on_jail, &jc);
	if (s == DB_OK && jc.failed)
		s = DB_FAILED;
	if (s == DB_OK && jc.count)
		apply_rows(link, &jc, rc, counts);
	if (s == DB_OK)
		say_left_alone(&jc.la, counts);
	counts->rows = (unsigned)rc->count;
	free_jails(&jc);
	return s;
}

enum db_status sync_jail(struct db *db, const struct f2b_link *link,
			 const char *jail, struct sync_counts *counts)
{
	struct strset none = { 0 };
	struct rows_ctx rc = { .recent = &none };
	enum db_status s;

	memset(counts, 0, sizeof(*counts));
	s = read_jail_rows(db, jail, &rc);
	if (s == DB_OK)
		s = apply_round(db, link, jail, &rc, counts);
	strset_free(&rc.next);
	free(rc.rows);
	return s;
}

enum db_status sync_round(struct db *replica, const struct f2b_link *link,
			  char since[32], struct strset *recent,
			  struct sync_counts *counts)
{
	struct rows_ctx rc = { .recent = recent };
	enum db_status s;

	memset(counts, 0, sizeof(*counts));
	s = read_rows(replica, since, &rc);
	if (s == DB_OK)
		s = apply_round(replica, link, NULL, &rc, counts);
	/* A round that could not apply everything is read again next time
	 * (what it did apply is then found in place, and left alone). */
	if (s == DB_OK && counts->errors == 0) {
		snprintf(since, 32, "%s", rc.newest);
		strset_free(recent);
		*recent = rc.next;
	} else {
		strset_free(&rc.next);
	}
	free(rc.rows);
	return s;
}

/* --- the mails' part of the jail files (mail.h) -------------------------- */

enum db_status sync_mail_signature(struct db *db, char out[SYNC_MAIL_SIG_MAX])
{
	/* What the mail lines of the files depend on, folded by the server:
	 * an idle round pays one short statement for it. */
	static const char sql[] =
		"SELECT CONCAT_WS(':', "
		"(SELECT COUNT(*) FROM fail2ban_jail), "
		"(SELECT COALESCE(SUM(CRC32(CONCAT_WS(':', name, enabled, "
		"send_mail, send_mail_bl))), 0) FROM fail2ban_jail), "
		"(SELECT COALESCE(CRC32(CONCAT_WS(':', src_email, src_name, "
		"dest_email)), 0) FROM (SELECT src_email, src_name, dest_email "
		"FROM fail2ban_conf ORDER BY id LIMIT 1) c))";
	out[0] = '\0';
	return db_query(db, sql, NULL, 0, copy_first_cell, out);
}

struct mail_ctx {
	const struct f2b_link *link;
	const struct mail_conf *mail;
	bool mail_valid;
	struct f2b_defined defined;
	unsigned changed, errors;
};

/* The line a file should carry: "" when the row does not ask, or when
 * fail2ban_conf is not valid (said once by sync_mail). */
static void wanted_line(const struct mail_ctx *mc, bool wanted,
			const char *jail, char line[MAIL_LINE_MAX])
{
	line[0] = '\0';
	if (wanted && mc->mail_valid &&
	    mail_action_line(mc->mail, jail, line, MAIL_LINE_MAX) < 0)
		line[0] = '\0';
}

static void set_mail(struct mail_ctx *mc, const char *name, bool wanted)
{
	char line[MAIL_LINE_MAX], err[512];
	int rc;

	wanted_line(mc, wanted, name, line);
	rc = jailctl_set_mail(mc->link, name, line, true, err, sizeof(err));
	if (rc < 0) {
		mc->errors++;
		log_warning("mails of %s: %s", name, err);
	} else {
		mc->changed += (unsigned)rc;
	}
}

static void on_mail_jail(void *ctx, const struct jail_row *row,
			 const char *bad_column, const char *why)
{
	struct mail_ctx *mc = ctx;
	struct jail_facts facts;
	struct jail_scope scope;
	char bl[JAIL_BL_NAME_MAX + 1];

	(void)why;
	if (bad_column || !row->enabled)
		return;
	jailctl_facts(mc->link, &mc->defined, row->name, &facts);
	scope = jail_scope_decide(row->name, &facts);
	if (scope.owned)
		set_mail(mc, row->name, row->send_mail);
	if (scope.bl) {
		jail_bl_name(row->name, bl);
		set_mail(mc, bl, row->send_mail_bl && row->max_count > 0);
	}
}

enum db_status sync_mail(struct db *db, const struct f2b_link *link,
			 unsigned *changed, unsigned *errors)
{
	struct mail_ctx mc = { .link = link, .mail = link->mail };
	const char *column, *why;
	char err[512];
	enum db_status s;

	*changed = *errors = 0;
	mc.mail_valid = link->mail && mail_conf_valid(link->mail, &column, &why) &&
			jailfile_mail_action_installed(link->config_dir);
	if (link->mail && link->mail->dest_email[0] &&
	    !mail_conf_valid(link->mail, &column, &why))
		log_warning("fail2ban_conf: %s: %s; no mail is sent until it "
			    "is mended (mc-f2b mail)", column, why);
	if (f2bconf_read(link->config_dir, &mc.defined, err, sizeof(err)) != 0) {
		log_warning("fail2ban's configuration: %s", err);
		*errors = 1;
		return DB_OK;
	}
	s = jails_read(db, NULL, on_mail_jail, &mc);
	f2bconf_free(&mc.defined);
	*changed = mc.changed;
	*errors = mc.errors;
	return s;
}
