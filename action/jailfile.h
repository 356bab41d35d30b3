/* jailfile.h - fail2ban jail files written by mc-f2b.
 *
 * Every value that goes into a file passed the rules of jail.h first: a
 * value with a newline or a '[' would add lines or sections to fail2ban's
 * configuration. */
#ifndef MC_F2B_JAILFILE_H
#define MC_F2B_JAILFILE_H

#include <stdbool.h>

#include <stddef.h>

#include "jail.h"
#include "mail.h"
#include "nodes.h"

/* The text of a jail's file: self-contained (it names its action), with
 * fail2ban's sendmail action beside it when the row's send_mail asks and
 * mail (may be NULL) is valid, the jail's whitelist and the cluster's
 * addresses (nodes, may be NULL) as ignoreip, however long.  The row is checked again (jail_row_check
 * without the look-ups).  Returns the text, to be freed, or NULL (why says
 * why). */
char *jailfile_render_jail(const struct jail_row *row,
			   const struct jail_whitelist *wl,
			   const struct nodes *nodes, const struct mail_conf *mail,
			   const char **why);

/* The filter of a permanent jail, filter.d/mc-none.conf: it matches
 * nothing (the bans come from mc-f2b) and spares fail2ban's "No filter set"
 * warning on every start and reload. */
#define JAILFILE_BL_FILTER "mc-none"

/* Is filter.d/mc-none.conf (a regular file) under config_dir?  A
 * configuration without it gets "filter =" instead, so that a permanent
 * jail loads wherever the filter was not installed. */
bool jailfile_bl_filter_installed(const char *config_dir);

/* The text of the -bl jail's file: the filter given (JAILFILE_BL_FILTER, or
 * "" for none), no log, banned for ever, blocked by fail2ban's nftables
 * action on the jail's ports (and the sendmail action when bl->send_mail
 * and mail is valid), the jail's whitelist and the cluster's
 * addresses (nodes, may be NULL) as ignoreip.  Returns the text, to be
 * freed, or NULL when a value is invalid (why says which). */
char *jailfile_render_bl(const struct jail_bl *bl, const char *filter,
			 const struct nodes *nodes, const struct mail_conf *mail,
			 const char **why);

/* Is fail2ban's sendmail action (action.d/sendmail.conf, a regular file)
 * under config_dir?  Without it, no file gets a mail line: a jail whose
 * action cannot be read would not load at all. */
bool jailfile_mail_action_installed(const char *config_dir);

/* Write <config_dir>/jail.d/mc-f2b-<name>.conf atomically (temporary file,
 * fsync, rename), mode 0644. */
int jailfile_write(const char *config_dir, const char *name,
		   const char *text, char *err, size_t errlen);

/* Read that file back: *text (to be freed) is NULL when there is none.
 * Returns 0, or -1 with err set (a link, not a regular file, too long to
 * be one of mc-f2b's). */
int jailfile_read(const char *config_dir, const char *name, char **text,
		  char *err, size_t errlen);

/* Remove that file; a file that is not there is not an error. */
int jailfile_remove(const char *config_dir, const char *name,
		    char *err, size_t errlen);

#endif
