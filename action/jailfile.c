/* jailfile.c - render and write fail2ban jail files. */
#include "jailfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A port number as nftables takes it: 1 to 65535, digits only, no leading
 * zero ("010" is read as 10 by some tools and as octal by others). */
static bool port_number_valid(const char *s, size_t len)
{
	unsigned long v = 0;

	if (len == 0 || len > 5 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v <= 65535;
}

/* One entry of the list: a service name (a letter first), a number, or a
 * range "a:b" or "a-b" of numbers, a <= b.  A range may start at 0:
 * fail2ban's own default is "0:65535", every port. */
static bool port_entry_valid(const char *s, size_t len)
{
	static const char name_chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789_-";
	size_t first = strcspn(s, ":-,");

	if ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))
		return strspn(s, name_chars) >= len;
	if (first >= len)
		return port_number_valid(s, len);
	return (port_number_valid(s, first) || (first == 1 && s[0] == '0')) &&
	       port_number_valid(s + first + 1, len - first - 1) &&
	       strtoul(s, NULL, 10) <= strtoul(s + first + 1, NULL, 10);
}

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
	for (const char *p = port; *p; ) {
		size_t n = strcspn(p, ",");

		if (!port_entry_valid(p, n)) {
			*why = "each port is a number from 1 to 65535, a range "
			       "a:b of them, or a service name";
			return false;
		}
		p += n + (p[n] == ',');
	}
	return true;
}

void bl_jail_name(const char *jail, char out[JAIL_NAME_MAX + 4])
{
	snprintf(out, JAIL_NAME_MAX + 4, "%s-bl", jail);
}

int jail_whitelist_add(struct jail_whitelist *wl, const struct addr_net *net)
{
	if (wl->count >= JAIL_WHITELIST_MAX)
		return -1;
	addr_net_format(net, wl->entries[wl->count++]);
	return 0;
}

/* The whitelist as one ignoreip value: canonical entries only. */
static int render_ignoreip(const struct jail_whitelist *wl, char *out,
			   size_t outlen, const char **why)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < wl->count; i++) {
		struct addr_net net;
		char canon[ADDR_NET_TEXT_MAX];
		int n;

		if (addr_net_parse(wl->entries[i], &net, why) != 0)
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

/* "ignoreip = ...\n", or nothing for an empty whitelist. */
static const char *ignoreip_line(const char *ignoreip, char *line, size_t len)
{
	if (!ignoreip[0])
		return "";
	snprintf(line, len, "ignoreip = %s\n", ignoreip);
	return line;
}

/* action = <banaction>[port="<port>"]: every option of the action keeps its
 * default; an empty port list blocks every port. */
static void action_value(const char *banaction, const char *port, char *out,
			 size_t outlen)
{
	if (port[0])
		snprintf(out, outlen, "%s[port=\"%s\"]", banaction, port);
	else
		snprintf(out, outlen, "%s[type=allports]", banaction);
}

int jailfile_render_bl(const struct bl_jail *bl, char *out, size_t outlen,
		       const char **why)
{
	char name[JAIL_NAME_MAX + 4];
	static char ignoreip[JAIL_WHITELIST_MAX * ADDR_NET_TEXT_MAX];
	static char line[sizeof(ignoreip) + 16];
	char action[JAIL_PORT_MAX + 64];
	int n;

	if (!jail_name_valid(bl->jail, why) || !jail_port_valid(bl->port, why) ||
	    render_ignoreip(&bl->whitelist, ignoreip, sizeof(ignoreip), why))
		return -1;
	bl_jail_name(bl->jail, name);
	/* The firewall part of mc-custom, without the recording: the -bl
	 * jail's bans are the jail's blacklisted rows already. */
	action_value("nftables", bl->port, action, sizeof(action));
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
		     "%s",
		     bl->jail, bl->jail, name, action,
		     ignoreip_line(ignoreip, line, sizeof(line)));
	if (n < 0 || (size_t)n >= outlen) {
		*why = "jail file too long";
		return -1;
	}
	return n;
}

bool jail_number_valid(const char *column, long long value,
		       const char **why)
{
	bool ok;

	if (strcmp(column, "bantime") == 0)
		ok = value == -1 || (value >= 1 && value <= 315360000);
	else if (strcmp(column, "findtime") == 0)
		ok = value >= 1 && value <= 315360000;
	else if (strcmp(column, "maxretry") == 0)
		ok = value >= 1 && value <= 1000000;
	else	/* max_count: 0 (or less, as MailCleaner allows) disables */
		ok = value >= -1 && value <= 1000000;
	if (!ok)
		*why = strcmp(column, "bantime") == 0 ?
			"expected -1 (for ever) or 1 to 315360000 seconds" :
		       strcmp(column, "findtime") == 0 ?
			"expected 1 to 315360000 seconds" :
		       strcmp(column, "maxretry") == 0 ?
			"expected 1 to 1000000" : "expected -1 to 1000000";
	return ok;
}

