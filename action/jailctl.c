/* jailctl.c - jails in fail2ban's configuration and in the running server.
 *
 * Files are written first and loaded second, so that a restart of fail2ban
 * finds what the running server was told.  Loading goes through fail2ban's
 * own configuration reader (fail2ban-client): only it knows every include
 * and default of the site's configuration. */
#include "jailctl.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* The last line fail2ban-client wrote on stderr: its reason, when it
 * fails (its chatter, "OK" and warnings, is not ours to print). */
static void last_line(int fd, char *out, size_t outlen)
{
	char buf[8192];
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0 && (len += (size_t)n) == sizeof(buf) - 1)
			len = 0;   /* keep reading: only the end matters */
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	const char *line = strrchr(buf, '\n');
	const char *src = line ? line + 1 : buf;
	size_t keep = strlen(src) < outlen ? strlen(src) : outlen - 1;

	memcpy(out, src, keep);
	out[keep] = '\0';
}

int jailctl_load(const struct f2b_link *link, const char *name,
		 char *err, size_t errlen)
{
	const char *argv[] = { link->client, "-c", link->config_dir, "-s",
			       link->socket, "reload", "--if-exists", name,
			       NULL };
	posix_spawn_file_actions_t fa;
	char reason[512];
	int pipefd[2], status, rc;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	rc = posix_spawn(&pid, link->client, &fa, NULL, (char *const *)argv,
			 environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		snprintf(err, errlen, "%s: %s", link->client, strerror(rc));
		return -1;
	}
	last_line(pipefd[0], reason, sizeof(reason));
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waiting for %s: %s", link->client,
				 strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "fail2ban-client reload %s failed: %s",
			 name, reason[0] ? reason : "no reason given");
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

/* Remove the -bl jail's file and stop that jail. */
static int jailctl_withdraw_bl(const struct f2b_link *link, const char *jail,
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
