/* sync.h - make the local fail2ban match the database (the replica).
 *
 * Per enabled jail: active rows banned in the jail, blacklisted rows banned
 * in <jail>-bl, whitelist rows in the jail's ignore list, and what a row
 * says is over (inactive, no longer blacklisted, no longer whitelisted)
 * lifted.  A local ban that has no row yet is left alone: it may be a ban
 * of this node that the replica has not seen (spooled, or replication
 * lag), and lifting it would free an attacker. */
#ifndef MC_F2B_SYNC_H
#define MC_F2B_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "jailctl.h"
#include "strset.h"

/* An enabled jail, as the database has it, and what this node lets sync
 * do to it (jail.h). */
struct sync_jail {
	char name[JAIL_NAME_MAX + 1];
	long long max_count;
	char port[JAIL_PORT_MAX + 1];
	bool send_mail_bl;
	struct jail_whitelist whitelist;
	struct jail_scope scope;
};

/* A row of fail2ban_ips that the round looks at. */
struct sync_row {
	char jail[161];
	char ip[151];
	bool active, blacklisted, whitelisted;
	char updated_at[32];
};

/* What the local fail2ban has for one jail (canonical texts). */
struct f2b_view {
	bool loaded, bl_loaded;
	struct strset banned, bl_banned, ignoreip;
};

/* What must change in the local fail2ban for one jail. */
struct sync_actions {
	struct strset ban, unban, bl_ban, bl_unban, add_ignore, del_ignore;
	unsigned node_rows;   /* rows banning an address of the cluster:
			       * not applied */
};

/* The pure part: decide for the rows of one jail, within its scope (no
 * action at all without scope.act, none in <jail>-bl without scope.bl);
 * an address of nodes (may be NULL) is never banned.
 * Unit-tested.  Returns 0, or -1 when memory ran out (out is then
 * incomplete: the round must not count as done). */
int sync_decide(const struct sync_jail *jail, const struct sync_row *rows,
		size_t nrows, const struct nodes *nodes, struct f2b_view *view,
		struct sync_actions *out);

void sync_actions_free(struct sync_actions *a);
void f2b_view_free(struct f2b_view *v);

/* What a round did. */
struct sync_counts {
	unsigned rows, banned, unbanned, bl_banned, bl_unbanned, ignored,
		 unignored, errors;
	unsigned skipped;     /* enabled jails this node does not let sync
				 touch (said in one line per round) */
	unsigned node_rows;   /* rows that would ban an address of the
				 cluster: left unapplied */
};

/* One round: rows changed since *since (all rows when since is empty),
 * applied to the local fail2ban; *since moves on to the newest change
 * seen, unless something could not be applied (then the same rows are
 * read again next round).  recent carries the rows of the overlap window
 * between rounds, so that a row is not handled twice.  Returns DB_OK, or
 * the database's status; fail2ban errors are counted, said once each, and
 * the round goes on.  Jails that rows name but this node's configuration
 * does not let mc-f2b act on (jail.h, scope) are left alone, and named in
 * one log line per round. */
enum db_status sync_round(struct db *replica, const struct f2b_link *link,
			  char since[32], struct strset *recent,
			  struct sync_counts *counts);

/* The same for one jail, all its rows: what "jail enable" runs once the
 * jail is loaded, so that a node without the sync loop enforces at once
 * the bans, the blacklist and the whitelist the database holds for it. */
enum db_status sync_jail(struct db *db, const struct f2b_link *link,
			 const char *jail, struct sync_counts *counts);

/* The mails of the files (mail.h): what they depend on (the jails' send_mail
 * and send_mail_bl, fail2ban_conf) as one short text, to see when it
 * changed; and the pass that follows such a change: the mail line of every
 * file of an enabled jail that is mc-f2b's here (its -bl jail's too),
 * from link->mail, with the jails reloaded whose file changed.  Nothing
 * else of a file changes: the rest is what a person's verb wrote. */
#define SYNC_MAIL_SIG_MAX 96
enum db_status sync_mail_signature(struct db *db,
				   char out[SYNC_MAIL_SIG_MAX]);
enum db_status sync_mail(struct db *db, const struct f2b_link *link,
			 unsigned *changed, unsigned *errors);

#endif
