/* metrics.h - what mc-f2b shows Prometheus, in its text exposition format
 * (version 0.0.4): the numbers are gathered elsewhere (cmd_metrics.c), the
 * text is made here.  Names carry the mc_f2b_ prefix, counters end in
 * _total, times are in seconds. */
#ifndef MC_F2B_METRICS_H
#define MC_F2B_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "counters.h"
#include "event.h"

/* One jail's rows of fail2ban_ips, cluster-wide. */
struct metrics_jail {
	char name[JAIL_BL_NAME_MAX + 1];
	long long active, blacklisted, whitelisted;
};

/* A yes/no that may not have been asked. */
enum metrics_up { UP_UNKNOWN = -1, UP_NO = 0, UP_YES = 1 };

struct metrics {
	/* The database's rows (when rows_read). */
	bool rows_read;
	const struct metrics_jail *jails;
	size_t njails;
	long long rows_unnamed;   /* rows whose jail is no jail name */
	/* This node. */
	bool counters_read;
	unsigned long long counters[COUNTER_COUNT];
	bool spool_read;
	long long spool_waiting;
	double spool_oldest_seconds;   /* < 0: nothing waits */
	enum metrics_up master, replica, fail2ban;
	double replica_lag_seconds;    /* < 0: not reported */
	/* The sync loop's last round (when rounds > 0). */
	unsigned long long rounds;
	double round_seconds;
	long long round_rows;
	double since_good_round_seconds;   /* < 0: none yet */
};

/* Write the metrics; a family without a value is left out whole.
 * Returns 0, or -1 when the stream failed. */
int metrics_write(const struct metrics *m, FILE *out);

/* A label value as the format wants it: backslash, double quote and line
 * feed escaped.  Returns false when it does not fit in len. */
bool metrics_label_value(const char *text, char *out, size_t len);

#endif
