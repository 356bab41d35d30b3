/* f2bconf.h - the jails that fail2ban's own configuration files define.
 *
 * mc-f2b owns only the jails that no other file defines (jail.h, "scope"),
 * so before it writes, loads, stops or bans it reads the files fail2ban
 * reads: jail.conf, jail.d/ *.conf, jail.local, jail.d/ *.local in the
 * configuration directory, the files their [INCLUDES] name and the .local
 * beside each.  mc-f2b's own files, jail.d/mc-f2b-<jail>.conf, count for
 * nothing but <jail> itself.  A file that exists but cannot be read makes
 * the whole reading fail: what cannot be read cannot be shown to be free. */
#ifndef MC_F2B_F2BCONF_H
#define MC_F2B_F2BCONF_H

#include <stddef.h>

struct f2b_definition {
	char *name;    /* a section name, as the file spells it */
	char *file;    /* the first file found defining it */
};

struct f2b_defined {
	struct f2b_definition *items;
	size_t count, cap;
};

/* Read the definitions under config_dir.  Returns 0, or -1 with one line
 * in err (a file that cannot be read, too many files, no memory). */
int f2bconf_read(const char *config_dir, struct f2b_defined *out,
		 char *err, size_t errlen);

/* The file that defines the jail (another than mc-f2b's own), or NULL. */
const char *f2bconf_defined_in(const struct f2b_defined *d, const char *jail);

void f2bconf_free(struct f2b_defined *d);

#endif
