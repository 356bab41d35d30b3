/* outage.c - the note of a master out of reach (outage.h).
 *
 * Note (one line, tab-separated, first field the format version):
 *   1 <since_ms> <last_fail_ms> <window_ms> <next_try_ms>
 * It is read back as input, like every file of the spool directory. */
#include "outage.h"

#include "errbuf.h"
#include "event.h"
#include "spooldir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define NOTE_FILE "outage"
#define NOTE_VERSION "1"
#define NOTE_FIELDS 5
/* Times are epoch milliseconds: 2^45 ms is the year 3084. */
#define NOTE_TIME_MAX (1LL << 45)

int outage_encode(const struct outage *o, char *buf, size_t buflen)
{
	int n = snprintf(buf, buflen, NOTE_VERSION "\t%lld\t%lld\t%lld\t%lld\n",
			 o->since_ms, o->last_fail_ms, o->window_ms,
			 o->next_try_ms);

	return n > 0 && (size_t)n < buflen ? n : -1;
}

int outage_decode(const char *text, struct outage *o)
{
	char copy[OUTAGE_NOTE_MAX + 1];
	char *field[NOTE_FIELDS], *p = copy;
	size_t n = 0, len = strlen(text);

	if (len == 0 || len > OUTAGE_NOTE_MAX || text[len - 1] != '\n')
		return -1;   /* a note cut short is no note */
	memcpy(copy, text, len - 1);
	copy[len - 1] = '\0';
	if (strchr(copy, '\n'))
		return -1;
	/* Exactly NOTE_FIELDS fields, split on every tab: an empty field
	 * (two tabs, a tab at either end) is no number. */
	while (n < NOTE_FIELDS) {
		field[n++] = p;
		if (!(p = strchr(p, '\t')))
			break;
		*p++ = '\0';
	}
	if (n != NOTE_FIELDS || p || strcmp(field[0], NOTE_VERSION) != 0)
		return -1;
	if (!parse_int_in(field[1], 0, NOTE_TIME_MAX, &o->since_ms) ||
	    !parse_int_in(field[2], 0, NOTE_TIME_MAX, &o->last_fail_ms) ||
	    !parse_int_in(field[3], OUTAGE_FIRST_WINDOW_MS,
			  OUTAGE_MAX_WINDOW_MS, &o->window_ms) ||
	    !parse_int_in(field[4], 0, NOTE_TIME_MAX, &o->next_try_ms))
		return -1;
	return 0;
}

struct outage outage_after_failure(const struct outage *before,
				   long long now_ms)
{
	struct outage o = {
		.since_ms = now_ms, .last_fail_ms = now_ms,
		.window_ms = OUTAGE_FIRST_WINDOW_MS,
	};

	if (before) {
		o.since_ms = before->since_ms < now_ms ? before->since_ms
						       : now_ms;
		o.window_ms = before->window_ms;
		if (now_ms - before->last_fail_ms >= before->window_ms)
			o.window_ms *= 2;
		if (o.window_ms > OUTAGE_MAX_WINDOW_MS)
			o.window_ms = OUTAGE_MAX_WINDOW_MS;
	}
	o.next_try_ms = now_ms + o.window_ms;
	return o;
}

bool outage_try_due(const struct outage *o, long long now_ms)
{
	return now_ms >= o->next_try_ms ||
	       o->next_try_ms - now_ms > OUTAGE_MAX_WINDOW_MS;
}

