/* history.h - fail2ban_events, the story of every address: read it, say
 * when it happened, keep it bounded.
 *
 * The events are written by the triggers of schema.c, never by this file:
 * here they are only read, and the old ones deleted.  Everything read is
 * input (any program that writes the database could have written it): the
 * texts go to people through listing.c's escaping, the numbers through
 * db_col_int. */
#ifndef MC_F2B_HISTORY_H
#define MC_F2B_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

/* "2026-12-03T12:34:56.123456Z" and its terminator. */
#define HISTORY_TIME_MAX 32

/* --since TIME, as an epoch in seconds: "@EPOCH"; a date "YYYY-MM-DD" or a
 * moment "YYYY-MM-DDTHH:MM[:SS]" (or with a space for the T), in UTC, an
 * optional "Z" after it; or a time before now, "N" and one of s, m, h, d, w
 * ("90m", "7d").  false, with *why, for anything else. */
bool history_parse_since(const char *text, long long now, long long *out,
			 const char **why);

/* The server's UNIX_TIMESTAMP(at), "SECONDS[.FRACTION]", as UTC ISO 8601
 * with microseconds; false (out empty) when it is not such a number. */
bool history_format_time(const char *epoch_text, char out[HISTORY_TIME_MAX]);

struct history_event {
	char time[HISTORY_TIME_MAX];
	const char *node, *jail, *ip, *what, *source;   /* NULL: not said */
	bool failures_known, bantime_known;
	long long failures, bantime;
};

/* What to read: an address (and a jail), or everything since a moment, or
 * both; at least one of ip and since_given. */
struct history_query {
	const char *ip;          /* canonical, or NULL */
	const char *jail;        /* or NULL */
	bool since_given;
	long long since;         /* epoch seconds */
};

/* fn is called once per event, oldest first (by the order they were
 * written); the texts are valid during the call only.  Return non-zero to
 * stop. */
typedef int (*history_fn)(void *ctx, const struct history_event *ev);
enum db_status history_read(struct db *db, const struct history_query *q,
			    history_fn fn, void *ctx);

/* Delete the events older than keep_days, at most batch rows per statement
 * and max_batches statements, so that no statement holds its locks long;
 * *deleted says how many went.  Stops early once a batch finds fewer than
 * batch rows (the old ones are gone). */
enum db_status history_prune(struct db *db, long long keep_days,
			     unsigned batch, unsigned max_batches,
			     unsigned long long *deleted);

#endif
