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
#define JAIL_WHITELIST_MAX 64

/* Ports as fail2ban's actions take them: comma-separated numbers, ranges
 * (a:b or a-b) and service names.  Empty means every port. */
bool jail_port_valid(const char *port, const char **why);

/* What the permanent jail of a jail needs. */
struct bl_jail {
	char jail[JAIL_NAME_MAX + 1];        /* the jail; its -bl jail is derived */
	char port[JAIL_PORT_MAX + 1];
	size_t whitelist_count;
	char whitelist[JAIL_WHITELIST_MAX][ADDR_NET_TEXT_MAX];
};

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

#endif
