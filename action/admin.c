/* admin.c - the machinery of the verbs people run. */
#include "admin.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "listing.h"
#include "log.h"
#include "sync.h"

enum {
	OPT_OPTION = 256, OPT_DIR, OPT_ALL, OPT_JSON, OPT_NAME,
	OPT_ENABLED, OPT_MAXRETRY, OPT_FINDTIME, OPT_BANTIME, OPT_PORT,
	OPT_FILTER, OPT_BANACTION, OPT_LOGPATH, OPT_MAX_COUNT, OPT_SEND,
	OPT_NO_SEND, OPT_EACH_BAN,
};

static const struct option admin_options[] = {
	{ "jail",      required_argument, NULL, 'j' },
	{ "ip",        required_argument, NULL, 'i' },
	{ "value",     required_argument, NULL, 'v' },
	{ "option",    required_argument, NULL, OPT_OPTION },
	{ "dir",       required_argument, NULL, OPT_DIR },
	{ "all",       no_argument,       NULL, OPT_ALL },
	{ "json",      no_argument,       NULL, OPT_JSON },
	{ "name",      required_argument, NULL, OPT_NAME },
	{ "enabled",   required_argument, NULL, OPT_ENABLED },
	{ "maxretry",  required_argument, NULL, OPT_MAXRETRY },
	{ "findtime",  required_argument, NULL, OPT_FINDTIME },
	{ "bantime",   required_argument, NULL, OPT_BANTIME },
	{ "port",      required_argument, NULL, OPT_PORT },
	{ "filter",    required_argument, NULL, OPT_FILTER },
	{ "banaction", required_argument, NULL, OPT_BANACTION },
	{ "logpath",   required_argument, NULL, OPT_LOGPATH },
	{ "max-count", required_argument, NULL, OPT_MAX_COUNT },
	{ "email",     required_argument, NULL, 'e' },
	{ "send",      no_argument,       NULL, OPT_SEND },
	{ "no-send",   no_argument,       NULL, OPT_NO_SEND },
	{ "each-ban",  no_argument,       NULL, OPT_EACH_BAN },
	{ "help",      no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Which flag of enum admin_arg an option belongs to (0: always allowed). */
static unsigned option_group(int c)
{
	switch (c) {
	case 'j': return ARG_JAIL;
	case 'i': return ARG_IP;
	case 'v': return ARG_VALUE;
	case OPT_OPTION: return ARG_OPTION;
	case OPT_DIR: return ARG_DIR;
	case OPT_ALL: return ARG_ALL;
	case OPT_JSON: case 'h': return 0;
	case 'n': case OPT_NAME: return ARG_NAME;
	case 'e': return ARG_EMAIL;
	case OPT_SEND: case OPT_NO_SEND: case OPT_EACH_BAN: return ARG_SEND;
	default: return ARG_CREATE;
	}
}

/* An option as a person types it: "-j" for a short one, "--max-count" for
 * one that is long only. */
static const char *option_name(int c, char *buf, size_t len)
{
	if (c < 256) {
		snprintf(buf, len, "-%c", c);
		return buf;
	}
	snprintf(buf, len, "--?");
	for (const struct option *o = admin_options; o->name; o++)
		if (o->val == c) {
			snprintf(buf, len, "--%s", o->name);
			break;
		}
	return buf;
}

static void store_option(struct admin_args *a, int c, const char *v)
{
	switch (c) {
	case 'j': a->jail = v; break;
	case 'i': a->ip = v; break;
	case 'v': a->value = v; break;
	case OPT_OPTION: a->option = v; break;
	case OPT_DIR: a->dir = v; break;
	case OPT_ALL: a->all = true; break;
	case OPT_JSON: a->json = true; break;
	case 'h': a->help = true; break;
	case 'n': case OPT_NAME: a->name = v; break;
	case 'e': a->email = v; break;
	case OPT_SEND: a->send = 1; break;
	case OPT_NO_SEND: a->send = 0; break;
	case OPT_EACH_BAN: a->each_ban = true; break;
	case OPT_ENABLED: a->enabled = v; break;
	case OPT_MAXRETRY: a->maxretry = v; break;
	case OPT_FINDTIME: a->findtime = v; break;
	case OPT_BANTIME: a->bantime = v; break;
	case OPT_PORT: a->port = v; break;
	case OPT_FILTER: a->filter = v; break;
	case OPT_BANACTION: a->banaction = v; break;
	case OPT_LOGPATH: a->logpath = v; break;
	case OPT_MAX_COUNT: a->max_count = v; break;
	}
}

/* argv[0] is the sub-verb, or the verb when it has none; what names it
 * in messages ("jail enable", "status"). */
static int parse_args(const char *verb, const char *what, int argc,
		      char **argv, unsigned allowed, const struct cli *cli,
		      struct admin_args *a)
{
	char name[32];
	int c;

	memset(a, 0, sizeof(*a));
	a->json = cli->json;
	a->send = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":j:i:v:n:e:h", admin_options,
				NULL)) != -1) {
		if (c == ':')
			return usage_error(verb, "option '%s' needs a value",
					   argv[optind - 1]);
		if (c == '?' && optopt)
			return usage_error(verb, "unknown option '-%c' (see "
					   "--help)", optopt);
		if (c == '?')
			return usage_error(verb, "option '%s' is not one of "
					   "%s (see --help)",
					   argv[optind - 1], what);
		/* Named as the table spells it: argv[optind - 1] may be
		 * the option's value ("-i IP"). */
		if (option_group(c) & ~allowed)
			return usage_error(verb, "option '%s' is not one of "
					   "%s (see --help)",
					   option_name(c, name, sizeof(name)),
					   what);
		store_option(a, c, optarg);
	}
	if (optind < argc)
		return usage_error(verb, "unexpected argument '%s'", argv[optind]);
	return EXIT_DONE;
}

