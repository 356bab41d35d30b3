/* privileges.h - is the database account of a node allowed more, or less,
 * than mc-f2b needs?
 *
 * Every verb but "schema install|upgrade" needs exactly: SELECT, INSERT and
 * UPDATE on fail2ban_ips and fail2ban_jail, and SELECT on fail2ban_conf
 * and fail2ban_events (for "schema check"), in the configured database;
 * DELETE on fail2ban_events is allowed (the node that prunes the history
 * needs it).  Nothing else deletes a row outside "schema upgrade";
 * nothing creates or alters a table outside "schema install|upgrade".  Pure code: the caller reads the lines of
 * SHOW GRANTS. */
#ifndef MC_F2B_PRIVILEGES_H
#define MC_F2B_PRIVILEGES_H

#include <stddef.h>

struct privileges_verdict {
	int excess;      /* privileges beyond the list above */
	int missing;     /* privileges of the list that no grant gives */
	int unreadable;  /* grant lines that could not be understood */
};

typedef void (*privileges_report_fn)(void *ctx, const char *line);

/* Judge the grant lines against what a node needs in `database`.  fn gets
 * one line per finding, naming a privilege and an object only: a grant line
 * may carry the account's password hash and is never quoted whole. */
void privileges_judge(const char *const *grants, size_t ngrants,
		      const char *database, privileges_report_fn fn,
		      void *ctx, struct privileges_verdict *v);

#endif
