/* cmd_jail.c - mc-f2b jail enable|disable|reload|change|create|list|show|
 * dump: fail2ban_jail, the jail files made from it, and the running jails. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "admin.h"
#include "listing.h"
#include "log.h"

/* A jail is enabled all or nothing: what fail2ban would refuse is refused
 * before anything is written, and when fail2ban refuses it all the same,
 * the row goes back to what it was (its files already have: jailctl.h). */
static int set_enabled(struct admin *ad, bool on)
{
	struct jail_row row;
	struct jail_scope scope;
	const char *why;
	bool was;
	int rc;

	if ((rc = admin_jail(ad, &row, on)) ||
	    (rc = admin_require(ad, row.name, JAIL_NEED_OWNED, &scope)))
		return rc;
	if (on && !jail_log_present(row.logpath, &why))
		return usage_error(ad->verb, "%s: jail %s: logpath %s: %s",
				   ad->sub, row.name, row.logpath, why);
	if (jails_set_enabled(ad->db, row.name, on) != DB_OK)
		return admin_db_error(ad, "updating the jail");
	was = row.enabled;
	row.enabled = on;
	if ((rc = admin_apply_jail(ad, &row, &scope, true))) {
		if (on && !was &&
		    jails_set_enabled(ad->db, row.name, false) != DB_OK)
			return admin_db_error(ad, "putting the row back");
		return rc;
	}
	printf("jail %s %s\n", row.name, on ? "enabled" : "disabled");
	return on ? admin_enforce_rows(ad, row.name) : EXIT_DONE;
}

static int jail_enable(struct admin *ad)
{
	return set_enabled(ad, true);
}

static int jail_disable(struct admin *ad)
{
	return set_enabled(ad, false);
}

static int jail_reload(struct admin *ad)
{
	struct jail_row row;
	struct jail_scope scope;
	int rc;

	if ((rc = admin_jail(ad, &row, true)) ||
	    (rc = admin_require(ad, row.name, JAIL_NEED_OWNED, &scope)))
		return rc;
	if (!row.enabled)
		return usage_error(ad->verb, "jail %s is disabled (mc-f2b jail "
				   "enable -j %s)", row.name, row.name);
	if ((rc = admin_apply_jail(ad, &row, &scope, true)))
		return rc;
	printf("jail %s reloaded\n", row.name);
	return admin_enforce_rows(ad, row.name);
}

/* --- change ------------------------------------------------------------- */

static const char *const number_options[] = {
	"findtime", "bantime", "maxretry", "max_count",
};
static const char *const text_options[] = {
	"port", "filter", "banaction", "logpath",
};

/* Where a text option lives in a jail_row. */
#define ROW_FIELD(f) { offsetof(struct jail_row, f), sizeof(((struct jail_row *)0)->f) }
static const struct { size_t offset, size; } text_fields[] = {
	ROW_FIELD(port), ROW_FIELD(filter), ROW_FIELD(banaction),
	ROW_FIELD(logpath),
};

static bool is_one_of(const char *option, const char *const *names)
{
	for (size_t i = 0; i < 4; i++)
		if (strcmp(option, names[i]) == 0)
			return true;
	return false;
}

/* The running jail takes findtime, bantime and maxretry as they are; a
 * changed max_count loads or stops the -bl jail; a changed port, filter,
 * action or log path needs the jail loaded again. */
static int change_running(struct admin *ad, const struct jail_row *row,
			  const struct jail_scope *scope, const char *option,
			  const char *value)
{
	const char *argv[] = { "set", row->name, option, value };
	char err[512];
	char bl[JAIL_BL_NAME_MAX + 1];
	int rc;

	if (!row->enabled || !admin_fail2ban(ad))
		return EXIT_DONE;
	jail_bl_name(row->name, bl);
	if (is_one_of(option, text_options))
		rc = jailctl_load(&ad->link, row->name, err, sizeof(err));
	else if (strcmp(option, "max_count") != 0)
		rc = f2b_command(ad->link.socket, argv, 4, ad->link.timeout_ms,
				 err, sizeof(err)) == F2B_OK ? 0 : -1;
	else if (!scope->bl)
		rc = 0;   /* another file's -bl jail: not ours to load */
	else if (row->max_count > 0)
		rc = jailctl_load(&ad->link, bl, err, sizeof(err));
	else
		rc = jailctl_stop(&ad->link, bl, err, sizeof(err));
	if (rc != 0) {
		log_error("jail change: recorded, but the running fail2ban "
			  "did not follow: %s", err);
		return EXIT_RUNTIME;
	}
	return EXIT_DONE;
}

