/* admin.c - the machinery of the verbs people run. */
#include "admin.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "listing.h"
#include "log.h"
#include "sync.h"

/* The typed options, as the sub-verbs use them. */
static void take_args(const struct opts *o, const struct cli *cli,
		      struct admin_args *a)
{
	const char *send = o->text[OPT_SEND];

	memset(a, 0, sizeof(*a));
	a->jail = o->text[OPT_JAIL];
	a->ip = o->text[OPT_IP];
	a->value = o->text[OPT_VALUE];
	a->option = o->text[OPT_OPTION];
	a->dir = o->text[OPT_DIR];
	a->all = opt_given(o, OPT_ALL);
	a->json = cli->json || opt_given(o, OPT_JSON);
	a->name = o->text[OPT_NAME];
	a->enabled = o->text[OPT_ENABLED];
	a->maxretry = o->text[OPT_MAXRETRY];
	a->findtime = o->text[OPT_FINDTIME];
	a->bantime = o->text[OPT_BANTIME];
	a->port = o->text[OPT_PORT];
	a->filter = o->text[OPT_FILTER];
	a->banaction = o->text[OPT_BANACTION];
	a->logpath = o->text[OPT_LOGPATH];
	a->max_count = o->text[OPT_MAX_COUNT];
	a->email = o->text[OPT_EMAIL];
	a->send = send ? send[0] == '1' : -1;
	a->each_ban = opt_given(o, OPT_EACH_BAN);
	a->since = o->text[OPT_SINCE];
}

static const struct sub_verb *find_sub(const struct sub_verb *subs,
				       size_t nsubs, const char *name)
{
	for (size_t i = 0; i < nsubs; i++)
		if (strcmp(subs[i].form.name, name) == 0)
			return &subs[i];
	return NULL;
}

/* What a sub-verb starts with: the configuration, the local fail2ban's
 * link, and with ADMIN_MASTER the master, the cluster's nodes and the
 * mails' settings. */
static int reach_for(struct admin *ad, enum admin_reach reach,
		     const struct cli *cli)
{
	char err[512];
	int rc;

	if ((rc = cli_load_config(cli, &ad->cfg)))
		return rc;
	ad->link = cli_f2b_link(&ad->cfg, F2B_PROMPT_TIMEOUT_MS);
	if (reach == ADMIN_CONFIG)
		return EXIT_DONE;
	if (cli_open_master(&ad->cfg, &ad->db, NULL, err, sizeof(err)) != DB_OK) {
		log_error("master: %s", err);
		cli_say_outage(&ad->cfg);
		return EXIT_RUNTIME;
	}
	cli_load_nodes(&ad->cfg, ad->db, false);
	/* The files this verb may write send the mails fail2ban_conf says;
	 * a table that cannot be read sends none. */
	if (jails_mail_conf(ad->db, &ad->cfg.mail) != DB_OK)
		memset(&ad->cfg.mail, 0, sizeof(ad->cfg.mail));
	return EXIT_DONE;
}

/* Read the options of sub (argv[0] is its name, or the verb's; words
 * name it: "jail enable", "status"), reach what it needs, run it. */
static int run_sub(const char *verb, const struct sub_verb *sub,
		   enum admin_reach reach, const char *words, int argc,
		   char **argv, const struct cli *cli)
{
	struct admin ad = { .verb = verb, .sub = sub->form.name,
			    .fail2ban = -1 };
	struct opts o;
	bool helped;
	int rc;

	if ((rc = cli_read_options(verb, words, &sub->form, argc, argv, &o,
				   &helped)) || helped)
		return rc;
	take_args(&o, cli, &ad.a);
	cli_act_as(words);
	if ((rc = reach_for(&ad, reach, cli)) == EXIT_DONE)
		rc = sub->run(&ad);
	db_close(ad.db);
	if (ad.defined_read)
		f2bconf_free(&ad.defined);
	return rc;
}

