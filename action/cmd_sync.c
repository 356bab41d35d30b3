/* cmd_sync.c - mc-f2b sync [--once] [--interval SECONDS]: keep the local
 * fail2ban in step with the cluster's database.
 *
 * Each round reads only the rows changed since the last one (updated_at,
 * on the local replica) and asks fail2ban nothing when nothing changed; a
 * full reconcile at start and every FULL_EVERY seconds heals drift (a node
 * that was down, a manual fail2ban command).  The spool of this node is
 * replayed to the master whenever it holds something.  Database or
 * fail2ban down: the loop waits, longer each time up to a minute, and says
 * so once, then once more when it is back. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "jailctl.h"
#include "log.h"
#include "spool.h"
#include "sync.h"

#define FULL_EVERY 300
#define MAX_BACKOFF 60

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void install_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* Sleep, but wake at once for SIGTERM or SIGINT. */
static void pause_for(unsigned seconds)
{
	struct timespec t = { (time_t)seconds, 0 };

	while (!stopping && nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

struct syncer {
	struct mc_config cfg;
	struct f2b_link link;
	struct db *replica;
	char since[32];
	struct strset recent;
	time_t last_full;
	bool down_said;
	bool verbose;          /* --once: print what the round did */
};

/* This node's spool, to the master, when it holds something. */
static void replay_spool(struct syncer *s)
{
	struct db *master;
	char err[512];

	if (!spool_pending(s->cfg.spool_dir))
		return;
	if (db_connect(&s->cfg.master, &master, err, sizeof(err)) != DB_OK)
		return;   /* still out of reach: the next round tries again */
	cli_replay_spool(&s->cfg, master, false);
	db_close(master);
}

static void say_down(struct syncer *s, const char *what)
{
	if (!s->down_said)
		log_warning("sync: %s; retrying, up to every %d s", what,
			    MAX_BACKOFF);
	s->down_said = true;
}

/* One round; returns 0 when it ran, -1 when the replica or fail2ban is
 * out of reach. */
static int round_once(struct syncer *s)
{
	struct sync_counts c;
	char err[512];
	enum db_status st;

	if (!s->replica &&
	    db_connect(&s->cfg.replica, &s->replica, err, sizeof(err)) != DB_OK) {
		say_down(s, "replica unreachable");
		return -1;
	}
	if (!jailctl_running(&s->link)) {
		say_down(s, "fail2ban is not running");
		return -1;
	}
	replay_spool(s);
	if (time(NULL) - s->last_full >= FULL_EVERY) {
		s->since[0] = '\0';     /* everything, to heal drift */
		strset_free(&s->recent);
		s->last_full = time(NULL);
	}
	st = sync_round(s->replica, &s->link, s->since, &s->recent, &c);
	if (st != DB_OK) {
		say_down(s, db_error(s->replica));
		db_close(s->replica);
		s->replica = NULL;
		return -1;
	}
	if (s->down_said)
		log_warning("sync: database and fail2ban reachable again");
	s->down_said = false;
	if (c.banned || c.unbanned || c.bl_banned || c.bl_unbanned ||
	    c.ignored || c.unignored)
		log_decision("sync: %u row(s): banned %u, unbanned %u, "
			     "blacklisted %u, unblacklisted %u, ignoreip +%u "
			     "-%u", c.rows, c.banned, c.unbanned, c.bl_banned,
			     c.bl_unbanned, c.ignored, c.unignored);
	if (s->verbose)
		printf("rows %u, banned %u, unbanned %u, blacklisted %u, "
		       "unblacklisted %u, ignoreip +%u -%u, errors %u\n",
		       c.rows, c.banned, c.unbanned, c.bl_banned, c.bl_unbanned,
		       c.ignored, c.unignored, c.errors);
	return c.errors ? -1 : 0;
}

static const struct option sync_options[] = {
	{ "once",     no_argument,       NULL, 'o' },
	{ "interval", required_argument, NULL, 'n' },
	{ "help",     no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_sync(int argc, char **argv, const struct cli *cli)
{
	struct syncer s = { 0 };
	long long interval = 5;
	bool once = false;
	unsigned wait;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", sync_options, NULL)) != -1) {
		if (c == 'o')
			once = true;
		else if (c == 'n' && parse_int_in(optarg, 1, 3600, &interval))
			continue;
		else if (c == 'h') {
			printf("usage: mc-f2b sync [--once] [--interval SECONDS]\n");
			return EXIT_DONE;
		} else
			return usage_error("sync", c == 'n' ? "--interval: "
					   "expected 1 to 3600 seconds" :
					   "unknown option (see --help)");
	}
	if (optind < argc)
		return usage_error("sync", "unexpected argument '%s'",
				   argv[optind]);
	if ((rc = cli_load_config(cli, &s.cfg)))
		return rc;
	/* A long-running loop reconnects: it keeps the passwords. */
	s.link = (struct f2b_link){
		.socket = s.cfg.f2b_socket, .config_dir = s.cfg.f2b_config_dir,
		.client = s.cfg.f2b_client, .timeout_ms = F2B_DETACHED_TIMEOUT_MS,
	};
	s.verbose = once;
	if (once) {
		rc = round_once(&s) == 0 ? EXIT_DONE : EXIT_RUNTIME;
	} else {
		install_handlers();
		wait = (unsigned)interval;
		while (!stopping) {
			wait = round_once(&s) == 0 ? (unsigned)interval :
			       wait * 2 > MAX_BACKOFF ? MAX_BACKOFF : wait * 2;
			pause_for(wait);
		}
		rc = EXIT_DONE;
	}
	db_close(s.replica);
	strset_free(&s.recent);
	config_wipe_secrets(&s.cfg);
	return rc;
}
