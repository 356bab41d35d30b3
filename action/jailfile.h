/* jailfile.h - fail2ban jail files written by mc-f2b.
 *
 * Every value that goes into a file passed a validation first: a value with
 * a newline or a '[' would add lines or sections to fail2ban's
 * configuration. */
#ifndef MC_F2B_JAILFILE_H
#define MC_F2B_JAILFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "event.h"

/* fail2ban_jail.port is varchar(50). */
#define JAIL_PORT_MAX 50
/* Whitelist entries carried into a jail file's ignoreip. */
#define JAIL_WHITELIST_MAX 256
/* fail2ban_jail's text columns. */
#define JAIL_FILTER_MAX 50
#define JAIL_ACTION_MAX 50
#define JAIL_LOGPATH_MAX 250

/* Ports as fail2ban's actions take them: comma-separated numbers, ranges
 * (a:b or a-b) and service names.  Empty means every port. */
bool jail_port_valid(const char *port, const char **why);

/* A jail's whitelist, canonical entries, as ignoreip takes them. */
struct jail_whitelist {
	size_t count;
	char entries[JAIL_WHITELIST_MAX][ADDR_NET_TEXT_MAX];
};

/* Add an entry; returns -1 when the list is full. */
int jail_whitelist_add(struct jail_whitelist *wl, const struct addr_net *net);

/* What the permanent jail of a jail needs. */
struct bl_jail {
	char jail[JAIL_NAME_MAX + 1];        /* the jail; its -bl jail is derived */
	char port[JAIL_PORT_MAX + 1];
	struct jail_whitelist whitelist;
};

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
};

/* Numbers fail2ban and MailCleaner accept for a jail's settings. */
bool jail_number_valid(const char *column, long long value, const char **why);

/* Check one text column (port, filter, banaction, logpath) of a row, as
 * jail_row_check() does, whatever the other columns hold: a change of one
 * column is judged on that column alone. */
bool jail_text_column_check(const struct jail_row *row, const char *config_dir,
			    const char *column, const char **why);

/* Check every column of a row before anything is written from it.  With a
 * config_dir, the filter and the ban action must exist there (filter.d/,
 * action.d/, as .conf or .local).  On refusal, *column names the column. */
bool jail_row_check(const struct jail_row *row, const char *config_dir,
		    const char **column, const char **why);

/* The text of a jail's file: self-contained (it names its action), with the
 * jail's whitelist as ignoreip.  The row must have passed jail_row_check().
 * Returns the length, or -1 (why says why). */
int jailfile_render_jail(const struct jail_row *row,
			 const struct jail_whitelist *wl,
			 char *out, size_t outlen, const char **why);

/* "<jail>-bl" */
void bl_jail_name(const char *jail, char out[JAIL_NAME_MAX + 4]);

/* The text of the -bl jail's file: no filter, no log, banned for ever,
 * blocked by fail2ban's nftables action on the jail's ports, the jail's
 * whitelist as ignoreip.  Returns the length, or -1 when a value is invalid
 * (why says which) or the text does not fit. */
int jailfile_render_bl(const struct bl_jail *bl, char *out, size_t outlen,
		       const char **why);

/* Write <config_dir>/jail.d/mc-f2b-<name>.conf atomically (temporary file,
 * fsync, rename), mode 0644. */
int jailfile_write(const char *config_dir, const char *name,
		   const char *text, char *err, size_t errlen);

/* Remove that file; a file that is not there is not an error. */
int jailfile_remove(const char *config_dir, const char *name,
		    char *err, size_t errlen);

#endif
