/* early.h - a ban or unban of fail2ban's handed to the sync loop before the
 * configuration is read in full (handoff.h).
 *
 * A glance at the file (config_glance() in config.h) gives the identity,
 * the spool and the time-outs; the loop checks the rest.  The answer is
 * "done" or "refused" (the action's work is over), or one the full program
 * acts on: spool, no answer in time, or direct (not served).
 *
 * mc-f2b-action (front.c) asks, and runs mc-f2b for any answer but the
 * first two, with the answer in the environment variable MC_F2B_EARLY, so
 * that mc-f2b acts on it rather than ask (and, for a loop that does not
 * answer, wait) again. */
#ifndef MC_F2B_EARLY_H
#define MC_F2B_EARLY_H

#include <stdbool.h>

#include "event.h"
#include "handoff.h"

#define EARLY_ENV "MC_F2B_EARLY"

struct early_handoff {
	bool asked;                /* false: the glance did not take the file */
	enum handoff_verdict v;
	char text[HANDOFF_TEXT_MAX + 1];
};

/* Ask the loop of spool_dir for ev, for actor (db.h), with fail2ban's
 * ports (NULL: none), the answer's words in text.  The wait is the
 * server's worst, as the action's own on a connection of its own: a
 * connection made at its time-out, then the ban's two statements each at
 * theirs. */
enum handoff_verdict early_ask(const char *spool_dir, const char *identity,
			       const char *actor, const struct ban_event *ev,
			       const char *port, unsigned connect_ms,
			       unsigned query_ms, char *text, size_t textlen);

/* Glance at the configuration at path and ask; ev->host is set to this
 * host's name (the loop writes its own node's over it).  A host name that
 * is not a valid node name (the reason for [node] name) or a file the
 * glance does not take leaves e->asked false. */
void early_hand_off(const char *path, const char *actor,
		    struct ban_event *ev, const char *port,
		    struct early_handoff *e);

/* The answer into the environment for the program run next (setenv), and
 * back: early_import() takes a well-formed spool, time-out or direct
 * answer, and removes the variable either way.  Returns whether it took
 * one. */
int early_export(const struct early_handoff *e);
bool early_import(struct early_handoff *e);

#endif