static void print_usage(const char *verb, const struct sub_verb *subs,
			size_t nsubs)
{
	char words[64];

	for (size_t i = 0; i < nsubs; i++) {
		snprintf(words, sizeof(words), "%s %s", verb, subs[i].form.name);
		cli_print_form(words, &subs[i].form, i == 0);
	}
	printf("See mc-f2b(8).\n");
}

int admin_run(const char *verb, const struct sub_verb *subs, size_t nsubs,
	      enum admin_reach reach, int argc, char **argv,
	      const struct cli *cli)
{
	const struct sub_verb *sub;
	char words[64];

	if (argc < 2)
		return usage_error(verb, "expected a sub-command (see mc-f2b "
				   "%s --help)", verb);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_usage(verb, subs, nsubs);
		return EXIT_DONE;
	}
	sub = find_sub(subs, nsubs, argv[1]);
	if (!sub)
		return usage_error(verb, "unknown sub-command '%s' (see mc-f2b "
				   "%s --help)", argv[1], verb);
	snprintf(words, sizeof(words), "%s %s", verb, sub->form.name);
	return run_sub(verb, sub, reach, words, argc - 1, argv + 1, cli);
}

int admin_run_alone(const char *verb, const struct sub_verb *only,
		    enum admin_reach reach, int argc, char **argv,
		    const struct cli *cli)
{
	return run_sub(verb, only, reach, verb, argc, argv, cli);
}

bool admin_fail2ban(struct admin *ad)
{
	if (ad->fail2ban < 0) {
		ad->fail2ban = jailctl_running(&ad->link);
		if (!ad->fail2ban)
			fprintf(stderr, "mc-f2b: note: fail2ban is not running "
				"here (%s): the database and the jail files are "
				"changed, fail2ban follows when it starts\n",
				ad->link.socket);
	}
	return ad->fail2ban == 1;
}

int admin_apply_mail(struct admin *ad)
{
	unsigned changed, errors;

	if (jails_mail_conf(ad->db, &ad->cfg.mail) != DB_OK)
		return admin_db_error(ad, "reading fail2ban_conf");
	if (sync_mail(ad->db, &ad->link, &changed, &errors) != DB_OK)
		return admin_db_error(ad, "reading the jails");
	if (errors) {
		log_error("%s %s: recorded, but %u jail file(s) here did not "
			  "follow (see above)", ad->verb, ad->sub, errors);
		return EXIT_RUNTIME;
	}
	return EXIT_DONE;
}

int admin_refuse_node(struct admin *ad, const char *ip)
{
	if (!cli_is_node(&ad->cfg, ip))
		return EXIT_DONE;
	return usage_error(ad->verb, "%s is an address of this cluster's nodes "
			   "(this node, [cluster] nodes, MailCleaner's master "
			   "and slave tables): never banned", ip);
}

int admin_db_error(struct admin *ad, const char *what)
{
	log_error("%s %s: %s", ad->verb, what, db_error(ad->db));
	return EXIT_RUNTIME;
}

int admin_jail(struct admin *ad, struct jail_row *row, bool check)
{
	const char *bad_column, *why, *column;
	bool found;
	int rc;

	if ((rc = cli_take_jail(ad->verb, ad->a.jail, row->name)))
		return rc;
	if (jails_get(ad->db, ad->a.jail, row, &found, &bad_column, &why))
		return admin_db_error(ad, "reading the jail");
	if (!found)
		return usage_error(ad->verb, "unknown jail '%s' (no row in "
				   "fail2ban_jail)", ad->a.jail);
	/* A row that would write what fail2ban must never read is refused
	 * like bad input: exit 2, nothing written. */
	if (bad_column || (check && !jail_row_check(row, ad->cfg.f2b_config_dir,
						    &column, &why)))
		return usage_error(ad->verb, "%s: jail %s (id %lld): %s: %s",
				   ad->sub, ad->a.jail, row->id,
				   bad_column ? bad_column : column, why);
	return EXIT_DONE;
}

