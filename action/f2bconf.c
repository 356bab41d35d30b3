/* f2bconf.c - section names in fail2ban's jail files, read as fail2ban
 * reads them.
 *
 * fail2ban parses its files with Python's configparser (UTF-8, universal
 * newlines, inline comments after ';'), and a name this reader missed
 * would be a jail of the administrator's taken for mc-f2b's.  So the rules
 * below are configparser's, as fail2ban 1.0 sets it up:
 *   - a line ends at "\n", "\r\n" or "\r";
 *   - ';' starts a comment at the start of a line or after white space,
 *     and a line whose stripped text starts with '#' or ';' is a comment;
 *   - white space is Python's (str.isspace: "\x1c" and U+00A0 included);
 *   - a line indented deeper than the option above it continues that
 *     option's value (blank and comment lines in between do not end it);
 *   - otherwise a line "[...]" starts a section named up to its last ']',
 *     and "name = value" or "name: value" sets an option whose name is
 *     compared in lower case;
 *   - fail2ban reads "[name?cond]" into the section "name";
 *   - [INCLUDES] before/after name one file a line, relative to the
 *     including file, each read with its .local.
 * What this reader cannot read as fail2ban would (a file that is not
 * UTF-8, an include it cannot resolve) fails the whole reading: what cannot
 * be read cannot be shown to be free. */
#include "f2bconf.h"

#include "errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"
#include "strset.h"

/* Bounds on a configuration that includes itself, or one that is absurd. */
#define MAX_FILES 512
#define MAX_DEPTH 8
#define MAX_FILE_SIZE (8u << 20)
/* mc-f2b's own jail files, as jailfile.c names them. */
#define OWN_PREFIX "mc-f2b-"
#define OWN_SUFFIX ".conf"

struct reader {
	struct f2b_defined *out;
	struct strset seen;      /* files already read */
	char *err;
	size_t errlen;
};

/* --- definitions ------------------------------------------------------------ */

static int add_definition(struct reader *r, const char *name,
			  const char *file)
{
	struct f2b_defined *d = r->out;
	struct f2b_definition *item;

	if (f2bconf_defined_in(d, name))
		return 0;
	item = grow_for_one(d->items, &d->cap, d->count, sizeof(*item), 64);
	if (!item) {
		errbuf_set(r->err, r->errlen, "out of memory");
		return -1;
	}
	d->items = item;
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

/* --- Python's text ------------------------------------------------------------ */

/* The length of the UTF-8 sequence at p (at most n bytes), and its code
 * point; 0 when the bytes are not UTF-8 (as Python's decoder says). */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, v = p[0] & 0x1fu, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, v = p[0] & 0x0fu, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, v = p[0] & 0x07u, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Python's str.isspace(). */
static bool py_space(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) ||
	       cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* A line of valid UTF-8: [start, end). */
struct span {
	const char *start, *end;
};

/* Python's str.strip() of a span. */
static struct span py_strip(struct span s)
{
	uint32_t cp;
	size_t n;

	while (s.start < s.end &&
	       (n = utf8_next((const unsigned char *)s.start,
			      (size_t)(s.end - s.start), &cp)) && py_space(cp))
		s.start += n;
	while (s.end > s.start) {
		const char *p = s.end - 1;

		while (p > s.start && ((unsigned char)*p & 0xc0) == 0x80)
			p--;
		n = utf8_next((const unsigned char *)p, (size_t)(s.end - p), &cp);
		if (!n || !py_space(cp))
			break;
		s.end = p;
	}
	return s;
}

/* How many code points of white space start the line (configparser's
 * indent level), and where its comment starts: a ';' at the start or
 * after white space. */
static size_t indent_and_comment(struct span line, const char **comment)
{
	const char *p = line.start;
	size_t indent = 0;
	bool leading = true, after_space = true;
	uint32_t cp;
	size_t n;

	*comment = line.end;
	while (p < line.end &&
	       (n = utf8_next((const unsigned char *)p,
			      (size_t)(line.end - p), &cp))) {
		if (cp == ';' && after_space) {
			*comment = p;
			break;
		}
		after_space = py_space(cp);
		if (leading && after_space)
			indent++;
		else
			leading = false;
		p += n;
	}
	return indent;
}

/* --- one file ------------------------------------------------------------------ */

static int read_file(struct reader *r, const char *path, int depth);

/* One file named by [INCLUDES] before/after: relative to the including
 * file's directory, and with its .local beside it, as fail2ban reads them.
 * A name fail2ban would interpolate cannot be followed: refused. */
static int read_include(struct reader *r, const char *from, struct span name,
			int depth)
{
	char path[PATH_MAX], local[PATH_MAX];
	const char *slash = strrchr(from, '/');
	size_t len = (size_t)(name.end - name.start);
	const char *dot;
	int n;

	if (memchr(name.start, '%', len)) {
		errbuf_set(r->err, r->errlen, "%s: an include names a file "
			   "through interpolation: it cannot be followed", from);
		return -1;
	}
	if (name.start[0] == '/')
		n = snprintf(path, sizeof(path), "%.*s", (int)len, name.start);
	else if (slash)
		n = snprintf(path, sizeof(path), "%.*s/%.*s",
			     (int)(slash - from), from, (int)len, name.start);
	else
		n = snprintf(path, sizeof(path), "%.*s", (int)len, name.start);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errbuf_set(r->err, r->errlen, "%s: an included path is too long",
			   from);
		return -1;
	}
	if (read_file(r, path, depth + 1) != 0)
		return -1;
	dot = strrchr(path, '.');
	if (!dot || (strrchr(path, '/') && dot < strrchr(path, '/')))
		dot = path + strlen(path);
	snprintf(local, sizeof(local), "%.*s.local", (int)(dot - path), path);
	return strcmp(local, path) == 0 ? 0 : read_file(r, local, depth + 1);
}

