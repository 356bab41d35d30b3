/* jailctl.h - a jail's files in fail2ban's configuration, and the jail in
 * the running fail2ban: publish (write and load), withdraw (remove and
 * stop), what this node's configuration lets mc-f2b do to a jail, and the
 * native calls that act on a loaded jail.
 *
 * These are the mechanisms; whether a verb may use them on a jail is
 * decided first, by jailctl_facts() and jail_scope_decide(). */
#ifndef MC_F2B_JAILCTL_H
#define MC_F2B_JAILCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "f2b.h"
#include "f2bconf.h"
#include "jail.h"
#include "mail.h"
#include "nodes.h"

struct f2b_link {
	const char *socket;       /* fail2ban's socket */
	const char *config_dir;   /* its configuration (jail files: jail.d/) */
	const char *client;       /* fail2ban-client, absolute path */
	unsigned timeout_ms;      /* per socket operation */
	const struct nodes *nodes;  /* never banned: in the ignoreip of every
				     * file written (NULL: none known) */
	const struct mail_conf *mail;  /* fail2ban_conf, for the files of
					* jails that send mails (NULL: none) */
};

/* Is fail2ban answering on its socket? */
bool jailctl_running(const struct f2b_link *link);

/* Is the jail loaded in the running fail2ban?  F2B_OK: yes;
 * F2B_UNKNOWN_JAIL: no; anything else: fail2ban could not say. */
enum f2b_status jailctl_loaded(const struct f2b_link *link, const char *name,
			       char *err, size_t errlen);

/* The facts of jail.h for one jail: which other file of fail2ban's
 * configuration defines it and its -bl (from defined, read once by the
 * caller), and, only for a jail defined elsewhere, whether the running
 * jail carries mc-custom or mc-record ("get <jail> actions"). */
void jailctl_facts(const struct f2b_link *link,
		   const struct f2b_defined *defined, const char *name,
		   struct jail_facts *facts);

/* May mc-f2b do what need says to the jail on this node?  fail2ban's files
 * are read now and the facts gathered as above (for a verb that judges
 * many jails, read the files once and call jailctl_facts instead).
 * 1: yes; 0: no, why says why in one line; -1: fail2ban's configuration
 * cannot be read, why says so (what cannot be read is not mc-f2b's). */
int jailctl_allows(const struct f2b_link *link, const char *name,
		   enum jail_need need, char *why, size_t whylen);

/* Load (or reload) a jail from its files with fail2ban's own reader:
 * "fail2ban-client -c DIR -s SOCKET reload --if-exists NAME", run without
 * a shell, with nothing but the standard streams open, once the program
 * passed localfile_check_program(); plain "reload NAME" refuses a jail
 * that is not running yet. */
int jailctl_load(const struct f2b_link *link, const char *name,
		 char *err, size_t errlen);

/* Stop a loaded jail (its actionflush runs: mc-f2b records nothing). */
int jailctl_stop(const struct f2b_link *link, const char *name,
		 char *err, size_t errlen);

/* Write the jail's file and, when the jail's max_count is above 0, its -bl
 * jail's; remove the -bl file otherwise.  With load, bring the running
 * fail2ban in line (load both, or stop the -bl jail).  Only what the scope
 * allows is touched: nothing at all of a jail mc-f2b does not own, nothing
 * of a -bl jail another file defines. */
int jailctl_publish(const struct f2b_link *link, const struct jail_row *row,
		    const struct jail_whitelist *wl,
		    const struct jail_scope *scope, bool load,
		    char *err, size_t errlen);

/* Remove the jail's files (and its -bl jail's) and, with stop, stop both;
 * within the scope, as above. */
int jailctl_withdraw(const struct f2b_link *link, const char *name,
		     const struct jail_scope *scope, bool stop,
		     char *err, size_t errlen);

/* Write the -bl jail's file and, with load, load it. */
int jailctl_publish_bl(const struct f2b_link *link, const struct jail_bl *bl,
		       bool load, char *err, size_t errlen);

/* Remove the -bl jail's file and, with stop, stop that jail. */
/* The mail line (mail.h; "" for none) of the file of name, a jail or a
 * -bl jail of mc-f2b's: when the file is there and says otherwise, it is
 * written again with that line alone changed, and the jail reloaded when
 * load and it runs.  Nothing else of the file changes: the rest is what a
 * person's verb wrote.  Returns 1 when the file changed, 0 when not, -1
 * with err set. */
int jailctl_set_mail(const struct f2b_link *link, const char *name,
		     const char *line, bool load, char *err, size_t errlen);

int jailctl_withdraw_bl(const struct f2b_link *link, const char *jail,
			bool stop, char *err, size_t errlen);

#endif
