/* jailfile.c - render and write fail2ban jail files. */
#include "jailfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool jail_port_valid(const char *port, const char **why)
{
	static const char allowed[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789,:-_";
	size_t len = strnlen(port, JAIL_PORT_MAX + 1);

	if (len > JAIL_PORT_MAX) {
		*why = "port list too long";
		return false;
	}
	if (strspn(port, allowed) != len) {
		*why = "ports are numbers, ranges and service names separated "
		       "by commas";
		return false;
	}
	if (len && (port[0] == ',' || port[len - 1] == ',' ||
		    strstr(port, ",,"))) {
		*why = "empty entry in the port list";
		return false;
	}
	return true;
}

void bl_jail_name(const char *jail, char out[JAIL_NAME_MAX + 4])
{
	snprintf(out, JAIL_NAME_MAX + 4, "%s-bl", jail);
}

/* The whitelist as one ignoreip value: canonical entries only. */
static int render_ignoreip(const struct bl_jail *bl, char *out, size_t outlen,
			   const char **why)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < bl->whitelist_count; i++) {
		struct addr_net net;
		char canon[ADDR_NET_TEXT_MAX];
		int n;

		if (addr_net_parse(bl->whitelist[i], &net, why) != 0)
			return -1;
		addr_net_format(&net, canon);
		n = snprintf(out + used, outlen - used, "%s%s",
			     used ? " " : "", canon);
		if (n < 0 || (size_t)n >= outlen - used) {
			*why = "whitelist too long";
			return -1;
		}
		used += (size_t)n;
	}
	return 0;
}

int jailfile_render_bl(const struct bl_jail *bl, char *out, size_t outlen,
		       const char **why)
{
	char name[JAIL_NAME_MAX + 4];
	char ignoreip[JAIL_WHITELIST_MAX * ADDR_NET_TEXT_MAX];
	char action[JAIL_PORT_MAX + 64];
	int n;

	if (!jail_name_valid(bl->jail, why) || !jail_port_valid(bl->port, why) ||
	    render_ignoreip(bl, ignoreip, sizeof(ignoreip), why) != 0)
		return -1;
	bl_jail_name(bl->jail, name);
	if (bl->port[0])
		snprintf(action, sizeof(action), "nftables[port=\"%s\"]", bl->port);
	else
		snprintf(action, sizeof(action), "nftables[type=allports]");
	n = snprintf(out, outlen,
		     "# Written by mc-f2b: the permanent jail of %s.\n"
		     "# Addresses land here after max_count bans in %s; they\n"
		     "# stay until \"mc-f2b blacklist remove\".  Rewritten by\n"
		     "# mc-f2b: do not edit.\n"
		     "[%s]\n"
		     "enabled = true\n"
		     "filter =\n"
		     "bantime = -1\n"
		     "action = %s\n"
		     "%s%s%s",
		     bl->jail, bl->jail, name, action,
		     ignoreip[0] ? "ignoreip = " : "", ignoreip,
		     ignoreip[0] ? "\n" : "");
	if (n < 0 || (size_t)n >= outlen) {
		*why = "jail file too long";
		return -1;
	}
	return n;
}

int jailfile_write(const char *config_dir, const char *name,
		   const char *text, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	if (snprintf(path, sizeof(path), "%s/jail.d/mc-f2b-%s.conf",
		     config_dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", config_dir);
		return -1;
	}
	/* fail2ban reads jail.d/ when it exists; make it for a bare config. */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/jail.d", config_dir);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