/* Check the new value as the column's own rule would, on a copy of the row
 * (the filter and action must exist in fail2ban's configuration). */
static int check_change(struct admin *ad, struct jail_row *row,
			long long *number)
{
	const char *opt = ad->a.option, *v = ad->a.value, *why;
	struct jail_row next = *row;

	if (is_one_of(opt, number_options)) {
		if (!parse_int_in(v, -1, 315360000, number))
			return usage_error(ad->verb, "%s: expected a whole "
					   "number", opt);
		if (!jail_number_valid(opt, *number, &why))
			return usage_error(ad->verb, "%s: %s", opt, why);
		return EXIT_DONE;
	}
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(opt, text_options[i]) != 0)
			continue;
		if (strlen(v) >= text_fields[i].size)
			return usage_error(ad->verb, "%s: too long", opt);
		memcpy((char *)&next + text_fields[i].offset, v, strlen(v) + 1);
	}
	/* The new value alone is judged: a row already broken in another
	 * column must not let an unchecked value through to the table. */
	if (!jail_text_column_check(&next, ad->cfg.f2b_config_dir, opt, &why))
		return usage_error(ad->verb, "%s: %s", opt, why);
	/* A disabled jail may name a log that comes later; the file of an
	 * enabled one is written at once, and fail2ban needs the log. */
	if (row->enabled && strcmp(opt, "logpath") == 0 &&
	    !jail_log_present(next.logpath, &why))
		return usage_error(ad->verb, "%s %s: %s", opt, next.logpath, why);
	return EXIT_DONE;
}

static int jail_change(struct admin *ad)
{
	struct jail_row row;
	struct jail_scope scope;
	const char *column, *why;
	long long value = 0;
	bool max_count;
	enum db_status s;
	int rc;

	if (!is_one_of(ad->a.option, number_options) &&
	    !is_one_of(ad->a.option, text_options))
		return usage_error(ad->verb, "unknown option '%s' (findtime, "
				   "bantime, maxretry, max_count, port, filter, "
				   "banaction or logpath)", ad->a.option);
	/* fail2ban's settings of a jail are its owner's; max_count is
	 * mc-f2b's own, and reaches only the -bl jail. */
	max_count = strcmp(ad->a.option, "max_count") == 0;
	if ((rc = admin_jail(ad, &row, false)) ||
	    (rc = check_change(ad, &row, &value)) ||
	    (rc = admin_require(ad, row.name, max_count ? JAIL_NEED_BL :
				JAIL_NEED_OWNED, &scope)))
		return rc;
	s = is_one_of(ad->a.option, number_options) ?
		jails_set_number(ad->db, row.name, ad->a.option, value) :
		jails_set_text(ad->db, row.name, ad->a.option, ad->a.value);
	if (s != DB_OK)
		return admin_db_error(ad, "updating the jail");
	if ((rc = admin_jail(ad, &row, false)))
		return rc;
	/* The new value passed its own check and is recorded (a row broken in
	 * several columns is mended one at a time); its file waits until the
	 * whole row passes. */
	if (scope.owned && row.enabled &&
	    !jail_row_check(&row, ad->cfg.f2b_config_dir, &column, &why)) {
		log_error("%s %s: %s recorded, but jail %s (id %lld) is still "
			  "broken: %s: %s; its file is left as it was", ad->verb,
			  ad->sub, ad->a.option, row.name, row.id, column, why);
		return EXIT_RUNTIME;
	}
	if (!scope.owned)
		rc = admin_apply_jail(ad, &row, &scope, true);
	/* Files first, without a reload: the running jail is told after. */
	else if (!row.enabled ||
		 !(rc = admin_apply_jail(ad, &row, &scope, false)))
		rc = change_running(ad, &row, &scope, ad->a.option, ad->a.value);
	if (rc)
		return rc;
	printf("jail %s: %s = %s\n", row.name, ad->a.option, ad->a.value);
	return EXIT_DONE;
}

