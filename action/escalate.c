/* escalate.c - the permanent jail, in the running fail2ban. */
#include "escalate.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "f2b.h"

extern char **environ;

/* fail2ban's own reader turns the jail file into server commands; only it
 * knows every include and default of the site's configuration. */
static int load_jail(const struct f2b_link *link, const char *name,
		     char *err, size_t errlen)
{
	/* "reload <jail>" alone refuses a jail that is not running yet;
	 * --if-exists makes it add and start it. */
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

static int write_and_load(const struct f2b_link *link, const struct bl_jail *bl,
			  const char *name, char *err, size_t errlen)
{
	char text[8192];
	const char *why;

	if (jailfile_render_bl(bl, text, sizeof(text), &why) < 0) {
		snprintf(err, errlen, "jail %s: %s", name, why);
		return -1;
	}
	if (jailfile_write(link->config_dir, name, text, err, errlen) != 0)
		return -1;
	return load_jail(link, name, err, errlen);
}

int escalate_to_bl(const struct f2b_link *link, const struct bl_jail *bl,
		   const char *ip, char *err, size_t errlen)
{
	char name[JAIL_NAME_MAX + 4];
	const char *probe[] = { "get", name, "bantime" };
	const char *ban[] = { "set", name, "banip", ip };
	enum f2b_status s;

	bl_jail_name(bl->jail, name);
	s = f2b_command(link->socket, probe, 3, link->timeout_ms, err, errlen);
	if (s == F2B_UNKNOWN_JAIL) {
		if (write_and_load(link, bl, name, err, errlen) != 0)
			return -1;
	} else if (s != F2B_OK) {
		return -1;
	}
	s = f2b_command(link->socket, ban, 4, link->timeout_ms, err, errlen);
	return s == F2B_OK ? 0 : -1;
}
