/* outage.h - what this node remembers of a master out of reach.
 *
 * fail2ban runs every action of every jail one at a time, under one lock:
 * a ban that waits for a master that does not answer makes every jail of
 * the node wait.  So the first failure to reach the master (a connection
 * refused or timed out, a statement that timed out) is noted in the spool
 * directory, in <dir>/outage, and while that note is fresh the bans and
 * unbans go straight to the spool.  Once per window one of them probes the
 * master instead; the window starts at OUTAGE_FIRST_WINDOW_MS and doubles
 * with every failed probe up to OUTAGE_MAX_WINDOW_MS.  Whatever reaches the
 * master (a ban, a verb, the sync loop) removes the note and replays the
 * spool.
 *
 * The note is a hint, not a record: it is written without fsync(), and a
 * note that is lost, or cannot be read, only costs one more attempt. */
#ifndef MC_F2B_OUTAGE_H
#define MC_F2B_OUTAGE_H

#include <stdbool.h>
#include <stddef.h>

#define OUTAGE_FIRST_WINDOW_MS 1000LL
#define OUTAGE_MAX_WINDOW_MS 30000LL

/* Longest encoded note, newline included. */
#define OUTAGE_NOTE_MAX 128

struct outage {
	long long since_ms;      /* the first failure of this outage */
	long long last_fail_ms;  /* the latest failure */
	long long window_ms;     /* how long to wait after it */
	long long next_try_ms;   /* no attempt before this (a probe claims it) */
};

/* --- the pure parts (unit-tested) --- */

int outage_encode(const struct outage *o, char *buf, size_t buflen);
/* Returns 0, or -1 for a note that is not one this code writes. */
int outage_decode(const char *text, struct outage *o);

/* The note after a failure at now_ms, given the note before (NULL: none).
 * Failures that come together (bans that set out before the first failure
 * was noted) grow the window once, not once each: it grows only for a
 * failure at least one window after the last. */
struct outage outage_after_failure(const struct outage *before,
				   long long now_ms);

/* May an attempt be made at now_ms?  Also when the clock went back: a
 * next_try_ms further away than the longest window is not believed. */
bool outage_try_due(const struct outage *o, long long now_ms);

/* --- the note in the spool directory --- */

enum outage_advice {
	OUTAGE_NONE,    /* no outage noted: go to the master */
	OUTAGE_PROBE,   /* noted, and this caller makes the window's attempt */
	OUTAGE_SPOOL,   /* noted and fresh: spool without trying */
};

/* Cheap (one fstatat, no lock): is a note there? */
bool outage_noted(const char *dir);

/* What a ban or an unban should do at now_ms; *o receives the note when
 * there is one.  A probe is claimed under the spool's lock, so that
 * concurrent callers make one attempt per window between them.  A spool
 * that cannot be used (said in err) advises OUTAGE_NONE: the event then
 * goes to the master rather than nowhere. */
enum outage_advice outage_advise(const char *dir, long long now_ms,
				 struct outage *o, char *err, size_t errlen);

/* Note a failure to reach the master at now_ms.  Returns 0, or -1 with err
 * set. */
int outage_note_failure(const char *dir, long long now_ms, struct outage *o,
			char *err, size_t errlen);

/* The master answered: remove the note.  Returns 1 when there was one (its
 * content in *o when it could be read, since_ms 0 when not), 0 when there
 * was none, -1 with err set when it could not be removed. */
int outage_clear(const char *dir, struct outage *o, char *err, size_t errlen);

/* Read the note for a report.  Returns 1 with *o, 0 when there is none,
 * -1 with err set. */
int outage_read(const char *dir, struct outage *o, char *err, size_t errlen);

/* "since 2026-12-02 14:03:07 CET (42 s ago), next attempt in 8 s" (local
 * time; the attempt only while it is still ahead). */
void outage_describe(const struct outage *o, long long now_ms,
		     char *buf, size_t buflen);

/* The wall clock in milliseconds. */
long long outage_now_ms(void);

#endif
