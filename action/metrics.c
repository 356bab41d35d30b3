/* metrics.c - the text exposition format of Prometheus (metrics.h).
 *
 * Each family is written whole: "# HELP", "# TYPE", then its samples, so
 * that promtool and node_exporter's textfile collector take the file as
 * it is.  A jail name reaches a label only after jail_name_valid (the
 * rows are written by whoever may write the database) and is escaped all
 * the same. */
#include "metrics.h"

#include <string.h>

bool metrics_label_value(const char *text, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = text; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" :
				  *p == '\n' ? "\\n" : NULL;
		size_t n = esc ? 2 : 1;

		if (o + n >= len)
			return false;
		if (esc)
			memcpy(out + o, esc, 2);
		else
			out[o] = *p;
		o += n;
	}
	if (len == 0)
		return false;
	out[o] = '\0';
	return true;
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one_number(FILE *out, const char *name, const char *type,
		       const char *help, double value)
{
	family(out, name, type, help);
	fprintf(out, "%s %.17g\n", name, value);
}

/* A gauge per jail, from one column of the rows. */
static void per_jail(FILE *out, const struct metrics *m, const char *name,
		     const char *help, size_t column)
{
	char label[2 * JAIL_BL_NAME_MAX + 1];

	if (m->njails == 0)
		return;   /* a family without samples says nothing */
	family(out, name, "gauge", help);
	for (size_t i = 0; i < m->njails; i++) {
		const struct metrics_jail *j = &m->jails[i];
		const long long v[] = { j->active, j->blacklisted,
					j->whitelisted };

		if (metrics_label_value(j->name, label, sizeof(label)))
			fprintf(out, "%s{jail=\"%s\"} %lld\n", name, label,
				v[column]);
	}
}

static void write_rows(FILE *out, const struct metrics *m)
{
	per_jail(out, m, "mc_f2b_bans_active", "Addresses banned now, per "
		 "jail, on every node (fail2ban_ips rows active).", 0);
	per_jail(out, m, "mc_f2b_blacklisted", "Addresses blacklisted, per "
		 "jail (banned for good in <jail>-bl).", 1);
	per_jail(out, m, "mc_f2b_whitelist_entries", "Whitelist entries "
		 "(addresses and networks), per jail.", 2);
	one_number(out, "mc_f2b_rows_without_jail_name", "gauge", "Rows of "
		   "fail2ban_ips whose jail is no valid jail name (never "
		   "applied).", (double)m->rows_unnamed);
}

static void write_node(FILE *out, const struct metrics *m)
{
	if (m->counters_read) {
		one_number(out, "mc_f2b_bans_recorded_total", "counter",
			   "Bans this node recorded in the master.",
			   (double)m->counters[COUNTER_RECORDED]);
		one_number(out, "mc_f2b_events_spooled_total", "counter",
			   "Bans and unbans this node kept in its spool while "
			   "the master could not take them.",
			   (double)m->counters[COUNTER_SPOOLED]);
		one_number(out, "mc_f2b_events_replayed_total", "counter",
			   "Spooled events this node applied to the master.",
			   (double)m->counters[COUNTER_REPLAYED]);
	}
	if (m->spool_read) {
		one_number(out, "mc_f2b_spool_events", "gauge", "Events "
			   "waiting in this node's spool.",
			   (double)m->spool_waiting);
		one_number(out, "mc_f2b_spool_oldest_age_seconds", "gauge",
			   "Age of the oldest event waiting in the spool (0: "
			   "none waits).", m->spool_oldest_seconds < 0 ? 0 :
			   m->spool_oldest_seconds);
	}
	const struct { const char *name, *help; enum metrics_up v; } ups[] = {
		{ "mc_f2b_master_up", "1 unless this node noted the master "
		  "out of reach (its bans are then spooled).", m->master },
		{ "mc_f2b_replica_up", "1 when the local replica answered.",
		  m->replica },
		{ "mc_f2b_fail2ban_up", "1 when the local fail2ban answered.",
		  m->fail2ban },
	};
	for (size_t i = 0; i < sizeof(ups) / sizeof(ups[0]); i++)
		if (ups[i].v != UP_UNKNOWN)
			one_number(out, ups[i].name, "gauge", ups[i].help,
				   ups[i].v == UP_YES);
	if (m->replica_lag_seconds >= 0)
		one_number(out, "mc_f2b_replica_lag_seconds", "gauge", "How "
			   "far the local replica is behind the master, as "
			   "the replica reports it.", m->replica_lag_seconds);
}

static void write_rounds(FILE *out, const struct metrics *m)
{
	if (m->rounds == 0)
		return;
	one_number(out, "mc_f2b_sync_rounds_total", "counter", "Rounds the "
		   "sync loop ran since it started.", (double)m->rounds);
	one_number(out, "mc_f2b_sync_round_duration_seconds", "gauge", "How "
		   "long the sync loop's last round took.", m->round_seconds);
	one_number(out, "mc_f2b_sync_round_rows", "gauge", "Rows the sync "
		   "loop's last round read and applied.", (double)m->round_rows);
	if (m->since_good_round_seconds >= 0)
		one_number(out, "mc_f2b_sync_since_good_round_seconds", "gauge",
			   "Time since the sync loop's last round that "
			   "reached the replica and fail2ban.",
			   m->since_good_round_seconds);
}

int metrics_write(const struct metrics *m, FILE *out)
{
	if (m->rows_read)
		write_rows(out, m);
	write_node(out, m);
	write_rounds(out, m);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
