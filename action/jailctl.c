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
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jailfile.h"
#include "localfile.h"

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

/* The names of the running jail's actions: fail2ban names an action after
 * its file (mc-custom[...] is "mc-custom") unless actname says otherwise. */
static enum jail_runs running_actions(const struct f2b_link *link,
				      const char *name)
{
	const char *argv[] = { "get", name, "actions" };
	struct pickle_doc *doc;
	const struct pickle_value *list;
	enum jail_runs runs = JAIL_RUNS_UNKNOWN;
	char err[256];
	enum f2b_status s = f2b_call(link->socket, argv, 3, link->timeout_ms,
				     &doc, &list, err, sizeof(err));

	if (s == F2B_UNKNOWN_JAIL)
		return JAIL_RUNS_OTHERS;   /* not loaded: no action of ours */
	if (s != F2B_OK)
		return JAIL_RUNS_UNKNOWN;
	if (list->type == PICKLE_LIST || list->type == PICKLE_TUPLE) {
		runs = JAIL_RUNS_OTHERS;
		for (size_t i = 0; i < list->count; i++) {
			const struct pickle_value *v = list->items[i];

			if (v->type == PICKLE_STR &&
			    (strcmp(v->text, "mc-custom") == 0 ||
			     strcmp(v->text, "mc-record") == 0))
				runs = JAIL_RUNS_OURS;
		}
	}
	pickle_doc_free(doc);
	return runs;
}

void jailctl_facts(const struct f2b_link *link,
		   const struct f2b_defined *defined, const char *name,
		   struct jail_facts *facts)
{
	char bl[JAIL_BL_NAME_MAX + 1];

	jail_bl_name(name, bl);
	facts->defined_in = f2bconf_defined_in(defined, name);
	facts->bl_defined_in = f2bconf_defined_in(defined, bl);
	facts->runs = JAIL_RUNS_UNKNOWN;
	/* Only a jail defined elsewhere needs its author's consent; the
	 * question is never sent with a name that is not a jail name. */
	if (facts->defined_in && jail_name_valid(name, NULL))
		facts->runs = running_actions(link, name);
}

int jailctl_allows(const struct f2b_link *link, const char *name,
		   enum jail_need need, char *why, size_t whylen)
{
	struct f2b_defined defined;
	struct jail_facts facts;
	struct jail_scope scope;
	int allowed;

