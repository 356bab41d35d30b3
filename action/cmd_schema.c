/* cmd_schema.c - mc-f2b schema install|upgrade|check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "grow.h"
#include "log.h"
#include "privileges.h"
#include "schema.h"

static void print_line(void *ctx, const char *line)
{
	printf("%s%s\n", (const char *)ctx, line);
}

/* The account's grant lines, kept for judging. */
struct grant_lines {
	char **lines;
	size_t n, cap;
	bool failed;
};

static void keep_line(void *ctx, const char *line)
{
	struct grant_lines *g = ctx;
	char **grown;

	if (g->failed)
		return;
	if (!(grown = grow_for_one(g->lines, &g->cap, g->n, sizeof(*grown), 8))) {
		g->failed = true;
		return;
	}
	g->lines = grown;
	if (!(g->lines[g->n] = strdup(line)))
		g->failed = true;
	else
		g->n++;
}

/* What the account may do, against what a node needs: a missing privilege
 * is a finding (a node would fail); one too many is said, not failed (the
 * account that installs the schema has them by design).  Returns the
 * number of findings, or -1 when the grants could not be read. */
static int check_privileges(struct db *db, const char *database)
{
	struct grant_lines g = { 0 };
	struct privileges_verdict v;
	enum db_status s = db_grants(db, keep_line, &g);

	if (s == DB_OK && !g.failed)
		privileges_judge((const char *const *)g.lines, g.n, database,
				 print_line, "check: ", &v);
	for (size_t i = 0; i < g.n; i++)
		free(g.lines[i]);
	free(g.lines);
	if (s != DB_OK || g.failed) {
		log_error("schema check: reading the account's grants: %s",
			  s != DB_OK ? db_error(db) : "out of memory");
		return -1;
	}
	if (v.excess)
		printf("check: the account may do more than a node needs (%d "
		       "privilege(s) above); give nodes an account with only "
		       "the grants of mc-f2b(8)\n", v.excess);
	return v.missing;
}

static int run(const char *action, struct db *db, const char *database)
{
	struct schema_state st;
	enum db_status s = DB_OK;
	int findings;

	if (strcmp(action, "install") == 0)
		s = schema_install(db, print_line, "install: ");
	else if (strcmp(action, "upgrade") == 0)
		s = schema_upgrade(db, print_line, "upgrade: ");
	if (s == DB_OK)
		s = schema_inspect(db, &st);
	if (s != DB_OK) {
		log_error("schema %s: %s", action, db_error(db));
		return EXIT_RUNTIME;
	}
	findings = schema_check(&st, print_line, "check: ");
	if (strcmp(action, "check") == 0) {
		int missing = check_privileges(db, database);

		if (missing < 0)
			return EXIT_RUNTIME;
		findings += missing;
	}
	if (findings == 0)
		printf("schema is up to date\n");
	else if (strcmp(action, "check") != 0)
		printf("run 'mc-f2b schema upgrade' to fix the above\n");
	return findings ? EXIT_RUNTIME : EXIT_DONE;
}

/* Connect to the master's database.  install creates it first when it is
 * missing (a fresh server), if the account may; the other actions only
 * read or change what is there. */
static enum db_status connect_for(const char *action,
				  const struct mc_config *cfg, struct db **db,
				  char *err, size_t errlen)
{
	enum db_status s = cli_connect_master(cfg, db, err, errlen);
	bool created;

	if (s != DB_NO_DATABASE || strcmp(action, "install") != 0)
		return s;
	if ((s = db_create_database(&cfg->master, &created, err, errlen)))
		return s;
	if (created)
		printf("install: created database %s\n", cfg->master.database);
	return cli_connect_master(cfg, db, err, errlen);
}

/* install, upgrade and check alike: the master, by the configuration's
 * account, then what the sub-verb does (run). */
static int schema_sub(struct admin *ad)
{
	struct db *db;
	char err[512];
	int rc;

	if (connect_for(ad->sub, &ad->cfg, &db, err, sizeof(err)) != DB_OK) {
		config_wipe_secrets(&ad->cfg);
		log_error("master: %s", err);
		return EXIT_RUNTIME;
	}
	config_wipe_secrets(&ad->cfg);
	rc = run(ad->sub, db, ad->cfg.master.database);
	db_close(db);
	return rc;
}

/* The master is reached here, not by admin_run: install may create the
 * database first. */
static const struct sub_verb schema_subs[] = {
	{ { "install", 0, 0, "create the tables that are missing" },
	  schema_sub },
	{ { "upgrade", 0, 0,
	    "bring MailCleaner's tables to mc-f2b's shape (merges duplicate\n"
	    "rows, adds UNIQUE(jail, ip) and updated_at)" }, schema_sub },
	{ { "check", 0, 0,
	    "say what is missing or old (exit 1 if anything is), and what\n"
	    "the account may do beyond what a node needs" }, schema_sub },
};

int cmd_schema(int argc, char **argv, const struct cli *cli)
{
	return admin_run("schema", schema_subs,
			 sizeof(schema_subs) / sizeof(schema_subs[0]),
			 ADMIN_CONFIG, argc, argv, cli);
}
