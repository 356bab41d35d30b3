/* f2bconf.c - section names in fail2ban's jail files.
 *
 * fail2ban reads them with Python's configparser: a section starts at a
 * line that, stripped, begins with '[' and the name runs to the line's
 * last ']'; comments start with '#' or ';'.  Whatever could be a section
 * is taken for one: a name wrongly taken for defined only makes mc-f2b
 * leave a jail alone, the safe side. */
#include "f2bconf.h"

#include "errbuf.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strset.h"

/* Bounds on a configuration that includes itself, or one that is absurd. */
#define MAX_FILES 512
#define MAX_DEPTH 8
/* mc-f2b's own jail files, as jailfile.c names them. */
#define OWN_PREFIX "mc-f2b-"
#define OWN_SUFFIX ".conf"

struct reader {
	struct f2b_defined *out;
	struct strset seen;      /* files already read */
	char *err;
	size_t errlen;
};

static int add_definition(struct reader *r, const char *name,
			  const char *file)
{
	struct f2b_defined *d = r->out;
	struct f2b_definition *item;

	if (f2bconf_defined_in(d, name))
		return 0;
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct f2b_definition *grown;

		if (cap < d->cap ||
		    !(grown = reallocarray(d->items, cap, sizeof(*grown)))) {
			errbuf_set(r->err, r->errlen, "out of memory");
			return -1;
		}
		d->items = grown;
		d->cap = cap;
	}
	item = &d->items[d->count];
	item->name = strdup(name);
	item->file = strdup(file);
	if (!item->name || !item->file) {
		free(item->name);
		free(item->file);
		errbuf_set(r->err, r->errlen, "out of memory");
		return -1;
	}
	d->count++;
	return 0;
}

/* The jail that one of mc-f2b's own files is for, or NULL for any other
 * file: "<dir>/jail.d/mc-f2b-<jail>.conf". */
static const char *own_jail(const char *path, char *jail, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (!strstr(path, "/jail.d/" OWN_PREFIX) ||
	    strncmp(base, OWN_PREFIX, strlen(OWN_PREFIX)) != 0 ||
	    n <= strlen(OWN_PREFIX) + strlen(OWN_SUFFIX) ||
	    strcmp(base + n - strlen(OWN_SUFFIX), OWN_SUFFIX) != 0)
		return NULL;
	n -= strlen(OWN_PREFIX) + strlen(OWN_SUFFIX);
	if (n >= len)
		return NULL;
	memcpy(jail, base + strlen(OWN_PREFIX), n);
	jail[n] = '\0';
	return jail;
}

static char *strip(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* "[name] ..." -> name (in place), or NULL when the line is no header. */
static char *section_name(char *line)
{
	char *close = strrchr(line, ']');

	if (line[0] != '[' || !close || close == line + 1)
		return NULL;
	*close = '\0';
	return line + 1;
}

static int read_file(struct reader *r, const char *path, int depth);

/* One file named by [INCLUDES] before/after: relative to the including
 * file's directory, and with its .local beside it, as fail2ban reads them. */
static int read_include(struct reader *r, const char *from, const char *name,
			int depth)
{
	char path[PATH_MAX], local[PATH_MAX];
	const char *slash = strrchr(from, '/');
	const char *dot;
	int n;

	if (name[0] == '/')
		n = snprintf(path, sizeof(path), "%s", name);
	else
		n = snprintf(path, sizeof(path), "%.*s/%s",
			     (int)(slash ? slash - from : 1), from, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errbuf_set(r->err, r->errlen, "%s: an included path is too long",
			   from);
		return -1;
	}
	if (read_file(r, path, depth + 1) != 0)
		return -1;
	dot = strrchr(path, '.');
	if (!dot || dot < strrchr(path, '/'))
		dot = path + strlen(path);
	snprintf(local, sizeof(local), "%.*s.local", (int)(dot - path), path);
	return strcmp(local, path) == 0 ? 0 : read_file(r, local, depth + 1);
}

struct parse_state {
	char section[256];
	bool in_includes_list;   /* inside a before/after value */
};

/* One line of a file: a header, an include, or nothing of interest. */
static int parse_line(struct reader *r, const char *path, char *raw,
		      struct parse_state *ps, const char *own, int depth)
{
	bool indented = raw[0] == ' ' || raw[0] == '\t';
	char *line = strip(raw), *name, *eq;

	if (!line[0] || line[0] == '#' || line[0] == ';')
		return 0;
	if (ps->in_includes_list && indented)
		return read_include(r, path, line, depth);
	ps->in_includes_list = false;
	if ((name = section_name(line))) {
		snprintf(ps->section, sizeof(ps->section), "%s", name);
		return own && strcmp(name, own) == 0 ? 0
						     : add_definition(r, name, path);
	}
	if (strcmp(ps->section, "INCLUDES") != 0 || !(eq = strchr(line, '=')))
		return 0;
	*eq = '\0';
	name = strip(line);
	if (strcmp(name, "before") != 0 && strcmp(name, "after") != 0)
		return 0;
	ps->in_includes_list = true;
	line = strip(eq + 1);
	return line[0] ? read_include(r, path, line, depth) : 0;
}

static int read_file(struct reader *r, const char *path, int depth)
{
	struct parse_state ps = { "", false };
	char own_buf[256];
	const char *own = own_jail(path, own_buf, sizeof(own_buf));
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	FILE *f;

	if (strset_has(&r->seen, path))
		return 0;
	if (depth > MAX_DEPTH || r->seen.count >= MAX_FILES) {
		errbuf_set(r->err, r->errlen, "%s: too many files or includes "
			   "in fail2ban's configuration", path);
		return -1;
	}
	if (strset_add(&r->seen, path) != 0) {
		errbuf_set(r->err, r->errlen, "out of memory");
		return -1;
	}
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		errbuf_set(r->err, r->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) >= 0)
		rc = parse_line(r, path, line, &ps, own, depth);
	if (rc == 0 && ferror(f)) {
		errbuf_set(r->err, r->errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

/* Every file a glob matches, in fail2ban's (sorted) order. */
static int read_glob(struct reader *r, const char *pattern)
{
	glob_t g;
	int rc = 0, found = glob(pattern, 0, NULL, &g);

	if (found == GLOB_NOMATCH)
		return 0;
	if (found != 0) {
		errbuf_set(r->err, r->errlen, "%s: cannot be listed", pattern);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
		rc = read_file(r, g.gl_pathv[i], 0);
	globfree(&g);
	return rc;
}

int f2bconf_read(const char *config_dir, struct f2b_defined *out,
		 char *err, size_t errlen)
{
	static const char *const parts[] = {
		"jail.conf", "jail.d/*.conf", "jail.local", "jail.d/*.local",
	};
	struct reader r = { .out = out, .err = err, .errlen = errlen };
	char path[PATH_MAX];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; rc == 0 && i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", config_dir, parts[i]) >=
		    (int)sizeof(path)) {
			errbuf_set(err, errlen, "%s: path too long", config_dir);
			rc = -1;
		} else {
			rc = strchr(parts[i], '*') ? read_glob(&r, path)
						   : read_file(&r, path, 0);
		}
	}
	strset_free(&r.seen);
	if (rc != 0)
		f2bconf_free(out);
	return rc;
}

const char *f2bconf_defined_in(const struct f2b_defined *d, const char *jail)
{
	for (size_t i = 0; i < d->count; i++)
		if (strcmp(d->items[i].name, jail) == 0)
			return d->items[i].file;
	return NULL;
}

void f2bconf_free(struct f2b_defined *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].name);
		free(d->items[i].file);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}