/* configparser's state between the lines of one file. */
struct parse_state {
	const char *path;
	const char *own;         /* the jail of mc-f2b's own file, or NULL */
	int depth;
	bool in_section, has_option, in_includes, include_option;
	size_t indent_level;
};

/* "[name]" or "[name?condition]": every name fail2ban files it under.
 * Returns 0, -1 on an error, 1 when the line is no header after all
 * (configparser wants a name of at least one character before the last
 * ']'). */
static int header(struct reader *r, struct parse_state *ps, struct span v)
{
	const char *close = v.end - 1;
	char name[512];
	size_t len;

	while (close > v.start && *close != ']')
		close--;
	if (close - v.start < 2)
		return 1;
	len = (size_t)(close - v.start - 1);
	if (len >= sizeof(name)) {
		errbuf_set(r->err, r->errlen, "%s: a section name too long to "
			   "compare", ps->path);
		return -1;
	}
	memcpy(name, v.start + 1, len);
	name[len] = '\0';
	ps->in_section = true;
	ps->has_option = false;
	ps->in_includes = strcmp(name, "INCLUDES") == 0;
	if (ps->own && strcmp(name, ps->own) == 0)
		return 0;
	if (add_definition(r, name, ps->path) != 0)
		return -1;
	if (strchr(name, '?')) {
		*strchr(name, '?') = '\0';
		return add_definition(r, name, ps->path);
	}
	return 0;
}

/* "name = value" or "name: value"; an include when it is [INCLUDES]'s
 * before or after. */
static int option(struct reader *r, struct parse_state *ps, struct span v)
{
	const char *delim = v.start;
	struct span key, value;

	while (delim < v.end && *delim != '=' && *delim != ':')
		delim++;
	if (delim == v.end)
		return 0;   /* fail2ban refuses the file; nothing to learn here */
	key = py_strip((struct span){ v.start, delim });
	value = py_strip((struct span){ delim + 1, v.end });
	/* configparser continues only an option with a name. */
	ps->has_option = key.start < key.end;
	ps->include_option = ps->in_includes &&
		(((size_t)(key.end - key.start) == 6 &&
		  strncasecmp(key.start, "before", 6) == 0) ||
		 ((size_t)(key.end - key.start) == 5 &&
		  strncasecmp(key.start, "after", 5) == 0));
	if (ps->include_option && value.start < value.end)
		return read_include(r, ps->path, value, ps->depth);
	return 0;
}

static int parse_line(struct reader *r, struct parse_state *ps,
		      struct span line)
{
	const char *comment;
	size_t indent = indent_and_comment(line, &comment);
	struct span v = py_strip((struct span){ line.start, comment });
	struct span whole = py_strip(line);
	int rc;

	if (whole.start < whole.end &&
	    (whole.start[0] == '#' || whole.start[0] == ';'))
		return 0;
	if (v.start == v.end)
		return 0;
	if (ps->in_section && ps->has_option && indent > ps->indent_level)
		return ps->include_option ? read_include(r, ps->path, v, ps->depth)
					  : 0;
	ps->indent_level = indent;
	if (v.start[0] == '[' && (rc = header(r, ps, v)) <= 0)
		return rc;
	return ps->in_section ? option(r, ps, v) : 0;
}

/* The whole file, in memory, as long as it is UTF-8 throughout. */
static char *slurp(struct reader *r, const char *path, size_t *len)
{
	struct stat st;
	char *text = NULL;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	*len = 0;
	if (fd < 0) {
		if (errno != ENOENT)
			errbuf_set(r->err, r->errlen, "%s: %s", path,
				   strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > MAX_FILE_SIZE ||
	    !(text = malloc((size_t)st.st_size + 1)) ||
	    (n = read(fd, text, (size_t)st.st_size)) != st.st_size) {
		errbuf_set(r->err, r->errlen, "%s: cannot be read whole", path);
		free(text);
		close(fd);
		return NULL;
	}
	close(fd);
	text[n] = '\0';
	*len = (size_t)n;
	for (size_t i = 0, step; i < *len; i += step) {
		uint32_t cp;

		step = utf8_next((const unsigned char *)text + i, *len - i, &cp);
		if (!step || cp == 0) {
			errbuf_set(r->err, r->errlen, "%s: not UTF-8 text, as "
				   "fail2ban reads it", path);
			free(text);
			return NULL;
		}
	}
	return text;
}

static int read_file(struct reader *r, const char *path, int depth)
{
	char own_buf[256];
	struct parse_state ps = {
		.path = path, .own = own_jail(path, own_buf, sizeof(own_buf)),
		.depth = depth,
	};
	size_t len;
	char *text;
	int rc = 0;

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
	r->err[0] = '\0';
	if (!(text = slurp(r, path, &len)))
		return r->err[0] ? -1 : 0;   /* not there: nothing defined */
	for (const char *p = text; rc == 0 && p < text + len; ) {
		const char *eol = p + strcspn(p, "\r\n");

		rc = parse_line(r, &ps, (struct span){ p, eol });
		p = eol + (eol[0] == '\r' && eol[1] == '\n' ? 2 : eol[0] ? 1 : 0);
	}
	free(text);
	return rc;
}

/* Every file a glob matches, in fail2ban's (sorted) order. */
static int read_glob(struct reader *r, const char *pattern)
{
	glob_t g;
	int rc = 0, found = glob(pattern, 0, NULL, &g);

	if (found == GLOB_NOMATCH) {
		globfree(&g);
		return 0;
	}
	if (found != 0) {
		globfree(&g);
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
