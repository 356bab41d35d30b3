/* apply.h - an event applied to the master: by the action on a connection
 * of its own, or by the sync loop's hand-off server (handoff.h) on the
 * connection it keeps.  Both take the same steps, so that an event is
 * recorded, counted, logged and followed in fail2ban the same way
 * whichever process applied it. */
#ifndef MC_F2B_APPLY_H
#define MC_F2B_APPLY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bans.h"
#include "config.h"
#include "db.h"
#include "event.h"

enum apply_verdict {
	APPLY_DONE,      /* applied (or an address of the cluster, refused) */
	APPLY_REFUSED,   /* bad input: no such jail; why says it */
	APPLY_SPOOL,     /* the master could not take it: why says how */
};

/* What the statements of an event did, between apply_statements() and
 * apply_follow_up() (which frees it). */
struct applied {
	enum bans_status status;
	struct ban_result res;
	char err[512];
};

/* The event's statements on db; see apply_on_master() for port. */
void apply_statements(const struct mc_config *cfg, struct db *db,
		      const struct ban_event *ev, const char *port,
		      struct applied *a);

/* Their verdict, with why, and *lost as apply_on_master() tells it. */
enum apply_verdict apply_outcome(const struct applied *a,
				 const struct ban_event *ev, bool *lost,
				 char *why, size_t whylen);

/* What follows them: the note that the master answered, the decision in
 * the log, the counter, fail2ban told of a blacklisting or a whitelisted
 * address.  Frees a's result. */
void apply_follow_up(const struct mc_config *cfg, const struct ban_event *ev,
		     struct applied *a);

/* The three in a row: apply ev on db.  port: the ports a ban from fail2ban's action passed
 * (NULL from a person): a jail with no row is then registered if a file of
 * fail2ban's defines it.  *lost tells that the connection failed (gone,
 * timed out, held by a lock): whether the statement was applied is then
 * unknown, and applying it again changes nothing if it was. */
enum apply_verdict apply_on_master(const struct mc_config *cfg, struct db *db,
				   const struct ban_event *ev,
				   const char *port, bool *lost, char *why,
				   size_t whylen);

/* The decision's line in the log: "ban IP in JAIL: first ban (count 1)". */
void apply_log_ban(const struct ban_event *ev, const struct ban_result *r);

/* A jail of the administrator's own (defined in fail2ban's files) that
 * runs the action but has no row yet gets one (see apply.c).  Returns
 * whether the row is there now. */
bool apply_register_custom_jail(const struct mc_config *cfg, struct db *db,
				const char *jail, const char *port);

/* The hand-off server: answer requests on listen_fd until *stopping is set
 * or the sync loop, process loop, that forked it is gone. */
void apply_serve_handoffs(struct mc_config *cfg, int listen_fd, pid_t loop,
			  volatile sig_atomic_t *stopping);

#endif
