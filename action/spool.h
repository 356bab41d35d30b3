/* spool.h - events kept on disk while the master database is unreachable.
 *
 * One event per line in <dir>/events, appended with a single writev() and
 * fsync()ed before the command reports success, so that fail2ban is never
 * blocked and no ban is lost.  Writers and the replayer serialise on an
 * flock() of <dir>/lock.  A replay marks each line done in place as it
 * goes, and removes the file when no line is left waiting.  A line that
 * cannot be decoded, or that the database refuses for good, is copied to
 * <dir>/rejected: kept, never silently dropped.
 *
 * <dir> must belong to the user running mc-f2b and be writable by nobody
 * else, and no file in it may be a symbolic link: every function below
 * but spool_pending() refuses the spool otherwise, with one line in err
 * saying what to fix. */
#ifndef MC_F2B_SPOOL_H
#define MC_F2B_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/* Longest encoded record, newline included. */
#define SPOOL_RECORD_MAX 512

/* Encode ev as one text line ending in '\n'.  Returns the length, or -1 if
 * it does not fit (it always does for a validated event). */
int spool_encode(const struct ban_event *ev, char *buf, size_t buflen);

/* Decode one line (with or without its '\n'), validating every field as the
 * command line would.  Returns 0, or -1 with *why set. */
int spool_decode(const char *line, struct ban_event *ev, const char **why);

/* Append durably; creates dir (mode 0700) when missing, as every function
 * below but spool_pending() does. */
int spool_append(const char *dir, const struct ban_event *ev,
		 char *err, size_t errlen);

/* True when events may wait (one fstatat(), no lock: cheap on the ban
 * path): the events file is not empty, or is something other than a
 * regular file, for the replay to refuse aloud. */
bool spool_pending(const char *dir);

enum spool_verdict {
	SPOOL_APPLIED,   /* done: mark it so */
	SPOOL_REFUSED,   /* will never apply: copy it to rejected, mark it */
	SPOOL_STOP,      /* cannot apply now (master gone again): keep it and
			  * everything after it */
};

typedef enum spool_verdict (*spool_apply_fn)(void *ctx,
					     const struct ban_event *ev);

struct spool_counts {
	unsigned applied;
	unsigned refused;       /* by apply, copied to rejected */
	unsigned undecodable;   /* copied to rejected */
	unsigned kept;          /* still waiting */
};

/* Apply waiting events in order, under the lock.  Returns 0 when the spool
 * was read (see counts for what happened), -1 on a file-system error. */
int spool_replay(const char *dir, spool_apply_fn fn, void *ctx,
		 struct spool_counts *counts, char *err, size_t errlen);

/* Hand every waiting event to fn in order, without changing anything;
 * a line that does not decode is passed as ev == NULL with its text
 * (without its newline). */
typedef void (*spool_list_fn)(void *ctx, const struct ban_event *ev,
			      const char *line);
int spool_list(const char *dir, spool_list_fn fn, void *ctx,
	       char *err, size_t errlen);

#endif
