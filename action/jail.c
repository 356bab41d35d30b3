/* jail.c - the rules of a jail: its columns, its whitelist, its permanent
 * jail, and how far mc-f2b may act on it. */
#include "jail.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"

/* --- names ---------------------------------------------------------------- */

bool jail_is_bl_name(const char *name)
{
	size_t len = strlen(name), suffix = sizeof(JAIL_BL_SUFFIX) - 1;

	return len > suffix && strcmp(name + len - suffix, JAIL_BL_SUFFIX) == 0;
}

bool jail_row_name_valid(const char *name, const char **why)
{
	if (!jail_name_valid(name, why))
		return false;
	if (jail_is_bl_name(name) || strlen(name) > JAIL_NAME_MAX) {
		if (why)
			*why = "names ending in -bl belong to permanent jails";
		return false;
	}
	return true;
}

void jail_bl_name(const char *jail, char out[JAIL_BL_NAME_MAX + 1])
{
	snprintf(out, JAIL_BL_NAME_MAX + 1, "%s" JAIL_BL_SUFFIX, jail);
}

/* --- numbers -------------------------------------------------------------- */

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

/* --- text columns --------------------------------------------------------- */

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
 * section), no brackets, no '%' (interpolation), no quotes.  A glob ('*',
 * '?') only in the last part: fail2ban expands it, and a glob in the
 * directories would have this check walk whole trees. */
static bool logpath_valid(const char *path, const char **why)
{
	static const char allowed[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789/._-*?+@:=,~";
	const char *last = strrchr(path, '/');

	if (path[0] != '/') {
		*why = "expected an absolute path";
		return false;
	}
	if (strspn(path, allowed) != strlen(path)) {
		*why = "only letters, digits and / . _ - * ? + @ : = , ~ are "
		       "allowed";
		return false;
	}
	if (strcspn(path, "*?") < (size_t)(last - path)) {
		*why = "a glob (* or ?) may only be in the file name";
		return false;
	}
	return true;
}

/* What fail2ban would open must be a regular file: a device (/dev/zero), a
 * FIFO or a socket is read without end or blocks, a directory not at all.
 * stat() follows links, as fail2ban does. */
static bool is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Under /proc, /sys and /dev a "regular file" may be memory or a knob,
 * and a file not there yet may never be one. */
static bool in_pseudo_tree(const char *dir)
{
	static const char *const trees[] = { "/proc", "/sys", "/dev" };

	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		size_t n = strlen(trees[i]);

		if (strncmp(dir, trees[i], n) == 0 &&
		    (dir[n] == '\0' || dir[n] == '/'))
			return true;
	}
	return false;
}

/* The directory of a log path: it exists, outside the pseudo-file trees,
 * and nobody but its owner and group may put a file there: a FIFO, or a
 * link to a device, placed after this check would be read all the same. */
static bool logdir_usable(const char *dir, const char **why)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(dir, real) || stat(real, &st) != 0 ||
	    !S_ISDIR(st.st_mode)) {
		*why = "its directory does not exist, so there is no log "
		       "for fail2ban to read (point logpath at the log)";
		return false;
	}
	if (in_pseudo_tree(real)) {
		*why = "not a log: /proc, /sys and /dev hold no logs";
		return false;
	}
	if (st.st_mode & S_IWOTH) {
		*why = "its directory is writable by anyone, who could put a "
		       "FIFO or a link to a device in the log's place";
		return false;
	}
	return true;
}

/* The log path on this node: its directory usable, and each file it names
 * (a glob's matches; none yet is fine: the log may not have started) a
 * regular file. */
static bool logpath_usable(const char *path, const char **why)
{
	char dir[JAIL_LOGPATH_MAX + 1];
	size_t dirlen = (size_t)(strrchr(path, '/') - path);
	struct stat st;
	glob_t g;
	bool ok = true;

	snprintf(dir, sizeof(dir), "%.*s", (int)(dirlen ? dirlen : 1), path);
	if (!logdir_usable(dir, why))
		return false;
	if (strcspn(path, "*?") == strlen(path)) {
		ok = (stat(path, &st) != 0 && errno == ENOENT) ||
		     is_regular(path);
	} else {
		if (glob(path, GLOB_NOSORT, NULL, &g) == 0)
			for (size_t i = 0; ok && i < g.gl_pathc; i++)
				ok = is_regular(g.gl_pathv[i]);
		globfree(&g);
	}
	if (!ok)
		*why = "not a regular file (a device, FIFO, socket or "
		       "directory would never be read as a log)";
	return ok;
}