/* A filter or action name: a file name in filter.d/ or action.d/. */
static bool file_name_valid(const char *name, const char **why)
{
	static const char allowed[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789._-";

	if (!name[0] || name[0] == '.' || strspn(name, allowed) != strlen(name)) {
		*why = "expected a name of letters, digits, '.', '_' and '-'";
		return false;
	}
	return true;
}

/* <config_dir>/<sub>/<name>.conf or .local exists. */
static bool config_file_exists(const char *config_dir, const char *sub,
			       const char *name, const char **why)
{
	static const char *const suffixes[] = { "conf", "local" };
	char path[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s.%s", config_dir, sub,
			 name, suffixes[i]);
		if (access(path, R_OK) == 0)
			return true;
	}
	*why = strcmp(sub, "filter.d") == 0 ? "no such filter in filter.d/" :
						 "no such action in action.d/";
	return false;
}

/* Absolute, and nothing fail2ban's configuration reader would read as
 * syntax: no control characters (a newline starts a new line, a new
 * section), no brackets, no '%' (interpolation), no quotes. */
static bool logpath_valid(const char *path, const char **why)
{
	static const char allowed[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789/._-*?+@:=,~";

	if (path[0] != '/') {
		*why = "expected an absolute path";
		return false;
	}
	if (strspn(path, allowed) != strlen(path)) {
		*why = "only letters, digits and / . _ - * ? + @ : = , ~ are "
		       "allowed";
		return false;
	}
	return true;
}

bool jail_text_column_check(const struct jail_row *row, const char *config_dir,
			    const char *column, const char **why)
{
	if (strcmp(column, "port") == 0)
		return jail_port_valid(row->port, why);
	if (strcmp(column, "filter") == 0)
		return file_name_valid(row->filter, why) &&
		       (!config_dir || config_file_exists(config_dir, "filter.d",
							   row->filter, why));
	if (strcmp(column, "banaction") == 0)
		return file_name_valid(row->banaction, why) &&
		       (!config_dir || config_file_exists(config_dir, "action.d",
							   row->banaction, why));
	if (strcmp(column, "logpath") == 0)
		return logpath_valid(row->logpath, why);
	*why = "not a text column of a jail";
	return false;
}

bool jail_row_check(const struct jail_row *row, const char *config_dir,
		    const char **column, const char **why)
{
	static const char *const numbers[] = {
		"maxretry", "findtime", "bantime", "max_count",
	};
	static const char *const texts[] = {
		"port", "filter", "banaction", "logpath",
	};
	const long long values[] = {
		row->maxretry, row->findtime, row->bantime, row->max_count,
	};

	*column = "name";
	if (!jail_name_valid(row->name, why))
		return false;
	for (size_t i = 0; i < 4; i++) {
		*column = numbers[i];
		if (!jail_number_valid(numbers[i], values[i], why))
			return false;
	}
	for (size_t i = 0; i < 4; i++) {
		*column = texts[i];
		if (!jail_text_column_check(row, config_dir, texts[i], why))
			return false;
	}
	return true;
}

int jailfile_render_jail(const struct jail_row *row,
			 const struct jail_whitelist *wl,
			 char *out, size_t outlen, const char **why)
{
	static char ignoreip[JAIL_WHITELIST_MAX * ADDR_NET_TEXT_MAX];
	static char line[sizeof(ignoreip) + 16];
	char action[JAIL_ACTION_MAX + JAIL_PORT_MAX + 32];
	const char *column;
	int n;

	if (!jail_row_check(row, NULL, &column, why) ||
	    render_ignoreip(wl, ignoreip, sizeof(ignoreip), why) != 0)
		return -1;
	action_value(row->banaction, row->port, action, sizeof(action));
	n = snprintf(out, outlen,
		     "# Written by mc-f2b from fail2ban_jail (id %lld): do not\n"
		     "# edit, change the row (mc-f2b jail change) instead.\n"
		     "[%s]\n"
		     "enabled = true\n"
		     "filter = %s\n"
		     "logpath = %s\n"
		     "port = %s\n"
		     "maxretry = %lld\n"
		     "findtime = %lld\n"
		     "bantime = %lld\n"
		     "action = %s\n"
		     "%s",
		     row->id, row->name, row->filter, row->logpath, row->port,
		     row->maxretry, row->findtime, row->bantime, action,
		     ignoreip_line(ignoreip, line, sizeof(line)));
	if (n < 0 || (size_t)n >= outlen) {
		*why = "jail file too long";
		return -1;
	}
	return n;
}

int jailfile_remove(const char *config_dir, const char *name,
		    char *err, size_t errlen)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/jail.d/mc-f2b-%s.conf", config_dir,
		 name);
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int jailfile_write(const char *config_dir, const char *name,
		   const char *text, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX], dir[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	if (snprintf(dir, sizeof(dir), "%s/jail.d", config_dir) >= (int)sizeof(dir) ||
	    snprintf(path, sizeof(path), "%s/mc-f2b-%s.conf", dir, name) >=
		    (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.mc-f2b-%s.XXXXXX", dir, name) >=
		    (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", config_dir);
		return -1;
	}
	/* fail2ban reads jail.d/ when it exists; make it for a bare config. */
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* A name of its own per writer: two escalations of one jail may
	 * write the same file at once.  fail2ban reads only *.conf and
	 * *.local, never this name. */
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0644) != 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
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
