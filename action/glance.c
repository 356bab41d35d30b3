/* glance.c - where the configuration is, what identifies a version of it,
 * and a glance at it for the hand-off (config.h).  Apart from config.c so
 * that mc-f2b-action, which only glances, links neither iniparser nor the
 * checks of a full reading.
 *
 * A few values read the way iniparser reads a line (a section or key name
 * stripped and lower-cased; an unquoted value up to a ';' or a '#',
 * stripped), anything it could read otherwise refused: a continued line, a
 * quoted value, a line longer than its buffer, an empty section name.
 * Refusing only costs the full reading. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "localfile.h"
#include "textcopy.h"

const char *config_path(const char *from_command_line)
{
	const char *env;

	if (from_command_line)
		return from_command_line;
	env = getenv("MC_F2B_CONFIG");
	return env && *env ? env : CONFIG_DEFAULT_PATH;
}

/* The file as it was opened: any change to it (its text, its mode, its
 * owner) moves its change time. */
void config_identity(char *buf, size_t len, const struct stat *st)
{
	snprintf(buf, len, "%llu:%llu:%lld:%lld.%09ld",
		 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
		 (long long)st->st_size, (long long)st->st_ctim.tv_sec,
		 st->st_ctim.tv_nsec);
}

#define GLANCE_FILE_MAX 65536
/* iniparser reads a line into 1024 bytes and refuses one that does not fit
 * with its newline: 1022 bytes at most. */
#define GLANCE_LINE_MAX 1022

static char *strip(char *start, char *end)
{
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return start;
}

struct glance_state {
	char section[GLANCE_LINE_MAX + 1];
	struct config_glance *g;
	/* [master] and [replica] password_file: not read, but opened as
	 * config_load opens them, so that a loose one is still refused. */
	char password_file[2][PATH_MAX];
};

/* Is (section, key) one the glance reads?  The others are left alone,
 * however they are written: a line is read on its own, a continued line
 * aside (refused on any key). */
static bool glance_reads(const struct glance_state *gs, const char *key)
{
	bool master = strcmp(gs->section, "master") == 0;

	return (strcmp(gs->section, "spool") == 0 && strcmp(key, "dir") == 0) ||
	       (strcmp(key, "password_file") == 0 &&
		(master || strcmp(gs->section, "replica") == 0)) ||
	       (master && (strcmp(key, "connect_timeout_ms") == 0 ||
			   strcmp(key, "query_timeout_ms") == 0));
}

/* A value of one of the keys, or -1 when the glance cannot take it. */
static int glance_value(struct glance_state *gs, const char *key, char *rest)
{
	char *value = strip(rest, rest + strlen(rest));
	long long n;

	if (!glance_reads(gs, key))
		return 0;
	if (*value == '"' || *value == '\'')
		return -1;
	value = strip(value, value + strcspn(value, ";#"));
	for (const char *c = value; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return -1;
	if (strcmp(key, "dir") == 0) {
		if (value[0] != '/' || strlen(value) >= sizeof(gs->g->spool_dir))
			return -1;
		strcpy(gs->g->spool_dir, value);
	} else if (strcmp(key, "password_file") == 0) {
		if (strlen(value) >= PATH_MAX)
			return -1;
		strcpy(gs->password_file[gs->section[0] == 'r'], value);
	} else {
		if (!parse_int_in(value, 1, 600000, &n))
			return -1;
		*(key[0] == 'c' ? &gs->g->connect_timeout_ms :
				  &gs->g->query_timeout_ms) = (unsigned)n;
	}
	return 0;
}

static int glance_line(struct glance_state *gs, char *line, char *end)
{
	char *eq, *key;

	if (end - line > GLANCE_LINE_MAX)
		return -1;
	line = strip(line, end);
	end = line + strlen(line);
	if (end > line && end[-1] == '\\')
		return -1;
	if (!*line || *line == '#' || *line == ';')
		return 0;
	if (*line == '[' && end[-1] == ']') {
		/* An empty name: iniparser keeps the section before. */
		if (line[1] == ']')
			return -1;
		key = strip(line + 1, line + strcspn(line, "]"));
		for (char *c = key; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		strcpy(gs->section, key);
		return 0;
	}
	eq = strchr(line, '=');
	if (!eq)
		return -1;
	key = strip(line, eq);
	for (char *c = key; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return glance_value(gs, key, eq + 1);
}

/* The password files named, each as config_load would open it. */
static int glance_password_files(const struct glance_state *gs)
{
	char err[512];
	struct stat st;
	int fd;

	for (size_t i = 0; i < 2; i++) {
		if (!gs->password_file[i][0])
			continue;
		if (gs->password_file[i][0] != '/')
			return -1;
		fd = localfile_open(gs->password_file[i], true, &st, err,
				    sizeof(err));
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

/* text holds len bytes and room for one more (a last line without its
 * newline is ended there). */
static int glance_text(char *text, size_t len, struct config_glance *g)
{
	struct glance_state gs = { .section = "", .g = g };
	char *line = text, *end = text + len, *nl;

	text_copy(g->spool_dir, sizeof(g->spool_dir), CONFIG_DEFAULT_SPOOL_DIR);
	g->connect_timeout_ms = CONFIG_DEFAULT_CONNECT_TIMEOUT_MS;
	g->query_timeout_ms = CONFIG_DEFAULT_QUERY_TIMEOUT_MS;
	if (memchr(text, '\0', len))
		return -1;
	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		if (glance_line(&gs, line, nl) != 0)
			return -1;
	}
	return glance_password_files(&gs);
}

int config_glance(const char *path, struct config_glance *g)
{
	static char text[GLANCE_FILE_MAX + 1];
	char err[512];
	struct stat st, after;
	ssize_t got;
	int rc, fd = localfile_open(path, false, &st, err, sizeof(err));

	if (fd < 0)
		return -1;
	if (st.st_size > GLANCE_FILE_MAX) {
		close(fd);
		return -1;
	}
	got = read(fd, text, (size_t)st.st_size + 1);
	/* The text and the identity of one and the same version. */
	if (got != st.st_size || fstat(fd, &after) != 0 ||
	    after.st_ctim.tv_sec != st.st_ctim.tv_sec ||
	    after.st_ctim.tv_nsec != st.st_ctim.tv_nsec) {
		close(fd);
		return -1;
	}
	close(fd);
	config_identity(g->identity, sizeof(g->identity), &st);
	rc = glance_text(text, (size_t)got, g);
	/* A password written in the file stays nowhere. */
	explicit_bzero(text, (size_t)got);
	return rc;
}