bool jail_log_present(const char *logpath, const char **why)
{
	struct stat st;
	glob_t g;
	bool found;

	if (strcspn(logpath, "*?") == strlen(logpath)) {
		found = stat(logpath, &st) == 0;
	} else {
		found = glob(logpath, GLOB_NOSORT, NULL, &g) == 0 &&
			g.gl_pathc > 0;
		globfree(&g);
	}
	if (!found)
		*why = "no log file there: fail2ban starts no jail without its "
		       "log, and 'fail2ban-client -t' then fails for the whole "
		       "server (create the log, or point logpath at it)";
	return found;
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
		return logpath_valid(row->logpath, why) &&
		       (!config_dir || logpath_usable(row->logpath, why));
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
	if (!jail_row_name_valid(row->name, why))
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

/* --- the whitelist -------------------------------------------------------- */

int jail_whitelist_add(struct jail_whitelist *wl, const struct addr_net *net)
{
	struct addr_net *grown = grow_for_one(wl->nets, &wl->cap, wl->count,
					      sizeof(*grown), 8);

	if (!grown)
		return -1;
	wl->nets = grown;
	wl->nets[wl->count++] = *net;
	return 0;
}

bool jail_whitelist_covers(const struct jail_whitelist *wl,
			   const struct addr *a)
{
	for (size_t i = 0; i < wl->count; i++)
		if (addr_net_contains(&wl->nets[i], a))
			return true;
	return false;
}

void jail_whitelist_free(struct jail_whitelist *wl)
{
	free(wl->nets);
	wl->nets = NULL;
	wl->count = wl->cap = 0;
}

/* --- the permanent jail --------------------------------------------------- */

int jail_bl_init(struct jail_bl *bl, const char *jail, const char *port,
		 const struct jail_whitelist *wl)
{
	memset(bl, 0, sizeof(*bl));
	if (strlen(jail) >= sizeof(bl->jail) || strlen(port) >= sizeof(bl->port))
		return -1;
	memcpy(bl->jail, jail, strlen(jail) + 1);
	memcpy(bl->port, port, strlen(port) + 1);
	for (size_t i = 0; wl && i < wl->count; i++)
		if (jail_whitelist_add(&bl->whitelist, &wl->nets[i]) != 0) {
			jail_bl_free(bl);
			return -1;
		}
	return 0;
}

void jail_bl_free(struct jail_bl *bl)
{
	jail_whitelist_free(&bl->whitelist);
}

/* --- scope ---------------------------------------------------------------- */

struct jail_scope jail_scope_decide(const char *name,
				    const struct jail_facts *facts)
{
	struct jail_scope s = { false, false, false };

	/* A permanent jail is only ever reached as the -bl of its jail. */
	if (!jail_row_name_valid(name, NULL))
		return s;
	s.owned = !facts->defined_in;
	s.act = s.owned || facts->runs == JAIL_RUNS_OURS;
	s.bl = s.act && !facts->bl_defined_in;
	return s;
}

bool jail_scope_allows(const struct jail_scope *scope, enum jail_need need)
{
	switch (need) {
	case JAIL_NEED_OWNED: return scope->owned;
	case JAIL_NEED_ACT: return scope->act;
	case JAIL_NEED_BL: return scope->bl;
	}
	return false;
}

void jail_scope_explain(const char *name, const struct jail_facts *facts,
			enum jail_need need, char *out, size_t outlen)
{
	struct jail_scope s = jail_scope_decide(name, facts);
	const char *why;

	if (!jail_row_name_valid(name, &why))
		snprintf(out, outlen, "'%s' names no jail mc-f2b may act on: %s",
			 name, why);
	else if (!s.owned && (need == JAIL_NEED_OWNED || !s.act))
		snprintf(out, outlen, "jail %s is defined in %s, not by mc-f2b%s",
			 name, facts->defined_in,
			 need == JAIL_NEED_OWNED ? "" :
			 facts->runs == JAIL_RUNS_UNKNOWN ?
			 ", and fail2ban is not here to say whether it runs "
			 "mc-custom or mc-record" :
			 ", and it runs neither mc-custom nor mc-record");
	else if (need == JAIL_NEED_BL && !s.bl)
		snprintf(out, outlen, "jail %s" JAIL_BL_SUFFIX " is defined in "
			 "%s, not by mc-f2b", name, facts->bl_defined_in);
	else
		snprintf(out, outlen, "jail %s: nothing is refused", name);
}

int jail_custom_row(const char *name, const char *port, long long max_count,
		    struct jail_row *row, const char **why)
{
	if (!jail_row_name_valid(name, why) || !jail_port_valid(port, why))
		return -1;
	memset(row, 0, sizeof(*row));
	row->enabled = true;
	snprintf(row->name, sizeof(row->name), "%s", name);
	snprintf(row->port, sizeof(row->port), "%s", port);
	snprintf(row->banaction, sizeof(row->banaction), "mc-custom");
	row->max_count = max_count;
	return 0;
}
