/* sync.c - one round of making the local fail2ban match the database. */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "jails.h"
#include "log.h"

/* How far back each round reads before the newest change it has seen:
 * a change committed late, or stamped by a master whose clock stepped
 * back, is not skipped.  Rows read twice are recognised (recent). */
#define SYNC_OVERLAP_SECONDS 5
/* Addresses per banip/unbanip call. */
#define SYNC_BATCH 256

/* --- string sets -------------------------------------------------------- */

int strset_add(struct strset *s, const char *item)
{
	char *copy;

	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **grown = realloc(s->items, cap * sizeof(*grown));
		if (!grown)
			return -1;
		s->items = grown;
		s->cap = cap;
	}
	copy = strdup(item);
	if (!copy)
		return -1;
	s->items[s->count++] = copy;
	s->sorted = false;
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool strset_has(struct strset *s, const char *item)
{
	if (!s->sorted) {
		if (s->count)
			qsort(s->items, s->count, sizeof(*s->items), by_text);
		s->sorted = true;
	}
	return s->count &&
	       bsearch(&item, s->items, s->count, sizeof(*s->items), by_text);
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

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

static bool covered_by_whitelist(const struct sync_jail *jail,
				 const struct addr *a)
{
	for (size_t i = 0; i < jail->whitelist.count; i++) {
		struct addr_net net;
		const char *why;

		if (addr_net_parse(jail->whitelist.entries[i], &net, &why) == 0 &&
		    addr_net_contains(&net, a))
			return true;
	}
	return false;
}

/* One row: its whitelist entry, then its bans. */
static void decide_row(const struct sync_jail *jail, const struct sync_row *r,
		       struct f2b_view *view, struct sync_actions *out)
{
	struct addr a;
	struct addr_net net;
	char canon[ADDR_NET_TEXT_MAX];
	const char *why;
	bool covered, want;

	if (addr_net_parse(r->ip, &net, &why) != 0)
		return;   /* not written by mc-f2b: nothing to apply */
	addr_net_format(&net, canon);
	if (r->whitelisted && !strset_has(&view->ignoreip, canon))
		strset_add(&out->add_ignore, canon);
	if (!r->whitelisted && strset_has(&view->ignoreip, canon))
		strset_add(&out->del_ignore, canon);
	if (addr_parse(r->ip, &a, &why) != 0)
		return;   /* a network: only ever a whitelist entry */
	covered = r->whitelisted || covered_by_whitelist(jail, &a);
	want = r->active && !covered;
	if (want && !strset_has(&view->banned, canon))
		strset_add(&out->ban, canon);
	if (!want && strset_has(&view->banned, canon))
		strset_add(&out->unban, canon);
	want = r->blacklisted && !covered && jail->max_count > 0;
	if (want && !strset_has(&view->bl_banned, canon))
		strset_add(&out->bl_ban, canon);
	if (!want && strset_has(&view->bl_banned, canon))
		strset_add(&out->bl_unban, canon);
}

void sync_decide(const struct sync_jail *jail, const struct sync_row *rows,
		 size_t nrows, struct f2b_view *view,
		 struct sync_actions *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nrows; i++)
		if (strcmp(rows[i].jail, jail->name) == 0)
			decide_row(jail, &rows[i], view, out);
}

/* --- reading the database ----------------------------------------------- */

struct jails_ctx {
	struct db *db;
	struct sync_jail *jails;
	size_t count, cap;
	bool failed;
};

static void on_jail(void *ctx, const struct jail_row *row,
		    const char *bad_column, const char *why)
{
	struct jails_ctx *jc = ctx;
	struct sync_jail *j;

	(void)why;
	if (!row->enabled || bad_column)
		return;
	if (jc->count == jc->cap) {
		size_t cap = jc->cap ? jc->cap * 2 : 8;
		void *grown = realloc(jc->jails, cap * sizeof(*jc->jails));
		if (!grown) {
			jc->failed = true;
			return;
		}
		jc->jails = grown;
		jc->cap = cap;
	}
	j = &jc->jails[jc->count++];
	strcpy(j->name, row->name);
	strcpy(j->port, row->port);
	j->max_count = row->max_count;
	if (jails_whitelist(jc->db, row->name, &j->whitelist) != DB_OK)
		jc->failed = true;
}

struct rows_ctx {
	struct sync_row *rows;
	size_t count, cap;
	struct strset *recent;     /* skipped: handled by the last round */
	struct strset next;        /* this round's keys */
	char newest[32];
};

static void row_key(const struct sync_row *r, char *key, size_t len)
{
	snprintf(key, len, "%s\t%s\t%s", r->jail, r->ip, r->updated_at);
}

static int on_row(void *ctx, const char *const *cols, size_t ncols)
{
	struct rows_ctx *rc = ctx;
	struct sync_row r;
	char key[400];

	(void)ncols;
	if (!cols[0] || !cols[1] || !cols[5] ||
	    strlen(cols[0]) >= sizeof(r.jail) || strlen(cols[1]) >= sizeof(r.ip) ||
	    strlen(cols[5]) >= sizeof(r.updated_at))
		return 0;
	strcpy(r.jail, cols[0]);
	strcpy(r.ip, cols[1]);
	r.active = cols[2] && atoi(cols[2]);
	r.blacklisted = cols[3] && atoi(cols[3]);
	r.whitelisted = cols[4] && atoi(cols[4]);
	strcpy(r.updated_at, cols[5]);
	if (strcmp(r.updated_at, rc->newest) > 0)
		strcpy(rc->newest, r.updated_at);
	row_key(&r, key, sizeof(key));
	strset_add(&rc->next, key);
	if (strset_has(rc->recent, key))
		return 0;
	if (rc->count == rc->cap) {
		size_t cap = rc->cap ? rc->cap * 2 : 256;
		void *grown = realloc(rc->rows, cap * sizeof(*rc->rows));
		if (!grown)
			return 1;
		rc->rows = grown;
		rc->cap = cap;
	}
	rc->rows[rc->count++] = r;
	return 0;
}

