/* mail.h - notification mails, through fail2ban's stock sendmail action.
 *
 * fail2ban_conf holds who sends (src_email, src_name) and who receives
 * (dest_email); a jail row's send_mail asks for a mail at each of the
 * jail's bans, send_mail_bl at each blacklisting (a ban in <jail>-bl).
 * mc-f2b sends nothing itself: the jail files it writes add fail2ban's
 * sendmail action to the jail, with those values as its options.  The
 * values end up inside a shell command that fail2ban runs as root (its
 * mailcmd and the message it pipes), so only a conservative form is ever
 * written: an address of letters, digits and ._+- at a host name, a
 * display name of letters, digits, spaces and . - _ ( ) [ ] :. */
#ifndef MC_F2B_MAIL_H
#define MC_F2B_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#define MAIL_ADDRESS_MAX 150   /* fail2ban_conf's column */
#define MAIL_NAME_MAX 100
/* The longest mail line a jail file holds. */
#define MAIL_LINE_MAX 1024

/* MailCleaner's defaults, seeded by schema install into an empty
 * fail2ban_conf (fail2ban.py's own defaults for the sender, fail2ban's
 * for the recipient). */
#define MAIL_DEFAULT_SRC "fail2ban@localhost"
#define MAIL_DEFAULT_NAME "[MailCleaner] Fail2Ban"
#define MAIL_DEFAULT_DEST "root@localhost"

struct mail_conf {
	char src_email[MAIL_ADDRESS_MAX + 1];
	char src_name[MAIL_NAME_MAX + 1];
	char dest_email[MAIL_ADDRESS_MAX + 1];
};

/* local@domain: a local part of [A-Za-z0-9._+-] that starts with a letter
 * or a digit, and a host name (labels of [A-Za-z0-9-], not starting or
 * ending with '-', joined by dots). */
bool mail_address_valid(const char *text, const char **why);

/* Letters, digits, spaces and . - _ ( ) [ ] :, starting with neither a
 * space nor '-', at most MAIL_NAME_MAX. */
bool mail_name_valid(const char *text, const char **why);

/* All three values valid?  *column names the first that is not. */
bool mail_conf_valid(const struct mail_conf *m, const char **column,
		     const char **why);

/* The line a jail file adds to its action for the mails of the jail name
 * (jail name validated by the caller):
 * "         sendmail[name=..., dest=..., ...]\n".  fail2ban's start and
 * stop mails are turned off: one mail per ban.  Returns the length, or -1
 * when out does not hold it or a value is invalid. */
int mail_action_line(const struct mail_conf *m, const char *jail, char *out,
		     size_t outlen);

/* The text of a jail file with its mail line replaced by line ("" for
 * none): the line that follows "action = ..." and starts as
 * mail_action_line's do.  Returns a new text, to be freed, or NULL when
 * text has no action line or memory ran out. */
char *mail_set_line(const char *text, const char *line);

#endif
