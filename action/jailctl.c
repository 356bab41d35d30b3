/* jailctl.c - jails in fail2ban's configuration and in the running server.
 *
 * Files are written first and loaded second, so that a restart of fail2ban
 * finds what the running server was told.  Loading goes through fail2ban's
 * own configuration reader (fail2ban-client): only it knows every include
 * and default of the site's configuration. */
#include "jailctl.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

bool jailctl_running(const struct f2b_link *link)
{
	const char *argv[] = { "ping" };
	char err[256];

	return f2b_command(link->socket, argv, 1, link->timeout_ms, err,
			   sizeof(err)) == F2B_OK;
}

enum f2b_status jailctl_loaded(const struct f2b_link *link, const char *name,
			       char *err, size_t errlen)
{
	const char *argv[] = { "get", name, "bantime" };

	return f2b_command(link->socket, argv, 3, link->timeout_ms, err, errlen);
}

int jailctl_load(const struct f2b_link *link, const char *name,
		 char *err, size_t errlen)
{
	const char *argv[] = { link->client, "-c", link->config_dir, "-s",
			       link->socket, "reload", "--if-exists", name,
			       NULL };
	pid_t pid;
	int status, rc;

	rc = posix_spawn(&pid, link->client, NULL, NULL, (char *const *)argv,
			 environ);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", link->client, strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waiting for %s: %s", link->client,
				 strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s reload %s failed (status %d)",
			 link->client, name,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

int jailctl_stop(const struct f2b_link *link, const char *name,
		 char *err, size_t errlen)
{
	const char *argv[] = { "stop", name };
	enum f2b_status s = f2b_command(link->socket, argv, 2, link->timeout_ms,
					err, errlen);

	/* A jail that is not loaded is as stopped as it gets. */
	return s == F2B_OK || s == F2B_UNKNOWN_JAIL || s == F2B_NO_SERVER ? 0 : -1;
}

int jailctl_publish_bl(const struct f2b_link *link, const struct bl_jail *bl,
		       bool load, char *err, size_t errlen)
{
	static char text[JAIL_WHITELIST_MAX * ADDR_NET_TEXT_MAX + 1024];
	char name[JAIL_NAME_MAX + 4];
	const char *why;

	bl_jail_name(bl->jail, name);
	if (jailfile_render_bl(bl, text, sizeof(text), &why) < 0) {
		snprintf(err, errlen, "jail %s: %s", name, why);
		return -1;
	}
	if (jailfile_write(link->config_dir, name, text, err, errlen) != 0)
		return -1;
	return load ? jailctl_load(link, name, err, errlen) : 0;
}

static int remove_bl_file(const struct f2b_link *link, const char *jail,
			  char *err, size_t errlen)
{
	char name[JAIL_NAME_MAX + 4];

	bl_jail_name(jail, name);
	return jailfile_remove(link->config_dir, name, err, errlen);
}

int jailctl_withdraw_bl(const struct f2b_link *link, const char *jail,
			char *err, size_t errlen)
{
	char name[JAIL_NAME_MAX + 4];

	if (remove_bl_file(link, jail, err, errlen) != 0)
		return -1;
	bl_jail_name(jail, name);
	return jailctl_stop(link, name, err, errlen);
}

int jailctl_publish(const struct f2b_link *link, const struct jail_row *row,
		    const struct jail_whitelist *wl, bool load,
		    char *err, size_t errlen)
{
	static char text[JAIL_WHITELIST_MAX * ADDR_NET_TEXT_MAX + 2048];
	struct bl_jail bl;
	const char *why;

	if (jailfile_render_jail(row, wl, text, sizeof(text), &why) < 0) {
		snprintf(err, errlen, "jail %s: %s", row->name, why);
		return -1;
	}
	if (jailfile_write(link->config_dir, row->name, text, err, errlen) != 0)
		return -1;
	if (load && jailctl_load(link, row->name, err, errlen) != 0)
		return -1;
	if (row->max_count <= 0)
		return load ? jailctl_withdraw_bl(link, row->name, err, errlen)
			    : remove_bl_file(link, row->name, err, errlen);
	memset(&bl, 0, sizeof(bl));
	strcpy(bl.jail, row->name);
	strcpy(bl.port, row->port);
	bl.whitelist = *wl;
	return jailctl_publish_bl(link, &bl, load, err, errlen);
}

int jailctl_withdraw(const struct f2b_link *link, const char *name,
		     char *err, size_t errlen)
{
	if (jailfile_remove(link->config_dir, name, err, errlen) != 0 ||
	    jailctl_stop(link, name, err, errlen) != 0)
		return -1;
	return jailctl_withdraw_bl(link, name, err, errlen);
}