	if (f2bconf_read(link->config_dir, &defined, why, whylen) != 0)
		return -1;
	jailctl_facts(link, &defined, name, &facts);
	scope = jail_scope_decide(name, &facts);
	allowed = jail_scope_allows(&scope, need);
	if (!allowed)
		jail_scope_explain(name, &facts, need, why, whylen);
	f2bconf_free(&defined);
	return allowed;
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

/* Start fail2ban-client with its standard streams set up and every other
 * descriptor closed: the database connection, a lock or a socket of ours
 * has no business in a program that outlives nothing of ours. */
static int spawn_client(const char *program, const char *const *argv,
			int err_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	rc = posix_spawn(pid, program, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

int jailctl_load(const struct f2b_link *link, const char *name,
		 char *err, size_t errlen)
{
	const char *argv[] = { link->client, "-c", link->config_dir, "-s",
			       link->socket, "reload", "--if-exists", name,
			       NULL };
	char reason[512], client[PATH_MAX];
	int pipefd[2], status, rc;
	pid_t pid;

	if (!jail_name_valid(name, NULL)) {
		snprintf(err, errlen, "refusing to load a jail of that name");
		return -1;
	}
	/* mc-f2b runs it as root: it must be as trustworthy as mc-f2b. */
	if (localfile_check_program(link->client, client, err, errlen) != 0)
		return -1;
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	rc = spawn_client(client, argv, pipefd[1], &pid);
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
	enum f2b_status s;

	/* "stop --all" is a word of fail2ban's, not a jail. */
	if (!jail_name_valid(name, NULL)) {
		snprintf(err, errlen, "refusing to stop a jail of that name");
		return -1;
	}
	s = f2b_command(link->socket, argv, 2, link->timeout_ms, err, errlen);
	/* A jail that is not loaded is as stopped as it gets. */
	return s == F2B_OK || s == F2B_UNKNOWN_JAIL || s == F2B_NO_SERVER ? 0 : -1;
}

/* The mails' settings a file may carry: none where fail2ban has no
 * sendmail action to read. */
static const struct mail_conf *usable_mail(const struct f2b_link *link)
{
	return link->mail && jailfile_mail_action_installed(link->config_dir) ?
	       link->mail : NULL;
}

int jailctl_publish_bl(const struct f2b_link *link, const struct jail_bl *bl,
		       bool load, char *err, size_t errlen)
{
	char name[JAIL_BL_NAME_MAX + 1];
	const char *why;
	const char *filter = jailfile_bl_filter_installed(link->config_dir) ?
			     JAILFILE_BL_FILTER : "";
	char *text = jailfile_render_bl(bl, filter, link->nodes,
					usable_mail(link), &why);
	int rc;

	jail_bl_name(bl->jail, name);
	if (!text) {
		snprintf(err, errlen, "jail %s: %s", name, why);
		return -1;
	}
	rc = jailfile_write(link->config_dir, name, text, err, errlen);
	free(text);
	if (rc != 0)
		return -1;
	return load ? jailctl_load(link, name, err, errlen) : 0;
}

int jailctl_withdraw_bl(const struct f2b_link *link, const char *jail,
			bool stop, char *err, size_t errlen)
{
	char name[JAIL_BL_NAME_MAX + 1];

	jail_bl_name(jail, name);
	if (jailfile_remove(link->config_dir, name, err, errlen) != 0)
		return -1;
	return stop ? jailctl_stop(link, name, err, errlen) : 0;
}

/* The -bl jail of a published jail: there while its max_count is above 0. */
static int publish_bl_of(const struct f2b_link *link,
			 const struct jail_row *row,
			 const struct jail_whitelist *wl, bool load,
			 char *err, size_t errlen)
{
	struct jail_bl bl;
	int rc;

	if (row->max_count <= 0)
		return jailctl_withdraw_bl(link, row->name, load, err, errlen);
	if (jail_bl_init(&bl, row->name, row->port, wl) != 0) {
		snprintf(err, errlen, "jail %s: too long, or out of memory",
			 row->name);
		return -1;
	}
	bl.send_mail = row->send_mail_bl;
	rc = jailctl_publish_bl(link, &bl, load, err, errlen);
	jail_bl_free(&bl);
	return rc;
}

/* fail2ban refused the jail's new file: put back the file it had (and the
 * jail it ran from it), or, for a new jail, none.  Best effort: what could
 * not be put back is added to err. */
static void put_back(const struct f2b_link *link, const char *name,
		     const char *before, char *err, size_t errlen)
{
	char again[256] = "";
	size_t used = strlen(err);
	int rc;

	if (before)
		rc = jailfile_write(link->config_dir, name, before, again,
				    sizeof(again)) ||
		     jailctl_load(link, name, again, sizeof(again));
	else
		rc = jailfile_remove(link->config_dir, name, again,
				     sizeof(again)) ||
		     jailctl_stop(link, name, again, sizeof(again));
	if (used < errlen)
		snprintf(err + used, errlen - used, rc ? "; and putting back "
			 "the jail as it was failed too: %s" : "; the jail is "
			 "as it was before", again);
}

int jailctl_publish(const struct f2b_link *link, const struct jail_row *row,
		    const struct jail_whitelist *wl,
		    const struct jail_scope *scope, bool load,
		    char *err, size_t errlen)
{
	const char *why;
	char *text, *before;
	int rc;

	if (!scope->owned) {
		snprintf(err, errlen, "jail %s is not mc-f2b's", row->name);
		return -1;
	}
	/* No file of fail2ban's configuration may name a log that is not
	 * there: its test, and its next start, would fail for every jail. */
	if (!jail_log_present(row->logpath, &why)) {
		snprintf(err, errlen, "jail %s: logpath %s: %s", row->name,
			 row->logpath, why);
		return -1;
	}
	if (!(text = jailfile_render_jail(row, wl, link->nodes,
					  usable_mail(link), &why))) {
		snprintf(err, errlen, "jail %s: %s", row->name, why);
		return -1;
	}
	if (jailfile_read(link->config_dir, row->name, &before, err,
			  errlen) != 0) {
		free(text);
		return -1;
	}
	rc = jailfile_write(link->config_dir, row->name, text, err, errlen);
	free(text);
	if (rc == 0 && load &&
	    (rc = jailctl_load(link, row->name, err, errlen)) != 0)
		put_back(link, row->name, before, err, errlen);
	free(before);
	if (rc != 0)
		return -1;
	return scope->bl ? publish_bl_of(link, row, wl, load, err, errlen) : 0;
}

int jailctl_withdraw(const struct f2b_link *link, const char *name,
		     const struct jail_scope *scope, bool stop,
		     char *err, size_t errlen)
{
	if (!scope->owned) {
		snprintf(err, errlen, "jail %s is not mc-f2b's", name);
		return -1;
	}
	if (jailfile_remove(link->config_dir, name, err, errlen) != 0 ||
	    (stop && jailctl_stop(link, name, err, errlen) != 0))
		return -1;
	return scope->bl ? jailctl_withdraw_bl(link, name, stop, err, errlen) : 0;
}

int jailctl_set_mail(const struct f2b_link *link, const char *name,
		     const char *line, bool load, char *err, size_t errlen)
{
	char *text, *next;
	bool same;
	int rc;

	if (jailfile_read(link->config_dir, name, &text, err, errlen) != 0)
		return -1;
	if (!text)
		return 0;   /* no file: nothing runs the jail here */
	next = mail_set_line(text, line);
	same = next && strcmp(next, text) == 0;
	free(text);
	if (!next) {
		snprintf(err, errlen, "jail %s: its file has no action line, "
			 "or memory ran out", name);
		return -1;
	}
	if (same) {
		free(next);
		return 0;
	}
	rc = jailfile_write(link->config_dir, name, next, err, errlen);
	free(next);
	if (rc != 0)
		return -1;
	if (load && jailctl_loaded(link, name, err, errlen) == F2B_OK &&
	    jailctl_load(link, name, err, errlen) != 0)
		return -1;
	return 1;
}
