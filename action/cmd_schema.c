/* cmd_schema.c - mc-f2b schema install|upgrade|check. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "schema.h"

static const char schema_usage[] =
	"usage: mc-f2b schema install|upgrade|check\n"
	"  install  create the tables that are missing\n"
	"  upgrade  bring MailCleaner's tables to mc-f2b's shape (merges\n"
	"           duplicate rows, adds UNIQUE(jail, ip) and updated_at)\n"
	"  check    say what is missing or old (exit 1 if anything is)\n";

static void print_line(void *ctx, const char *line)
{
	printf("%s%s\n", (const char *)ctx, line);
}

static int run(const char *action, struct db *db)
{
	struct schema_state st;
	enum db_status s = DB_OK;
	int findings;

	if (strcmp(action, "install") == 0)
		s = schema_install(db);
	else if (strcmp(action, "upgrade") == 0)
		s = schema_upgrade(db, print_line, "upgrade: ");
	if (s == DB_OK)
		s = schema_inspect(db, &st);
	if (s != DB_OK) {
		log_error("schema %s: %s", action, db_error(db));
		return EXIT_RUNTIME;
	}
	findings = schema_check(&st, print_line, "check: ");
	if (findings == 0)
		printf("schema is up to date\n");
	else if (strcmp(action, "check") != 0)
		printf("run 'mc-f2b schema upgrade' to fix the above\n");
	return findings ? EXIT_RUNTIME : EXIT_DONE;
}

int cmd_schema(int argc, char **argv, const struct cli *cli)
{
	struct mc_config cfg;
	struct db *db;
	char err[512];
	const char *action = argc == 2 ? argv[1] : NULL;
	int rc;

	if (action && (strcmp(action, "-h") == 0 ||
		       strcmp(action, "--help") == 0)) {
		fputs(schema_usage, stdout);
		return EXIT_DONE;
	}
	if (!action || (strcmp(action, "install") != 0 &&
			strcmp(action, "upgrade") != 0 &&
			strcmp(action, "check") != 0))
		return usage_error("schema", "expected install, upgrade or check");
	if ((rc = cli_load_config(cli, &cfg)))
		return rc;
	if (db_connect(&cfg.master, &db, err, sizeof(err)) != DB_OK) {
		config_wipe_secrets(&cfg);
		log_error("master: %s", err);
		return EXIT_RUNTIME;
	}
	config_wipe_secrets(&cfg);
	rc = run(action, db);
	db_close(db);
	return rc;
}