void outage_describe(const struct outage *o, long long now_ms,
		     char *buf, size_t buflen)
{
	char when[64] = "";
	time_t since = (time_t)(o->since_ms / 1000);
	struct tm tm;
	int n;

	if (localtime_r(&since, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
	n = snprintf(buf, buflen, "since %s (%lld s ago)", when[0] ? when : "?",
		     now_ms > o->since_ms ? (now_ms - o->since_ms) / 1000 : 0);
	if (n > 0 && (size_t)n < buflen && o->next_try_ms > now_ms)
		snprintf(buf + n, buflen - (size_t)n, ", next attempt in %lld s",
			 (o->next_try_ms - now_ms + 999) / 1000);
}

long long outage_now_ms(void)
{
	struct timespec ts = { 0, 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the note on disk --------------------------------------------------- */

bool outage_noted(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	return snprintf(path, sizeof(path), "%s/" NOTE_FILE, dir) < PATH_MAX &&
	       fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Read the note of an open spool: 1 with *o, 0 when there is none or it
 * is not a note (then it is as good as none: it is written again), -1 when
 * the file cannot be used (a link, not a regular file, unreadable). */
static int read_note(const struct spooldir *s, struct outage *o,
		     char *err, size_t errlen)
{
	char text[OUTAGE_NOTE_MAX + 1];
	ssize_t n = spooldir_read(s, NOTE_FILE, text, sizeof(text), err,
				  errlen);

	/* A note too long is no note of mc-f2b's: written again. */
	if (n == SPOOLDIR_MISSING || n == SPOOLDIR_TOO_LONG)
		return 0;
	if (n < 0)
		return -1;
	return outage_decode(text, o) == 0 ? 1 : 0;
}

static int write_note(const struct spooldir *s, const struct outage *o,
		      char *err, size_t errlen)
{
	char text[OUTAGE_NOTE_MAX];
	struct stat st;
	int len = outage_encode(o, text, sizeof(text));
	int fd;
	ssize_t n;

	if (len < 0) {
		errbuf_set(err, errlen, "outage note too long");
		return -1;
	}
	fd = spooldir_file(s, NOTE_FILE, O_WRONLY | O_CREAT | O_TRUNC, &st,
			   err, errlen);
	if (fd < 0)
		return -1;
	n = write(fd, text, (size_t)len);
	close(fd);
	if (n != len) {
		errbuf_set(err, errlen, "%s/" NOTE_FILE ": %s", s->dir,
			   n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

enum outage_advice outage_advise(const char *dir, long long now_ms,
				 struct outage *o, char *err, size_t errlen)
{
	struct spooldir s;
	enum outage_advice advice = OUTAGE_PROBE;
	int found;

	memset(o, 0, sizeof(*o));
	if (!outage_noted(dir))
		return OUTAGE_NONE;
	if (spooldir_open(&s, dir, LOCK_EX, err, errlen) != 0)
		return OUTAGE_NONE;
	found = read_note(&s, o, err, errlen);
	if (found < 0) {
		spooldir_close(&s);
		return OUTAGE_NONE;
	}
	if (found == 0 && !outage_noted(dir)) {
		/* Gone meanwhile: the master answered someone. */
		advice = OUTAGE_NONE;
	} else if (found == 0) {
		/* Not a note this code wrote: try, and claim the attempt as
		 * if this were the first failure. */
		*o = outage_after_failure(NULL, now_ms);
		write_note(&s, o, err, errlen);
	} else if (!outage_try_due(o, now_ms)) {
		advice = OUTAGE_SPOOL;
	} else {
		/* Claim this window's attempt; its outcome writes the note
		 * again (a failure) or removes it (a success).  A claim that
		 * cannot be written costs concurrent callers an attempt of
		 * their own, nothing more. */
		o->next_try_ms = now_ms + o->window_ms;
		write_note(&s, o, err, errlen);
	}
	spooldir_close(&s);
	return advice;
}

int outage_note_failure(const char *dir, long long now_ms, struct outage *o,
			char *err, size_t errlen)
{
	struct spooldir s;
	struct outage before;
	int found, rc;

	if (spooldir_open(&s, dir, LOCK_EX, err, errlen) != 0)
		return -1;
	found = read_note(&s, &before, err, errlen);
	if (found < 0) {
		spooldir_close(&s);
		return -1;
	}
	*o = outage_after_failure(found ? &before : NULL, now_ms);
	rc = write_note(&s, o, err, errlen);
	spooldir_close(&s);
	return rc;
}

int outage_clear(const char *dir, struct outage *o, char *err, size_t errlen)
{
	struct spooldir s;
	int rc = 1;

	memset(o, 0, sizeof(*o));
	if (!outage_noted(dir))
		return 0;
	if (spooldir_open(&s, dir, LOCK_EX, err, errlen) != 0)
		return -1;
	if (read_note(&s, o, err, errlen) <= 0)
		memset(o, 0, sizeof(*o));
	if (unlinkat(s.dirfd, NOTE_FILE, 0) != 0) {
		if (errno == ENOENT) {
			rc = 0;   /* someone else cleared it first */
		} else {
			errbuf_set(err, errlen, "%s/" NOTE_FILE ": %s", dir,
				   strerror(errno));
			rc = -1;
		}
	}
	spooldir_close(&s);
	return rc;
}

int outage_read(const char *dir, struct outage *o, char *err, size_t errlen)
{
	struct spooldir s;
	int found;

	memset(o, 0, sizeof(*o));
	if (!outage_noted(dir))
		return 0;
	if (spooldir_open(&s, dir, LOCK_SH, err, errlen) != 0)
		return -1;
	found = read_note(&s, o, err, errlen);
	spooldir_close(&s);
	return found;
}
