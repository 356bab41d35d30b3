/* admin.h - what the verbs people run share: the knowledge base's option
 * spelling, sub-verb dispatch, the master, and the local fail2ban. */
#ifndef MC_F2B_ADMIN_H
#define MC_F2B_ADMIN_H

#include <stdbool.h>

#include "cli.h"
#include "jailctl.h"
#include "jails.h"
#include "lists.h"

/* The options a sub-verb was given (options.h), by name. */
struct admin_args {
	const char *jail, *ip, *value, *option, *dir;
	bool all, json, help;
	/* jail create */
	const char *name, *enabled, *maxretry, *findtime, *bantime, *port;
	const char *filter, *banaction, *logpath, *max_count;
	/* mail */
	const char *email;
	int send;                    /* -1 not given, 0 --no-send, 1 --send */
	bool each_ban;
	const char *since;           /* history --since */
};

/* Everything a sub-verb works with. */
struct admin {
	const char *verb;            /* "jail" */
	const char *sub;             /* "enable" */
	struct admin_args a;
	struct mc_config cfg;
	struct db *db;               /* the master (NULL: ADMIN_CONFIG) */
	struct f2b_link link;        /* the local fail2ban */
	int fail2ban;                /* -1 not asked yet, 0 not running, 1 up */
	struct f2b_defined defined;  /* what fail2ban's own files define */
	bool defined_read;           /* ... read (once, when first needed) */
};

/* A sub-verb: its form (name, the options it takes and needs, a note for
 * its usage) and what runs it. */
struct sub_verb {
	struct form form;
	int (*run)(struct admin *ad);
};

/* What a family of sub-verbs needs before it runs: the master (the verbs
 * people run), or the configuration alone (spool, schema and metrics,
 * which reach the database their own way). */
enum admin_reach { ADMIN_MASTER, ADMIN_CONFIG };

/* Find the sub-verb in argv[1], read its options, load the configuration,
 * connect to the master with ADMIN_MASTER, run it.  "VERB --help" prints
 * every sub-verb's usage, "VERB SUB --help" its own.  Returns the exit
 * status. */
int admin_run(const char *verb, const struct sub_verb *subs, size_t nsubs,
	      enum admin_reach reach, int argc, char **argv,
	      const struct cli *cli);

/* The same for a verb without sub-verbs ("status [-j JAIL] [--all]"):
 * only's options follow the verb itself. */
int admin_run_alone(const char *verb, const struct sub_verb *only,
		    enum admin_reach reach, int argc, char **argv,
		    const struct cli *cli);

/* blacklist enable and disable of -j JAIL: its max_count (0: disabled),
 * the -bl jail's file and running state (cmd_lists.c; jail disable-bl
 * too). */
int blacklist_set_max_count(struct admin *ad, long long n);

/* Bring the mail lines of this node's jail files in line with the rows
 * (sync_mail, with fail2ban_conf read again), reloading the jails whose
 * file changed.  Returns the exit status. */
int admin_apply_mail(struct admin *ad);

/* An address of the cluster's nodes is never banned or blacklisted:
 * EXIT_BAD_INPUT and one line when ip is one. */
int admin_refuse_node(struct admin *ad, const char *ip);

/* Is the local fail2ban running?  Asked once; when it is not, one note
 * says that the database and the files are changed all the same. */
bool admin_fail2ban(struct admin *ad);

/* A failed statement: one line, EXIT_RUNTIME. */
int admin_db_error(struct admin *ad, const char *what);

/* The jail named by -j, which must exist (else one line, EXIT_BAD_INPUT);
 * with check, its row must also pass jail_row_check (else EXIT_BAD_INPUT
 * too: the database holds a row that cannot be written into a jail file,
 * and nothing is written from it). */
int admin_jail(struct admin *ad, struct jail_row *row, bool check);

/* What this node lets mc-f2b do to a jail (jail.h), and the facts it was
 * decided on.  EXIT_RUNTIME when fail2ban's configuration cannot be read
 * (said in one line). */
int admin_scope(struct admin *ad, const char *name, struct jail_facts *facts,
		struct jail_scope *scope);

/* The same, for a verb that needs `need` of the jail: a jail that does not
 * allow it is refused in one line, EXIT_BAD_INPUT, before anything is
 * written. */
int admin_require(struct admin *ad, const char *name, enum jail_need need,
		  struct jail_scope *scope);

/* What the files mc-f2b would write from a row need of it, checked on
 * this node: the whole row (jail_row_check with the configuration
 * directory) for an enabled jail of mc-f2b's, the ports alone for the -bl
 * jail of a jail another file defines.  NULL when it passes; else the
 * column, and why says what is wrong. */
const char *admin_row_fault(struct admin *ad, const struct jail_row *row,
			    const struct jail_scope *scope, const char **why);

/* What general and jail dump do with one row, said on standard error
 * when it is not applied: a broken row (bad_column set by jails_read, or
 * failing what its files need) is skipped, a jail this node does not let
 * mc-f2b touch is left alone. */
enum admin_verdict {
	ADMIN_APPLY, ADMIN_SKIPPED, ADMIN_LEFT_ALONE, ADMIN_FAILED,
};

enum admin_verdict admin_judge_row(struct admin *ad,
				   const struct jail_row *row,
				   const char *bad_column, const char *why,
				   struct jail_scope *scope);

/* A verb about to rewrite a jail's files checks its row so first: a row
 * broken since it was last written is refused, EXIT_BAD_INPUT, before
 * anything is written. */
int admin_check_files(struct admin *ad, const struct jail_row *row,
		      const struct jail_scope *scope);

/* Bring the running fail2ban and the jail files in line with a jail's
 * row, within its scope: publish an enabled jail of mc-f2b's, withdraw a
 * disabled one; of a jail that is not mc-f2b's but runs its action, only
 * the -bl jail follows max_count; of any other, nothing. */
int admin_apply_jail(struct admin *ad, const struct jail_row *row,
		     const struct jail_scope *scope, bool load);

/* A jail just enabled or reloaded in the running fail2ban gets at once
 * what the database holds for it (its bans, its blacklist in <jail>-bl,
 * its whitelist), as a round of sync would: a node without the sync loop
 * is right from the start.  Says in one line what it applied, if
 * anything.  Returns EXIT_DONE, or EXIT_RUNTIME (said in one line). */
int admin_enforce_rows(struct admin *ad, const char *jail);


struct listing;

/* End a listing; when a row could not be kept, say so in one line and
 * return EXIT_RUNTIME (a listing silently shorter than the table is a lie). */
int admin_listing_end(struct admin *ad, struct listing *l, const char *empty);

/* List rows of fail2ban_ips of one kind, of the -j jail or all, as a table
 * or JSON; "empty" is what a person sees when there is none. */
int admin_list_rows(struct admin *ad, enum list_kind kind, const char *empty);

#endif