int admin_scope(struct admin *ad, const char *name, struct jail_facts *facts,
		struct jail_scope *scope)
{
	char err[512];

	if (!ad->defined_read) {
		/* Ownership is judged where fail2ban reads its files, also
		 * when jail dump writes elsewhere (--dir). */
		if (f2bconf_read(ad->cfg.f2b_config_dir, &ad->defined, err,
				 sizeof(err)) != 0) {
			log_error("%s %s: fail2ban's configuration: %s", ad->verb,
				  ad->sub, err);
			return EXIT_RUNTIME;
		}
		ad->defined_read = true;
	}
	jailctl_facts(&ad->link, &ad->defined, name, facts);
	*scope = jail_scope_decide(name, facts);
	return EXIT_DONE;
}

int admin_require(struct admin *ad, const char *name, enum jail_need need,
		  struct jail_scope *scope)
{
	struct jail_facts facts;
	char why[PATH_MAX + 256];
	int rc;

	if ((rc = admin_scope(ad, name, &facts, scope)))
		return rc;
	if (jail_scope_allows(scope, need))
		return EXIT_DONE;
	jail_scope_explain(name, &facts, need, why, sizeof(why));
	return usage_error(ad->verb, "%s: nothing changed", why);
}

const char *admin_row_fault(struct admin *ad, const struct jail_row *row,
			    const struct jail_scope *scope, const char **why)
{
	const char *column = NULL;

	if (scope->owned && row->enabled &&
	    !jail_row_check(row, ad->cfg.f2b_config_dir, &column, why))
		return column;
	if (!scope->owned && scope->bl && !jail_port_valid(row->port, why))
		return "port";
	return NULL;
}

enum admin_verdict admin_judge_row(struct admin *ad,
				   const struct jail_row *row,
				   const char *bad_column, const char *why,
				   struct jail_scope *scope)
{
	struct jail_facts facts;
	char reason[PATH_MAX + 256];

	if (!bad_column) {
		if (admin_scope(ad, row->name, &facts, scope) != EXIT_DONE)
			return ADMIN_FAILED;
		/* Of a jail another file defines but that runs mc-custom, only
		 * the -bl file is mc-f2b's. */
		if (!scope->owned && !scope->bl) {
			jail_scope_explain(row->name, &facts, scope->act ?
					   JAIL_NEED_BL : JAIL_NEED_ACT, reason,
					   sizeof(reason));
			log_warning("%s: left alone", reason);
			return ADMIN_LEFT_ALONE;
		}
		bad_column = admin_row_fault(ad, row, scope, &why);
	}
	/* A broken row never becomes a file that stops fail2ban starting:
	 * say which row and which column, and go on with the others. */
	if (bad_column) {
		log_warning("jail row id %lld (%s): %s: %s; skipped", row->id,
			    row->name[0] ? row->name : "?", bad_column, why);
		return ADMIN_SKIPPED;
	}
	return ADMIN_APPLY;
}

int admin_check_files(struct admin *ad, const struct jail_row *row,
		      const struct jail_scope *scope)
{
	const char *why, *column = admin_row_fault(ad, row, scope, &why);

	if (!column)
		return EXIT_DONE;
	return usage_error(ad->verb, "%s: jail %s (id %lld): %s: %s", ad->sub,
			   row->name, row->id, column, why);
}

/* The -bl jail alone, of a jail that runs mc-f2b's action in a file not
 * mc-f2b's: there while max_count is above 0. */
