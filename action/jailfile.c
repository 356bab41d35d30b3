/* jailfile.c - render and write fail2ban jail files. */
#include "jailfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The whitelist, then the cluster's addresses it does not cover already,
 * as the line "ignoreip = ...\n", or "" when both are empty: canonical
 * entries only, however many (fail2ban reads a line of any length). */
static char *render_ignoreip(const struct jail_whitelist *wl,
			     const struct nodes *nodes, const char **why)
{
	static const char head[] = "ignoreip =";
	size_t room, used, n_nodes = nodes ? nodes->count : 0;
	char *out;

	if (wl->count > (SIZE_MAX - sizeof(head) - 1) / ADDR_NET_TEXT_MAX -
			n_nodes) {
		*why = "whitelist too long";
		return NULL;
	}
	room = sizeof(head) + (wl->count + n_nodes) * ADDR_NET_TEXT_MAX + 1;
	if (!(out = malloc(room))) {
		*why = "out of memory";
		return NULL;
	}
	memcpy(out, head, sizeof(head));
	used = sizeof(head) - 1;
	for (size_t i = 0; i < wl->count; i++) {
		out[used++] = ' ';
		addr_net_format(&wl->nets[i], out + used);
		used += strlen(out + used);
	}
	for (size_t i = 0; i < n_nodes; i++) {
		if (jail_whitelist_covers(wl, &nodes->addr[i]))
			continue;
		out[used++] = ' ';
		addr_format(&nodes->addr[i], out + used);
		used += strlen(out + used);
	}
	if (used == sizeof(head) - 1)
		out[0] = '\0';
	else
		memcpy(out + used, "\n", 2);
	return out;
}

/* The mail line of a jail whose mails are asked for (mail.h), or "": a
 * mail configuration that is not valid sends nothing.  Returns -1 only
 * when the line does not fit, which valid values never do. */
static int mail_line(bool wanted, const struct mail_conf *mail,
		     const char *jail, char out[MAIL_LINE_MAX], const char **why)
{
	const char *column;

	out[0] = '\0';
	if (!wanted || !mail || !mail_conf_valid(mail, &column, why))
		return 0;
	if (mail_action_line(mail, jail, out, MAIL_LINE_MAX) < 0) {
		*why = "mail line too long";
		return -1;
	}
	return 0;
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

/* The permanent jail's filter is one of two constants; checked all the
 * same, since it is written into fail2ban's configuration. */
static bool filter_valid(const char *filter, const char **why)
{
	if (filter[0] == '\0' || strcmp(filter, JAILFILE_BL_FILTER) == 0)
		return true;
	*why = "not the permanent jail's filter";
	return false;
}

/* printf into a new buffer of the size the text needs. */
static char *format_text(const char **why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *format_text(const char **why, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*why = "out of memory";
		return NULL;
	}
	return text;
}

static bool installed(const char *config_dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/%s", config_dir, file);

	return n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

bool jailfile_bl_filter_installed(const char *config_dir)
{
	return installed(config_dir, "filter.d/" JAILFILE_BL_FILTER ".conf");
}

bool jailfile_mail_action_installed(const char *config_dir)
{
	return installed(config_dir, "action.d/sendmail.conf");
}

char *jailfile_render_bl(const struct jail_bl *bl, const char *filter,
			 const struct nodes *nodes, const struct mail_conf *mail,
			 const char **why)
{
	char name[JAIL_BL_NAME_MAX + 1];
	char action[JAIL_PORT_MAX + 64], mail_text[MAIL_LINE_MAX];
	char *ignoreip, *text;

	if (!jail_row_name_valid(bl->jail, why) || !jail_port_valid(bl->port, why) ||
	    !filter_valid(filter, why))
		return NULL;
	jail_bl_name(bl->jail, name);
	if (mail_line(bl->send_mail, mail, name, mail_text, why) != 0 ||
	    !(ignoreip = render_ignoreip(&bl->whitelist, nodes, why)))
		return NULL;
	/* The firewall part of mc-custom, without the recording: the -bl
	 * jail's bans are the jail's blacklisted rows already. */
	action_value("nftables", bl->port, action, sizeof(action));
	text = format_text(why,
		"# Written by mc-f2b: the permanent jail of %s.\n"
		"# Addresses land here after max_count bans in %s; they\n"
		"# stay until \"mc-f2b blacklist remove\".  Rewritten by\n"
		"# mc-f2b: do not edit.\n"
		"[%s]\n"
		"enabled = true\n"
		"filter =%s%s\n"
		"bantime = -1\n"
		"action = %s\n"
		"%s"
		"%s",
		bl->jail, bl->jail, name, filter[0] ? " " : "", filter, action,
		mail_text, ignoreip);
	free(ignoreip);
	return text;
}

char *jailfile_render_jail(const struct jail_row *row,
			   const struct jail_whitelist *wl,
			   const struct nodes *nodes, const struct mail_conf *mail,
			   const char **why)
{
	char action[JAIL_ACTION_MAX + JAIL_PORT_MAX + 32];
	char mail_text[MAIL_LINE_MAX];
	const char *column;
	char *ignoreip, *text;

	if (!jail_row_check(row, NULL, &column, why) ||
	    mail_line(row->send_mail, mail, row->name, mail_text, why) != 0 ||
	    !(ignoreip = render_ignoreip(wl, nodes, why)))
		return NULL;
	action_value(row->banaction, row->port, action, sizeof(action));
	text = format_text(why,
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
		"%s"
		"%s",
		row->id, row->name, row->filter, row->logpath, row->port,
		row->maxretry, row->findtime, row->bantime, action, mail_text,
		ignoreip);
	free(ignoreip);
	return text;
}

/* Only a jail name goes into a file name: nothing that climbs out of
 * jail.d/ or reads as another file's name. */
static bool file_name_refused(const char *name, char *err, size_t errlen)
{
	const char *why;

	if (jail_name_valid(name, &why))
		return false;
	snprintf(err, errlen, "no jail file for that name: %s", why);
	return true;
}

int jailfile_remove(const char *config_dir, const char *name,
		    char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (file_name_refused(name, err, errlen))
		return -1;

	snprintf(path, sizeof(path), "%s/jail.d/mc-f2b-%s.conf", config_dir,
		 name);
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* mc-f2b's own files are a few hundred bytes; a longer one is not one. */
#define JAILFILE_READ_MAX 65536

int jailfile_read(const char *config_dir, const char *name, char **text,
		  char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	*text = NULL;
	if (file_name_refused(name, err, errlen))
		return -1;
	if (snprintf(path, sizeof(path), "%s/jail.d/mc-f2b-%s.conf", config_dir,
		     name) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", config_dir);
		return -1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size >= JAILFILE_READ_MAX ||
	    !(*text = malloc((size_t)st.st_size + 1))) {
		snprintf(err, errlen, "%s: not a file mc-f2b wrote", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = read(fd, *text, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno)
							   : "short read");
		free(*text);
		*text = NULL;
		return -1;
	}
	(*text)[n] = '\0';
	return 0;
}

int jailfile_write(const char *config_dir, const char *name,
		   const char *text, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX], dir[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	if (file_name_refused(name, err, errlen))
		return -1;
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
