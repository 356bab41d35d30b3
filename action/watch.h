/* watch.h - gathering the metrics (metrics.h) for `mc-f2b metrics` and
 * for the sync loop's textfile; cmd_metrics.c. */
#ifndef MC_F2B_WATCH_H
#define MC_F2B_WATCH_H

#include <time.h>

#include "config.h"
#include "db.h"
#include "metrics.h"

/* What outlives one gathering: the rows' counts per jail (read again only
 * when asked, see watch_tally), and the sync loop's rounds. */
struct watch {
	struct metrics_jail *jails;
	size_t njails, cap;
	long long unnamed;
	bool rows_read;
	bool failed;                   /* a jail could not be kept */
	/* The sync loop's. */
	unsigned long long rounds;
	double round_seconds;
	long long round_rows;
	double last_good;              /* CLOCK_MONOTONIC seconds, < 0 none */
	enum metrics_up replica, fail2ban;
	double replica_lag;            /* seconds, < 0 not reported */
	double lag_refused_at;         /* watch_now() of a refusal, 0: none */
};

/* Count the rows per jail on db (one statement).  A row whose jail is no
 * jail name is counted apart, never a label.  Returns its status; on
 * failure the counts read before are kept. */
enum db_status watch_tally(struct db *db, struct watch *w);

/* Ask the replica how far behind it is (w->replica_lag, < 0 when it does
 * not say); after a refusal (an account without SLAVE MONITOR) it is
 * asked again five minutes later. */
void watch_replica_lag(struct db *db, struct watch *w);

/* The metrics of now: w's, and this node's counters, spool and note of
 * the master, read from cfg's spool directory.  Problems reading them
 * leave their families out and are said once each in log lines. */
void watch_gather(const struct mc_config *cfg, const struct watch *w,
		  struct metrics *m);

/* Remove what a writer of path left when it stopped between making its
 * temporary file and renaming it ("<path>.XXXXXX", regular, this user's);
 * node_exporter never reads those, but they would pile up.  Called once,
 * when the loop starts. */
void watch_sweep(const char *path);

/* Write the metrics to path atomically (a new file in its directory,
 * then renamed over it), readable by all: node_exporter runs as its own
 * user.  Returns 0, or -1 with one line in err. */
int watch_publish(const char *path, const struct metrics *m, char *err,
		  size_t errlen);

void watch_free(struct watch *w);

/* CLOCK_MONOTONIC, in seconds. */
double watch_now(void);

#endif