static void print_usage(const char *verb, const struct sub_verb *subs,
			size_t nsubs)
{
	printf("usage:");
	for (size_t i = 0; i < nsubs; i++)
		printf("%s mc-f2b %s %s\n", i ? "      " : "", verb,
		       subs[i].usage);
	printf("listings take --json; see mc-f2b(8)\n");
}

static const struct sub_verb *find_sub(const struct sub_verb *subs,
				       size_t nsubs, const char *name)
{
	for (size_t i = 0; i < nsubs; i++)
		if (strcmp(subs[i].name, name) == 0)
			return &subs[i];
	return NULL;
}

/* Parse the options of sub (argv[0] is its name, or the verb's), load the
 * configuration, connect to the master, run it. */
static int run_sub(const char *verb, const struct sub_verb *sub,
		   const char *what, int argc, char **argv,
		   const struct cli *cli)
{
	struct admin ad = { .verb = verb, .sub = sub->name, .fail2ban = -1 };
	char err[512];
	int rc;

	if ((rc = parse_args(verb, what, argc, argv, sub->args, cli, &ad.a)))
		return rc;
	if (ad.a.help) {
		printf("usage: mc-f2b %s %s\n", verb, sub->usage);
		return EXIT_DONE;
	}
	if ((rc = cli_load_config(cli, &ad.cfg)))
		return rc;
	ad.link = cli_f2b_link(&ad.cfg, F2B_PROMPT_TIMEOUT_MS);
	if (cli_open_master(&ad.cfg, &ad.db, NULL, err, sizeof(err)) != DB_OK) {
		log_error("master: %s", err);
		cli_say_outage(&ad.cfg);
		return EXIT_RUNTIME;
	}
	cli_load_nodes(&ad.cfg, ad.db, false);
	/* The files this verb may write send the mails fail2ban_conf says;
	 * a table that cannot be read sends none. */
	if (jails_mail_conf(ad.db, &ad.cfg.mail) != DB_OK)
		memset(&ad.cfg.mail, 0, sizeof(ad.cfg.mail));
	rc = sub->run(&ad);
	db_close(ad.db);
	if (ad.defined_read)
		f2bconf_free(&ad.defined);
	return rc;
}

int admin_run(const char *verb, const struct sub_verb *subs, size_t nsubs,
	      int argc, char **argv, const struct cli *cli)
{
	const struct sub_verb *sub;
	char what[64];

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
	snprintf(what, sizeof(what), "%s %s", verb, sub->name);
	return run_sub(verb, sub, what, argc - 1, argv + 1, cli);
}

int admin_run_alone(const char *verb, const struct sub_verb *only, int argc,
		    char **argv, const struct cli *cli)
{
	return run_sub(verb, only, verb, argc, argv, cli);
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