static int apply_bl_only(struct admin *ad, const struct jail_row *row,
			 bool running, char *err, size_t errlen)
{
	struct jail_bl bl;
	int rc;

	if (row->max_count <= 0)
		return jailctl_withdraw_bl(&ad->link, row->name, running, err,
					   errlen);
	if (jails_bl(ad->db, row, &bl) != DB_OK) {
		snprintf(err, errlen, "jail %s: reading the whitelist: %s",
			 row->name, db_error(ad->db));
		return -1;
	}
	rc = jailctl_publish_bl(&ad->link, &bl, running, err, errlen);
	jail_bl_free(&bl);
	return rc;
}

int admin_apply_jail(struct admin *ad, const struct jail_row *row,
		     const struct jail_scope *scope, bool load)
{
	struct jail_whitelist wl = { 0 };
	char err[512];
	bool running = load && admin_fail2ban(ad);
	int rc = 0;

	if (!scope->owned && scope->bl)
		rc = apply_bl_only(ad, row, running, err, sizeof(err));
	else if (!scope->owned)
		return EXIT_DONE;   /* nothing here is mc-f2b's */
	else if (!row->enabled)
		rc = jailctl_withdraw(&ad->link, row->name, scope, running, err,
				      sizeof(err));
	else if (jails_whitelist(ad->db, row->name, &wl) != DB_OK)
		return admin_db_error(ad, "reading the whitelist");
	else
		rc = jailctl_publish(&ad->link, row, &wl, scope, running, err,
				     sizeof(err));
	jail_whitelist_free(&wl);
	if (rc != 0) {
		log_error("%s %s: %s", ad->verb, ad->sub, err);
		return EXIT_RUNTIME;
	}
	return EXIT_DONE;
}

int admin_enforce_rows(struct admin *ad, const char *jail)
{
	struct sync_counts c;

	if (!admin_fail2ban(ad))
		return EXIT_DONE;   /* fail2ban follows when it starts: sync */
	if (sync_jail(ad->db, &ad->link, jail, &c) != DB_OK)
		return admin_db_error(ad, "reading the jail's rows");
	if (c.banned || c.bl_banned || c.ignored)
		printf("jail %s: from the database, %u ban(s), %u blacklisted, "
		       "%u whitelist entr%s applied\n", jail, c.banned,
		       c.bl_banned, c.ignored, c.ignored == 1 ? "y" : "ies");
	if (c.errors) {
		log_error("%s %s: jail %s: fail2ban did not take every row of "
			  "the database (%u failed): the sync loop tries again",
			  ad->verb, ad->sub, jail, c.errors);
		return EXIT_RUNTIME;
	}
	return EXIT_DONE;
}

/* One row of fail2ban_ips in a listing (ctx: struct listing *). */
static void admin_list_entry(void *ctx, const struct ip_entry *e)
{
	const struct field f[] = {
		TEXT("ip", e->ip), TEXT("jail", e->jail),
		NUMBER("count", e->count), FLAG("active", e->active),
		FLAG("blacklisted", e->blacklisted),
		FLAG("whitelisted", e->whitelisted), TEXT("host", e->host),
		TEXT("last_hit", e->last_hit),
	};

	listing_row(ctx, f, sizeof(f) / sizeof(f[0]));
}

int admin_listing_end(struct admin *ad, struct listing *l, const char *empty)
{
	listing_end(l, empty);
	if (!listing_failed(l))
		return EXIT_DONE;
	log_error("%s %s: the listing is incomplete (out of memory)", ad->verb,
		  ad->sub);
	return EXIT_RUNTIME;
}

int admin_list_rows(struct admin *ad, enum list_kind kind, const char *empty)
{
	char jail[JAIL_NAME_MAX + 1];
	struct listing l;
	int rc;

	if (ad->a.jail && (rc = cli_take_jail(ad->verb, ad->a.jail, jail)))
		return rc;
	listing_begin(&l, stdout, ad->a.json);
	if (lists_read(ad->db, kind, ad->a.jail, admin_list_entry, &l) != DB_OK) {
		listing_abandon(&l);
		return admin_db_error(ad, "reading fail2ban_ips");
	}
	return admin_listing_end(ad, &l, empty);
}