/* --- create ------------------------------------------------------------- */

/* value is there: create's form needs what has no default. */
static int take_text_option(struct admin *ad, const char *option,
			    const char *value, char *dst, size_t dstlen)
{
	if (strlen(value) >= dstlen)
		return usage_error(ad->verb, "--%s: too long", option);
	memcpy(dst, value, strlen(value) + 1);
	return EXIT_DONE;
}

static int take_number_option(struct admin *ad, const char *option,
			      const char *value, long long fallback,
			      long long *dst)
{
	if (!value) {
		*dst = fallback;
		return EXIT_DONE;
	}
	if (!parse_int_in(value, -1, 315360000, dst))
		return usage_error(ad->verb, "--%s: expected a whole number",
				   option);
	return EXIT_DONE;
}

/* A new jail from named options; defaults are MailCleaner's. */
static int read_create_options(struct admin *ad, struct jail_row *row)
{
	struct admin_args *a = &ad->a;
	long long enabled;
	int rc;

	memset(row, 0, sizeof(*row));
	if ((rc = take_text_option(ad, "name", a->name, row->name,
				   sizeof(row->name))) ||
	    (rc = take_text_option(ad, "port", a->port ? a->port : "",
				   row->port, sizeof(row->port))) ||
	    (rc = take_text_option(ad, "filter", a->filter, row->filter,
				   sizeof(row->filter))) ||
	    (rc = take_text_option(ad, "banaction",
				   a->banaction ? a->banaction : "mc-custom",
				   row->banaction, sizeof(row->banaction))) ||
	    (rc = take_text_option(ad, "logpath", a->logpath, row->logpath,
				   sizeof(row->logpath))) ||
	    (rc = take_number_option(ad, "maxretry", a->maxretry, 10,
				     &row->maxretry)) ||
	    (rc = take_number_option(ad, "findtime", a->findtime, 3600,
				     &row->findtime)) ||
	    (rc = take_number_option(ad, "bantime", a->bantime, 86400,
				     &row->bantime)) ||
	    (rc = take_number_option(ad, "max-count", a->max_count, 3,
				     &row->max_count)) ||
	    (rc = take_number_option(ad, "enabled", a->enabled, 0, &enabled)))
		return rc;
	if (enabled != 0 && enabled != 1)
		return usage_error(ad->verb, "--enabled: expected 0 or 1");
	row->enabled = enabled == 1;
	return EXIT_DONE;
}

static int jail_create(struct admin *ad)
{
	struct jail_row row;
	struct jail_scope scope;
	const char *column, *why;
	enum db_status s;
	int rc;

	if ((rc = read_create_options(ad, &row)))
		return rc;
	if (!jail_row_check(&row, ad->cfg.f2b_config_dir, &column, &why))
		return usage_error(ad->verb, "%s: %s", column, why);
	if (row.enabled && !jail_log_present(row.logpath, &why))
		return usage_error(ad->verb, "logpath %s: %s", row.logpath, why);
	/* A name that fail2ban's own files define is their jail, not a new
	 * one of mc-f2b's. */
	if ((rc = admin_require(ad, row.name, JAIL_NEED_OWNED, &scope)))
		return rc;
	s = jails_create(ad->db, &row);
	if (s == DB_CONFLICT)
		return usage_error(ad->verb, "jail %s exists already", row.name);
	if (s != DB_OK)
		return admin_db_error(ad, "creating the jail");
	if (row.enabled && (rc = admin_apply_jail(ad, &row, &scope, true)))
		return rc;
	printf("jail %s created%s\n", row.name, row.enabled ? " and enabled"
							 : " (disabled)");
	return EXIT_DONE;
}

/* --- list, show --------------------------------------------------------- */

struct list_ctx {
	struct listing *l;
	const struct f2b_defined *defined;
	int bad;
};

/* A row, and whether it is mc-f2b's here: a jail another file of fail2ban's
 * configuration defines (MailCleaner's own tool wrote jail.d/<jail>.local
 * files) is shown with that file, which mc-f2b leaves alone. */
