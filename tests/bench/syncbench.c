/* syncbench - the cost of sync rounds at scale, inside one process:
 * a full reconcile, a round with no change, a round after N changes.
 * usage: syncbench INI CHANGES
 * The table must already hold the rows (tests/bench/sync-bench fills it);
 * CHANGES rows are touched between the rounds through the same
 * connection.  Prints wall and CPU milliseconds of each round. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "jailctl.h"
#include "sync.h"

static double ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int timed_round(const char *what, struct db *db,
		       const struct f2b_link *link, char since[32],
		       struct strset *recent)
{
	struct sync_counts c;
	double wall = ms(CLOCK_MONOTONIC), cpu = ms(CLOCK_PROCESS_CPUTIME_ID);

	if (sync_round(db, link, since, recent, &c) != DB_OK) {
		fprintf(stderr, "syncbench: %s: %s\n", what, db_error(db));
		return -1;
	}
	printf("  %-28s %9.1f ms wall %9.1f ms cpu  rows %u, banned %u, "
	       "unbanned %u, errors %u\n", what, ms(CLOCK_MONOTONIC) - wall,
	       ms(CLOCK_PROCESS_CPUTIME_ID) - cpu, c.rows, c.banned,
	       c.unbanned, c.errors);
	return c.errors ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct mc_config cfg;
	struct db *db;
	struct strset recent = { 0 };
	char err[512], since[32] = "";
	long changes = argc == 3 ? atol(argv[2]) : -1;

	if (changes < 0 || config_load(argv[1], &cfg, err, sizeof(err)) != 0 ||
	    db_connect(&cfg.replica, &db, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "usage: syncbench INI CHANGES (%s)\n",
			changes < 0 ? "bad arguments" : err);
		return 2;
	}
	struct f2b_link link = {
		.socket = cfg.f2b_socket, .config_dir = cfg.f2b_config_dir,
		.client = cfg.f2b_client, .timeout_ms = 60000,
	};
	if (timed_round("full reconcile (first)", db, &link, since, &recent))
		return 1;
	if (timed_round("no change", db, &link, since, &recent))
		return 1;
	/* Touch CHANGES active rows (a new ban each), as other nodes would. */
	struct db_arg args[] = { DB_INT(changes) };
	if (db_exec(db, "UPDATE fail2ban_ips SET active = 1 WHERE NOT active "
		    "AND NOT whitelisted ORDER BY id LIMIT ?", args, 1,
		    NULL) != DB_OK) {
		fprintf(stderr, "syncbench: %s\n", db_error(db));
		return 1;
	}
	if (timed_round("after the changes", db, &link, since, &recent))
		return 1;
	since[0] = '\0';
	strset_free(&recent);
	if (timed_round("full reconcile (in step)", db, &link, since, &recent))
		return 1;
	strset_free(&recent);
	db_close(db);
	return 0;
}