static enum db_status read_rows(struct db *db, const char *since,
				struct rows_ctx *rc)
{
	static const char all_sql[] =
		"SELECT jail, ip, active, blacklisted, whitelisted, "
		"DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') "
		"FROM fail2ban_ips";
	static const char since_sql[] =
		"SELECT jail, ip, active, blacklisted, whitelisted, "
		"DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') "
		"FROM fail2ban_ips WHERE updated_at >= "
		"TIMESTAMPADD(SECOND, ?, ?)";
	struct db_arg args[] = { DB_INT(-SYNC_OVERLAP_SECONDS), DB_TEXT(since) };

	strcpy(rc->newest, since);
	return since[0] ? db_query(db, since_sql, args, 2, on_row, rc)
			: db_query(db, all_sql, NULL, 0, on_row, rc);
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
		for (size_t i = 0; i < list->count; i++) {
			const struct pickle_value *v = list->items[i];
			struct addr_net net;
			char canon[ADDR_NET_TEXT_MAX];
			const char *why;

			if (v->type != PICKLE_STR ||
			    addr_net_parse(v->text, &net, &why) != 0)
				continue;
			addr_net_format(&net, canon);
			strset_add(out, canon);
		}
	pickle_doc_free(doc);
	return F2B_OK;
}

static int fetch_view(const struct f2b_link *link, const char *jail,
		      struct f2b_view *v)
{
	char bl[JAIL_NAME_MAX + 4];
	enum f2b_status s;

	memset(v, 0, sizeof(*v));
	bl_jail_name(jail, bl);
	s = fetch_list(link, jail, "banned", &v->banned);
	if (s != F2B_OK)
		return s == F2B_UNKNOWN_JAIL ? 0 : -1;
	v->loaded = true;
	if (fetch_list(link, jail, "ignoreip", &v->ignoreip) != F2B_OK)
		return -1;
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

static void apply_actions(const struct f2b_link *link,
			  const struct sync_jail *jail,
			  const struct f2b_view *view,
			  struct sync_actions *a, struct sync_counts *c)
{
	char bl[JAIL_NAME_MAX + 4], err[512];

	bl_jail_name(jail->name, bl);
	/* addignoreip and delignoreip take one entry per call. */
	for (size_t i = 0; i < a->add_ignore.count; i++)
		c->ignored += apply_one(link, jail->name, "addignoreip",
					a->add_ignore.items[i], c);
	for (size_t i = 0; i < a->del_ignore.count; i++)
		c->unignored += apply_one(link, jail->name, "delignoreip",
					  a->del_ignore.items[i], c);
	c->unbanned += apply_batches(link, jail->name, "unbanip", &a->unban, c);
	c->banned += apply_batches(link, jail->name, "banip", &a->ban, c);
	if (a->bl_ban.count && !view->bl_loaded) {
		struct bl_jail b;

		strcpy(b.jail, jail->name);
		strcpy(b.port, jail->port);
		b.whitelist = jail->whitelist;
		if (jailctl_publish_bl(link, &b, true, err, sizeof(err)) != 0) {
			c->errors++;
			log_warning("sync: %s: %s", bl, err);
			return;
		}
	}
	c->bl_unbanned += apply_batches(link, bl, "unbanip", &a->bl_unban, c);
	c->bl_banned += apply_batches(link, bl, "banip", &a->bl_ban, c);
}

/* --- a round ------------------------------------------------------------ */

static void sync_jail_rows(const struct f2b_link *link,
			   const struct sync_jail *jail,
			   const struct rows_ctx *rc, struct sync_counts *c)
{
	struct f2b_view view;
	struct sync_actions actions;
	bool any = false;

	for (size_t i = 0; i < rc->count && !any; i++)
		any = strcmp(rc->rows[i].jail, jail->name) == 0;
	/* No row of this jail changed: fail2ban is not even asked. */
	if (!any)
		return;
	if (fetch_view(link, jail->name, &view) != 0) {
		c->errors++;
		log_warning("sync: cannot read jail %s from fail2ban", jail->name);
	} else if (view.loaded) {
		sync_decide(jail, rc->rows, rc->count, &view, &actions);
		apply_actions(link, jail, &view, &actions, c);
		sync_actions_free(&actions);
	}
	f2b_view_free(&view);
}

enum db_status sync_round(struct db *replica, const struct f2b_link *link,
			  char since[32], struct strset *recent,
			  struct sync_counts *counts)
{
	struct jails_ctx jc = { .db = replica };
	struct rows_ctx rc = { .recent = recent };
	enum db_status s;

	memset(counts, 0, sizeof(*counts));
	s = read_rows(replica, since, &rc);
	if (s == DB_OK && rc.count)
		s = jails_read(replica, NULL, on_jail, &jc);
	if (s == DB_OK && jc.failed)
		s = DB_FAILED;
	for (size_t i = 0; s == DB_OK && i < jc.count; i++)
		sync_jail_rows(link, &jc.jails[i], &rc, counts);
	counts->rows = (unsigned)rc.count;
	/* A round that could not apply everything is read again next time
	 * (what it did apply is then found in place, and left alone). */
	if (s == DB_OK && counts->errors == 0) {
		strcpy(since, rc.newest);
		strset_free(recent);
		*recent = rc.next;
	} else {
		strset_free(&rc.next);
	}
	free(rc.rows);
	free(jc.jails);
	return s;
}
