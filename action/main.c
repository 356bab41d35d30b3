/* main.c - mc-f2b's entry point: global options, then the verb table.
 *
 * Adding a verb touches this table and one cmd_*.c file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "options.h"

#ifndef MC_F2B_VERSION
#define MC_F2B_VERSION "unknown"
#endif

struct verb {
	const char *name;
	verb_fn run;
	const char *summary;
};

static const struct verb verbs[] = {
	/* Called by fail2ban through action.d/mc-custom.conf. */
	{ "ban",    cmd_ban,    "record a ban (called by fail2ban)" },
	{ "unban",  cmd_unban,  "mark a ban inactive, keeping its count" },
	{ "flush",  cmd_flush,  "a jail is stopping: change nothing" },
	{ "start",  cmd_start,  "a jail is starting: check, register a jail of one's own" },
	{ "stop",   cmd_stop,   "a jail has stopped: change nothing" },
	/* Called by people (the knowledge base's commands). */
	{ "jail",   cmd_jail,   "enable, disable, change, create, list, show, "
				"reload or dump jails" },
	{ "general", cmd_general, "enable or disable every jail, or the "
				  "blacklist of every jail" },
	{ "blacklist", cmd_blacklist, "the permanent jails: enable, disable, "
				      "add, remove, list" },
	{ "whitelist", cmd_whitelist, "addresses a jail never bans: add, "
				      "remove, list" },
	{ "status", cmd_status, "the bans in force on every server" },
	{ "sync",   cmd_sync,   "keep the local fail2ban in step with the "
				"cluster's database" },
	{ "mail",   cmd_mail,   "who sends and receives the notification "
				"mails, and which jails send them" },
	{ "metrics", cmd_metrics, "what this node and the cluster's bans look "
				  "like, for Prometheus" },
	{ "history", cmd_history, "what happened to an address, or to all "
				  "lately" },
	{ "schema", cmd_schema, "install, upgrade or check the tables" },
	{ "spool",  cmd_spool,  "list or replay events kept while the master "
				"was unreachable" },
};

/* The options before the verb. */
static const struct form global_form = {
	"mc-f2b", OPT(OPT_CONFIG) | OPT(OPT_VERBOSE) | OPT(OPT_JSON) |
		  OPT(OPT_VERSION), 0, NULL,
};

static void print_usage(FILE *out)
{
	char synopsis[256];

	options_synopsis(&options_global, &global_form, 0, 14, synopsis,
			 sizeof(synopsis));
	fprintf(out,
		"usage: mc-f2b %s VERB [ARGS...]\n"
		"       mc-f2b VERB --help\n\n"
		"Keeps fail2ban bans in MariaDB, counts them per jail and "
		"address,\nand blacklists repeat offenders.\n\n"
		"verbs:\n", synopsis);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out,
		"\noptions:\n"
		"  -c FILE    configuration (default: $MC_F2B_CONFIG, else "
		CONFIG_DEFAULT_PATH ")\n"
		"  -v         print each decision on stderr too (it always goes "
		"to syslog)\n"
		"  --json     machine-readable output from listing verbs\n"
		"  --version  print the version\n\n"
		"exit status: 0 done, 1 runtime failure, 2 bad usage or input "
		"(nothing written)\nSee mc-f2b(8).\n");
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct verb *verb;
	struct opts o;
	char err[256];
	int i;

	if (options_read(&options_global, &global_form, "the options before "
			 "the verb", argc, argv, &i, &o, err, sizeof(err)) != 0)
		return usage_error(NULL, "%s", err);
	if (opt_given(&o, OPT_HELP)) {
		print_usage(stdout);
		return EXIT_DONE;
	}
	if (opt_given(&o, OPT_VERSION)) {
		printf("mc-f2b %s\n", MC_F2B_VERSION);
		return EXIT_DONE;
	}
	cli.config_file = o.text[OPT_CONFIG];
	cli.json = opt_given(&o, OPT_JSON);
	if (opt_given(&o, OPT_VERBOSE))
		log_set_verbose(true);
	if (i == argc) {
		print_usage(stderr);
		return EXIT_BAD_INPUT;
	}
	verb = find_verb(argv[i]);
	if (!verb)
		return usage_error(NULL, "unknown verb '%s' (see mc-f2b --help)",
				   argv[i]);
	cli_act_as(verb->name);
	return verb->run(argc - i, argv + i, &cli);
}