static void list_jail(void *ctx, const struct jail_row *r,
		      const char *bad_column, const char *why)
{
	struct list_ctx *lc = ctx;
	const char *elsewhere = f2bconf_defined_in(lc->defined, r->name);
	const struct field f[] = {
		TEXT("name", r->name), FLAG("enabled", r->enabled),
		NUMBER("maxretry", r->maxretry),
		NUMBER("findtime", r->findtime),
		NUMBER("bantime", r->bantime), TEXT("port", r->port),
		TEXT("filter", r->filter), TEXT("banaction", r->banaction),
		TEXT("logpath", r->logpath), NUMBER("max_count", r->max_count),
		FLAG("send_mail", r->send_mail),
		FLAG("send_mail_bl", r->send_mail_bl),
		FLAG("owned", !elsewhere),
		TEXT("defined_in", elsewhere ? elsewhere : ""),
	};

	if (bad_column) {
		log_warning("jail row id %lld: %s: %s (not listed)", r->id,
			    bad_column, why);
		lc->bad++;
		return;
	}
	if (listing_row(lc->l, f, sizeof(f) / sizeof(f[0])) != 0)
		lc->bad++;
}

/* What fail2ban's own files define, for the "owned" column. */
static int read_defined(struct admin *ad, struct f2b_defined *defined)
{
	char err[512];

	if (f2bconf_read(ad->link.config_dir, defined, err, sizeof(err)) == 0)
		return EXIT_DONE;
	log_error("%s %s: fail2ban's configuration: %s", ad->verb, ad->sub, err);
	return EXIT_RUNTIME;
}

static int jail_list(struct admin *ad)
{
	struct listing l;
	struct f2b_defined defined;
	struct list_ctx lc = { &l, &defined, 0 };
	enum db_status s;
	int rc;

	if ((rc = read_defined(ad, &defined)))
		return rc;
	listing_begin(&l, stdout, ad->a.json);
	s = jails_read(ad->db, NULL, list_jail, &lc);
	f2bconf_free(&defined);
	if (s != DB_OK) {
		listing_abandon(&l);
		return admin_db_error(ad, "reading the jails");
	}
	return admin_listing_end(ad, &l, "no jails") || lc.bad ? EXIT_RUNTIME
							       : EXIT_DONE;
}

static int jail_show(struct admin *ad)
{
	struct jail_row row;
	struct listing l;
	struct f2b_defined defined;
	struct list_ctx lc = { &l, &defined, 0 };
	int rc;

	if ((rc = admin_jail(ad, &row, false)) || (rc = read_defined(ad, &defined)))
		return rc;
	listing_begin(&l, stdout, ad->a.json);
	list_jail(&lc, &row, NULL, NULL);
	f2bconf_free(&defined);
	return admin_listing_end(ad, &l, "") || lc.bad ? EXIT_RUNTIME : EXIT_DONE;
}

/* --- dump --------------------------------------------------------------- */

struct dump_ctx {
	struct admin *ad;
	int written, skipped, removed, failed, left_alone;
};

static void dump_jail(void *ctx, const struct jail_row *row,
		      const char *bad_column, const char *why)
{
	struct dump_ctx *d = ctx;
	struct jail_scope scope;

	if (!row->enabled && bad_column)
		return;   /* disabled and unreadable: nothing to write */
	/* The filter and action are looked up where fail2ban reads them,
	 * also when the files go elsewhere (--dir). */
	switch (admin_judge_row(d->ad, row, bad_column, why, &scope)) {
	case ADMIN_APPLY:
		if (admin_apply_jail(d->ad, row, &scope, false) != EXIT_DONE)
			d->failed++;
		else if (row->enabled || !scope.owned)
			d->written++;
		else
			d->removed++;
		break;
	case ADMIN_SKIPPED:
		d->skipped++;
		break;
	case ADMIN_LEFT_ALONE:
		d->left_alone++;
		break;
	case ADMIN_FAILED:
		d->failed++;
		break;
	}
}

