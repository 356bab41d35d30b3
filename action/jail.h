/* jail.h - what a jail is to mc-f2b: its row of fail2ban_jail and the rules
 * every column obeys, its whitelist as parsed networks, its permanent jail
 * "<jail>-bl", and how far mc-f2b may act on it on this node.
 *
 * Every decision about a jail is one function here; the renderer
 * (jailfile.c), the rules of a ban (bans.c), sync and the verbs use them.
 * Nothing here does I/O but the look-ups of jail_text_column_check() in
 * fail2ban's configuration directory. */
#ifndef MC_F2B_JAIL_H
#define MC_F2B_JAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "event.h"

/* fail2ban_jail.port is varchar(50). */
#define JAIL_PORT_MAX 50
/* fail2ban_jail's text columns. */
#define JAIL_FILTER_MAX 50
#define JAIL_ACTION_MAX 50
#define JAIL_LOGPATH_MAX 250

/* A row of fail2ban_jail. */
struct jail_row {
	long long id;
	bool enabled;
	char name[JAIL_NAME_MAX + 1];
	long long maxretry, findtime, bantime;
	char port[JAIL_PORT_MAX + 1];
	char filter[JAIL_FILTER_MAX + 1];
	char banaction[JAIL_ACTION_MAX + 1];
	char logpath[JAIL_LOGPATH_MAX + 1];
	long long max_count;
	bool send_mail;      /* a mail at each ban of the jail (mail.h) */
	bool send_mail_bl;   /* a mail at each ban in <jail>-bl */
};

/* --- names ---------------------------------------------------------------- */

/* A name a row of fail2ban_jail may carry: a jail name (jail_name_valid)
 * that is not "<something>-bl", the name of a permanent jail: a row of
 * that name would write over the permanent jail's file. */
bool jail_row_name_valid(const char *name, const char **why);

/* "<jail>-bl", the permanent jail of jail. */
void jail_bl_name(const char *jail, char out[JAIL_BL_NAME_MAX + 1]);

/* Is name the name of a permanent jail ("...-bl")? */
bool jail_is_bl_name(const char *name);

/* The row of a jail of the administrator's own, registered when it first
 * starts with mc-f2b's action (see mc-f2b(8), start): enabled, the ports
 * its action blocks (empty: every port), no filter, no log path, zero
 * settings (they are the jail file's), banaction mc-custom, max_count as
 * given.  Returns 0, or -1 with why when the name may not be a row's
 * (a "-bl" name) or the ports are not valid. */
int jail_custom_row(const char *name, const char *port, long long max_count,
		    struct jail_row *row, const char **why);

/* --- the columns ---------------------------------------------------------- */

/* Ports as fail2ban's actions take them: comma-separated numbers, ranges
 * (a:b or a-b) and service names.  Empty means every port. */
bool jail_port_valid(const char *port, const char **why);

/* Numbers fail2ban and MailCleaner accept for a jail's settings. */
bool jail_number_valid(const char *column, long long value, const char **why);

/* Check one text column (port, filter, banaction, logpath) of a row, as
 * jail_row_check() does, whatever the other columns hold: a change of one
 * column is judged on that column alone.  With a config_dir the checks
 * that look at this node are made too: the filter and the action exist
 * there, and the log path is a regular file, or a file not there yet in an
 * existing directory (never a device, a FIFO, a socket or a directory,
 * which fail2ban would read without end or not at all). */
bool jail_text_column_check(const struct jail_row *row, const char *config_dir,
			    const char *column, const char **why);

/* Is the log of a jail there, on this node (a file, or at least one match
 * of its glob)?  fail2ban refuses to start a jail without it, and its
 * configuration test fails for every jail while a jail file names such a
 * log: no jail file of an enabled jail is written without it. */
bool jail_log_present(const char *logpath, const char **why);

/* Check every column of a row before anything is written from it.  On
 * refusal, *column names the column. */
bool jail_row_check(const struct jail_row *row, const char *config_dir,
		    const char **column, const char **why);

/* --- the whitelist -------------------------------------------------------- */

/* A jail's whitelist: canonical networks (a single address is a full-length
 * network), as many as the table holds. */
struct jail_whitelist {
	struct addr_net *nets;
	size_t count, cap;
};

/* Add an entry; -1 when memory runs out (the list is then unchanged). */
int jail_whitelist_add(struct jail_whitelist *wl, const struct addr_net *net);

/* Does an entry of the whitelist cover the address? */
bool jail_whitelist_covers(const struct jail_whitelist *wl,
			   const struct addr *a);

void jail_whitelist_free(struct jail_whitelist *wl);

/* --- the permanent jail --------------------------------------------------- */

/* What <jail>-bl is made of, all of it derived from its jail: the jail's
 * ports and its whitelist (as ignoreip). */
struct jail_bl {
	char jail[JAIL_NAME_MAX + 1];     /* the jail, not "<jail>-bl" */
	char port[JAIL_PORT_MAX + 1];
	struct jail_whitelist whitelist;  /* freed by jail_bl_free() */
	bool send_mail;                   /* the jail's send_mail_bl */
};

/* The -bl of a jail, with a copy of the jail's whitelist (wl may be NULL:
 * none yet); -1 when the name or the port does not fit (they are validated
 * before they are rendered) or memory runs out, bl then empty. */
int jail_bl_init(struct jail_bl *bl, const char *jail, const char *port,
		 const struct jail_whitelist *wl);
void jail_bl_free(struct jail_bl *bl);

/* --- how far mc-f2b may act on a jail here -------------------------------- */

/* Does the running jail carry mc-f2b's action? */
enum jail_runs {
	JAIL_RUNS_UNKNOWN,   /* not asked, or fail2ban could not say */
	JAIL_RUNS_OURS,      /* mc-custom or mc-record among its actions */
	JAIL_RUNS_OTHERS,    /* neither */
};

/* What this node knows of a jail, gathered by the caller: from fail2ban's
 * configuration files (f2bconf.h), and for a jail they define, from the
 * running fail2ban. */
struct jail_facts {
	const char *defined_in;     /* a file other than mc-f2b's defining the
				       jail, or NULL */
	const char *bl_defined_in;  /* the same for <jail>-bl */
	enum jail_runs runs;
};

/* The database is input, never authority (DESIGN.md, "Trust"): whatever a
 * row names, mc-f2b acts only where this node's own configuration lets it. */
struct jail_scope {
	bool owned;  /* mc-f2b's jail: its files, start, stop, reload, settings */
	bool act;    /* bans, unbans and ignoreip in the jail */
	bool bl;     /* all of that, files included, in <jail>-bl */
};

/* mc-f2b owns the jails no other file of fail2ban's configuration defines.
 * It bans, unbans and edits ignoreip in those and in jails whose author
 * opted in by running mc-custom or mc-record, and it runs <jail>-bl for
 * either kind when no other file defines that name.  A name that is not a
 * jail name, or is itself a permanent jail's, gets nothing. */
struct jail_scope jail_scope_decide(const char *name,
				    const struct jail_facts *facts);

/* What a verb needs of the scope. */
enum jail_need { JAIL_NEED_OWNED, JAIL_NEED_ACT, JAIL_NEED_BL };

bool jail_scope_allows(const struct jail_scope *scope, enum jail_need need);

/* Why a jail's scope lacks what is needed, in one line ("jail sshd is
 * defined in /etc/fail2ban/jail.local and runs neither mc-custom nor
 * mc-record"). */
void jail_scope_explain(const char *name, const struct jail_facts *facts,
			enum jail_need need, char *out, size_t outlen);

#endif
