/* history.c - read fail2ban_events, and keep it bounded. */
#include "history.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event.h"

/* --- times -------------------------------------------------------------- */

/* Exactly n digits at *p, as a number; *p moves past them. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* "YYYY-MM-DD[(T| )HH:MM[:SS]][Z]" in UTC. */
static bool parse_moment(const char *p, long long *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, s = 0;
	time_t t;

	if (!digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) ||
	    !expect(&p, '-') || !digits(&p, 2, &d))
		return false;
	if ((*p == 'T' || *p == ' ') && p[1]) {
		p++;
		if (!digits(&p, 2, &h) || !expect(&p, ':') || !digits(&p, 2, &mi))
			return false;
		if (*p == ':' && (p++, !digits(&p, 2, &s)))
			return false;
	}
	if (*p == 'Z')
		p++;
	if (*p || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || s > 59)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	/* timegm carries 31 February into March: refuse what it moved. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return false;
	*out = (long long)t;
	return true;
}

static bool parse_ago(const char *text, long long now, long long *out)
{
	static const struct { char unit; long long seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 604800 },
	};
	size_t len = strlen(text);
	char number[24];
	long long n;

	if (len < 2 || len - 1 >= sizeof(number))
		return false;
	memcpy(number, text, len - 1);
	number[len - 1] = '\0';
	if (!parse_int_in(number, 0, LLONG_MAX, &n))
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (text[len - 1] != units[i].unit)
			continue;
		if (n > now / units[i].seconds)
			return false;   /* before 1970 */
		*out = now - n * units[i].seconds;
		return true;
	}
	return false;
}

bool history_parse_since(const char *text, long long now, long long *out,
			 const char **why)
{
	long long v;

	if (text[0] == '@' && parse_int_in(text + 1, 0, LLONG_MAX, &v)) {
		*out = v;
		return true;
	}
	if (parse_moment(text, out) || parse_ago(text, now, out))
		return true;
	if (why)
		*why = "expected @EPOCH, YYYY-MM-DD[THH:MM[:SS]] (UTC) or a "
		       "time ago such as 90m, 12h, 7d";
	return false;
}

bool history_format_time(const char *epoch_text, char out[HISTORY_TIME_MAX])
{
	char whole[24];
	const char *dot = strchr(epoch_text, '.');
	size_t n = dot ? (size_t)(dot - epoch_text) : strlen(epoch_text);
	long long seconds, micro = 0;
	struct tm tm;
	time_t t;

	out[0] = '\0';
	if (n == 0 || n >= sizeof(whole))
		return false;
	memcpy(whole, epoch_text, n);
	whole[n] = '\0';
	if (!parse_int_in(whole, 0, 253402300799LL, &seconds))  /* year 9999 */
		return false;
	if (dot) {
		/* Up to six digits, as many as the server gives. */
		const char *f = dot + 1;
		int i;

		for (i = 0; i < 6 && f[i] >= '0' && f[i] <= '9'; i++)
			micro = micro * 10 + (f[i] - '0');
		if (i == 0 || f[i] != '\0')
			return false;
		for (; i < 6; i++)
			micro *= 10;
	}
	t = (time_t)seconds;
	if (!gmtime_r(&t, &tm))
		return false;
	/* The remainders only tell the compiler the widths: a year up to
	 * 9999 was checked above. */
	snprintf(out, HISTORY_TIME_MAX, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ",
		 (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u, (unsigned)micro % 1000000u);
	return true;
}

/* --- reading ------------------------------------------------------------ */

/* UNIX_TIMESTAMP and FROM_UNIXTIME go through the session's time zone: in
 * a zone with summer time, an hour of autumn happens twice there, and a
 * --since in it would take in an hour too many.  UTC has no such hour. */
static enum db_status session_in_utc(struct db *db)
{
	return db_exec(db, "SET time_zone = '+00:00'", NULL, 0, NULL);
}

struct read_ctx {
	history_fn fn;
	void *ctx;
	bool bad_row;
};

static int on_event(void *ctx, const char *const *cols, size_t ncols)
{
	struct read_ctx *rc = ctx;
	struct history_event ev = { 0 };

	if (ncols != 8 || db_col_null(cols, ncols, 0) ||
	    !history_format_time(cols[0], ev.time) ||
	    !db_col_int(cols, ncols, 5, 0, &ev.failures) ||
	    !db_col_int(cols, ncols, 6, 0, &ev.bantime)) {
		rc->bad_row = true;
		return 1;
	}
	ev.node = cols[1];
	ev.jail = cols[2];
	ev.ip = cols[3];
	ev.what = cols[4];
	ev.failures_known = !db_col_null(cols, ncols, 5);
	ev.bantime_known = !db_col_null(cols, ncols, 6);
	ev.source = cols[7];
	return rc->fn(rc->ctx, &ev);
}

enum db_status history_read(struct db *db, const struct history_query *q,
			    history_fn fn, void *ctx)
{
	/* Each condition is on, or is true for every row, so that one
	 * statement serves every combination; the address's index
	 * (ip, jail) serves -i, the one on at serves --since alone. */
	static const char by_ip_sql[] =
		"SELECT UNIX_TIMESTAMP(at), node, jail, ip, what, failures, "
		"bantime, source FROM fail2ban_events WHERE ip = ? "
		"AND (? IS NULL OR jail = ?) AND (? IS NULL OR at >= "
		"FROM_UNIXTIME(?)) ORDER BY id";
	static const char since_sql[] =
		"SELECT UNIX_TIMESTAMP(at), node, jail, ip, what, failures, "
		"bantime, source FROM fail2ban_events WHERE at >= "
		"FROM_UNIXTIME(?) AND (? IS NULL OR jail = ?) ORDER BY id";
	struct db_arg jail = q->jail ? DB_TEXT(q->jail) : DB_NULL;
	struct db_arg since = q->since_given ? DB_INT(q->since) : DB_NULL;
	struct read_ctx rc = { fn, ctx, false };
	enum db_status s = session_in_utc(db);

	if (s != DB_OK)
		return s;
	if (q->ip) {
		struct db_arg args[] = { DB_TEXT(q->ip), jail, jail, since,
					 since };

		s = db_query(db, by_ip_sql, args, 5, on_event, &rc);
	} else if (q->since_given) {
		struct db_arg args[] = { since, jail, jail };

		s = db_query(db, since_sql, args, 3, on_event, &rc);
	} else {
		return DB_FAILED;   /* the verb asks for one of them */
	}
	return s == DB_OK && rc.bad_row ? db_malformed(db, "fail2ban_events")
					: s;
}

/* --- retention ---------------------------------------------------------- */

enum db_status history_prune(struct db *db, long long keep_days,
			     unsigned batch, unsigned max_batches,
			     unsigned long long *deleted)
{
	/* Oldest first by id: deterministic, as a statement-logged DELETE
	 * with a LIMIT must be (at is not unique). */
	static const char sql[] =
		"DELETE FROM fail2ban_events WHERE at < "
		"NOW(6) - INTERVAL ? DAY ORDER BY id LIMIT ?";
	struct db_arg args[] = { DB_INT(keep_days), DB_INT(batch) };
	enum db_status s = session_in_utc(db);
	unsigned long long n = batch;

	*deleted = 0;
	for (unsigned i = 0; i < max_batches && n == batch && s == DB_OK;
	     i++) {
		n = 0;
		s = db_exec(db, sql, args, 2, &n);
		*deleted += n;
	}
	return s;
}