static int jail_dump(struct admin *ad)
{
	struct dump_ctx d = { .ad = ad };
	struct stat st;

	if (ad->a.dir) {
		if (ad->a.dir[0] != '/')
			return usage_error(ad->verb, "--dir: expected an "
					   "absolute path");
		/* Refused before any row is read: a wrong directory would
		 * otherwise fail once per jail, one line each. */
		if (stat(ad->a.dir, &st) != 0 || !S_ISDIR(st.st_mode))
			return usage_error(ad->verb, "--dir: not a directory");
		ad->link.config_dir = ad->a.dir;
	}
	if (jails_read(ad->db, NULL, dump_jail, &d) != DB_OK)
		return admin_db_error(ad, "reading the jails");
	printf("%d jail(s) written to %s/jail.d, %d disabled, %d skipped, "
	       "%d failed, %d not mc-f2b's\n", d.written, ad->link.config_dir,
	       d.removed, d.skipped, d.failed, d.left_alone);
	return d.failed || d.skipped ? EXIT_RUNTIME : EXIT_DONE;
}

/* --- MailCleaner's mail and blacklist spellings ------------------------ */

/* modify-mail -j JAIL --send|--no-send [--each-ban]: the jail's mails at
 * each blacklisting (send_mail_bl), or at each ban (send_mail). */
static int jail_modify_mail(struct admin *ad)
{
	const char *column = ad->a.each_ban ? "send_mail" : "send_mail_bl";
	struct jail_row row;
	struct jail_scope scope;
	int rc;

	if ((rc = admin_jail(ad, &row, false)) ||
	    (rc = admin_require(ad, row.name, ad->a.each_ban ? JAIL_NEED_OWNED
				: JAIL_NEED_BL, &scope)))
		return rc;
	if (jails_set_number(ad->db, row.name, column, ad->a.send) != DB_OK)
		return admin_db_error(ad, "updating the jail");
	if ((rc = admin_apply_mail(ad)))
		return rc;
	printf("jail %s: %s = %d\n", row.name, column, ad->a.send);
	return EXIT_DONE;
}

static int jail_disable_bl(struct admin *ad)
{
	return blacklist_set_max_count(ad, 0);
}

#define NAMED_JAIL OPT(OPT_JAIL)
#define JAIL_SETTINGS (OPT(OPT_PORT) | OPT(OPT_MAXRETRY) | OPT(OPT_FINDTIME) | \
		       OPT(OPT_BANTIME) | OPT(OPT_MAX_COUNT) | \
		       OPT(OPT_BANACTION) | OPT(OPT_ENABLED))
#define JAIL_CREATE_NEEDS (OPT(OPT_NAME) | OPT(OPT_FILTER) | OPT(OPT_LOGPATH))

static const struct sub_verb jail_subs[] = {
	{ { "enable", NAMED_JAIL, NAMED_JAIL, NULL }, jail_enable },
	{ { "disable", NAMED_JAIL, NAMED_JAIL, NULL }, jail_disable },
	{ { "reload", NAMED_JAIL, NAMED_JAIL, NULL }, jail_reload },
	{ { "change", NAMED_JAIL | OPT(OPT_OPTION) | OPT(OPT_VALUE),
	    NAMED_JAIL | OPT(OPT_OPTION) | OPT(OPT_VALUE),
	    "OPTION: findtime, bantime, maxretry, max_count, port, filter,\n"
	    "        banaction, logpath" }, jail_change },
	{ { "create", JAIL_CREATE_NEEDS | JAIL_SETTINGS, JAIL_CREATE_NEEDS,
	    "defaults are MailCleaner's: maxretry 10, findtime 3600,\n"
	    "bantime 86400, max-count 3, banaction mc-custom, enabled 0" },
	  jail_create },
	{ { "list", OPT(OPT_JSON), 0, NULL }, jail_list },
	{ { "show", NAMED_JAIL | OPT(OPT_JSON), NAMED_JAIL, NULL }, jail_show },
	{ { "dump", OPT(OPT_DIR), 0, NULL }, jail_dump },
	{ { "modify-mail", NAMED_JAIL | OPT(OPT_SEND) | OPT(OPT_EACH_BAN),
	    NAMED_JAIL | OPT(OPT_SEND), NULL }, jail_modify_mail },
	{ { "disable-bl", NAMED_JAIL, NAMED_JAIL,
	    "the same as blacklist disable" }, jail_disable_bl },
};

int cmd_jail(int argc, char **argv, const struct cli *cli)
{
	return admin_run("jail", jail_subs, sizeof(jail_subs) / sizeof(jail_subs[0]),
			 ADMIN_MASTER, argc, argv, cli);
}
