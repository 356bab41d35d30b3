/* cmd_general.c - mc-f2b general enable|disable|enable-bl|disable-bl:
 * every jail at once. */
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "grow.h"
#include "jailfile.h"

/* Row ids: the rows general enable turned on, the rows to put back.  By
 * id, not name: a row whose name cannot even be read is still one row. */
struct ids {
	long long *items;
	size_t count, cap;
};

static bool ids_add(struct ids *l, long long id)
{
	long long *grown = grow_for_one(l->items, &l->cap, l->count,
					sizeof(*grown), 8);

	if (!grown)
		return false;
	l->items = grown;
	l->items[l->count++] = id;
	return true;
}

static bool ids_have(const struct ids *l, long long id)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i] == id)
			return true;
	return false;
}

struct each_ctx {
	struct admin *ad;
	int done, skipped, left_alone;
	bool failed;
	const struct ids *was_off;  /* general enable: the rows it turned on,
				     * which must each prove it; else NULL */
	struct ids put_back;        /* rows to disable again */
};

/* Was the jail published before (its file there, left as it was)?  Such
 * a jail was enabled already: its row stays so. */
static bool has_file(struct admin *ad, const char *name)
{
	char *text, err[256];
	bool there = jailfile_read(ad->cfg.f2b_config_dir, name, &text, err,
				   sizeof(err)) != 0 || text != NULL;

	free(text);
	return there;
}

/* Does an enabled row that could not be put in force go back to disabled?
 * Under general enable, exactly when general enable turned it on.  Under
 * the other sub-verbs (which change no row's enabled), when it has no
 * file here: nothing runs it. */
static bool goes_back(struct each_ctx *e, const struct jail_row *row)
{
	if (e->was_off)
		return ids_have(e->was_off, row->id);
	return row->enabled && !has_file(e->ad, row->name);
}

/* Bring one jail's files and running state in line with its row, within
 * what this node lets mc-f2b do to it; a row that cannot be written is
 * said (which row, which column) and skipped, a jail that is not mc-f2b's
 * here is said and left alone. */
static void apply_one(void *ctx, const struct jail_row *row,
		      const char *bad_column, const char *why)
{
	struct each_ctx *e = ctx;
	struct jail_scope scope;

	switch (admin_judge_row(e->ad, row, bad_column, why, &scope)) {
	case ADMIN_APPLY:
		if (admin_apply_jail(e->ad, row, &scope, true) == EXIT_DONE) {
			e->done++;
			if (row->enabled && scope.owned &&
			    admin_enforce_rows(e->ad, row->name) != EXIT_DONE)
				e->failed = true;
		} else if (!goes_back(e, row) || !ids_add(&e->put_back, row->id)) {
			e->failed = true;
		}
		break;
	case ADMIN_SKIPPED:
		/* A row that cannot become a file (its log's directory
		 * missing, say) that general enable turned on: nothing
		 * would run it, so it goes back. */
		e->skipped++;
		if (e->was_off && ids_have(e->was_off, row->id) &&
		    !ids_add(&e->put_back, row->id))
			e->failed = true;
		break;
	case ADMIN_LEFT_ALONE:
		e->left_alone++;
		break;
	case ADMIN_FAILED:
		e->failed = true;
		break;
	}
}

/* A jail that could not be enabled (its log missing, fail2ban refusing
 * it) is left with no file, and its row disabled again: every jail is
 * enabled all or nothing (said above, one line each). */
static bool disable_put_back(struct admin *ad, const struct ids *rows)
{
	bool ok = true;

	for (size_t i = 0; i < rows->count; i++) {
		if (jails_set_enabled_id(ad->db, rows->items[i], false) != DB_OK) {
			admin_db_error(ad, "putting a row back");
			ok = false;
		}
	}
	return ok;
}

static int apply_all(struct admin *ad, const char *what,
		     const struct ids *was_off)
{
	struct each_ctx e = { .ad = ad, .was_off = was_off };
	size_t put_back;
	bool put_back_ok;

	if (jails_read(ad->db, NULL, apply_one, &e) != DB_OK) {
		free(e.put_back.items);
		return admin_db_error(ad, "reading the jails");
	}
	put_back_ok = disable_put_back(ad, &e.put_back);
	put_back = e.put_back.count;
	free(e.put_back.items);
	printf("%s: %d jail(s)%s%s%s\n", what, e.done,
	       e.skipped ? ", some skipped (see above)" : "",
	       put_back ? ", some left disabled (see above)" : "",
	       e.left_alone ? ", some left alone: not mc-f2b's here" : "");
	return e.failed || e.skipped || !put_back_ok || put_back ?
	       EXIT_RUNTIME : EXIT_DONE;
}

struct off_ctx {
	struct ids ids;
	bool failed;
};

static void note_off(void *ctx, const struct jail_row *row,
		     const char *bad_column, const char *why)
{
	struct off_ctx *o = ctx;

	(void)bad_column;
	(void)why;
	if (!row->enabled && !ids_add(&o->ids, row->id))
		o->failed = true;
}

static int general_enable(struct admin *ad)
{
	struct off_ctx off = { 0 };
	int rc;

	if (jails_read(ad->db, NULL, note_off, &off) != DB_OK || off.failed ||
	    jails_set_enabled(ad->db, NULL, true) != DB_OK) {
		free(off.ids.items);
		return admin_db_error(ad, "updating the jails");
	}
	rc = apply_all(ad, "enabled", &off.ids);
	free(off.ids.items);
	return rc;
}

static int general_disable(struct admin *ad)
{
	if (jails_set_enabled(ad->db, NULL, false) != DB_OK)
		return admin_db_error(ad, "updating the jails");
	return apply_all(ad, "disabled", NULL);
}

static int general_enable_bl(struct admin *ad)
{
	long long n = 3;

	if (ad->a.value && !parse_int_in(ad->a.value, 1, 1000000, &n))
		return usage_error(ad->verb, "-v: expected a number of bans "
				   "from 1 to 1000000");
	if (jails_set_max_count(ad->db, NULL, n) != DB_OK)
		return admin_db_error(ad, "updating the jails");
	return apply_all(ad, "blacklist enabled", NULL);
}

static int general_disable_bl(struct admin *ad)
{
	if (jails_set_max_count(ad->db, NULL, 0) != DB_OK)
		return admin_db_error(ad, "updating the jails");
	return apply_all(ad, "blacklist disabled", NULL);
}

/* What a value of -v means is said under the synopsis. */
static const struct sub_verb general_subs[] = {
	{ { "enable", 0, 0, NULL }, general_enable },
	{ { "disable", 0, 0, NULL }, general_disable },
	{ { "enable-bl", OPT(OPT_VALUE), 0,
	    "VALUE: max_count, the bans before the blacklist (default 3)" },
	  general_enable_bl },
	{ { "disable-bl", 0, 0, NULL }, general_disable_bl },
};

int cmd_general(int argc, char **argv, const struct cli *cli)
{
	return admin_run("general", general_subs,
			 sizeof(general_subs) / sizeof(general_subs[0]),
			 ADMIN_MASTER, argc, argv, cli);
}
